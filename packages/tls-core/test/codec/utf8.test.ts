/**
 * UTF-8 without TextEncoder/TextDecoder (codec/bytes.ts): checked against Node's WHATWG
 * TextEncoder and fatal TextDecoder (an independent implementation) on arbitrary strings and
 * bytes, plus the RFC 3629 §3/§10 ill-formed cases by name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/codec/bytes.ts';

const encoder = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function reference(b: Uint8Array): string | 'invalid' {
  try {
    return strict.decode(b);
  } catch {
    return 'invalid';
  }
}

function ours(b: Uint8Array): string | 'invalid' {
  try {
    return fromUtf8(b);
  } catch (e) {
    expect(e).toBeInstanceOf(TypeError);
    return 'invalid';
  }
}

describe('utf8 / fromUtf8', () => {
  it('encodes every string as TextEncoder does (lone surrogates become U+FFFD)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 }), (a, b) => {
        for (const s of [a, b, a + b]) expect(Buffer.from(utf8(s)).equals(Buffer.from(encoder.encode(s)))).toBe(true);
      }),
      { numRuns: 500 },
    );
    expect([...utf8('\ud800x\udc00')]).toEqual([...encoder.encode('\ud800x\udc00')]);
  });

  it('decodes arbitrary bytes exactly as a fatal TextDecoder (keeping a BOM), refusing what it refuses', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(ours(b)).toBe(reference(b));
      }),
      { numRuns: 3000 },
    );
    // Mostly-valid input reaches the multi-byte paths far more often than random bytes do.
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (s, at, byte) => {
        const b = encoder.encode(s);
        expect(ours(b)).toBe(s.isWellFormed() ? s : reference(b));
        if (b.length > 0) {
          const m = b.slice();
          m[at % m.length] = byte;
          expect(ours(m)).toBe(reference(m));
          expect(ours(m.subarray(0, at % m.length))).toBe(reference(m.subarray(0, at % m.length)));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses overlong forms, surrogates, code points above U+10FFFF and truncated sequences', () => {
    const bad = [
      [0xc0, 0x80], // overlong NUL
      [0xe0, 0x80, 0xaf], // overlong '/'
      [0xf0, 0x80, 0x80, 0xaf],
      [0xed, 0xa0, 0x80], // U+D800
      [0xed, 0xbf, 0xbf], // U+DFFF
      [0xf4, 0x90, 0x80, 0x80], // U+110000
      [0xf5, 0x80, 0x80, 0x80],
      [0x80],
      [0xe2, 0x82], // truncated euro sign
      [0xff],
    ];
    for (const b of bad) expect(() => fromUtf8(Uint8Array.from(b))).toThrow(TypeError);
    expect(fromUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('\ufeffA');
    expect(fromUtf8(Uint8Array.from([0xf4, 0x8f, 0xbf, 0xbf]))).toBe('\u{10ffff}');
    const long = 'é'.repeat(10000) + '😀'.repeat(5000);
    expect(fromUtf8(utf8(long))).toBe(long);
  });
});
