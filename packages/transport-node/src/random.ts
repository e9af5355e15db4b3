/**
 * The randomness source connect() gives tls-core (its config's `randomBytes`): Node's CSPRNG
 * (`crypto.randomFillSync`, OpenSSL's DRBG), drawn 4 KiB at a time. One call costs the same
 * ~15 µs here for 32 bytes as for 4096, and a handshake asks for 32-byte pieces two to three
 * times (client random, legacy_session_id, a key share's private key), so drawing ahead saves
 * most of that (docs/performance.md). Node's own `crypto.randomUUID()` caches its random bytes
 * the same way.
 *
 * Each pooled byte is handed out once and zeroed in the pool as it leaves; the rest of a pool is
 * zeroed when it is replaced. {@link clearRandomPool} drops the pool (connect.ts's
 * `clearKeyShareReserve()` calls it: before a process snapshot, nothing drawn ahead may be
 * captured and handed out twice).
 * @module
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
/** Requests above this size are drawn directly. */
const LARGEST_POOLED = 256;

let pool: Uint8Array | undefined;
let used = 0;

/** `n` fresh random bytes (a tls-core `RandomBytes`). */
export function pooledRandomBytes(n: number): Uint8Array {
  if (n > LARGEST_POOLED) return randomFillSync(new Uint8Array(n));
  if (pool === undefined || used + n > POOL_BYTES) {
    pool?.fill(0);
    pool = randomFillSync(new Uint8Array(POOL_BYTES));
    used = 0;
  }
  const out = pool.slice(used, used + n);
  pool.fill(0, used, used + n);
  used += n;
  return out;
}

/** Drop (and zero) the bytes drawn ahead; the next request draws a new pool. */
export function clearRandomPool(): void {
  pool?.fill(0);
  pool = undefined;
}
