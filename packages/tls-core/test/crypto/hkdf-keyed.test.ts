/**
 * HKDF on keyed HMAC states (crypto/noble.ts `hkdfExpandWith`, `hkdfExpand`, `hkdfExtract`) and the
 * TLS 1.3 schedule secrets that keep one keyed state per secret (tls13/key-schedule.ts
 * `ScheduleSecret.expandLabel`): each must give exactly what an independent HKDF (RFC 5869, here
 * node:crypto's `hkdfSync`) and the schedule's free functions give, for both hashes, any length up
 * to 255 * HashLen, and a keyed state used many times over.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/codec/bytes.ts';
import { CryptoError, UsageError } from '../../src/errors.ts';
import { SHA256, SHA384, hkdfExpand, hkdfExpandWith, hkdfExtract, hmacWithKey } from '../../src/crypto/noble.ts';
import { deriveSecret, deriveTrafficKeys, EarlySecret, finishedVerifyData, hkdfExpandLabel, nextApplicationTrafficSecret, resumptionPsk, ResumptionPsk, revealResumptionPsk, revealSecret } from '../../src/tls13/key-schedule.ts';
import { TLS13_SUITES } from '../../src/crypto/suites.ts';

const nodeName = (hash: typeof SHA256) => (hash === SHA256 ? 'sha256' : 'sha384');

describe('HKDF on keyed HMAC states', () => {
  it('HKDF-Extract then HKDF-Expand equal node:crypto hkdfSync for any salt, IKM, info and length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(SHA256, SHA384),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.integer({ min: 0, max: 300 }),
        (hash, salt, ikm, info, length) => {
          const okm = hkdfExpand(hash, hkdfExtract(hash, salt, ikm), info, length);
          expect(toHex(okm)).toBe(Buffer.from(hkdfSync(nodeName(hash), ikm, salt, info, length)).toString('hex'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one keyed state expands many infos as separate HKDF-Expands would, and is not consumed', () => {
    fc.assert(
      fc.property(fc.constantFrom(SHA256, SHA384), fc.uint8Array({ minLength: 32, maxLength: 64 }), fc.array(fc.tuple(fc.uint8Array({ maxLength: 60 }), fc.integer({ min: 1, max: 200 })), { minLength: 1, maxLength: 6 }), (hash, prk, requests) => {
        const mac = hmacWithKey(hash, prk);
        for (const [info, length] of requests) {
          // HKDF-Expand alone (RFC 5869 §2.3), written out with node's HMAC.
          const blocks: Buffer[] = [];
          let t = Buffer.alloc(0);
          for (let i = 1; Buffer.concat(blocks).length < length; i++) blocks.push((t = createHmac(nodeName(hash), prk).update(Buffer.concat([t, info, Buffer.from([i])])).digest()));
          const expandOnly = Buffer.concat(blocks).subarray(0, length).toString('hex');
          expect(toHex(hkdfExpandWith(mac, hash, info, length))).toBe(expandOnly);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a length above 255 * HashLen', () => {
    expect(() => hkdfExpandWith(hmacWithKey(SHA256, new Uint8Array(32)), SHA256, new Uint8Array(0), 255 * 32 + 1)).toThrow(CryptoError);
  });
});

describe('schedule secrets with a keyed state per secret', () => {
  it('give what the free functions give on the same secret bytes, for every suite and random transcripts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TLS13_SUITES), fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.uint8Array({ minLength: 1, maxLength: 8 }), (suite, pskSeed, transcriptSeed, nonce) => {
        const hash = suite.hash;
        const psk = ResumptionPsk.fromBytes(pskSeed.subarray(0, hash.outputLen));
        const th = transcriptSeed.subarray(0, hash.outputLen);
        const early = EarlySecret.withPsk(suite, psk);
        const earlyBytes = revealSecret(early);
        // binder: Derive-Secret then a Finished-style HMAC, twice from the same keyed state
        const binderKey = deriveSecret(hash, earlyBytes, 'res binder', hash.digest(new Uint8Array(0)));
        expect(toHex(early.binder('resumption', th))).toBe(toHex(finishedVerifyData(hash, binderKey, th)));
        expect(toHex(early.binder('resumption', th))).toBe(toHex(finishedVerifyData(hash, binderKey, th)));
        const handshake = early.intoHandshake(new Uint8Array(hash.outputLen));
        const client = handshake.clientTrafficSecret(th);
        const clientBytes = revealSecret(client);
        expect(toHex(clientBytes)).toBe(toHex(deriveSecret(hash, revealSecret(handshake), 'c hs traffic', th)));
        const keys = client.trafficKeys();
        const expected = deriveTrafficKeys(suite, clientBytes);
        expect([toHex(keys.key), toHex(keys.iv)]).toEqual([toHex(expected.key), toHex(expected.iv)]);
        expect(toHex(client.finishedVerifyData(th))).toBe(toHex(finishedVerifyData(hash, clientBytes, th)));
        expect(toHex(revealSecret(client.next()))).toBe(toHex(nextApplicationTrafficSecret(hash, clientBytes)));
        const master = handshake.intoMaster();
        const rms = master.resumptionMasterSecret(th);
        expect(toHex(revealResumptionPsk(rms.psk(nonce)))).toBe(toHex(resumptionPsk(hash, revealSecret(rms), nonce)));
        expect(toHex(revealSecret(master.clientApplicationTrafficSecret(th)))).toBe(toHex(hkdfExpandLabel(hash, revealSecret(master), 'c ap traffic', th, hash.outputLen)));
      }),
      { numRuns: 100 },
    );
  });

  it('a handshake traffic secret gives the same keys and Finished in any order, again after its keyed HMAC was dropped', () => {
    for (const suite of TLS13_SUITES) {
      const hash = suite.hash;
      const th = new Uint8Array(hash.outputLen).fill(7);
      const handshake = EarlySecret.withoutPsk(suite).intoHandshake(new Uint8Array(hash.outputLen).fill(1));
      const bytes = revealSecret(handshake.serverTrafficSecret(th));
      const expected = deriveTrafficKeys(suite, bytes);
      const wanted = [toHex(expected.key), toHex(expected.iv), toHex(finishedVerifyData(hash, bytes, th))];
      for (const order of [['keys', 'finished', 'keys', 'finished'], ['finished', 'keys', 'finished', 'keys']]) {
        const secret = handshake.serverTrafficSecret(th);
        for (const step of order) {
          if (step === 'keys') {
            const keys = secret.trafficKeys();
            expect([toHex(keys.key), toHex(keys.iv)]).toEqual(wanted.slice(0, 2));
          } else expect(toHex(secret.finishedVerifyData(th))).toBe(wanted[2]);
        }
      }
    }
  });

  it('the handshake secret continues an Early Secret under the negotiated suite of the same hash, never of another hash', () => {
    const [aes128, aes256, chacha] = [0x1301, 0x1302, 0x1303].map((id) => TLS13_SUITES.find((s) => s.id === id)!);
    const early = EarlySecret.withPsk(aes128!, ResumptionPsk.fromBytes(new Uint8Array(32).fill(3)));
    const shared = new Uint8Array(32).fill(5);
    const viaChacha = early.intoHandshake(shared, chacha);
    expect(viaChacha.suite).toBe(chacha);
    expect(toHex(revealSecret(viaChacha))).toBe(toHex(revealSecret(EarlySecret.withPsk(chacha!, ResumptionPsk.fromBytes(new Uint8Array(32).fill(3))).intoHandshake(shared))));
    expect(viaChacha.clientTrafficSecret(new Uint8Array(32)).trafficKeys().key.length).toBe(32);
    expect(() => early.intoHandshake(shared, aes256)).toThrow(UsageError);
  });

  it('the PSK-less Early Secret is made once per suite and stays HKDF-Extract(0, 0) however often it is continued', () => {
    for (const suite of TLS13_SUITES) {
      const hash = suite.hash;
      const zero = new Uint8Array(hash.outputLen);
      const early = EarlySecret.withoutPsk(suite);
      expect(EarlySecret.withoutPsk(suite)).toBe(early);
      const first = toHex(revealSecret(early.intoHandshake(zero.slice().fill(1))));
      early.intoHandshake(zero.slice().fill(2));
      expect(toHex(revealSecret(early))).toBe(toHex(hkdfExtract(hash, new Uint8Array(0), zero)));
      expect(toHex(revealSecret(EarlySecret.withoutPsk(suite).intoHandshake(zero.slice().fill(1))))).toBe(first);
    }
  });
});
