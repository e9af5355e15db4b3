/**
 * Trust stores parsed from PEM text, cached per distinct text. Transports are handed the same `ca`
 * on every connect() (as with Node's `tls.connect`), and a TrustStore is immutable, so the bundle
 * is parsed (and its anchors' keys prepared) once. A small LRU, least recently used first.
 * @module
 */
import { UsageError } from '../errors.ts';
import { LruMap } from './lru-map.ts';
import { TrustStore } from './trust-store.ts';

/**
 * The TrustStore of `pemText`, parsed on first use and then shared.
 * @throws UsageError when no usable certificate is in it
 */
export function cachedTrustStoreFromPem(pemText: string): TrustStore {
  const cached = TRUST_STORE_CACHE.get(pemText);
  if (cached !== undefined) return cached;
  const store = TrustStore.fromPem(pemText);
  if (store.size === 0) throw new UsageError('ca: no usable PEM certificate');
  TRUST_STORE_CACHE.set(pemText, store);
  return store;
}

/** Forget every cached TrustStore (first-contact benchmarks, tests). */
export function clearTrustStoreCache(): void {
  TRUST_STORE_CACHE.clear();
}

const TRUST_STORE_CACHE = new LruMap<TrustStore>(16);
