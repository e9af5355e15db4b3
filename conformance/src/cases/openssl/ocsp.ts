/**
 * The OCSP-stapling rows against s_server (CONFORMANCE.md §2.1 rows 45-46; RFC 6066 §8, RFC 6960).
 * Part of the s_server rows (./index.ts); the row builder is ./spec.ts.
 *
 * @module
 */
import { ALERT, type CertFixture, ok12, ok13 } from '../common.ts';
import type { ConformanceCase } from '../schema.ts';
import { opensslCase, type OpensslCaseSpec, CLIENTAUTH_TLS12_CIPHER } from './spec.ts';

const cases: ConformanceCase[] = [];
const openssl = (spec: OpensslCaseSpec): void => {
  cases.push(opensslCase(spec));
};

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

export const OPENSSL_OCSP_CASES: readonly ConformanceCase[] = cases;
