import { describe, expect, it } from 'vitest';
import { MESSAGE_SAMPLES } from './samples.ts';
import type { MessageSample } from './samples.ts';
import { decodeHandshake, decodeHandshakeHeader, encodeHandshake, HANDSHAKE_HEADER_LENGTH } from '../../src/wire/handshake.ts';
import { decodeRecordHeader, encodeRecordHeader, RECORD_HEADER_LENGTH } from '../../src/wire/record-header.ts';
import { decodeAlert, encodeAlert } from '../../src/wire/alert.ts';
import { serverEcdhParams } from '../../src/wire/server-key-exchange.ts';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../src/wire/server-hello.ts';
import { extension } from '../../src/wire/extensions.ts';
import { ExtensionType, HandshakeType } from '../../src/wire/enums.ts';
import { InappropriateMessage, InvalidMessage, UsageError } from '../../src/errors.ts';
import { sha256 } from '@noble/hashes/sha2.js';

function invalid(f: () => unknown, reason?: string): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(InvalidMessage);
  if (reason !== undefined) expect((thrown as InvalidMessage).reason).toBe(reason);
}

/** Re-frame the first `k` body bytes of an encoded message under a header that says `k`. */
function reframe(encoded: Uint8Array, k: number): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH + k);
  out.set(encoded.subarray(0, 1));
  out[1] = k >>> 16;
  out[2] = (k >>> 8) & 0xff;
  out[3] = k & 0xff;
  out.set(encoded.subarray(HANDSHAKE_HEADER_LENGTH, HANDSHAKE_HEADER_LENGTH + k), HANDSHAKE_HEADER_LENGTH);
  return out;
}

/** Add `delta` to the big-endian length field at body offset `at`. */
function bumpLength(encoded: Uint8Array, at: number, size: number, delta: number): Uint8Array | undefined {
  const p = HANDSHAKE_HEADER_LENGTH + at;
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + encoded[p + i]!;
  const next = v + delta;
  if (next < 0 || next >= 2 ** (8 * size)) return undefined;
  const out = encoded.slice();
  for (let i = size - 1, x = next; i >= 0; i--, x = Math.floor(x / 256)) out[p + i] = x & 0xff;
  return out;
}

describe.each(MESSAGE_SAMPLES.map((s) => [s.name, s] as const))('%s', (_name, sample: MessageSample) => {
  const encoded = encodeHandshake(sample.msg);
  const bodyLength = encoded.length - HANDSHAKE_HEADER_LENGTH;

  it('round-trips through encodeHandshake and decodeHandshake', () => {
    const decoded = decodeHandshake(encoded, sample.version);
    const { raw, ...content } = decoded;
    expect(raw).toEqual(encoded);
    expect(content).toEqual(sample.msg);
    expect(encodeHandshake(decoded)).toEqual(encoded);
  });

  it('writes a header whose type and length describe the body', () => {
    expect(decodeHandshakeHeader(encoded)).toEqual({ type: sample.msg.type, length: bodyLength });
  });

  it('rejects every strict prefix of the encoding', () => {
    for (let k = 0; k < encoded.length; k++) invalid(() => decodeHandshake(encoded.subarray(0, k), sample.version));
  });

  it('rejects every strict prefix of the body re-framed with a consistent header', () => {
    for (let k = 0; k < bodyLength; k++) {
      const valid = sample.validPrefixes === 'all' || (sample.validPrefixes ?? []).includes(k);
      if (valid) expect(() => decodeHandshake(reframe(encoded, k), sample.version)).not.toThrow();
      else invalid(() => decodeHandshake(reframe(encoded, k), sample.version));
    }
  });

  it('rejects a corrupted handshake length and trailing bytes', () => {
    for (const delta of [-1, 1]) {
      const bad = bumpLength(encoded, -3, 3, delta);
      if (bad !== undefined) invalid(() => decodeHandshake(bad, sample.version));
    }
    invalid(() => decodeHandshake(new Uint8Array([...encoded, 0]), sample.version), 'TrailingData');
  });

  it.runIf(sample.lengths.length > 0)('rejects every corrupted inner length', () => {
    for (const { at, size } of sample.lengths) {
      const corrupted = [-1, 1].map((d) => bumpLength(encoded, at, size, d)).filter((b) => b !== undefined);
      expect(corrupted.length, `length at ${at}`).toBeGreaterThan(0);
      for (const bad of corrupted) invalid(() => decodeHandshake(bad, sample.version));
    }
  });

  it('gives decoded fields their own copy of the bytes', () => {
    const buf = encoded.slice();
    const decoded = decodeHandshake(buf, sample.version);
    buf.fill(0xee);
    expect(encodeHandshake(decoded)).toEqual(encoded);
  });
});

