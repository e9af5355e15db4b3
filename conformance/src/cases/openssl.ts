/**
 * The rows against `openssl s_server` (OpenSSL 3.0; CONFORMANCE.md §2.1, §6.2), the main peer:
 * bound to 127.0.0.1, commands on stdin, `-keylogfile` as the key-log oracle, `-msg` / `-trace`
 * output counted for wire facts. Server parameters that a client's defaults would otherwise decide
 * (suite order) are pinned on the server, so the expectations hold for any client.
 *
 * @module
 */
import { NOT_AVAILABLE } from '../types.ts';
import { ALERT, AES128, AES256, authOf, certName, CHACHA, EC, ECDSA_P256, HELLO, ok12, ok13, full13, resumed13, RESUMED12, RSA, RSA_PSS_RSAE_SHA256, S12, type CertFixture } from './common.ts';
import type { ConformanceCase, ExpectFailure, Expectation, Resumption, ServerOutputCheck, Step } from './schema.ts';
import { GROUPS, TLS12_SUITES, TLS13_SUITES } from './suites.ts';

function opensslCert(cert: CertFixture): string[] {
  const args = ['-cert', `${cert.leaf}.pem`, '-key', `${cert.leaf}.key`];
  if (cert.chain !== undefined) args.push('-cert_chain', `${cert.chain}.pem`);
  return args;
}

/** s_server -rev: reversed line back, then `CLOSE` makes the server send close_notify (§2.1 row 48). */
const REV_ECHO: readonly Step[] = [
  { op: 'send', text: HELLO },
  { op: 'expect', text: 'dlrow olleh' },
  { op: 'send', text: 'CLOSE\n' },
  { op: 'expect-close', kind: 'clean' },
];

const cases: ConformanceCase[] = [];

interface OpensslCaseSpec {
  readonly id: string;
  readonly section: string;
  readonly description: string;
  readonly cert?: CertFixture;
  /** Extra s_server flags; `-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256` are added unless `version`/`suites` say otherwise. */
  readonly flags?: readonly string[];
  readonly version?: 'tls1_3' | 'tls1_2' | 'any';
  /** Server TLS 1.3 suites (default: TLS_AES_128_GCM_SHA256). */
  readonly serverSuites?: string;
  /** Server mode flag (default `-rev`). */
  readonly mode?: readonly string[];
  readonly client?: ConformanceCase['client'];
  readonly steps?: readonly Step[];
  readonly expect: Expectation;
  readonly serverOutput?: readonly ServerOutputCheck[];
  readonly checkKeylog?: boolean;
  readonly resumption?: Resumption;
  readonly clientCertificate?: ConformanceCase['clientCertificate'];
}

function openssl(spec: OpensslCaseSpec): void {
  const cert = spec.cert ?? EC;
  const args: string[] = [...opensslCert(cert)];
  const version = spec.version ?? 'tls1_3';
  if (version !== 'any') args.push(`-${version}`);
  if (version !== 'tls1_2') args.push('-ciphersuites', spec.serverSuites ?? AES128);
  args.push(...(spec.flags ?? []), ...(spec.mode ?? ['-rev']));
  const testCase: ConformanceCase = {
    id: spec.id,
    section: spec.section,
    description: spec.description,
    server: { kind: 'openssl', args },
    certificate: certName(cert),
    client: spec.client ?? {},
    steps: spec.expect.ok ? (spec.steps ?? REV_ECHO) : [],
    expect: spec.expect,
    ...(spec.serverOutput === undefined ? {} : { serverOutput: spec.serverOutput }),
    ...(spec.checkKeylog === undefined ? {} : { checkKeylog: spec.checkKeylog }),
    ...(spec.resumption === undefined ? {} : { resumption: spec.resumption }),
    ...(spec.clientCertificate === undefined ? {} : { clientCertificate: spec.clientCertificate }),
  };
  cases.push(testCase);
}


// ======================= s_server: TLS 1.3 cipher suites (§2.1 row 4) =======================
for (const { iana: suite } of TLS13_SUITES) {
  openssl({
    id: `s13-suite-${suite}`,
    section: 'openssl tls1.3 suites',
    description: `TLS 1.3 with the server restricted to ${suite}`,
    serverSuites: suite,
    expect: ok13({ suite }),
  });
}

// ======================= s_server: groups and HRR (§2.1 rows 8, 11) =======================
for (const { option, iana } of GROUPS) {
  openssl({
    id: `s13-group-${iana}`,
    section: 'openssl tls1.3 groups',
    description: `TLS 1.3 key exchange on ${option} (server -groups ${option}, client key share ${option})`,
    flags: ['-groups', option],
    client: { groups: [option] },
    expect: ok13({ group: iana }),
  });
}
const TWO_SERVER_HELLOS: ServerOutputCheck = { name: 'HelloRetryRequest sent (2 ServerHellos in -msg)', pattern: '^>>> TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], ServerHello$', count: 2 };
openssl({
  id: 's13-hrr-p256',
  section: 'openssl tls1.3 groups',
  description: 'forced HelloRetryRequest: server -groups P-256, client default key share (X25519 only)',
  flags: ['-groups', 'P-256', '-msg'],
  expect: ok13({ group: 'secp256r1' }),
  serverOutput: [TWO_SERVER_HELLOS],
});
openssl({
  id: 's13-hrr-p384',
  section: 'openssl tls1.3 groups',
  description: 'forced HelloRetryRequest to P-384 with the TLS_AES_256_GCM_SHA384 suite (SHA-384 transcript hash)',
  flags: ['-groups', 'P-384', '-msg'],
  serverSuites: AES256,
  expect: ok13({ group: 'secp384r1', suite: AES256 }),
  serverOutput: [TWO_SERVER_HELLOS],
});

