import { describe, expect, it } from 'vitest';
import { InvalidMessage, Reader, Writer, UsageError } from '@puretls/tls-core/internal';

describe('Reader', () => {
  it('reads big-endian integers of every width', () => {
    const r = new Reader(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(r.u8('a')).toBe(1);
    expect(r.u16('b')).toBe(0x0203);
    expect(r.u24('c')).toBe(0x040506);
    expect(r.u32('d')).toBe(0x0708090a);
    expect(r.atEnd).toBe(true);
  });

  it('reads u32 values with the top bit set as unsigned', () => {
    expect(new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xfe])).u32('x')).toBe(0xfffffffe);
  });

  it('labels a short read with what was being read', () => {
    const r = new Reader(new Uint8Array([1]));
    expect(() => r.u16('ServerHello.cipher_suite')).toThrowError(InvalidMessage);
    try {
      new Reader(new Uint8Array([1])).u16('ServerHello.cipher_suite');
    } catch (e) {
      expect((e as InvalidMessage).reason).toBe('MissingData');
      expect((e as InvalidMessage).what).toBe('ServerHello.cipher_suite');
    }
  });

  it('rejects trailing data, empty lists, too-long and misaligned vectors', () => {
    const trailing = new Reader(new Uint8Array([0, 1]));
    trailing.u8('x');
    expect(() => trailing.expectEnd('msg')).toThrowError(/TrailingData in msg/);
    expect(() => new Reader(new Uint8Array([0, 0])).vec16('list', { nonEmpty: true })).toThrowError(/EmptyList/);
    expect(() => new Reader(new Uint8Array([0, 4, 1, 2, 3, 4])).vec16('list', { max: 3 })).toThrowError(/TooLong/);
    expect(() => new Reader(new Uint8Array([0, 3, 1, 2, 3])).vec16('list', { multipleOf: 2 })).toThrowError(/BadLength/);
    expect(() => new Reader(new Uint8Array([0, 5, 1])).vec16('list')).toThrowError(/MissingData in list/);
  });
});

describe('Writer', () => {
  it('patches nested length prefixes after the body is written', () => {
    const w = new Writer(1);
    w.prefixed(2, (w) => {
      w.u8(7);
      w.prefixed(1, (w) => w.bytes(new Uint8Array([1, 2, 3])));
      w.prefixed(3, (w) => w.u32(0xdeadbeef));
    });
    expect(Array.from(w.finish())).toEqual([0, 12, 7, 3, 1, 2, 3, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef]);
  });

  it('refuses a body larger than its prefix or the given maximum', () => {
    expect(() => new Writer().prefixed(1, (w) => w.bytes(new Uint8Array(256)))).toThrowError(UsageError);
    expect(() => new Writer().prefixed(2, (w) => w.bytes(new Uint8Array(10)), 9)).toThrowError(UsageError);
  });

  it('round-trips through Reader', () => {
    const w = new Writer();
    w.u16(0x1301).opaque(1, new Uint8Array([9, 9])).u24(0x123456);
    const r = new Reader(w.finish());
    expect(r.u16('a')).toBe(0x1301);
    expect(Array.from(r.opaque8('b'))).toEqual([9, 9]);
    expect(r.u24('c')).toBe(0x123456);
    r.expectEnd('end');
  });
});