describe('handshake framing', () => {
  it('refuses unknown handshake types and message_hash with InappropriateMessage', () => {
    for (const type of [3, 99, HandshakeType.MessageHash])
      expect(() => decodeHandshake(new Uint8Array([type, 0, 0, 0]), 'tls13')).toThrowError(InappropriateMessage);
  });

  it('uses the version to choose the Certificate form', () => {
    const c12 = encodeHandshake({ type: HandshakeType.Certificate, version: 'tls12', certificates: [new Uint8Array([1, 2, 3])] });
    const c13 = encodeHandshake({ type: HandshakeType.Certificate, version: 'tls13', context: new Uint8Array(0), entries: [] });
    expect(decodeHandshake(c12, 'tls12')).toMatchObject({ version: 'tls12' });
    expect(decodeHandshake(c13, 'tls13')).toMatchObject({ version: 'tls13', entries: [] });
    invalid(() => decodeHandshake(c12, 'tls13'));
  });
});

describe('message-specific rules', () => {
  const hello = MESSAGE_SAMPLES.find((s) => s.name === 'ClientHello')!.msg;
  if (hello.type !== HandshakeType.ClientHello) throw new Error('sample');

  it('defines the HelloRetryRequest random as SHA-256("HelloRetryRequest")', () => {
    expect(HELLO_RETRY_REQUEST_RANDOM).toEqual(sha256(new TextEncoder().encode('HelloRetryRequest')));
  });

  it('rejects a ClientHello whose pre_shared_key is not last, and refuses to encode one', () => {
    const psk = hello.extensions.at(-1)!;
    expect(psk.type).toBe(ExtensionType.PreSharedKey);
    const others = hello.extensions.slice(0, -1);
    expect(() => encodeHandshake({ ...hello, extensions: [psk, ...others] })).toThrowError(UsageError);
    const valid = encodeHandshake({ ...hello, extensions: [...others, { type: 0x7777, data: new Uint8Array(0) }, psk] });
    expect(() => decodeHandshake(valid, 'tls13')).not.toThrow();
    invalid(() => decodeHandshake(swapLastTwoExtensions(valid), 'tls13'), 'PreSharedKeyNotLast');
  });

  it('rejects a ServerHello whose isHelloRetryRequest disagrees with its random', () => {
    const sh = MESSAGE_SAMPLES.find((s) => s.name === 'ServerHello (TLS 1.3)')!.msg;
    expect(() => encodeHandshake({ ...sh, isHelloRetryRequest: true } as typeof sh)).toThrowError(UsageError);
  });

  it('rejects a ServerKeyExchange with explicit curve parameters', () => {
    const ske = encodeHandshake(MESSAGE_SAMPLES.find((s) => s.name === 'ServerKeyExchange')!.msg);
    const bad = ske.slice();
    bad[HANDSHAKE_HEADER_LENGTH] = 1; // explicit_prime
    invalid(() => decodeHandshake(bad, 'tls12'), 'BadValue');
  });

  it('exposes the signed ServerECDHParams exactly as they appear on the wire', () => {
    const sample = MESSAGE_SAMPLES.find((s) => s.name === 'ServerKeyExchange')!.msg;
    if (sample.type !== HandshakeType.ServerKeyExchange) throw new Error('sample');
    const wire = encodeHandshake(sample);
    const params = serverEcdhParams(sample);
    expect(params).toEqual(wire.subarray(HANDSHAKE_HEADER_LENGTH, HANDSHAKE_HEADER_LENGTH + 4 + sample.publicPoint.length));
  });

  it('rejects a CertificateStatus that is not OCSP', () => {
    const cs = encodeHandshake({ type: HandshakeType.CertificateStatus, statusType: 1, response: new Uint8Array([5]) });
    const bad = cs.slice();
    bad[HANDSHAKE_HEADER_LENGTH] = 2;
    invalid(() => decodeHandshake(bad, 'tls12'), 'BadValue');
  });

  it('rejects an empty TLS 1.3 ticket but accepts an empty TLS 1.2 ticket (RFC 5077 §3.3)', () => {
    invalid(() => decodeHandshake(new Uint8Array([4, 0, 0, 13, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0]), 'tls13'), 'EmptyList');
    expect(decodeHandshake(new Uint8Array([4, 0, 0, 6, 0, 0, 0, 0, 0, 0]), 'tls12')).toMatchObject({ lifetimeHint: 0 });
  });

  it('builds extensions with the typed helper', () => {
    expect(extension(ExtensionType.Cookie, { cookie: new Uint8Array([1]) })).toEqual({ type: 44, body: { cookie: new Uint8Array([1]) } });
  });
});