// ======================= s_server: certificate and signature types (§2.1 rows 36-42) =======================
const CERT_ROWS: readonly [string, CertFixture, string][] = [
  ['rsa2048', RSA, 'rsa_pss_rsae_sha256'],
  ['rsapss-key', { leaf: 'leaf-rsapss', chain: 'ca-int' }, 'rsa_pss_pss_sha256'],
  ['rsa-pss-signed-chain', { leaf: 'leaf-rsa2048-pss-signed', chain: 'ca-int-rsa' }, 'rsa_pss_rsae_sha256'],
  ['ecdsa-p256', EC, ECDSA_P256],
  ['ecdsa-p384', { leaf: 'leaf-ecdsa-p384', chain: 'ca-int' }, 'ecdsa_secp384r1_sha384'],
  ['ed25519', { leaf: 'leaf-ed25519', chain: 'ca-int' }, 'ed25519'],
];
for (const [name, cert, scheme] of CERT_ROWS) {
  openssl({
    id: `s13-cert-${name}`,
    section: 'openssl tls1.3 certificates',
    description: `TLS 1.3 server certificate ${cert.leaf}: CertificateVerify with ${scheme}`,
    cert,
    expect: ok13({ sigScheme: scheme }),
  });
}

// ======================= s_server: ALPN and SNI (§2.1 rows 32-35) =======================
openssl({
  id: 's13-alpn-match',
  section: 'openssl alpn/sni',
  description: 'ALPN: server h2,http/1.1, client offers http/1.1',
  flags: ['-alpn', 'h2,http/1.1'],
  client: { alpnProtocols: ['http/1.1'] },
  expect: ok13({ alpn: 'http/1.1' }),
});
openssl({
  id: 's13-alpn-server-choice',
  section: 'openssl alpn/sni',
  description: 'ALPN: client offers h2 and http/1.1, the server picks by its own preference (h2)',
  flags: ['-alpn', 'h2,http/1.1'],
  client: { alpnProtocols: ['http/1.1', 'h2'] },
  expect: ok13({ alpn: 'h2' }),
});
// CONFORMANCE.md §2.1 row 33 says 3.0 continues without ALPN; re-verified here with both
// `openssl s_client -alpn foo` and Node: s_server 3.0.19 sends no_application_protocol (120)
// ("tls_handle_alpn:no application protocol"), as RFC 7301 §3.2 recommends.
openssl({
  id: 's13-alpn-mismatch',
  section: 'openssl alpn/sni',
  description: 'ALPN without overlap (server h2, client foo): fatal no_application_protocol (120)',
  flags: ['-alpn', 'h2'],
  client: { alpnProtocols: ['foo'] },
  expect: { ok: false, alertReceived: ALERT.noApplicationProtocol },
});
openssl({
  id: 's13-alpn-none-offered',
  section: 'openssl alpn/sni',
  description: 'server configured with ALPN, client offers none: no ALPN negotiated, no alert',
  flags: ['-alpn', 'h2'],
  expect: ok13({ alpn: null }),
});
const SNI_FLAGS = ['-servername', 'sni.test.local', '-cert2', 'leaf-sni.pem', '-key2', 'leaf-sni.key'];
openssl({
  id: 's13-sni-select',
  section: 'openssl alpn/sni',
  description: 'SNI sni.test.local selects the second (ECDSA, root-issued) certificate instead of the default RSA one',
  cert: RSA,
  flags: SNI_FLAGS,
  client: { servername: 'sni.test.local' },
  expect: ok13({ sigScheme: ECDSA_P256 }),
  // s_server sets -keylogfile on its first SSL_CTX only; the SNI switch to -cert2's context logs nothing.
  checkKeylog: false,
});
openssl({
  id: 's13-sni-fatal-mismatch',
  section: 'openssl alpn/sni',
  description: 'SNI other.example with -servername_fatal: fatal unrecognized_name (112)',
  cert: RSA,
  flags: [...SNI_FLAGS, '-servername_fatal'],
  client: { servername: 'other.example' },
  expect: { ok: false, alertReceived: ALERT.unrecognizedName },
});

// ======================= s_server: post-handshake messages (§2.1 row 27) =======================
for (const [command, label, direction] of [
  ['k', 'update_not_requested', 'the client keeps its sending keys'],
  ['K', 'update_requested', 'the client must answer with its own KeyUpdate'],
] as const) {
  const steps: Step[] = [
    { op: 'sleep', ms: 300 },
    { op: 'server-stdin', text: `${command}\n` },
    { op: 'expect-server-output', text: 'KeyUpdate' },
    { op: 'sleep', ms: 100 },
    { op: 'server-stdin', text: 'from server after the key update\n' },
    { op: 'expect', text: 'from server after the key update' },
    { op: 'send', text: HELLO },
    { op: 'expect-server-output', text: 'hello world' },
    { op: 'end' },
  ];
  const serverOutput: ServerOutputCheck[] = [{ name: 'server sent KeyUpdate', pattern: '^>>> TLS 1\\.3, Handshake \\[length 0005\\], KeyUpdate$', count: 1 }];
  if (command === 'K') {
    serverOutput.push({ name: 'client answered with KeyUpdate', pattern: '^<<< TLS 1\\.3, Handshake \\[length 0005\\], KeyUpdate$', count: 1 });
  }
  openssl({
    id: `s13-keyupdate-${command === 'k' ? 'not-requested' : 'requested'}`,
    section: 'openssl post-handshake',
    description: `server KeyUpdate(${label}) via '${command}': ${direction}; data flows both ways afterwards`,
    mode: ['-msg'],
    steps,
    expect: ok13(),
    serverOutput,
  });
}

