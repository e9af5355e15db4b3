/** Strict DER reader (X.690 §8, §10, §11): hand-written encodings, each rule on its own. */
import { describe, expect, it } from 'vitest';
import { InvalidCertificate } from '../../src/errors.ts';
import { fromHex } from '../../src/codec/bytes.ts';
import { DerReader, MAX_DER_DEPTH, Tag, decodeNamedBits, decodeOid } from '../../src/x509/der.ts';

const r = (hex: string) => new DerReader(fromHex(hex));
const badEncoding = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof InvalidCertificate && e.reason === 'BadEncoding';
  }
  return false;
};

describe('DerReader', () => {
  it('reads short and long definite lengths', () => {
    expect(r('0403aabbcc').octetString('x')).toEqual(fromHex('aabbcc'));
    const long = '0481' + '80' + 'ab'.repeat(0x80);
    expect(r(long).octetString('x')).toHaveLength(0x80);
    const longer = '048201' + '00' + 'cd'.repeat(0x100);
    expect(r(longer).octetString('x')).toHaveLength(0x100);
  });

  it('refuses indefinite, non-minimal and oversized lengths (X.690 §10.1)', () => {
    expect(badEncoding(() => r('3080020101' + '0000').read('x'))).toBe(true); // BER indefinite
    expect(badEncoding(() => r('04817f' + 'aa'.repeat(0x7f)).read('x'))).toBe(true); // long form for < 128
    expect(badEncoding(() => r('04820080' + 'aa'.repeat(0x80)).read('x'))).toBe(true); // leading zero length octet
    expect(badEncoding(() => r('0485' + '0000000001' + 'aa').read('x'))).toBe(true); // 5 length octets
  });

  it('refuses truncation anywhere', () => {
    expect(badEncoding(() => r('04').read('x'))).toBe(true);
    expect(badEncoding(() => r('0403aabb').read('x'))).toBe(true);
    expect(badEncoding(() => r('0482').read('x'))).toBe(true);
    expect(badEncoding(() => r('048201').read('x'))).toBe(true);
  });

  it('refuses high tag numbers and wrong tags', () => {
    expect(badEncoding(() => r('1f2001aa').read('x'))).toBe(true);
    expect(badEncoding(() => r('0401aa').expect(Tag.Integer, 'x'))).toBe(true);
  });

  it('refuses trailing data', () => {
    const reader = r('0401aa00');
    reader.octetString('x');
    expect(badEncoding(() => reader.expectEnd('x'))).toBe(true);
  });

  it('requires minimal INTEGERs (X.690 §8.3.2)', () => {
    expect(r('02017f').unsignedBigInt('x')).toBe(127n);
    expect(r('02020080').unsignedBigInt('x')).toBe(128n);
    expect(badEncoding(() => r('0202007f').integerBytes('x'))).toBe(true);
    expect(badEncoding(() => r('0202ff80').integerBytes('x'))).toBe(true);
    expect(badEncoding(() => r('0200').integerBytes('x'))).toBe(true);
    expect(badEncoding(() => r('020180').unsignedBigInt('x'))).toBe(true); // negative
    expect(badEncoding(() => r('02050100000000').smallUnsigned('x'))).toBe(true);
  });

  it('accepts only DER BOOLEANs (X.690 §11.1)', () => {
    expect(r('0101ff').boolean('x')).toBe(true);
    expect(r('010100').boolean('x')).toBe(false);
    expect(badEncoding(() => r('010101').boolean('x'))).toBe(true);
    expect(badEncoding(() => r('01020000').boolean('x'))).toBe(true);
  });

  it('decodes OIDs and refuses non-minimal subidentifiers (X.690 §8.19)', () => {
    expect(decodeOid(fromHex('2a864886f70d01010b'), 'x')).toBe('1.2.840.113549.1.1.11');
    expect(decodeOid(fromHex('550403'), 'x')).toBe('2.5.4.3');
    expect(decodeOid(fromHex('8837'), 'x')).toBe('2.999');
    expect(badEncoding(() => decodeOid(fromHex('2a80864886'), 'x'))).toBe(true);
    expect(badEncoding(() => decodeOid(fromHex('2a86'), 'x'))).toBe(true);
    expect(badEncoding(() => decodeOid(new Uint8Array(0), 'x'))).toBe(true);
  });

  it('decodes named-bit BIT STRINGs strictly (X.690 §11.2)', () => {
    // keyUsage digitalSignature + keyCertSign: bits 0 and 5 -> 0x84 with 2 unused bits
    expect(decodeNamedBits(fromHex('0284'), 'x')).toEqual([true, false, false, false, false, true]);
    expect(badEncoding(() => decodeNamedBits(fromHex('0185'), 'x'))).toBe(true); // unused bit set
    expect(badEncoding(() => decodeNamedBits(fromHex('0080'), 'x'))).toBe(true); // trailing zero bits
    expect(badEncoding(() => decodeNamedBits(fromHex('08ff'), 'x'))).toBe(true); // unused count > 7
    expect(badEncoding(() => decodeNamedBits(fromHex('01'), 'x'))).toBe(true); // unused bits with no octets
    expect(badEncoding(() => r('03020180').bitStringBytes('x'))).toBe(true); // key/signature with unused bits
  });

  it('bounds the nesting depth', () => {
    let hex = '0500';
    for (let i = 0; i < MAX_DER_DEPTH + 2; i++) {
      const len = hex.length / 2;
      hex = '30' + (len < 128 ? len.toString(16).padStart(2, '0') : '81' + len.toString(16).padStart(2, '0')) + hex;
    }
    const descend = (reader: DerReader): void => {
      if (reader.peekTag() === Tag.Sequence) descend(reader.sequence('nest'));
    };
    expect(badEncoding(() => descend(r(hex)))).toBe(true);
  });
});
