/**
 * The TLS 1.2 rows against s_server (CONFORMANCE.md §2.1 rows 2, 3, 5, 6, 9, 10, 16, 17, 31,
 * 37-39, 42, 55, 56): suites, groups, ServerKeyExchange signatures, extended master secret
 * (RFC 7627), HelloRequest, bulk download, and the downgrade sentinel (RFC 8446 §4.1.3) through
 * the in-test proxy.
 * Part of the s_server rows (./index.ts); the row builder is ./spec.ts.
 *
 * @module
 */
import { ALERT, authOf, ok12, ok13, RSA, RSA_PSS_RSAE_SHA256, S12 } from '../common.ts';
import type { ConformanceCase, Expectation, ServerOutputCheck } from '../schema.ts';
import { GROUPS, TLS12_SUITES } from '../suites.ts';
import { opensslCase, type OpensslCaseSpec } from './spec.ts';

const cases: ConformanceCase[] = [];
const openssl = (spec: OpensslCaseSpec): void => {
  cases.push(opensslCase(spec));
};

// ======================= s_server: TLS 1.2 (§2.1 rows 2, 3, 5, 6, 9, 10, 16, 17, 31, 37-39, 42, 55, 56) =======================
// Unless a row says otherwise the client is puretls' default: it offers TLS 1.3 and 1.2 in one
// ClientHello, so every row against a `-tls1_2` server is also "a 1.3-capable client against a
// 1.2-only server" (which sends no downgrade sentinel, RFC 8446 §4.1.3).
/** `-trace` line of ServerHello.random whose last 8 bytes are DOWNGRD\x01 (RFC 8446 §4.1.3). */
const DOWNGRADE_SENTINEL_TRACE = 'random_bytes \\(len=28\\): [0-9A-F]*444F574E47524401$';
/** `-trace` lines naming extended_master_secret: one in the ClientHello, one more if the ServerHello echoes it. */
const EMS_TRACE = 'extension_type=extended_master_secret\\(23\\)';

// The six suites (rows 5, 6), each with the certificate type its signature needs.
for (const { openssl: opensslName, iana: suite, auth } of TLS12_SUITES) {
  const { cert, sigScheme } = authOf(auth);
  openssl({
    id: `s12-suite-${opensslName}`,
    section: 'openssl tls1.2 suites',
    description: `TLS 1.2 ${opensslName} (${cert.leaf}), 1.3-capable client against a 1.2-only server`,
    version: 'tls1_2',
    cert,
    flags: ['-cipher', opensslName],
    expect: ok12({ suite, sigScheme }),
  });
}

// Groups (row 9) on an RSA certificate, and on an ECDSA P-256 certificate where supported_groups
// also limits the certificate's curve (row 10): P-256 stays in the client's list.
for (const { option, iana } of GROUPS) {
  openssl({
    id: `s12-group-${iana}`,
    section: 'openssl tls1.2 groups',
    description: `TLS 1.2 ECDHE on ${option}: RSA cert, server -groups ${option}, client supported_groups ${option}`,
    version: 'tls1_2',
    cert: RSA,
    flags: ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-groups', option],
    client: { groups: [option] },
    expect: ok12({ suite: S12.rsaAes128, group: iana, sigScheme: RSA_PSS_RSAE_SHA256 }),
  });
}
for (const [option, iana] of [['X25519', 'x25519'], ['P-384', 'secp384r1']] as const) {
  openssl({
    id: `s12-ecdsa-group-${iana}`,
    section: 'openssl tls1.2 groups',
    description: `TLS 1.2 ECDHE on ${option} with an ECDSA P-256 cert: client supported_groups ${option}, P-256 (row 10)`,
    version: 'tls1_2',
    flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-groups', option],
    client: { groups: [option, 'P-256'] },
    expect: ok12({ group: iana }),
  });
}
openssl({
  id: 's12-ecdsa-cert-curve-not-offered',
  section: 'openssl tls1.2 groups',
  description: 'TLS 1.2 ECDSA P-256 cert, client supported_groups X25519 only: the server has no usable cert (row 10), handshake_failure (40)',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-groups', 'X25519'],
  client: { groups: ['X25519'] },
  expect: { ok: false, alertReceived: ALERT.handshakeFailure },
});