// ======================= s_server: record layer, shutdown, bulk (§2.1 rows 50-55) =======================
openssl({
  id: 's13-max-send-frag-512',
  section: 'openssl records',
  description: 'many small records: -max_send_frag 512 (Certificate split across records), 1.33 MB download',
  flags: ['-max_send_frag', '512'],
  mode: ['-WWW'],
  steps: [{ op: 'download', file: 'big' }],
  expect: ok13(),
});
openssl({
  id: 's13-record-padding-512',
  section: 'openssl records',
  description: 'record padding: -record_padding 512 (every record k*512+16 bytes)',
  flags: ['-record_padding', '512'],
  expect: ok13(),
});
openssl({
  id: 's13-no-middlebox',
  section: 'openssl records',
  description: 'no middlebox-compatibility ChangeCipherSpec (-no_middlebox)',
  flags: ['-no_middlebox'],
  expect: ok13(),
});
openssl({
  id: 's13-serverpref',
  section: 'openssl records',
  description: 'server cipher preference: client prefers ChaCha20, -serverpref picks AES-128-GCM',
  serverSuites: `${AES128}:${CHACHA}`,
  flags: ['-serverpref'],
  client: { suites: [CHACHA, AES128] },
  expect: ok13({ suite: AES128 }),
});
openssl({
  id: 's13-serverpref-prioritize-chacha',
  section: 'openssl records',
  description: 'server cipher preference with -prioritize_chacha: a ChaCha-first client gets ChaCha20',
  serverSuites: `${AES128}:${CHACHA}`,
  flags: ['-serverpref', '-prioritize_chacha'],
  client: { suites: [CHACHA, AES128] },
  expect: ok13({ suite: CHACHA }),
});
openssl({
  id: 's13-truncation',
  section: 'openssl records',
  description: "truncation: 'q' closes TCP without close_notify; the client must surface a truncation error",
  mode: [],
  steps: [
    { op: 'sleep', ms: 300 },
    { op: 'server-stdin', text: 'q\n' },
    { op: 'expect-close', kind: 'truncated', essential: true },
  ],
  expect: ok13(),
});
openssl({
  id: 's13-download-big',
  section: 'openssl records',
  description: '1.33 MB download via -WWW (full 16 KB records), size and SHA-256 checked',
  mode: ['-WWW'],
  steps: [{ op: 'download', file: 'big' }],
  expect: ok13(),
});

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

