import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../../src/codec/bytes.ts';
import { alertFor, InappropriateMessage, PeerMisbehaved, TlsError } from '../../src/errors.ts';
import { AlertDescription } from '../../src/wire/enums.ts';
import { RecordDeframer, type TlsRecord } from '../../src/record/deframer.ts';
import { HandshakeReassembler, requireRecordBoundary } from '../../src/record/handshake-reassembler.ts';
import { fragment } from '../../src/record/fragmenter.ts';
import { MAX_TLS12_CIPHERTEXT_LENGTH, MAX_TLS13_CIPHERTEXT_LENGTH } from '../../src/record/protector.ts';

function record(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out.set([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff]);
  out.set(body, 5);
  return out;
}
const asHex = (rs: TlsRecord[]): string[] => rs.map((r) => `${r.type}:${r.version.toString(16)}:${toHex(r.fragment)}`);

function drain(d: RecordDeframer): TlsRecord[] {
  const out: TlsRecord[] = [];
  for (let r = d.next(); r !== undefined; r = d.next()) out.push(r);
  return out;
}

const arbRecord = fc.record({
  type: fc.constantFrom(20, 21, 22, 23),
  version: fc.constantFrom(0x0301, 0x0302, 0x0303),
  body: fc.uint8Array({ maxLength: 300 }),
});

