/**
 * The TLS 1.3 rows against s_server: cipher suites, groups and HelloRetryRequest, certificate
 * and signature types, ALPN and SNI, KeyUpdate, and the record layer (fragments, padding,
 * middlebox compatibility, server preference, truncation, bulk download).
 * Part of the s_server rows (./index.ts); the row builder is ./spec.ts.
 *
 * @module
 */
import { AES128, AES256, ALERT, type CertFixture, CHACHA, EC, ECDSA_P256, HELLO, ok13, RSA } from '../common.ts';
import type { ConformanceCase, ServerOutputCheck, Step } from '../schema.ts';
import { GROUPS, TLS13_SUITES } from '../suites.ts';
import { opensslCase, type OpensslCaseSpec, TWO_SERVER_HELLOS } from './spec.ts';

const cases: ConformanceCase[] = [];
const openssl = (spec: OpensslCaseSpec): void => {
  cases.push(opensslCase(spec));
};

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

export const OPENSSL_TLS13_CASES: readonly ConformanceCase[] = cases;
