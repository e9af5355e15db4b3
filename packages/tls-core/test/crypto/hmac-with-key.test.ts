/**
 * HMAC in crypto/noble.ts (RFC 2104 on noble's hash states, computed in per-hash scratch states):
 * `hmacWithKey` (one keyed state, copied per message), the one-shot `hmac` and `digest` must give
 * exactly what noble's own `hmac()` and hash functions give, an independent reference, for every
 * hash, short and over-long keys, repeated use, and calls interleaved with each other (they share
 * the scratch states); plus RFC 4231 test cases 2 and 6 as fixed points.
 */
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256, sha384 as nobleSha384 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/codec/bytes.ts';
import { SHA256, SHA384, hmac, hmacWithKey } from '../../src/crypto/noble.ts';

const REFERENCE = { sha256: nobleSha256, sha384: nobleSha384 } as const;

describe('hmacWithKey', () => {
  it('RFC 4231 test case 2 (HMAC-SHA-256, key "Jefe")', () => {
    const mac = hmacWithKey(SHA256, utf8('Jefe'));
    const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(toHex(mac(utf8('what do ya want for nothing?')))).toBe(expected);
    expect(toHex(mac(utf8('what do ya want for nothing?')))).toBe(expected); // the keyed state is not consumed
  });

  it('equals a fresh HMAC for any key length and a sequence of messages', () => {
    fc.assert(
      fc.property(fc.constantFrom(SHA256, SHA384), fc.uint8Array({ maxLength: 200 }), fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }), (hash, key, messages) => {
        const mac = hmacWithKey(hash, key);
        const reference = REFERENCE[hash.name as keyof typeof REFERENCE];
        for (const m of messages) {
          expect(toHex(mac(m))).toBe(toHex(nobleHmac(reference, key, m)));
          expect(toHex(hmac(hash, key, m))).toBe(toHex(nobleHmac(reference, key, m)));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keyed MACs, one-shot MACs and digests interleaved (one set of scratch states per hash) each equal noble', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(SHA256, SHA384),
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.tuple(fc.constantFrom('first', 'second', 'one-shot', 'digest'), fc.uint8Array({ maxLength: 300 })), { minLength: 1, maxLength: 8 }),
        (hash, key1, key2, steps) => {
          const reference = REFERENCE[hash.name as keyof typeof REFERENCE];
          const first = hmacWithKey(hash, key1);
          const second = hmacWithKey(hash, key2);
          for (const [step, m] of steps) {
            if (step === 'first') expect(toHex(first(m))).toBe(toHex(nobleHmac(reference, key1, m)));
            else if (step === 'second') expect(toHex(second(m))).toBe(toHex(nobleHmac(reference, key2, m)));
            else if (step === 'one-shot') expect(toHex(hmac(hash, key2, m))).toBe(toHex(nobleHmac(reference, key2, m)));
            else expect(toHex(hash.digest(m))).toBe(toHex(reference(m)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('one-shot HMAC with a key longer than the block (RFC 4231 test case 6)', () => {
    const key = new Uint8Array(131).fill(0xaa);
    expect(hmac(SHA256, key, utf8('Test Using Larger Than Block-Size Key - Hash Key First'))).toEqual(fromHex('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'));
  });

  it('a key longer than the block is hashed first, as RFC 2104 says (RFC 4231 test case 6)', () => {
    const key = new Uint8Array(131).fill(0xaa);
    const mac = hmacWithKey(SHA256, key);
    expect(mac(utf8('Test Using Larger Than Block-Size Key - Hash Key First'))).toEqual(fromHex('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'));
  });
});