// Signature algorithms in ServerKeyExchange (rows 37-39, 42): id, description, certificate, s_server flags, expected suite and scheme.
const SIGNATURE_ROWS: readonly (readonly [string, string, OpensslCaseSpec['cert'], readonly string[], string, string])[] = [
  ['s12-sigalgs-pkcs1-sha256', 'TLS 1.2 PKCS#1 v1.5 only: -sigalgs RSA+SHA256 -> rsa_pkcs1_sha256 (row 37)', RSA, ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-sigalgs', 'RSA+SHA256'], S12.rsaAes128, 'rsa_pkcs1_sha256'],
  ['s12-sigalgs-rsa-pss-rsae-sha384', 'TLS 1.2 RSA-PSS only: -sigalgs rsa_pss_rsae_sha384 (row 38)', RSA, ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-sigalgs', 'rsa_pss_rsae_sha384'], S12.rsaAes128, 'rsa_pss_rsae_sha384'],
  ['s12-cert-rsapss-key', 'TLS 1.2 with an RSASSA-PSS key certificate: rsa_pss_pss_sha256 (row 39)', { leaf: 'leaf-rsapss', chain: 'ca-int' }, ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], S12.rsaAes128, 'rsa_pss_pss_sha256'],
  ['s12-cert-ed25519', 'TLS 1.2 with an Ed25519 certificate (an ECDHE-ECDSA suite, RFC 8422 §5.10): ed25519 (row 42)', { leaf: 'leaf-ed25519', chain: 'ca-int' }, ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'], S12.ecdsaAes128, 'ed25519'],
  ['s12-cert-ecdsa-p384', 'TLS 1.2 with an ECDSA P-384 certificate (P-384 kept in supported_groups)', { leaf: 'leaf-ecdsa-p384', chain: 'ca-int' }, ['-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384', '-sigalgs', 'ECDSA+SHA384'], S12.ecdsaAes256, 'ecdsa_secp384r1_sha384'],
];
for (const [id, description, cert, flags, suite, sigScheme] of SIGNATURE_ROWS) {
  openssl({ id, section: 'openssl tls1.2 signatures', description, version: 'tls1_2', cert, flags: [...flags], expect: ok12({ suite, sigScheme }) });
}

// Extended master secret (rows 16, 17): the key logs hold the master secret, so their equality
// proves the client derived it the same way (RFC 7627 §4 session_hash, or RFC 5246 §8.1 without EMS).
const NO_EMS_CONFIG = ['openssl_conf = oc', '[oc]', 'ssl_conf = sc', '[sc]', 'noems = noems_sect', '[noems_sect]', 'Options = -ExtendedMasterSecret', ''].join('\n');
openssl({
  id: 's12-ems-on',
  section: 'openssl tls1.2 ems',
  description: 'TLS 1.2 extended master secret negotiated (default, row 16): both hellos carry extended_master_secret',
  version: 'tls1_2',
  cert: RSA,
  flags: ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-trace'],
  expect: ok12({ suite: S12.rsaAes128, sigScheme: RSA_PSS_RSAE_SHA256 }),
  serverOutput: [{ name: 'extended_master_secret in ClientHello and ServerHello', pattern: EMS_TRACE, count: 2 }],
});
const noEmsServer = (id: string, description: string, client: ConformanceCase['client'], expect: Expectation, serverOutput: readonly ServerOutputCheck[]): void => {
  openssl({
    id,
    section: 'openssl tls1.2 ems',
    description,
    version: 'tls1_2',
    cert: RSA,
    flags: ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-ssl_config', 'noems', '-trace'],
    configText: NO_EMS_CONFIG,
    client,
    expect,
    serverOutput,
  });
};
noEmsServer(
  's12-ems-off',
  'TLS 1.2 without extended master secret (Options = -ExtendedMasterSecret, row 17): classic master secret, key logs equal',
  {},
  ok12({ suite: S12.rsaAes128, sigScheme: RSA_PSS_RSAE_SHA256 }),
  [{ name: 'extended_master_secret in ClientHello only', pattern: EMS_TRACE, count: 1 }],
);
noEmsServer(
  's12-ems-required-refused',
  'client requires the extended master secret, server does not negotiate it: the client sends handshake_failure (40)',
  { requireExtendedMasterSecret: true },
  { ok: false, reason: ['ExtendedMasterSecretRequired'], alertSent: [ALERT.handshakeFailure] },
  [{ name: 'server received fatal handshake_failure', pattern: 'Level=fatal\\(2\\), description=handshake failure\\(40\\)', count: 1 }],
);

// HelloRequest (row 31): puretls declines with a no_renegotiation warning (RFC 5246 §7.4.1.1,
// RFC 5746 §4.2) and sends no new ClientHello. OpenSSL 3.0 itself turns a no_renegotiation
// warning into a fatal handshake_failure ("Terminate with a fatal alert because if application
// tried to renegotiate it presumably had a good reason", ssl/record/rec_layer_s3.c), so against
// s_server the connection ends there, by the server's policy: the row asserts the warning, the
// absence of a second ClientHello and the server's fatal alert. gnutls-serv 3.7 does the same in
// its own way (gnutls12-rehandshake-declined below): neither stock CLI server continues after a
// refused renegotiation, so "data still flows afterwards" cannot be shown with these peers.
openssl({
  id: 's12-hello-request-declined',
  section: 'openssl tls1.2 post-handshake',
  description: "server HelloRequest via 'r': the client answers no_renegotiation (warning) and no new ClientHello; s_server 3.0 then ends the connection with handshake_failure by its own policy",
  version: 'tls1_2',
  cert: RSA,
  flags: ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-trace'],
  mode: [],
  steps: [
    { op: 'sleep', ms: 300 },
    { op: 'server-stdin', text: 'r\n' },
    { op: 'expect-server-output', text: 'description=no renegotiation(100)' },
    { op: 'expect-alert', alert: ALERT.handshakeFailure },
  ],
  expect: ok12({ suite: S12.rsaAes128, sigScheme: RSA_PSS_RSAE_SHA256 }),
  serverOutput: [
    { name: 'server sent HelloRequest', pattern: '^ {4}HelloRequest, Length=0$', count: 1 },
    { name: 'client sent no_renegotiation as a warning', pattern: 'Level=warning\\(1\\), description=no renegotiation\\(100\\)', count: 1 },
    { name: 'client sent exactly one ClientHello', pattern: '^ {4}ClientHello, Length=', count: 1 },
    { name: "server's own verdict", pattern: 'ssl3_read_bytes:no renegotiation', count: 1 },
  ],
});

openssl({
  id: 's12-client-13-capable-no-sentinel',
  section: 'openssl tls1.2 versions',
  description: 'a 1.3-capable client against a -tls1_2 server negotiates TLS 1.2; a 1.2-only server sends no DOWNGRD sentinel (row 56)',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-trace'],
  expect: ok12(),
  serverOutput: [
    { name: 'ClientHello offered TLS 1.3 (supported_versions)', pattern: 'extension_type=supported_versions\\(43\\)', count: 1 },
    { name: 'ServerHello.random without DOWNGRD sentinel', pattern: DOWNGRADE_SENTINEL_TRACE, count: 0 },
  ],
});
openssl({
  id: 's12-client-max-tls12',
  section: 'openssl tls1.2 versions',
  description: 'client limited to TLS 1.2 (maxVersion) against a 1.3-capable server: TLS 1.2, whose ServerHello carries DOWNGRD\\x01, accepted by a 1.2-only client (row 56)',
  version: 'any',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-trace'],
  client: { maxVersion: 'TLSv1.2' },
  expect: ok12(),
  serverOutput: [{ name: 'ServerHello.random ends with DOWNGRD\\x01', pattern: DOWNGRADE_SENTINEL_TRACE, count: 1 }],
});
openssl({
  id: 's12-version-mismatch',
  section: 'openssl tls1.2 versions',
  description: 'TLS 1.3-only server, client limited to TLS 1.2: fatal protocol_version (70)',
  client: { maxVersion: 'TLSv1.2' },
  expect: { ok: false, alertReceived: ALERT.protocolVersion },
});
openssl({
  id: 's12-truncation',
  section: 'openssl tls1.2 records',
  description: "TLS 1.2 truncation: 'q' closes TCP without close_notify; the client must surface a truncation error",
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  mode: [],
  steps: [
    { op: 'sleep', ms: 300 },
    { op: 'server-stdin', text: 'q\n' },
    { op: 'expect-close', kind: 'truncated', essential: true },
  ],
  expect: ok12(),
});
openssl({
  id: 's12-download-big',
  section: 'openssl tls1.2 records',
  description: 'TLS 1.2 1.33 MB download via -WWW (full 16 KB records, explicit AES-GCM nonces), size and SHA-256 checked',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  mode: ['-WWW'],
  steps: [{ op: 'download', file: 'big' }],
  expect: ok12({ suite: S12.ecdsaAes256 }),
});

// The downgrade sentinel (RFC 8446 §4.1.3, row 56) through the in-test proxy of downgrade-proxy.ts.
const proxied = (id: string, description: string, proxy: 'passthrough' | 'strip-tls13', expect: Expectation, serverOutput: readonly ServerOutputCheck[]): void => {
  openssl({
    id,
    section: 'openssl downgrade',
    description,
    version: 'any',
    flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-trace'],
    proxy,
    expect,
    serverOutput,
  });
};
proxied(
  's13-downgrade-proxy-passthrough',
  'control: the proxy forwards the ClientHello unchanged, TLS 1.3 is negotiated through it',
  'passthrough',
  ok13(),
  [{ name: 'ServerHello.random without DOWNGRD sentinel', pattern: DOWNGRADE_SENTINEL_TRACE, count: 0 }],
);
proxied(
  's13-downgrade-sentinel',
  'the proxy strips TLS 1.3 from the ClientHello; the 1.3-capable server answers TLS 1.2 with DOWNGRD\\x01 and the client aborts with illegal_parameter (47)',
  'strip-tls13',
  { ok: false, reason: ['DowngradeDetected'], alertSent: [47] },
  [
    { name: 'server saw no supported_versions', pattern: 'extension_type=supported_versions\\(43\\)', count: 0 },
    { name: 'ServerHello.random ends with DOWNGRD\\x01', pattern: DOWNGRADE_SENTINEL_TRACE, count: 1 },
    { name: 'server received fatal illegal_parameter', pattern: 'Level=fatal\\(2\\), description=illegal parameter\\(47\\)', count: 1 },
  ],
);

export const OPENSSL_TLS12_CASES: readonly ConformanceCase[] = cases;
