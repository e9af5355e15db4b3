/**
 * The output-buffer form of `Aead.seal` / `Aead.open` (crypto/noble.ts), used by the record layer
 * to avoid per-record copies: it must produce exactly the bytes of the allocating form (anchored
 * on the RFC 8439 §2.8.2 vector), allow in-place sealing, and write nothing when a tag fails.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/codec/bytes.ts';
import { CryptoError, DecryptError } from '../../src/errors.ts';
import { AEAD_KEY_LENGTH, createAead, type AeadAlgorithm } from '../../src/crypto/noble.ts';

const ALGORITHMS: readonly AeadAlgorithm[] = ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'];

describe('RFC 8439 §2.8.2 through the output-buffer form', () => {
  const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const nonce = fromHex('070000004041424344454647');
  const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
  const plaintext = utf8(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const expected =
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6' +
    '3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116' +
    '1ae10b594f09e26a7e902ecbd0600691';

  it('seals in place at an unaligned offset and opens into a separate buffer', () => {
    const aead = createAead('CHACHA20-POLY1305', key);
    const buffer = new Uint8Array(3 + plaintext.length + 16);
    const out = buffer.subarray(3);
    out.set(plaintext);
    expect(aead.seal(nonce, aad, out.subarray(0, plaintext.length), out)).toBe(out);
    expect(toHex(out)).toBe(expected);
    const opened = new Uint8Array(plaintext.length);
    expect(aead.open(nonce, aad, out, opened)).toBe(opened);
    expect(toHex(opened)).toBe(toHex(plaintext));
  });
});

describe('output-buffer form equals the allocating form', () => {
  for (const algorithm of ALGORITHMS) {
    it(algorithm, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: AEAD_KEY_LENGTH[algorithm], maxLength: AEAD_KEY_LENGTH[algorithm] }),
          fc.uint8Array({ minLength: 12, maxLength: 12 }),
          fc.uint8Array({ maxLength: 13 }),
          fc.uint8Array({ maxLength: 300 }),
          fc.integer({ min: 0, max: 7 }),
          (key, nonce, aad, plaintext, offset) => {
            const aead = createAead(algorithm, key);
            const reference = aead.seal(nonce, aad, plaintext);
            const out = new Uint8Array(offset + plaintext.length + 16).subarray(offset);
            aead.seal(nonce, aad, plaintext, out);
            expect(toHex(out)).toBe(toHex(reference));
            const opened = new Uint8Array(offset + plaintext.length).subarray(offset);
            aead.open(nonce, aad, out, opened);
            expect(toHex(opened)).toBe(toHex(plaintext));
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});

describe('failures', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: a bad tag throws DecryptError and leaves the output untouched`, () => {
      const aead = createAead(algorithm, new Uint8Array(AEAD_KEY_LENGTH[algorithm]).fill(5));
      const nonce = new Uint8Array(12);
      const sealed = aead.seal(nonce, new Uint8Array(0), new Uint8Array(64).fill(0x41));
      sealed[sealed.length - 1]! ^= 0x80;
      const out = new Uint8Array(64).fill(0xee);
      expect(() => aead.open(nonce, new Uint8Array(0), sealed, out)).toThrow(DecryptError);
      expect(out.every((b) => b === 0xee)).toBe(true);
    });

    it(`${algorithm}: a wrongly sized output is refused`, () => {
      const aead = createAead(algorithm, new Uint8Array(AEAD_KEY_LENGTH[algorithm]));
      const nonce = new Uint8Array(12);
      expect(() => aead.seal(nonce, new Uint8Array(0), new Uint8Array(10), new Uint8Array(25))).toThrow(CryptoError);
      const sealed = aead.seal(nonce, new Uint8Array(0), new Uint8Array(10));
      expect(() => aead.open(nonce, new Uint8Array(0), sealed, new Uint8Array(11))).toThrow(CryptoError);
    });
  }
});
