import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/codec/bytes.ts';
import { alertFor, DecryptError, PeerMisbehaved } from '../../src/errors.ts';
import type { AeadAlgorithm } from '../../src/crypto/noble.ts';
import { AlertDescription, ContentType } from '../../src/wire/enums.ts';
import { RecordDeframer, type TlsRecord } from '../../src/record/deframer.ts';
import { padToMultipleOf, Tls13Protector } from '../../src/record/protect-tls13.ts';
import { Tls12Protector } from '../../src/record/protect-tls12.ts';
import { RecordLayer } from '../../src/record/record-layer.ts';
import { PlaintextProtector } from '../../src/record/protector.ts';

const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
function parse(rec: Uint8Array): TlsRecord {
  const d = new RecordDeframer();
  d.push(rec);
  const r = d.next();
  if (r === undefined || d.bufferedLength !== 0) throw new Error('not exactly one record');
  return r;
}
function u64(seq: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(seq);
  return b;
}
const NODE_NAME: Record<AeadAlgorithm, string> = { 'AES-128-GCM': 'aes-128-gcm', 'AES-256-GCM': 'aes-256-gcm', 'CHACHA20-POLY1305': 'chacha20-poly1305' };

/** Independent node:crypto AEAD seal: ciphertext || tag. */
function nodeSeal(aead: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
  const c = createCipheriv(NODE_NAME[aead] as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
}

describe('TLS 1.2 AEAD records (RFC 5246 §6.2.3.3, RFC 5288, RFC 7905)', () => {
  it('AES-GCM: explicit nonce = sequence number, nonce = salt || explicit, AAD = seq||type||version||length', () => {
    for (const aead of ['AES-128-GCM', 'AES-256-GCM'] as const) {
      const key = bytes(aead === 'AES-128-GCM' ? 16 : 32);
      const salt = bytes(4);
      const w = new RecordLayer('write');
      w.installProtector(new Tls12Protector({ aead, key, fixedIv: salt }));
      const seq = 0x0102030405060708n;
      w.setSequenceNumber(seq);
      const pt = bytes(300);
      const rec = w.seal(ContentType.ApplicationData, pt);
      const aad = Buffer.concat([u64(seq), Buffer.from([23, 3, 3, pt.length >> 8, pt.length & 0xff])]);
      const nonce = Buffer.concat([salt, u64(seq)]);
      const expected = Buffer.concat([Buffer.from([23, 3, 3, (8 + pt.length + 16) >> 8, (8 + pt.length + 16) & 0xff]), u64(seq), nodeSeal(aead, key, nonce, aad, pt)]);
      expect(toHex(rec)).toBe(toHex(expected));
      const r = new RecordLayer('read');
      r.installProtector(new Tls12Protector({ aead, key, fixedIv: salt }));
      r.setSequenceNumber(seq);
      const out = r.open(parse(rec));
      expect([out.type, toHex(out.plaintext)]).toEqual([23, toHex(pt)]);
    }
  });

  it('ChaCha20-Poly1305: nonce = IV xor sequence number, no explicit nonce on the wire', () => {
    const key = bytes(32);
    const iv = bytes(12);
    const w = new RecordLayer('write');
    w.installProtector(new Tls12Protector({ aead: 'CHACHA20-POLY1305', key, fixedIv: iv }));
    const recs = [bytes(10), bytes(0), bytes(16384)].map((pt) => ({ pt, rec: w.seal(ContentType.Handshake, pt) }));
    recs.forEach(({ pt, rec }, seq) => {
      const nonce = Buffer.from(iv);
      const s = u64(BigInt(seq));
      for (let i = 0; i < 8; i++) nonce[4 + i]! ^= s[i]!;
      const aad = Buffer.concat([s, Buffer.from([22, 3, 3, pt.length >> 8, pt.length & 0xff])]);
      expect(toHex(rec.subarray(5))).toBe(toHex(nodeSeal('CHACHA20-POLY1305', key, nonce, aad, pt)));
      expect(rec.length).toBe(5 + pt.length + 16);
    });
    const r = new RecordLayer('read');
    r.installProtector(new Tls12Protector({ aead: 'CHACHA20-POLY1305', key, fixedIv: iv }));
    for (const { pt, rec } of recs) expect(toHex(r.open(parse(rec)).plaintext)).toBe(toHex(pt));
  });

  it('a corrupted tag, a wrong sequence number or a changed header fails with DecryptError (bad_record_mac)', () => {
    for (const aead of ['AES-128-GCM', 'CHACHA20-POLY1305'] as const) {
      const keys = { aead, key: bytes(aead === 'AES-128-GCM' ? 16 : 32), fixedIv: bytes(aead === 'AES-128-GCM' ? 4 : 12) };
      const rec = new Tls12Protector(keys).seal(23, bytes(50), 0, 5);
      const p = new Tls12Protector(keys);
      expect(toHex(p.open(parse(rec), 0, 5).plaintext).length).toBe(100);
      const badTag = rec.slice();
      badTag[badTag.length - 1]! ^= 0x80;
      expect(() => p.open(parse(badTag), 0, 5)).toThrow(DecryptError);
      expect(() => p.open(parse(rec), 0, 6)).toThrow(DecryptError);
      const badType = rec.slice();
      badType[0] = 22;
      expect(() => p.open(parse(badType), 0, 5)).toThrow(DecryptError);
      let err: unknown;
      try {
        p.open(parse(badTag), 0, 5);
      } catch (e) {
        err = e;
      }
      expect(alertFor(err)).toBe(AlertDescription.BadRecordMac);
    }
  });

  it('a record whose plaintext would exceed 2^14 is record_overflow', () => {
    const keys = { aead: 'CHACHA20-POLY1305' as const, key: bytes(32), fixedIv: bytes(12) };
    const body = new Uint8Array(16384 + 1 + 16);
    const rec = new Uint8Array([23, 3, 3, body.length >> 8, body.length & 0xff, ...body]);
    expect(() => new Tls12Protector(keys).open(parse(rec), 0, 0)).toThrow(/RecordOverflow/);
  });
});

describe('TLS 1.3 records (RFC 8446 §5.2–5.4)', () => {
  const keys = { aead: 'AES-128-GCM' as const, key: bytes(16), iv: bytes(12) };

  it('round-trips with padding, hiding the inner type behind application_data', () => {
    const w = new RecordLayer('write');
    w.installProtector(new Tls13Protector(keys, padToMultipleOf(256)));
    const r = new RecordLayer('read');
    r.installProtector(new Tls13Protector(keys));
    for (const [type, len] of [[22, 5], [21, 2], [23, 0], [23, 16384]] as const) {
      const pt = bytes(len);
      const rec = w.seal(type, pt);
      expect(rec[0]).toBe(23);
      expect((rec.length - 5 - 16) % 256 === 0 || len === 16384).toBe(true);
      const out = r.open(parse(rec));
      expect([out.type, toHex(out.plaintext)]).toEqual([type, toHex(pt)]);
    }
  });

  it('uses nonce = IV xor sequence number and the record header as AAD (checked against node:crypto)', () => {
    const w = new RecordLayer('write');
    w.installProtector(new Tls13Protector(keys));
    w.setSequenceNumber(0xfedcba9876543210n);
    const pt = bytes(33);
    const rec = w.seal(23, pt);
    const nonce = Buffer.from(keys.iv);
    const s = u64(0xfedcba9876543210n);
    for (let i = 0; i < 8; i++) nonce[4 + i]! ^= s[i]!;
    const inner = Buffer.concat([pt, Buffer.from([23])]);
    expect(toHex(rec.subarray(5))).toBe(toHex(nodeSeal('AES-128-GCM', keys.key, nonce, rec.subarray(0, 5), inner)));
  });

  /** Seal an arbitrary inner plaintext with node:crypto at sequence 0. */
  function craft(inner: Uint8Array): TlsRecord {
    const len = inner.length + 16;
    const header = new Uint8Array([23, 3, 3, len >> 8, len & 0xff]);
    return parse(new Uint8Array([...header, ...nodeSeal('AES-128-GCM', keys.key, keys.iv, header, inner)]));
  }

  it('an all-zero inner plaintext is unexpected_message', () => {
    let err: unknown;
    try {
      new Tls13Protector(keys).open(craft(new Uint8Array(20)), 0, 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PeerMisbehaved);
    expect(alertFor(err)).toBe(AlertDescription.UnexpectedMessage);
  });

  // RFC 8446 §5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets" (padding included).
  it('content over 2^14 bytes is record_overflow; so is 2^14 plus the type plus any padding; exactly 2^14 + 1 is accepted', () => {
    const tooLong = new Uint8Array(16385 + 1);
    tooLong[16385] = 23;
    expect(() => new Tls13Protector(keys).open(craft(tooLong), 0, 0)).toThrow(/RecordOverflow/);
    const padded = new Uint8Array(16384 + 1 + 100);
    padded[16384] = 23;
    expect(() => new Tls13Protector(keys).open(craft(padded), 0, 0)).toThrow(/RecordOverflow/);
    const ok = new Uint8Array(16384 + 1);
    ok[16384] = 23;
    expect(new Tls13Protector(keys).open(craft(ok), 0, 0).plaintext.length).toBe(16384);
  });

  it('refuses change_cipher_spec or unknown types inside encryption, and non-application_data outer types', () => {
    const ccs = new Uint8Array([1, 20]);
    expect(() => new Tls13Protector(keys).open(craft(ccs), 0, 0)).toThrow(/IllegalInnerContentType/);
    const outer = parse(new Uint8Array([22, 3, 3, 0, 20, ...new Uint8Array(20)]));
    expect(() => new Tls13Protector(keys).open(outer, 0, 0)).toThrow(/unexpected/);
  });

  it('a flipped tag bit is DecryptError', () => {
    const rec = new Tls13Protector(keys).seal(23, bytes(10), 0, 0);
    rec[rec.length - 3]! ^= 4;
    expect(() => new Tls13Protector(keys).open(parse(rec), 0, 0)).toThrow(DecryptError);
  });
});

describe('RecordLayer', () => {
  const keys = { aead: 'CHACHA20-POLY1305' as const, key: bytes(32), iv: bytes(12) };

  it('refuses to use the last sequence number instead of wrapping, for reading and writing', () => {
    const w = new RecordLayer('write');
    w.installProtector(new Tls13Protector(keys));
    w.setSequenceNumber(0xfffffffffffffffdn);
    const r = new RecordLayer('read');
    r.installProtector(new Tls13Protector(keys));
    r.setSequenceNumber(0xfffffffffffffffdn);
    const a = w.seal(23, bytes(3));
    const b = w.seal(23, bytes(3));
    expect(w.sequenceNumber).toBe(0xffffffffffffffffn);
    expect(() => w.seal(23, bytes(3))).toThrow(/SequenceNumberExhausted/);
    r.open(parse(a));
    r.open(parse(b)); // crosses the 32-bit carry correctly
    expect(() => r.open(parse(a))).toThrow(PeerMisbehaved);
  });

  it('carries into the high 32 bits of the sequence number', () => {
    const w = new RecordLayer('write');
    w.installProtector(new Tls13Protector(keys));
    w.setSequenceNumber(0xffffffffn);
    const rec = w.seal(23, bytes(5));
    expect(w.sequenceNumber).toBe(0x100000000n);
    const p = new Tls13Protector(keys);
    expect(() => p.open(parse(rec), 0, 0xffffffff)).not.toThrow();
    expect(() => new Tls13Protector(keys).open(parse(w.seal(23, bytes(5))), 0, 0)).toThrow(DecryptError);
  });

  it('a key change resets the sequence number; TLS 1.3 change_cipher_spec bypasses protection without using one', () => {
    const w = new RecordLayer('write', new PlaintextProtector(0x0301));
    expect(toHex(w.seal(22, new Uint8Array([1, 2])))).toBe('16030100020102');
    w.installProtector(new Tls13Protector(keys));
    expect(toHex(w.seal(20, new Uint8Array([1])))).toBe('140303000101');
    expect(w.sequenceNumber).toBe(0n);
    const rec = w.seal(22, bytes(4));
    const r = new RecordLayer('read');
    r.installProtector(new Tls13Protector(keys));
    expect(r.open(parse(new Uint8Array([20, 3, 3, 0, 1, 1]))).type).toBe(20);
    expect(r.open(parse(rec)).type).toBe(22);
    expect(r.sequenceNumber).toBe(1n);
  });

  it('a key change retires the replaced protector, and retire() ends a direction: their keys are wiped and refuse any record (TLS 1.3 and 1.2, GCM and ChaCha20)', () => {
    const gcm13 = { aead: 'AES-128-GCM' as const, key: bytes(16), iv: bytes(12) };
    const gcm12 = { aead: 'AES-256-GCM' as const, key: bytes(32), fixedIv: bytes(4) };
    const chacha12 = { aead: 'CHACHA20-POLY1305' as const, key: bytes(32), fixedIv: bytes(12) };
    const makers = [() => new Tls13Protector(keys), () => new Tls13Protector(gcm13), () => new Tls12Protector(gcm12), () => new Tls12Protector(chacha12)];
    const message = new Uint8Array([1, 2, 3, 4, 5]);
    for (const make of makers) {
      const first = make();
      const w = new RecordLayer('write');
      w.installProtector(first);
      const sealed = w.seal(23, message);
      expect(make().open(parse(sealed), 0, 0).plaintext).toEqual(message); // usable before the change
      w.installProtector(make());
      expect(() => first.seal(23, message, 0, 0)).toThrow(/key wiped/);
      expect(() => first.open(parse(sealed), 0, 0)).toThrow(/key wiped/);
      const second = w.seal(23, message); // the new keys work
      expect(make().open(parse(second), 0, 0).plaintext).toEqual(message);
      w.retire();
      expect(() => w.seal(23, message)).toThrow(/key wiped/);
    }
  });

  it('plaintext records over 2^14 are record_overflow', () => {
    const r = new RecordLayer('read');
    const body = new Uint8Array(16385);
    expect(() => r.open(parse(new Uint8Array([22, 3, 3, body.length >> 8, body.length & 0xff, ...body])))).toThrow(/RecordOverflow/);
  });

  it('sealAll fragments to the configured limit', () => {
    const w = new RecordLayer('write');
    w.installProtector(new Tls13Protector(keys));
    const recs = w.sealAll(23, bytes(5000), 2048);
    expect(recs.map((x) => x.length - 5 - 17)).toEqual([2048, 2048, 904]);
    expect(w.sequenceNumber).toBe(3n);
  });
});
