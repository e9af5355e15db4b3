/**
 * The client-certificate rows against s_server (CONFORMANCE.md §2.1 rows 28-30; RFC 8446 §4.3.2,
 * §4.4.2-3, §4.6.2; RFC 5246 §7.4.4, §7.4.6, §7.4.8), TLS 1.3 post-handshake authentication included.
 * Part of the s_server rows (./index.ts); the row builder is ./spec.ts.
 *
 * @module
 */
import { ALERT, ok12, ok13 } from '../common.ts';
import type { ConformanceCase, ServerOutputCheck } from '../schema.ts';
import { opensslCase, type OpensslCaseSpec, CLIENTAUTH_TLS12_CIPHER } from './spec.ts';

const cases: ConformanceCase[] = [];
const openssl = (spec: OpensslCaseSpec): void => {
  cases.push(opensslCase(spec));
};

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

export const OPENSSL_CLIENT_AUTH_CASES: readonly ConformanceCase[] = cases;
