import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex } from '../../src/codec/bytes.ts';
import { SHA256, SHA384, type HashAlgorithm } from '../../src/crypto/noble.ts';
import { extendedMasterSecret, keyBlock, masterSecret, prf, tls12FinishedVerifyData } from '../../src/tls12/prf.ts';

/** RFC 5246 §5 P_hash written independently with node:crypto. */
function nodePrf(hash: 'sha256' | 'sha384', secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const fullSeed = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  const chunks: Buffer[] = [];
  let a: Buffer = fullSeed;
  let total = 0;
  while (total < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(Buffer.concat([a, fullSeed])).digest();
    chunks.push(block);
    total += block.length;
  }
  return new Uint8Array(Buffer.concat(chunks).subarray(0, length));
}

const HASHES: [string, HashAlgorithm, 'sha256' | 'sha384'][] = [
  ['SHA-256', SHA256, 'sha256'],
  ['SHA-384', SHA384, 'sha384'],
];

describe('TLS 1.2 PRF (RFC 5246 §5)', () => {
  it('matches the published P_SHA256 known answer and an independent node:crypto computation', () => {
    const secret = fromHex('9bbe436ba940f017b17652849a71db35');
    const seed = fromHex('a0ba9f936cda311827a6f796ffd5198c');
    const out = prf(SHA256, secret, 'test label', seed, 100);
    expect(out.length).toBe(100);
    expect(toHex(out).startsWith('e3f229ba727be17b8d122620557cd453')).toBe(true);
    expect(toHex(out)).toBe(toHex(nodePrf('sha256', secret, 'test label', seed, 100)));
  });

  it.each(HASHES)('agrees with node:crypto for random secrets, seeds and lengths (%s)', (_, hash, nodeName) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 0, max: 200 }), (secret, seed, len) => {
        expect(toHex(prf(hash, secret, 'some label', seed, len))).toBe(toHex(nodePrf(nodeName, secret, 'some label', seed, len)));
      }),
      { numRuns: 60 },
    );
  });

  it.each(HASHES)('derives the master secret from random inputs as node:crypto does (%s)', (_, hash, nodeName) => {
    for (let i = 0; i < 20; i++) {
      const pms = new Uint8Array(randomBytes(32 + (i % 3) * 16));
      const cr = new Uint8Array(randomBytes(32));
      const sr = new Uint8Array(randomBytes(32));
      const ms = masterSecret(hash, pms, cr, sr);
      expect(ms.length).toBe(48);
      expect(toHex(ms)).toBe(toHex(nodePrf(nodeName, pms, 'master secret', concatBytes(cr, sr), 48)));
    }
  });

  it('extended master secret (RFC 7627 §4) uses the session hash through ClientKeyExchange and differs from the classic one', () => {
    const pms = new Uint8Array(randomBytes(32));
    const cr = new Uint8Array(randomBytes(32));
    const sr = new Uint8Array(randomBytes(32));
    // A stand-in handshake: ClientHello, ServerHello, Certificate, ServerKeyExchange, ServerHelloDone, ClientKeyExchange.
    const messages = [1, 2, 11, 12, 14, 16].map((t) => concatBytes(new Uint8Array([t, 0, 0, 4]), new Uint8Array(randomBytes(4))));
    const sessionHash = new Uint8Array(createHash('sha256').update(Buffer.concat(messages)).digest());
    const ems = extendedMasterSecret(SHA256, pms, sessionHash);
    expect(toHex(ems)).toBe(toHex(nodePrf('sha256', pms, 'extended master secret', sessionHash, 48)));
    expect(toHex(ems)).not.toBe(toHex(masterSecret(SHA256, pms, cr, sr)));
    // Including the Finished-era messages (or omitting ClientKeyExchange) changes the result.
    const withoutCke = new Uint8Array(createHash('sha256').update(Buffer.concat(messages.slice(0, 5))).digest());
    expect(toHex(extendedMasterSecret(SHA256, pms, withoutCke))).not.toBe(toHex(ems));
  });

  it('splits the key block for AES-GCM (4-byte IVs) and ChaCha20 (12-byte IVs) in RFC 5246 §6.3 order', () => {
    const ms = new Uint8Array(randomBytes(48));
    const cr = new Uint8Array(randomBytes(32));
    const sr = new Uint8Array(randomBytes(32));
    for (const [keyLen, ivLen] of [[16, 4], [32, 4], [32, 12]] as const) {
      const kb = keyBlock(SHA256, ms, cr, sr, keyLen, ivLen);
      const raw = nodePrf('sha256', ms, 'key expansion', concatBytes(sr, cr), 2 * keyLen + 2 * ivLen);
      expect(toHex(concatBytes(kb.clientWriteKey, kb.serverWriteKey, kb.clientWriteIv, kb.serverWriteIv))).toBe(toHex(raw));
      expect([kb.clientWriteKey.length, kb.clientWriteIv.length]).toEqual([keyLen, ivLen]);
    }
  });

  it('computes 12-byte client and server Finished verify_data (RFC 5246 §7.4.9)', () => {
    const ms = new Uint8Array(randomBytes(48));
    const h = new Uint8Array(randomBytes(48));
    const c = tls12FinishedVerifyData(SHA384, ms, 'client', h);
    const s = tls12FinishedVerifyData(SHA384, ms, 'server', h);
    expect(c.length).toBe(12);
    expect(toHex(c)).toBe(toHex(nodePrf('sha384', ms, 'client finished', h, 12)));
    expect(toHex(s)).toBe(toHex(nodePrf('sha384', ms, 'server finished', h, 12)));
    expect(toHex(c)).not.toBe(toHex(s));
  });
});