describe('RecordDeframer', () => {
  it('yields the same records for any chunking of the stream, including byte by byte', () => {
    fc.assert(
      fc.property(fc.array(arbRecord, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (recs, cuts) => {
        const stream = new Uint8Array(recs.reduce((n, r) => n + 5 + r.body.length, 0));
        let off = 0;
        for (const r of recs) {
          const bytes = record(r.type, r.body, r.version);
          stream.set(bytes, off);
          off += bytes.length;
        }
        const expected = recs.map((r) => `${r.type}:${r.version.toString(16)}:${toHex(r.body)}`);
        // Random chunks.
        const d = new RecordDeframer();
        const got: TlsRecord[] = [];
        for (let pos = 0, i = 0; pos < stream.length; i++) {
          const n = cuts[i % cuts.length]!;
          d.push(stream.subarray(pos, pos + n));
          pos += n;
          got.push(...drain(d));
        }
        expect(asHex(got)).toEqual(expected);
        expect(d.bufferedLength).toBe(0);
        // Byte by byte.
        const d2 = new RecordDeframer();
        const got2: TlsRecord[] = [];
        for (let i = 0; i < stream.length; i++) {
          d2.push(stream.subarray(i, i + 1));
          got2.push(...drain(d2));
        }
        expect(asHex(got2)).toEqual(expected);
        // Pushing everything before draining.
        const d3 = new RecordDeframer();
        for (let i = 0; i < stream.length; i += 7) d3.push(stream.subarray(i, i + 7));
        expect(asHex(drain(d3))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('exposes the header bytes as received (the TLS 1.3 AAD)', () => {
    const d = new RecordDeframer();
    d.push(record(23, new Uint8Array([1, 2, 3])));
    expect(toHex(d.next()!.header)).toBe('1703030003');
  });

  it('rejects an over-long record with record_overflow as soon as the header arrives', () => {
    const d = new RecordDeframer(MAX_TLS13_CIPHERTEXT_LENGTH);
    const len = MAX_TLS13_CIPHERTEXT_LENGTH + 1;
    d.push(new Uint8Array([23, 3, 3, len >> 8, len & 0xff]));
    let err: unknown;
    try {
      d.next();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PeerMisbehaved);
    expect(alertFor(err)).toBe(AlertDescription.RecordOverflow);
    // The limit itself is accepted.
    const ok = new RecordDeframer(MAX_TLS13_CIPHERTEXT_LENGTH);
    ok.push(record(23, new Uint8Array(MAX_TLS13_CIPHERTEXT_LENGTH)));
    expect(ok.next()!.fragment.length).toBe(MAX_TLS13_CIPHERTEXT_LENGTH);
  });

  it('uses 2^14 + 2048 by default (TLS 1.2) and can be tightened', () => {
    const d = new RecordDeframer();
    d.push(record(23, new Uint8Array(MAX_TLS12_CIPHERTEXT_LENGTH)));
    expect(d.next()).toBeDefined();
    d.push(record(23, new Uint8Array(MAX_TLS12_CIPHERTEXT_LENGTH + 1)));
    expect(() => d.next()).toThrow(PeerMisbehaved);
    const t = new RecordDeframer();
    t.setMaxFragmentLength(MAX_TLS13_CIPHERTEXT_LENGTH);
    t.push(record(23, new Uint8Array(MAX_TLS13_CIPHERTEXT_LENGTH + 1)));
    expect(() => t.next()).toThrow(/RecordOverflow/);
  });

  it('rejects unknown content types (unexpected_message) and foreign versions (protocol_version)', () => {
    const d = new RecordDeframer();
    d.push(record(24, new Uint8Array(1)));
    expect(() => d.next()).toThrow(InappropriateMessage);
    for (const v of [0x0300, 0x0304, 0x0203, 0xfefd]) {
      const e = new RecordDeframer();
      e.push(record(22, new Uint8Array(1), v));
      let err: unknown;
      try {
        e.next();
      } catch (x) {
        err = x;
      }
      expect(alertFor(err), v.toString(16)).toBe(AlertDescription.ProtocolVersion);
    }
  });

  it('throws only TlsErrors (never RangeError) on arbitrary input', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }), (chunks) => {
        const d = new RecordDeframer();
        try {
          for (const c of chunks) {
            d.push(c);
            drain(d);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(TlsError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('HandshakeReassembler', () => {
  const msg = (type: number, len: number, fill: number): Uint8Array => {
    const m = new Uint8Array(4 + len).fill(fill);
    m.set([type, len >> 16, (len >> 8) & 0xff, len & 0xff]);
    return m;
  };

  it('joins a message split across records and reports the record boundary', () => {
    const m = msg(11, 1000, 0xaa);
    const r = new HandshakeReassembler();
    r.push(m.subarray(0, 2)); // even the header is split
    expect(r.next()).toBeUndefined();
    expect(r.hasPartialMessage).toBe(true);
    r.push(m.subarray(2, 500));
    expect(r.next()).toBeUndefined();
    r.push(m.subarray(500));
    const out = r.next()!;
    expect(toHex(out.raw)).toBe(toHex(m));
    expect(out.boundary).toBeDefined();
    expect(r.hasPartialMessage).toBe(false);
  });

  it('splits several messages in one record; only the last one ends the record', () => {
    const a = msg(8, 10, 1);
    const b = msg(11, 20, 2);
    const c = msg(20, 32, 3);
    const rec = new Uint8Array([...a, ...b, ...c]);
    const r = new HandshakeReassembler();
    r.push(rec);
    expect([r.next(), r.next(), r.next()].map((m) => [m!.type, m!.boundary !== undefined])).toEqual([[8, false], [11, false], [20, true]]);
    expect(r.next()).toBeUndefined();
  });

  it('reports a message that completes mid-record as not ending the record', () => {
    const a = msg(20, 32, 1);
    const b = msg(24, 1, 0);
    const r = new HandshakeReassembler();
    r.push(a.subarray(0, 10));
    r.push(new Uint8Array([...a.subarray(10), ...b.subarray(0, 2)]));
    expect(r.next()!.boundary).toBeUndefined(); // key change here would violate RFC 8446 §5.1
    expect(r.hasPartialMessage).toBe(true);
  });

  it('hands out a RecordBoundary exactly with the message that ends its record, and between records only when nothing is buffered', () => {
    const a = msg(8, 10, 1);
    const b = msg(20, 32, 3);
    const r = new HandshakeReassembler();
    const atStart = r.boundary;
    expect(atStart).toBeDefined();
    r.push(new Uint8Array([...a, ...b.subarray(0, 5)]));
    const first = r.next()!;
    expect(first.boundary).toBeUndefined();
    expect(r.boundary).toBeUndefined(); // b is partly buffered
    expect(() => requireRecordBoundary(first.boundary)).toThrow(expect.objectContaining({ reason: 'KeyChangeNotOnRecordBoundary' }));
    r.push(b.subarray(5));
    const second = r.next()!;
    expect(second.boundary).toBe(atStart);
    expect(requireRecordBoundary(second.boundary)).toBe(second.boundary);
    expect(r.boundary).toBe(atStart);
  });

  it('refuses empty handshake records and oversized messages', () => {
    expect(() => new HandshakeReassembler().push(new Uint8Array(0))).toThrow(/EmptyHandshakeFragment/);
    const r = new HandshakeReassembler(100);
    expect(() => r.push(new Uint8Array([11, 0, 0, 101]))).toThrow(/TooLong/);
  });

  it('reassembles any chunking of a message sequence identically', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 200 })), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 64 }), (msgs, size) => {
        const encoded = msgs.map(([t, body]) => new Uint8Array([t, 0, body.length >> 8, body.length & 0xff, ...body]));
        const stream = new Uint8Array(encoded.flatMap((m) => [...m]));
        const r = new HandshakeReassembler();
        for (const piece of fragment(stream, size)) r.push(piece);
        const out = [];
        for (let m = r.next(); m !== undefined; m = r.next()) out.push(toHex(m.raw));
        expect(out).toEqual(encoded.map(toHex));
      }),
      { numRuns: 100 },
    );
  });
});

describe('fragment', () => {
  it('splits into views of at most the limit (2^14 by default) and refuses silly limits', () => {
    const data = new Uint8Array(40000).map((_, i) => i & 0xff);
    const parts = fragment(data);
    expect(parts.map((p) => p.length)).toEqual([16384, 16384, 7232]);
    expect(parts[1]!.buffer).toBe(data.buffer);
    expect(fragment(data, 1000).length).toBe(40);
    expect(fragment(new Uint8Array(0))).toEqual([]);
    expect(() => fragment(data, 0)).toThrow(TlsError);
    expect(() => fragment(data, 16385)).toThrow(TlsError);
  });
});