// Signature algorithms in ServerKeyExchange (rows 37-39, 42).
openssl({
  id: 's12-sigalgs-pkcs1-sha256',
  section: 'openssl tls1.2 signatures',
  description: 'TLS 1.2 PKCS#1 v1.5 only: -sigalgs RSA+SHA256 -> rsa_pkcs1_sha256 (row 37)',
  version: 'tls1_2',
  cert: RSA,
  flags: ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-sigalgs', 'RSA+SHA256'],
  expect: ok12({ suite: S12.rsaAes128, sigScheme: 'rsa_pkcs1_sha256' }),
});
openssl({
  id: 's12-sigalgs-rsa-pss-rsae-sha384',
  section: 'openssl tls1.2 signatures',
  description: 'TLS 1.2 RSA-PSS only: -sigalgs rsa_pss_rsae_sha384 (row 38)',
  version: 'tls1_2',
  cert: RSA,
  flags: ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-sigalgs', 'rsa_pss_rsae_sha384'],
  expect: ok12({ suite: S12.rsaAes128, sigScheme: 'rsa_pss_rsae_sha384' }),
});
openssl({
  id: 's12-cert-rsapss-key',
  section: 'openssl tls1.2 signatures',
  description: 'TLS 1.2 with an RSASSA-PSS key certificate: rsa_pss_pss_sha256 (row 39)',
  version: 'tls1_2',
  cert: { leaf: 'leaf-rsapss', chain: 'ca-int' },
  flags: ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'],
  expect: ok12({ suite: S12.rsaAes128, sigScheme: 'rsa_pss_pss_sha256' }),
});
openssl({
  id: 's12-cert-ed25519',
  section: 'openssl tls1.2 signatures',
  description: 'TLS 1.2 with an Ed25519 certificate (an ECDHE-ECDSA suite, RFC 8422 §5.10): ed25519 (row 42)',
  version: 'tls1_2',
  cert: { leaf: 'leaf-ed25519', chain: 'ca-int' },
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  expect: ok12({ sigScheme: 'ed25519' }),
});
openssl({
  id: 's12-cert-ecdsa-p384',
  section: 'openssl tls1.2 signatures',
  description: 'TLS 1.2 with an ECDSA P-384 certificate (P-384 kept in supported_groups)',
  version: 'tls1_2',
  cert: { leaf: 'leaf-ecdsa-p384', chain: 'ca-int' },
  flags: ['-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384', '-sigalgs', 'ECDSA+SHA384'],
  expect: ok12({ suite: S12.ecdsaAes256, sigScheme: 'ecdsa_secp384r1_sha384' }),
});

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
  const args = [...opensslCert(RSA), '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-ssl_config', 'noems', '-trace', '-rev'];
  cases.push({
    id,
    section: 'openssl tls1.2 ems',
    description,
    server: { kind: 'openssl', args, configText: NO_EMS_CONFIG },
    certificate: certName(RSA),
    client,
    steps: expect.ok ? REV_ECHO : [],
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
  const args = [...opensslCert(EC), '-ciphersuites', AES128, '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-trace', '-rev'];
  cases.push({
    id,
    section: 'openssl downgrade',
    description,
    server: { kind: 'openssl', args, proxy },
    certificate: certName(EC),
    client: {},
    steps: expect.ok ? REV_ECHO : [],
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

// ======================= s_server: local badssl matrix (§6.2) =======================
interface BadsslRow {
  readonly id: string;
  readonly description: string;
  readonly cert: CertFixture;
  readonly expect: Expectation;
}
const refuse = (certReason: readonly string[], alertSent: readonly number[]): ExpectFailure => ({ ok: false, certReason, alertSent });
const NAME_ALERTS = [ALERT.badCertificate, ALERT.certificateUnknown];
const POLICY_ALERTS = [ALERT.badCertificate, ALERT.unsupportedCertificate, ALERT.certificateUnknown];
const BADSSL: readonly BadsslRow[] = [
  { id: 'good', description: 'good: ECDSA leaf + intermediate', cert: EC, expect: ok13() },
  { id: 'expired', description: 'expired leaf (2020-2021)', cert: { leaf: 'bad-expired', chain: 'ca-int' }, expect: refuse(['Expired'], [ALERT.certificateExpired]) },
  { id: 'not-yet-valid', description: 'not yet valid (2040-2041)', cert: { leaf: 'bad-notyetvalid', chain: 'ca-int' }, expect: refuse(['NotYetValid'], [ALERT.certificateExpired]) },
  { id: 'wrong-host', description: 'wrong host (SAN wrong.host.example)', cert: { leaf: 'bad-wronghost', chain: 'ca-int' }, expect: refuse(['NotValidForName'], NAME_ALERTS) },
  { id: 'self-signed', description: 'self-signed leaf', cert: { leaf: 'bad-selfsigned' }, expect: refuse(['UnknownIssuer'], [ALERT.unknownCa]) },
  { id: 'untrusted-root-sent', description: 'untrusted root with the real root\'s name, sent in the chain', cert: { leaf: 'bad-untrusted', chain: 'evil-root' }, expect: refuse(['UnknownIssuer', 'BadSignature'], [ALERT.unknownCa, ALERT.badCertificate]) },
  { id: 'untrusted-root-not-sent', description: 'untrusted root not sent', cert: { leaf: 'bad-untrusted' }, expect: refuse(['UnknownIssuer', 'BadSignature'], [ALERT.unknownCa, ALERT.badCertificate]) },
  { id: 'incomplete-chain', description: 'incomplete chain: leaf without its intermediate (no AIA fetching)', cert: { leaf: 'leaf-ecdsa-p256' }, expect: refuse(['UnknownIssuer'], [ALERT.unknownCa]) },
  { id: 'sha1', description: 'SHA-1-signed RSA leaf', cert: { leaf: 'bad-sha1', chain: 'ca-int-rsa' }, expect: refuse(['WeakSignatureAlgorithm', 'UnsupportedSignatureAlgorithm'], POLICY_ALERTS) },
  { id: 'rsa1024', description: 'RSA-1024 leaf key', cert: { leaf: 'bad-rsa1024', chain: 'ca-int-rsa' }, expect: refuse(['WeakKey', 'UnsupportedPublicKey'], POLICY_ALERTS) },
  { id: 'wrong-eku', description: 'EKU clientAuth only', cert: { leaf: 'bad-eku', chain: 'ca-int' }, expect: refuse(['WrongKeyUsage'], POLICY_ALERTS) },
  // ca-int-notca has CA:FALSE and keyUsage digitalSignature only: either violation is a correct reason (RFC 5280 §6.1.4 (k), (n)).
  { id: 'intermediate-not-ca', description: 'intermediate is not a CA (CA:FALSE, no keyCertSign)', cert: { leaf: 'bad-notca-chain', chain: 'ca-int-notca' }, expect: refuse(['EndEntityUsedAsCa', 'WrongKeyUsage'], POLICY_ALERTS) },
  { id: 'name-constraints', description: 'name-constraints violation (permitted example.com)', cert: { leaf: 'bad-nameconstraint', chain: 'ca-int-nc' }, expect: refuse(['NameConstraintViolation'], POLICY_ALERTS) },
  { id: 'cn-only-no-san', description: 'CN=localhost without SAN: no CN fallback (RFC 9525)', cert: { leaf: 'bad-nosan', chain: 'ca-int' }, expect: refuse(['NotValidForName'], NAME_ALERTS) },
  { id: 'rsa-pss-signed-chain', description: 'RSA-PSS-signed chain', cert: { leaf: 'leaf-rsa2048-pss-signed', chain: 'ca-int-rsa' }, expect: ok13({ sigScheme: 'rsa_pss_rsae_sha256' }) },
  { id: 'ed25519', description: 'Ed25519 leaf', cert: { leaf: 'leaf-ed25519', chain: 'ca-int' }, expect: ok13({ sigScheme: 'ed25519' }) },
  { id: '1000-sans', description: '1000 SANs (~30 KB Certificate message over several records)', cert: { leaf: 'weird-1000-sans', chain: 'ca-int' }, expect: ok13() },
  { id: 'no-subject', description: 'empty subject with a critical SAN', cert: { leaf: 'weird-no-subject', chain: 'ca-int' }, expect: ok13() },
];
for (const row of BADSSL) {
  openssl({
    id: `badssl-${row.id}`,
    section: 'badssl (local)',
    description: row.description,
    cert: row.cert,
    flags: ['-cipher', 'DEFAULT:@SECLEVEL=0'],
    expect: row.expect,
  });
}

// ======================= s_server: session resumption (§2.1 rows 13–22, issue 6) =======================
// Two connections per row (s_server -naccept 2); the first runs the -rev echo (so TLS 1.3 tickets
// have arrived) and closes cleanly, the second offers the first's last session.
//
// Whether a session was *offered* is read from the wire, on the server: s_server -trace prints
// every pre_shared_key extension (RFC 8446 §4.2.11) as `extension_type=psk(41)`, once in a
// ClientHello that offers a session and once more in a ServerHello that accepts it. The first
// connection has nothing to offer, so the count covers the second connection's hellos only.
const PSK_TRACE = 'extension_type=psk\\(41\\)';
const pskTrace = (count: number, name: string): ServerOutputCheck => ({ name, pattern: PSK_TRACE, count });
openssl({
  id: 's13-resume-psk-dhe-ke',
  section: 'openssl resumption',
  description: 'TLS 1.3 ticket resumption, psk_dhe_ke (default): 2 sessions (2 tickets by default), second connection offers pre_shared_key and is Reused with an x25519 key share',
  flags: ['-trace'],
  expect: ok13(),
  resumption: { ...resumed13(), sessionCount: 2 },
  serverOutput: [pskTrace(2, 'pre_shared_key in the second ClientHello and ServerHello (-trace)')],
});
openssl({
  id: 's13-resume-psk-ke',
  section: 'openssl resumption',
  description: 'TLS 1.3 psk_ke only (server -allow_no_dhe_kex, client pskModes psk_ke): Reused without a key exchange',
  flags: ['-allow_no_dhe_kex'],
  client: { pskModes: ['psk_ke'] },
  expect: ok13(),
  resumption: resumed13('none'),
});
openssl({
  id: 's13-psk-ke-ticket-to-dhe-only-server',
  section: 'openssl resumption',
  description:
    'TLS 1.3 ticket offered for psk_ke only (so with an empty key_share, tls-core emptyKeyShareWithPskKeOnly) to a server without -allow_no_dhe_kex: it refuses the PSK, asks for x25519 with a HelloRetryRequest, full handshake',
  flags: ['-trace'],
  expect: ok13(),
  resumption: full13({ secondClient: { pskModes: ['psk_ke'] } }),
  serverOutput: [{ name: 'one HelloRetryRequest, on the second connection (-trace: the special ServerHello.random)', pattern: 'gmt_unix_time=0xCF21AD74', count: 1 }],
});
openssl({
  id: 's13-resume-num-tickets-0',
  section: 'openssl resumption',
  description: 'TLS 1.3 -num_tickets 0: no session arrives, the second connection is a full handshake',
  flags: ['-num_tickets', '0'],
  expect: ok13(),
  resumption: { server: 'same', expectSession: false, sessionCount: 0, expectReused: false, version: 'TLSv1.3', suite: AES128, group: 'x25519' },
});
for (const tickets of [1, 5]) {
  openssl({
    id: `s13-resume-num-tickets-${tickets}`,
    section: 'openssl resumption',
    description: `TLS 1.3 -num_tickets ${tickets}: exactly ${tickets} session${tickets === 1 ? '' : 's'} on the first connection; the second offers the last one and is Reused`,
    flags: ['-num_tickets', String(tickets)],
    expect: ok13(),
    resumption: { ...resumed13(), sessionCount: tickets },
  });
}
openssl({
  id: 's13-resume-hrr',
  section: 'openssl resumption',
  description: 'TLS 1.3 resumption after a HelloRetryRequest (server -groups P-256, client key share X25519 only): Reused on secp256r1',
  flags: ['-groups', 'P-256', '-msg'],
  client: { groups: ['X25519', 'P-256'] },
  expect: ok13({ group: 'secp256r1' }),
  resumption: resumed13('secp256r1'),
  serverOutput: [{ ...TWO_SERVER_HELLOS, name: 'HelloRetryRequest on both connections (4 ServerHellos in -msg)', count: 4 }],
});
openssl({
  id: 's13-resume-no-ticket',
  section: 'openssl resumption',
  description: 'TLS 1.3 -no_ticket (stateful tickets from the server cache): still Reused',
  flags: ['-no_ticket'],
  expect: ok13(),
  resumption: resumed13(),
});
openssl({
  id: 's13-resume-restarted-server',
  section: 'openssl resumption',
  description: 'TLS 1.3 ticket offered to a restarted s_server (new ticket keys): declined, full handshake',
  expect: ok13(),
  resumption: { server: 'restart', expectSession: true, expectReused: false, version: 'TLSv1.3', suite: AES128, group: 'x25519' },
});
// Expiry (RFC 8446 §4.6.1: a client MUST NOT cache a ticket for longer than its ticket_lifetime):
// s_server's tickets carry ticket_lifetime 7200 s (SSL_CTX's default session timeout, asserted
// from -trace). The client's clock is injected (tls-core `now`): on the second connection it runs
// 7201 s ahead, so the session is past its lifetime and must not appear in the ClientHello. The
// control row runs the clock 7100 s ahead (still within the lifetime): offered and Reused, which
// shows the skew itself (certificates are then checked at that time too) is not what stops it.
const TICKET_LIFETIME_7200: ServerOutputCheck = { name: 'NewSessionTickets with ticket_lifetime_hint=7200 (2 per connection)', pattern: 'ticket_lifetime_hint=7200\\b', count: 4 };
openssl({
  id: 's13-resume-expired-not-offered',
  section: 'openssl resumption',
  description: 'TLS 1.3 session past its ticket_lifetime (7200 s; client clock 7201 s ahead on the second connection): not offered (no pre_shared_key in -trace), full handshake',
  flags: ['-trace'],
  expect: ok13(),
  resumption: full13({ secondClient: { clockSkewSeconds: 7201 } }),
  serverOutput: [TICKET_LIFETIME_7200, pskTrace(0, 'no pre_shared_key in any hello (-trace)')],
});
openssl({
  id: 's13-resume-clock-ahead-within-lifetime',
  section: 'openssl resumption',
  description: 'control for the expiry row: client clock 7100 s ahead, within the 7200 s ticket_lifetime: offered (pre_shared_key in -trace) and Reused',
  flags: ['-trace'],
  expect: ok13(),
  resumption: { ...resumed13(), secondClient: { clockSkewSeconds: 7100 } },
  serverOutput: [pskTrace(2, 'pre_shared_key in the second ClientHello and ServerHello (-trace)')],
});
// Server name (RFC 8446 §4.6.1: resume only if the SNI is valid for the original certificate;
// SHOULD only if it matches the original SNI): a session for 'localhost' is not offered to
// 'test.local' on the same s_server (the test certificate covers both names, gen-pki.sh SAN_LOCAL).
openssl({
  id: 's13-resume-other-sni-not-offered',
  section: 'openssl resumption',
  description: "TLS 1.3 session of server name 'localhost' not offered to 'test.local' (same s_server; the certificate covers both): no pre_shared_key in -trace, full handshake",
  flags: ['-trace'],
  expect: ok13(),
  resumption: full13({ secondClient: { servername: 'test.local' } }),
  serverOutput: [
    { name: "second ClientHello's server_name is test.local (-trace hex dump)", pattern: '\\.{5}test\\.local$', count: 1 },
    pskTrace(0, 'no pre_shared_key in any hello (-trace)'),
  ],
});
/** The second connection resumes the TLS 1.2 session (ECDHE-ECDSA-AES128-GCM-SHA256). */
openssl({
  id: 's12-resume-session-id',
  section: 'openssl resumption',
  description: 'TLS 1.2 session-ID resumption (-no_ticket, server session cache): Reused',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-no_ticket'],
  expect: ok12(),
  resumption: RESUMED12,
});
openssl({
  id: 's12-resume-ticket',
  section: 'openssl resumption',
  description: 'TLS 1.2 RFC 5077 ticket resumption: Reused',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  expect: ok12(),
  resumption: RESUMED12,
});

openssl({
  id: 's12-resume-restarted-server',
  section: 'openssl resumption',
  description: 'TLS 1.2 RFC 5077 ticket offered (-trace: a non-empty session_ticket) to a restarted s_server (new ticket keys, empty cache): full TLS 1.2 handshake',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-trace'],
  expect: ok12(),
  resumption: { ...RESUMED12, server: 'restart', expectReused: false },
  serverOutput: [{ name: 'the ticket was offered to the restarted server (non-empty session_ticket)', pattern: 'extension_type=session_ticket\\(35\\), length=[1-9]', count: 1 }],
});
// A TLS 1.3-capable client offering a TLS 1.2 session sends key_share with no entries (RFC 8446
// §4.2.8 "MAY be empty"; tls-core config emptyKeyShareWhenResumingTls12): no key generation for
// the likely TLS 1.2 answer. -trace prints the extension's length: 2 = an empty client_shares
// list (a HelloRetryRequest's key_share is 2 bytes too, but a NamedGroup line follows it), 38 =
// one X25519 entry (2 + 2 + 2 + 32). A HelloRetryRequest is the ServerHello whose random is the
// RFC 8446 §4.1.3 constant, which -trace prints as gmt_unix_time=0xCF21AD74.
const KEY_SHARE_EMPTY: ServerOutputCheck = { name: 'ClientHellos with an empty key_share (-trace length=2)', pattern: 'extension_type=key_share\\(51\\), length=2\\n(?! +NamedGroup)', count: 1 };
const HRR_TRACE: ServerOutputCheck = { name: 'HelloRetryRequest sent (-trace: the special ServerHello.random)', pattern: 'gmt_unix_time=0xCF21AD74', count: 1 };
const KEY_SHARE_X25519: ServerOutputCheck = { name: 'ClientHellos with one X25519 key share (-trace length=38)', pattern: 'extension_type=key_share\\(51\\), length=38$', count: 1 };
openssl({
  id: 's12-resume-empty-key-share',
  section: 'openssl resumption',
  description: 'TLS 1.2 ticket resumption by a client that also offers TLS 1.3: the second ClientHello has an empty key_share (no key generation); Reused',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-trace'],
  expect: ok12(),
  resumption: RESUMED12,
  serverOutput: [KEY_SHARE_X25519, KEY_SHARE_EMPTY],
});
openssl({
  id: 's12-session-to-upgraded-server',
  section: 'openssl resumption',
  description:
    'a TLS 1.2 session offered to a restarted server that now also speaks TLS 1.3: empty key_share, HelloRetryRequest for X25519, full TLS 1.3 handshake (the 1.2 session is not resumed)',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  expect: ok12(),
  resumption: {
    server: 'restart',
    expectSession: true,
    expectReused: false,
    version: 'TLSv1.3',
    suite: AES128,
    group: 'x25519',
    restartedServerArgs: [...opensslCert(EC), '-ciphersuites', AES128, '-trace', '-rev'],
  },
  serverOutput: [KEY_SHARE_EMPTY, HRR_TRACE, { ...KEY_SHARE_X25519, name: 'second ClientHello (after the HelloRetryRequest) has one X25519 key share' }],
});

// ======================= client certificates (§2.1 rows 28-29; RFC 8446 §4.3.2, §4.4.2-3; RFC 5246 §7.4.4, §7.4.6, §7.4.8) =======================
// s_server prints the verified client certificate ("Peer certificate: CN = …") and the client's
// CertificateVerify signature ("Signature type: …") after the handshake: the server's own view of
// what the client sent and signed.
const CLIENT_CERTS: readonly [string, string, string][] = [
  // fixture, name in the description, s_server's "Signature type" for the client's CertificateVerify
  ['client-ecdsa', 'ECDSA P-256', 'ECDSA'],
  ['client-ed25519', 'Ed25519', 'ed25519'],
  ['client-rsa', 'RSA', 'RSA-PSS'],
];
const REQUIRE_CLIENT_CERT = ['-Verify', '1', '-CAfile', 'ca-root.pem', '-verify_return_error'];
const ASK_CLIENT_CERT = ['-verify', '1', '-CAfile', 'ca-root.pem', '-verify_return_error'];
/** TLS 1.2 rows pin the server's suite (the client's preference would otherwise decide). */
const CLIENTAUTH_TLS12_CIPHER = ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'];
/**
 * In TLS 1.3 the client finishes its handshake before the server has checked the client's
 * Certificate (RFC 8446 §2: the client's second flight ends the handshake for the client), so a
 * refusal arrives as an alert after the handshake.
 */
function refusedAfterHandshake13(alert: number): Pick<OpensslCaseSpec, 'expect' | 'steps' | 'checkKeylog'> {
  return { expect: ok13(), steps: [{ op: 'expect-alert', alert }], checkKeylog: false };
}
function peerCertificateSeen(cn: string): ServerOutputCheck {
  return { name: `server verified the client certificate CN = ${cn}`, pattern: `^Peer certificate: CN = ${cn}$`, count: 1 };
}
function clientSignatureSeen(type: string): ServerOutputCheck {
  return { name: `client CertificateVerify signature type ${type}`, pattern: `^Signature type: ${type}$`, count: 1 };
}
const NO_PEER_CERTIFICATE: ServerOutputCheck = { name: 'server saw no client certificate', pattern: '^Peer certificate: ', count: 0 };
for (const version of ['tls1_3', 'tls1_2'] as const) {
  const v = version === 'tls1_3' ? '13' : '12';
  const ok = version === 'tls1_3' ? ok13() : ok12();
  for (const [fixture, name, signatureType] of CLIENT_CERTS) {
    openssl({
      id: `s${v}-clientauth-${fixture}`,
      section: 'openssl client certificates',
      description: `s_server -Verify 1 (client certificate required), TLS ${version === 'tls1_3' ? '1.3' : '1.2'}: the client sends ${fixture} + ca-int and signs CertificateVerify with its ${name} key`,
      version,
      flags: version === 'tls1_2' ? [...REQUIRE_CLIENT_CERT, ...CLIENTAUTH_TLS12_CIPHER] : REQUIRE_CLIENT_CERT,
      clientCertificate: { name: fixture },
      expect: ok,
      serverOutput: [peerCertificateSeen(fixture), clientSignatureSeen(signatureType)],
    });
  }
  openssl({
    id: `s${v}-clientauth-optional-none`,
    section: 'openssl client certificates',
    description: `s_server -verify 1 (client certificate requested, optional), TLS ${version === 'tls1_3' ? '1.3' : '1.2'}, client without a credential: an empty Certificate, then success`,
    version,
    flags: version === 'tls1_2' ? [...ASK_CLIENT_CERT, ...CLIENTAUTH_TLS12_CIPHER] : ASK_CLIENT_CERT,
    expect: ok,
    serverOutput: [NO_PEER_CERTIFICATE],
  });
}
openssl({
  id: 's12-clientauth-client-rsa-pkcs1',
  section: 'openssl client certificates',
  description: 's_server -Verify 1 -client_sigalgs RSA+SHA256, TLS 1.2: the RSA client (PKCS#1 RSA PRIVATE KEY file) signs with rsa_pkcs1_sha256',
  version: 'tls1_2',
  flags: [...REQUIRE_CLIENT_CERT, ...CLIENTAUTH_TLS12_CIPHER, '-client_sigalgs', 'RSA+SHA256'],
  clientCertificate: { name: 'client-rsa', keyFile: 'client-rsa.pkcs1.key' },
  expect: ok12(),
  serverOutput: [peerCertificateSeen('client-rsa'), clientSignatureSeen('RSA')],
});
openssl({
  id: 's13-clientauth-client-ecdsa-p384-sec1',
  section: 'openssl client certificates',
  description: 's_server -Verify 1, TLS 1.3: a P-384 client key signs with ecdsa_secp384r1_sha384; the P-256 client from its SEC1 EC PRIVATE KEY file',
  flags: REQUIRE_CLIENT_CERT,
  clientCertificate: { name: 'client-ecdsa-p384' },
  expect: ok13(),
  serverOutput: [peerCertificateSeen('client-ecdsa-p384'), clientSignatureSeen('ECDSA')],
});
openssl({
  id: 's13-clientauth-client-rsapss-key',
  section: 'openssl client certificates',
  description: 's_server -Verify 1, TLS 1.3: an id-RSASSA-PSS client key signs with rsa_pss_pss_*',
  flags: REQUIRE_CLIENT_CERT,
  clientCertificate: { name: 'client-rsapss' },
  expect: ok13(),
  serverOutput: [peerCertificateSeen('client-rsapss'), clientSignatureSeen('RSA-PSS')],
});
openssl({
  id: 's13-clientauth-required-none',
  section: 'openssl client certificates',
  description: 's_server -Verify 1, TLS 1.3, client without a credential: the empty Certificate is refused with certificate_required (116), after the client finished',
  flags: REQUIRE_CLIENT_CERT,
  ...refusedAfterHandshake13(116),
});
openssl({
  id: 's12-clientauth-required-none',
  section: 'openssl client certificates',
  description: 's_server -Verify 1, TLS 1.2, client without a credential: the empty Certificate is refused with handshake_failure (40)',
  version: 'tls1_2',
  flags: [...REQUIRE_CLIENT_CERT, ...CLIENTAUTH_TLS12_CIPHER],
  expect: { ok: false, alertReceived: ALERT.handshakeFailure },
});
for (const version of ['tls1_3', 'tls1_2'] as const) {
  openssl({
    id: `s${version === 'tls1_3' ? '13' : '12'}-clientauth-other-ca`,
    section: 'openssl client certificates',
    description: `s_server -Verify 1 trusting only evil-root, TLS ${version === 'tls1_3' ? '1.3' : '1.2'}: our client-ecdsa chain is refused with unknown_ca (48)`,
    version,
    flags: ['-Verify', '1', '-CAfile', 'evil-root.pem', '-verify_return_error', ...(version === 'tls1_2' ? CLIENTAUTH_TLS12_CIPHER : [])],
    clientCertificate: { name: 'client-ecdsa' },
    ...(version === 'tls1_3' ? refusedAfterHandshake13(ALERT.unknownCa) : { expect: { ok: false, alertReceived: ALERT.unknownCa } }),
  });
}

// ---- TLS 1.3 post-handshake authentication (§2.1 row 30; RFC 8446 §4.2.6, §4.6.2) ----
const RECEIVED_CLIENT_CERTIFICATE = '^<<< TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], Certificate$';
openssl({
  id: 's13-clientauth-post-handshake',
  section: 'openssl client certificates',
  description: "s_server -verify 1 -client_sigalgs ECDSA+SHA256, then the 'c' command: a CertificateRequest after the handshake, answered with Certificate, CertificateVerify and Finished (the client offered post_handshake_auth)",
  flags: [...ASK_CLIENT_CERT, '-client_sigalgs', 'ECDSA+SHA256', '-msg'],
  clientCertificate: { name: 'client-ecdsa' },
  client: { postHandshakeAuth: true },
  // s_server reads stdin commands only in its default mode (not -rev); it prints what the client sends.
  mode: [],
  steps: [
    { op: 'sleep', ms: 300 },
    { op: 'server-stdin', text: 'c\n' },
    { op: 'expect-server-output', text: 'SSL_do_handshake -> 1' },
    { op: 'sleep', ms: 300 },
    { op: 'send', text: 'after post-handshake auth\n' },
    { op: 'expect-server-output', text: 'after post-handshake auth' },
    { op: 'end' },
  ],
  expect: ok13(),
  serverOutput: [
    { name: 'two CertificateRequests sent (handshake and post-handshake)', pattern: '^>>> TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], CertificateRequest$', count: 2 },
    { name: 'two client Certificates received', pattern: RECEIVED_CLIENT_CERTIFICATE, count: 2 },
    { name: 'two client CertificateVerify received', pattern: '^<<< TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], CertificateVerify$', count: 2 },
    { name: 'two client Finished received', pattern: '^<<< TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], Finished$', count: 2 },
    { name: 'the server verified the client chain twice', pattern: '^depth=0 CN = client-ecdsa$', count: 2 },
    { name: 'no alert from the server', pattern: '^>>> TLS 1\\.3, Alert \\[length 0002\\], fatal', count: 0 },
  ],
});

// ======================= OCSP stapling (§2.1 rows 45-46; RFC 6066 §8, RFC 6960) =======================
// Responses made offline by `openssl ocsp` in gen-pki.sh (valid 7 days, signed by ca-int).
const GOOD_OCSP: CertFixture = { leaf: 'good-ocsp', chain: 'ca-int' };
const REVOKED_OCSP: CertFixture = { leaf: 'bad-revoked', chain: 'ca-int' };
for (const version of ['tls1_3', 'tls1_2'] as const) {
  const v = version === 'tls1_3' ? '13' : '12';
  const flags = version === 'tls1_2' ? CLIENTAUTH_TLS12_CIPHER : [];
  openssl({
    id: `s${v}-ocsp-good`,
    section: 'openssl ocsp stapling',
    description: `s_server -status_file with a good response (TLS 1.${v === '13' ? '3' : '2'}): the staple verifies (issuer signature, CertID, thisUpdate/nextUpdate) and the handshake succeeds`,
    version,
    cert: GOOD_OCSP,
    flags: [...flags, '-status_file', 'good-ocsp.ocsp.der'],
    client: { requestOCSP: true },
    expect: version === 'tls1_3' ? ok13() : ok12(),
  });
  openssl({
    id: `s${v}-ocsp-revoked`,
    section: 'openssl ocsp stapling',
    description: `s_server -status_file with a revoked response (TLS 1.${v === '13' ? '3' : '2'}): certificate_revoked (44)`,
    version,
    cert: REVOKED_OCSP,
    flags: [...flags, '-status_file', 'bad-revoked.ocsp.der'],
    client: { requestOCSP: true },
    expect: { ok: false, certReason: ['Revoked'], alertSent: [ALERT.certificateRevoked] },
  });
}
openssl({
  id: 's13-ocsp-expired',
  section: 'openssl ocsp stapling',
  description: 'a good response whose nextUpdate has passed (client clock 8 days ahead; the certificate is still valid): bad_certificate_status_response (113)',
  cert: GOOD_OCSP,
  flags: ['-status_file', 'good-ocsp.ocsp.der'],
  client: { requestOCSP: true, clockSkewSeconds: 8 * 86400 },
  expect: { ok: false, certReason: ['BadOcspResponse'], alertSent: [ALERT.badCertificateStatusResponse] },
});
openssl({
  id: 's13-ocsp-wrong-signer',
  section: 'openssl ocsp stapling',
  description: 'a response signed by a key that is neither the issuer nor an authorized responder (leaf-ecdsa-p256, no OCSP-signing EKU): bad_certificate_status_response (113)',
  cert: GOOD_OCSP,
  flags: ['-status_file', 'good-ocsp.wrongsigner.ocsp.der'],
  client: { requestOCSP: true },
  expect: { ok: false, certReason: ['BadOcspResponse'], alertSent: [ALERT.badCertificateStatusResponse] },
});
openssl({
  id: 's13-ocsp-required-none',
  section: 'openssl ocsp stapling',
  description: "ocspPolicy 'require' against a server without -status_file: no staple, bad_certificate_status_response (113)",
  client: { ocspPolicy: 'require' },
  expect: { ok: false, certReason: ['OcspResponseRequired'], alertSent: [ALERT.badCertificateStatusResponse] },
});

// ======================= external PSKs (RFC 8446 §4.2.11, RFC 9257): s_server -psk … -nocert =======================
const PSK_HEX = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const PSK_IDENTITY = 'puretls-device-1';
const PSK_SERVER = ['-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_IDENTITY];
openssl({
  id: 's13-extpsk-psk_dhe_ke',
  section: 'openssl external psk',
  description: 's_server -nocert -psk, TLS 1.3: the client offers the external PSK with psk_dhe_ke (default); no certificate, ECDHE on X25519',
  flags: [...PSK_SERVER, '-msg'],
  client: { externalPsk: { identity: PSK_IDENTITY, keyHex: PSK_HEX } },
  expect: ok13({ sigScheme: NOT_AVAILABLE }),
  serverOutput: [
    { name: 'server sent no Certificate', pattern: '^>>> TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], Certificate$', count: 0 },
    { name: 'ServerHello carried key_share (psk_dhe_ke)', pattern: '^>>> TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], ServerHello$', count: 1 },
  ],
});
openssl({
  id: 's13-extpsk-psk_ke',
  section: 'openssl external psk',
  description: 's_server -nocert -psk -allow_no_dhe_kex, TLS 1.3: the client offers only psk_ke; no key exchange at all',
  flags: [...PSK_SERVER, '-allow_no_dhe_kex'],
  client: { externalPsk: { identity: PSK_IDENTITY, keyHex: PSK_HEX }, pskModes: ['psk_ke'] },
  expect: ok13({ sigScheme: NOT_AVAILABLE, group: NOT_AVAILABLE }),
});
openssl({
  id: 's13-extpsk-wrong-key',
  section: 'openssl external psk',
  // RFC 8446 §6.2 names decrypt_error for a binder that does not validate; OpenSSL 3.0 sends
  // illegal_parameter (47) for it (SSL_R_BINDER_DOES_NOT_VERIFY), which is what the client must surface.
  description: 's_server -nocert -psk, client with the right identity and another key: the binder fails, s_server answers illegal_parameter (47)',
  flags: PSK_SERVER,
  client: { externalPsk: { identity: PSK_IDENTITY, keyHex: PSK_HEX.replace(/^01/, 'ff') } },
  expect: { ok: false, alertReceived: 47 },
});


/** The s_server rows, in run order. */
export const OPENSSL_CASES: readonly ConformanceCase[] = cases;
