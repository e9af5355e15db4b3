/**
 * crypto/gcm.ts (AES-GCM with the key schedule and GHASH table kept per key), through createAead, against
 * noble's own one-shot `gcm()` (an independent composition of the same SP 800-38D steps, with its own
 * GHASH) and noble's GHASH class. Wycheproof's aes_gcm vectors run in wycheproof.test.ts; these add
 * many records under one key (the state this module keeps between records must not leak into the next),
 * every alignment of input and output, and tampering with any byte.
 */
import { gcm as nobleGcm } from '@noble/ciphers/aes.js';
import { GHASH } from '@noble/ciphers/_polyval.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/codec/bytes.ts';
import { DecryptError } from '../../src/errors.ts';
import { ghashTable, ghashUpdate } from '../../src/crypto/gcm.ts';
import { createAead, type AeadAlgorithm } from '../../src/crypto/noble.ts';

const keyArb = fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 }));
const algorithmOf = (key: Uint8Array): AeadAlgorithm => (key.length === 16 ? 'AES-128-GCM' : 'AES-256-GCM');
const record = fc.record({
  nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  aad: fc.uint8Array({ maxLength: 40 }),
  plaintext: fc.uint8Array({ maxLength: 700 }),
  inOffset: fc.integer({ min: 0, max: 7 }),
  outOffset: fc.integer({ min: 0, max: 7 }),
});

/** `bytes` copied to `offset` bytes into a fresh buffer (to exercise unaligned views). */
function at(bytes: Uint8Array, offset: number, extra = 0): Uint8Array {
  const view = new Uint8Array(offset + bytes.length + extra).subarray(offset, offset + bytes.length + extra);
  view.set(bytes);
  return view;
}

describe('GHASH table method', () => {
  it('equals noble GHASH for any key and data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 300 }), (h, data) => {
        const y = new Int32Array(4);
        ghashUpdate(ghashTable(h), y, data);
        const mine = new Uint8Array(16);
        new DataView(mine.buffer).setInt32(0, y[0]!);
        new DataView(mine.buffer).setInt32(4, y[1]!);
        new DataView(mine.buffer).setInt32(8, y[2]!);
        new DataView(mine.buffer).setInt32(12, y[3]!);
        expect(toHex(mine)).toBe(toHex(new GHASH(h).update(data).digest()));
      }),
      { numRuns: 200 },
    );
  });
});

describe('AES-GCM per key against noble gcm()', () => {
  it('a sequence of records under one key seals and opens as noble does, at any alignment', () => {
    fc.assert(
      fc.property(keyArb, fc.array(record, { minLength: 1, maxLength: 6 }), (key, records) => {
        const aead = createAead(algorithmOf(key), key);
        for (const { nonce, aad, plaintext, inOffset, outOffset } of records) {
          const reference = nobleGcm(key, nonce, aad).encrypt(plaintext);
          expect(toHex(aead.seal(nonce, aad, at(plaintext, inOffset)))).toBe(toHex(reference));
          const out = at(new Uint8Array(plaintext.length + 16), outOffset);
          expect(aead.seal(nonce, aad, at(plaintext, inOffset), out)).toBe(out);
          expect(toHex(out)).toBe(toHex(reference));
          // In place: the plaintext is the output's own first bytes.
          const inPlace = at(plaintext, outOffset, 16);
          aead.seal(nonce, aad, inPlace.subarray(0, plaintext.length), inPlace);
          expect(toHex(inPlace)).toBe(toHex(reference));
          expect(toHex(aead.open(nonce, aad, at(reference, inOffset)))).toBe(toHex(plaintext));
          const opened = at(new Uint8Array(plaintext.length), outOffset);
          expect(aead.open(nonce, aad, at(reference, inOffset), opened)).toBe(opened);
          expect(toHex(opened)).toBe(toHex(plaintext));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keys made after others were wiped (their zeroed GHASH tables reused) still match noble, and a wiped key refuses to work', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, record), { minLength: 1, maxLength: 8 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), (steps, wipes) => {
        const live: ReturnType<typeof createAead>[] = [];
        steps.forEach(([key, { nonce, aad, plaintext }], i) => {
          const aead = createAead(algorithmOf(key), key);
          expect(toHex(aead.seal(nonce, aad, plaintext))).toBe(toHex(nobleGcm(key, nonce, aad).encrypt(plaintext)));
          live.push(aead);
          if (wipes[i]) {
            aead.wipe();
            expect(() => aead.seal(nonce, aad, plaintext)).toThrow(/key wiped/);
          }
        });
        for (const aead of live) aead.wipe();
      }),
      { numRuns: 100 },
    );
  });

  it('full 16 KiB records (and the 2^14 + 1 byte TLS 1.3 inner plaintext) match noble', () => {
    const key = new Uint8Array(16).map((_, i) => i * 11);
    const aead = createAead('AES-128-GCM', key);
    for (const length of [16384, 16385, 16383]) {
      const nonce = new Uint8Array(12).fill(length & 0xff);
      const aad = new Uint8Array(5).fill(0x17);
      const plaintext = new Uint8Array(length).map((_, i) => (i * 31) & 0xff);
      const reference = nobleGcm(key, nonce, aad).encrypt(plaintext);
      expect(toHex(aead.seal(nonce, aad, plaintext))).toBe(toHex(reference));
      expect(toHex(aead.open(nonce, aad, at(reference, 1)))).toBe(toHex(plaintext));
    }
  });

  it('any single flipped bit of ciphertext, tag, nonce or AAD is refused with DecryptError, writing nothing', () => {
    fc.assert(
      fc.property(keyArb, record, fc.nat(), fc.integer({ min: 0, max: 7 }), fc.constantFrom('sealed', 'nonce', 'aad'), (key, r, where, bit, what) => {
        const aead = createAead(algorithmOf(key), key);
        const sealed = aead.seal(r.nonce, r.aad, r.plaintext);
        const nonce = r.nonce.slice();
        const aad = r.aad.slice();
        const target = what === 'sealed' ? sealed : what === 'nonce' ? nonce : aad;
        if (target.length === 0) return;
        target[where % target.length]! ^= 1 << bit;
        const out = new Uint8Array(r.plaintext.length).fill(0xee);
        expect(() => aead.open(nonce, aad, sealed, out)).toThrow(DecryptError);
        expect(out.every((b) => b === 0xee)).toBe(true);
        // The key still works afterwards.
        expect(toHex(aead.open(r.nonce, r.aad, aead.seal(r.nonce, r.aad, r.plaintext)))).toBe(toHex(r.plaintext));
      }),
      { numRuns: 150 },
    );
  });
});
