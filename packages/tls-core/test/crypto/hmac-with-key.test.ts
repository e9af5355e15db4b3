/**
 * hmacWithKey (crypto/noble.ts): one keyed state, copied per message, must give exactly what a
 * fresh HMAC gives (RFC 2104), for every hash, short and over-long keys, and repeated use; plus
 * RFC 4231 test case 2 as a fixed point.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/codec/bytes.ts';
import { SHA256, SHA384, hmac, hmacWithKey } from '../../src/crypto/noble.ts';

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
        for (const m of messages) expect(toHex(mac(m))).toBe(toHex(hmac(hash, key, m)));
      }),
      { numRuns: 200 },
    );
  });

  it('a key longer than the block is hashed first, as RFC 2104 says (RFC 4231 test case 6)', () => {
    const key = new Uint8Array(131).fill(0xaa);
    const mac = hmacWithKey(SHA256, key);
    expect(mac(utf8('Test Using Larger Than Block-Size Key - Hash Key First'))).toEqual(fromHex('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'));
  });
});
