/**
 * `--fail-on` policies for CI: each turns facts of a probe report into violations, and the CLI
 * exits non-zero when any policy asked for is violated.
 *
 * - `weak`: a protocol older than TLS 1.2 accepted (RFC 8996), a suite without AEAD or without
 *   forward secrecy accepted (RFC 9325 §4.1), or an RSA key under 2048 bits in the chain
 *   (RFC 9325 §4.3).
 * - `expired`: a certificate of the chain is expired or not yet valid (RFC 5280 §4.1.2.5).
 * - `untrusted`: no path from the chain to the trust store (RFC 5280 §6).
 * - `hostname`: the leaf does not match the server name (RFC 9525).
 *
 * A policy whose facts are missing (no certificate was received, the scan failed) is violated:
 * a CI gate fails closed.
 * @module
 */
import type { FailOnPolicy, PolicyViolation, ProbeReport } from './report.ts';
import { weakHelloFacts } from './weak.ts';

/** RSA keys below this many bits are weak (RFC 9325 §4.3). */
export const MIN_RSA_BITS = 2048;

/** The violations of `policies` in a report (without its `policy` field). */
export function evaluatePolicies(report: Omit<ProbeReport, 'policy'>, policies: readonly FailOnPolicy[]): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const cert = report.certificate;
  for (const policy of new Set(policies)) {
    switch (policy) {
      case 'weak': {
        if (report.hello === null) out.push({ policy, reason: 'the ClientHello scan did not complete: versions and suites unknown' });
        else for (const reason of weakHelloFacts(report.hello)) out.push({ policy, reason });
        for (const [i, c] of (cert?.chain ?? []).entries()) {
          if ((c.keyType === 'rsa' || c.keyType === 'rsa-pss') && c.keyBits !== null && c.keyBits < MIN_RSA_BITS) out.push({ policy, reason: `certificate ${i} (${c.subject}) has a ${c.keyBits}-bit RSA key` });
        }
        break;
      }
      case 'expired':
        if (cert === null) out.push({ policy, reason: 'no certificate received' });
        else
          for (const [i, c] of cert.chain.entries()) {
            if (c.expired) out.push({ policy, reason: `certificate ${i} (${c.subject}) expired at ${c.notAfter}` });
            if (c.notYetValid) out.push({ policy, reason: `certificate ${i} (${c.subject}) is not valid before ${c.notBefore}` });
          }
        break;
      case 'untrusted':
        if (cert === null) out.push({ policy, reason: 'no certificate received' });
        else if (!cert.trust.trusted) out.push({ policy, reason: `no path to the ${cert.trust.store} trust store: ${cert.trust.error ?? 'unknown'}` });
        break;
      case 'hostname':
        if (cert === null) out.push({ policy, reason: 'no certificate received' });
        else if (!cert.hostname.matches) out.push({ policy, reason: `the leaf does not match ${cert.hostname.name}: ${cert.hostname.error ?? ''}` });
        break;
    }
  }
  return out;
}
