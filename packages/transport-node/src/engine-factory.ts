/**
 * The trust anchors of connect(): the process-wide default trust store (Node's bundled Mozilla
 * roots, `tls.rootCertificates`, parsed once and cached, as Node does) and stores from Node's
 * `ca` option.
 * @module
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { TrustStore, cachedTrustStoreFromPem } from '@puretls/tls-core';

let defaultRoots: TrustStore | undefined;

/**
 * Node's default trust store as a TrustStore, parsed on first use only: the bundled roots
 * (`tls.rootCertificates`) plus the PEM file named by `NODE_EXTRA_CA_CERTS`, as Node does. Node
 * reads that variable once at start-up; puretls reads it at the first connection without `ca`.
 * An unreadable file is skipped with a process warning, as Node skips it.
 */
export function defaultTrustStore(): TrustStore {
  defaultRoots ??= trustStoreFromPem([...rootCertificates, ...extraCaCertificates()]);
  return defaultRoots;
}

function extraCaCertificates(): string[] {
  const file = process.env['NODE_EXTRA_CA_CERTS'];
  if (file === undefined || file === '') return [];
  try {
    return [readFileSync(file, 'latin1')];
  } catch (e) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(e as Error).message}`);
    return [];
  }
}

/**
 * A TrustStore from PEM text (Node's `ca` option: string, Buffer, or an array of them).
 * Certificates the X.509 layer cannot use are skipped (listed in `rejected`), as OpenSSL skips
 * them when loading a bundle.
 * @throws UsageError when no usable certificate remains
 */
export function trustStoreFromPem(pems: string | Uint8Array | ReadonlyArray<string | Uint8Array>): TrustStore {
  const list = typeof pems === 'string' || pems instanceof Uint8Array ? [pems] : pems;
  const text = list.map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('latin1'))).join('\n');
  return cachedTrustStoreFromPem(text);
}
