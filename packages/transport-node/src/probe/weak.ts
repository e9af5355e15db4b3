/**
 * The `weak` policy's reading of the ClientHello scan: protocols older than TLS 1.2 accepted
 * (RFC 8996), and TLS 1.2 suites without AEAD or without forward secrecy accepted (RFC 9325 §4.1:
 * only ECDHE/DHE with GCM, CCM or ChaCha20-Poly1305). TLS 1.3 suites are all AEAD with (EC)DHE or PSK.
 * @module
 */
import type { HelloScanFacts } from './scan-types.ts';

/** Reasons the scan's facts are weak (empty when none). */
export function weakHelloFacts(hello: HelloScanFacts): string[] {
  const out: string[] = [];
  const old = [
    ['TLS 1.1', hello.versions.tls11.value],
    ['TLS 1.0', hello.versions.tls10.value],
    ['SSL 3.0', hello.versions.ssl3.value],
  ] as const;
  for (const [name, accepted] of old) if (accepted === true) out.push(`${name} accepted`);
  for (const suite of hello.tls12.suites.accepted) {
    const aead = /_(GCM|CCM|CHACHA20_POLY1305)/.test(suite.name);
    const forwardSecret = /^TLS_(ECDHE|DHE)_/.test(suite.name);
    if (!aead || !forwardSecret) out.push(`TLS 1.2 suite ${suite.name} accepted (${[aead ? '' : 'not AEAD', forwardSecret ? '' : 'no forward secrecy'].filter((x) => x !== '').join(', ')})`);
  }
  return out;
}
