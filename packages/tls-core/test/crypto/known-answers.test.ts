/**
 * Small pasted known answers from the RFCs: RFC 8439 §2.8.2 (ChaCha20-Poly1305 AEAD) and
 * RFC 5869 A.1 (HKDF-SHA-256). The Wycheproof suites cover the rest.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/codec/bytes.ts';
import { CryptoError, DecryptError } from '../../src/errors.ts';
import { createAead, hkdfExpand, hkdfExtract, SHA256 } from '../../src/crypto/noble.ts';

describe('RFC 8439 §2.8.2 ChaCha20-Poly1305 AEAD', () => {
  const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const nonce = fromHex('070000004041424344454647');
  const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
  const plaintext = utf8(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const ciphertext =
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6' +
    '3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116';
  const tag = '1ae10b594f09e26a7e902ecbd0600691';

  it('seals to the published ciphertext and tag and opens back', () => {
    const aead = createAead('CHACHA20-POLY1305', key);
    const sealed = aead.seal(nonce, aad, plaintext);
    expect(toHex(sealed)).toBe(ciphertext + tag);
    expect(toHex(aead.open(nonce, aad, sealed))).toBe(toHex(plaintext));
  });

  it('refuses a flipped tag bit, altered AAD and a short input with DecryptError', () => {
    const aead = createAead('CHACHA20-POLY1305', key);
    const sealed = fromHex(ciphertext + tag);
    sealed[sealed.length - 1]! ^= 1;
    expect(() => aead.open(nonce, aad, sealed)).toThrow(DecryptError);
    expect(() => aead.open(nonce, fromHex('50515253c0c1c2c3c4c5c6c8'), fromHex(ciphertext + tag))).toThrow(DecryptError);
    expect(() => aead.open(nonce, aad, new Uint8Array(15))).toThrow(DecryptError);
  });
});

describe('RFC 5869 A.1 HKDF-SHA-256', () => {
  it('extracts the published PRK and expands to the published OKM', () => {
    const prk = hkdfExtract(SHA256, fromHex('000102030405060708090a0b0c'), new Uint8Array(22).fill(0x0b));
    expect(toHex(prk)).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    const okm = hkdfExpand(SHA256, prk, fromHex('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('refuses an output longer than 255 * HashLen with CryptoError', () => {
    const prk = new Uint8Array(32);
    expect(hkdfExpand(SHA256, prk, new Uint8Array(0), 255 * 32)).toHaveLength(255 * 32);
    expect(() => hkdfExpand(SHA256, prk, new Uint8Array(0), 255 * 32 + 1)).toThrow(CryptoError);
  });
});
