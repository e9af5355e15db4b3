/**
 * random.ts: the pooled CSPRNG source connect() gives tls-core. Each call returns exactly the bytes
 * asked for, fresh (no two calls share bytes, across pool refills and after clearRandomPool()),
 * and large requests bypass the pool.
 */
import { describe, expect, it } from 'vitest';
import { clearRandomPool, pooledRandomBytes } from '../src/random.ts';

describe('pooledRandomBytes', () => {
  it('returns n bytes per call, never the same 32 bytes twice, across several pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const bytes = pooledRandomBytes(32);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(bytes.length).toBe(32);
      const hex = Buffer.from(bytes).toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
    // 600 * 32 bytes is more than four 4 KiB pools; odd sizes straddle a pool's end.
    for (const n of [0, 1, 7, 255, 256, 257, 5000]) expect(pooledRandomBytes(n).length).toBe(n);
  });

  it('hands out copies: changing one result leaves the next ones alone', () => {
    const a = pooledRandomBytes(64);
    a.fill(0);
    const b = pooledRandomBytes(64);
    expect(b.some((x) => x !== 0)).toBe(true);
  });

  it('draws a new pool after clearRandomPool()', () => {
    const before = pooledRandomBytes(16);
    clearRandomPool();
    const after = pooledRandomBytes(16);
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(false);
    expect(after.length).toBe(16);
  });
});
