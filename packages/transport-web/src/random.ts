/**
 * The default randomness for connections made by this package: the host's Web Crypto
 * `globalThis.crypto.getRandomValues` (browsers, Workers, Deno, Bun, Node ≥ 19), looked up when a
 * connection is configured, never at module load. Hosts without it must pass `randomBytes`.
 * @module
 */
import { UsageError } from '@puretls/tls-core';

/** `getRandomValues` fills at most 65536 bytes per call (WebCrypto §10.1.1). */
const MAX_CHUNK = 65536;

interface WebCrypto {
  getRandomValues<T extends Uint8Array>(array: T): T;
}

/**
 * A `randomBytes(n)` over the host's `crypto.getRandomValues`.
 * @throws UsageError when the host has no `crypto.getRandomValues`: pass `randomBytes` instead
 */
export function hostRandomBytes(): (n: number) => Uint8Array {
  const c = (globalThis as { crypto?: Partial<WebCrypto> }).crypto;
  if (c === undefined || typeof c.getRandomValues !== 'function') {
    throw new UsageError('this host has no crypto.getRandomValues: pass connect({ randomBytes }) from a cryptographically secure source');
  }
  const webCrypto = c as WebCrypto;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += MAX_CHUNK) webCrypto.getRandomValues(out.subarray(i, Math.min(n, i + MAX_CHUNK)));
    return out;
  };
}