describe('record header', () => {
  it('round-trips and reads only the first five bytes', () => {
    const h = { contentType: 23, legacyVersion: 0x0303, length: 16401 };
    const enc = encodeRecordHeader(h);
    expect(enc).toEqual(new Uint8Array([23, 3, 3, 0x40, 0x11]));
    expect(decodeRecordHeader(new Uint8Array([...enc, 9, 9]))).toEqual(h);
    expect(RECORD_HEADER_LENGTH).toBe(5);
  });

  it('rejects every strict prefix and out-of-range fields', () => {
    const enc = encodeRecordHeader({ contentType: 22, legacyVersion: 0x0301, length: 512 });
    for (let k = 0; k < enc.length; k++) invalid(() => decodeRecordHeader(enc.subarray(0, k)), 'MissingData');
    expect(() => encodeRecordHeader({ contentType: 22, legacyVersion: 0x0303, length: 0x10000 })).toThrowError(UsageError);
    expect(() => encodeRecordHeader({ contentType: 256, legacyVersion: 0x0303, length: 1 })).toThrowError(UsageError);
  });
});

describe('alert', () => {
  it('round-trips, keeping unknown descriptions', () => {
    for (const a of [
      { level: 2, description: 40 },
      { level: 1, description: 0 },
      { level: 2, description: 0x99 },
    ])
      expect(decodeAlert(encodeAlert(a))).toEqual(a);
  });

  it('rejects any length other than two', () => {
    invalid(() => decodeAlert(new Uint8Array([])), 'MissingData');
    invalid(() => decodeAlert(new Uint8Array([2])), 'MissingData');
    invalid(() => decodeAlert(new Uint8Array([2, 40, 0])), 'TrailingData');
  });
});

/** Swap the last two extensions of an encoded ClientHello (walks the list; test-only helper). */
function swapLastTwoExtensions(encoded: Uint8Array): Uint8Array {
  const body = encoded.subarray(HANDSHAKE_HEADER_LENGTH);
  let p = 34;
  p += 1 + body[p]!;
  p += 2 + ((body[p]! << 8) | body[p + 1]!);
  p += 1 + body[p]!;
  const listStart = p + 2;
  const starts: number[] = [];
  for (let q = listStart; q < body.length; q += 4 + ((body[q + 2]! << 8) | body[q + 3]!)) starts.push(q);
  const [a, b] = [starts.at(-2)!, starts.at(-1)!];
  const out = body.slice();
  const first = body.slice(a, b);
  const second = body.slice(b);
  out.set(second, a);
  out.set(first, a + second.length);
  return new Uint8Array([...encoded.subarray(0, HANDSHAKE_HEADER_LENGTH), ...out]);
}
