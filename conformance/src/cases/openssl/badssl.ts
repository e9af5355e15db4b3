/**
 * The local badssl matrix (CONFORMANCE.md §6.2) against s_server: certificates that must be
 * refused (expired, wrong host, untrusted, weak, policy violations, RFC 5280 §6.1) and odd ones
 * that must be accepted.
 * Part of the s_server rows (./index.ts); the row builder is ./spec.ts.
 *
 * @module
 */
import { ALERT, type CertFixture, EC, ok13 } from '../common.ts';
import type { ConformanceCase, Expectation, ExpectFailure } from '../schema.ts';
import { opensslCase, type OpensslCaseSpec } from './spec.ts';

const cases: ConformanceCase[] = [];
const openssl = (spec: OpensslCaseSpec): void => {
  cases.push(opensslCase(spec));
};

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

export const OPENSSL_BADSSL_CASES: readonly ConformanceCase[] = cases;
