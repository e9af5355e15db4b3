/**
 * A strict DER reader (ITU-T X.690 §8 and §10, as profiled by RFC 5280 §4.1): definite, minimal
 * lengths only (no BER indefinite or padded lengths), low tag numbers only, minimal INTEGERs,
 * canonical BOOLEANs and BIT STRINGs, no trailing bytes, and a bounded nesting depth.
 *
 * Every failure is an {@link InvalidCertificate} with reason `BadEncoding` and a label saying
 * which field was being read, so attacker-controlled bytes never surface as RangeError/TypeError.
 * @module
 */
import { bytesToInteger } from '../crypto/rsa.ts';
import { InvalidCertificate } from '../errors.ts';
import { X509_LIMITS } from '../limits.ts';

/** One decoded TLV. `contents` and `raw` are views into the input (no copy). */
export interface DerElement {
  /** The identifier octet: class (bits 8-7), constructed (bit 6), tag number (bits 5-1, < 31). */
  readonly tag: number;
  /** The contents octets. */
  readonly contents: Uint8Array;
  /** The whole TLV: identifier, length and contents (what signatures and name comparison use). */
  readonly raw: Uint8Array;
}

/** Universal and context-specific identifier octets used by X.509. */
export const Tag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Utf8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  Ia5String: 0x16,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  UniversalString: 0x1c,
  BmpString: 0x1e,
  Sequence: 0x30,
  Set: 0x31,
} as const;

/** Identifier octet of a context-specific tag: `[n]` constructed (EXPLICIT or SEQUENCE-based) or primitive. */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

/** The deepest nesting this reader accepts. X.509 needs about 10; 32 leaves room and bounds recursion (limits.ts). */
export const MAX_DER_DEPTH = X509_LIMITS.derDepth;

/** Cursor over DER bytes. Child readers (`sequence`, `explicit`) share nothing mutable with the parent. */
export class DerReader {
  readonly #buf: Uint8Array;
  readonly #depth: number;
  #pos = 0;

  /**
   * @param buf the DER bytes to read
   * @param depth nesting depth of this reader (0 for a top-level object)
   */
  constructor(buf: Uint8Array, depth = 0) {
    if (depth > MAX_DER_DEPTH) throw bad('nesting too deep');
    this.#buf = buf;
    this.#depth = depth;
  }

  /** True when every byte has been consumed. */
  get atEnd(): boolean {
    return this.#pos >= this.#buf.length;
  }

  /** The identifier octet of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.atEnd ? undefined : this.#buf[this.#pos];
  }

  /**
   * Read the next TLV, whatever its tag.
   * @throws {InvalidCertificate} BadEncoding on a high tag number, a non-minimal or indefinite length, or truncation
   */
  read(what: string): DerElement {
    const buf = this.#buf;
    const start = this.#pos;
    if (start + 2 > buf.length) throw bad(`${what}: truncated header`);
    const tag = buf[start]!;
    if ((tag & 0x1f) === 0x1f) throw bad(`${what}: high tag number form`);
    let len = buf[start + 1]!;
    let off = start + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0) throw bad(`${what}: indefinite length`);
      if (n > 4) throw bad(`${what}: length too large`);
      if (off + n > buf.length) throw bad(`${what}: truncated length`);
      if (buf[off] === 0) throw bad(`${what}: non-minimal length`);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[off + i]!;
      off += n;
      if (len < 0x80) throw bad(`${what}: non-minimal length`);
    }
    if (len > buf.length - off) throw bad(`${what}: truncated contents`);
    this.#pos = off + len;
    return { tag, contents: buf.subarray(off, off + len), raw: buf.subarray(start, off + len) };
  }

  /** Read the next TLV and require its identifier octet. */
  expect(tag: number, what: string): DerElement {
    if (this.peekTag() !== tag) throw bad(`${what}: expected tag 0x${tag.toString(16)}, got ${describeTag(this.peekTag())}`);
    return this.read(what);
  }

  /** Read the next TLV only if it carries `tag` (OPTIONAL and DEFAULT fields). */
  optional(tag: number, what: string): DerElement | undefined {
    return this.peekTag() === tag ? this.read(what) : undefined;
  }

  /** Read a SEQUENCE and return a reader over its contents. */
  sequence(what: string): DerReader {
    return this.child(this.expect(Tag.Sequence, what));
  }

  /** A reader over a constructed element's contents, one level deeper. */
  child(el: DerElement): DerReader {
    return new DerReader(el.contents, this.#depth + 1);
  }

  /** Read an INTEGER and return its (minimal, two's-complement) contents octets. */
  integerBytes(what: string): Uint8Array {
    return checkInteger(this.expect(Tag.Integer, what).contents, what);
  }

  /** Read a non-negative INTEGER as a bigint. */
  unsignedBigInt(what: string): bigint {
    const b = this.integerBytes(what);
    if (b[0]! & 0x80) throw bad(`${what}: negative`);
    return bytesToInteger(b);
  }

  /** Read a small non-negative INTEGER (at most 2^31 - 1). */
  smallUnsigned(what: string): number {
    const b = this.integerBytes(what);
    if (b[0]! & 0x80) throw bad(`${what}: negative`);
    if (b.length > 4) throw bad(`${what}: too large`);
    let v = 0;
    for (const x of b) v = v * 256 + x;
    if (v > 0x7fffffff) throw bad(`${what}: too large`);
    return v;
  }

  /** Read a DER BOOLEAN (0x00 or 0xFF only). */
  boolean(what: string): boolean {
    const c = this.expect(Tag.Boolean, what).contents;
    if (c.length !== 1 || (c[0] !== 0 && c[0] !== 0xff)) throw bad(`${what}: not a DER BOOLEAN`);
    return c[0] === 0xff;
  }

  /** Read a NULL. */
  null(what: string): void {
    if (this.expect(Tag.Null, what).contents.length !== 0) throw bad(`${what}: NULL with contents`);
  }

  /** Read an OBJECT IDENTIFIER as dotted text. */
  oid(what: string): string {
    return decodeOid(this.expect(Tag.Oid, what).contents, what);
  }

  /** Read a BIT STRING that must be a whole number of bytes (keys, signatures). */
  bitStringBytes(what: string): Uint8Array {
    const c = this.expect(Tag.BitString, what).contents;
    if (c.length === 0) throw bad(`${what}: empty BIT STRING`);
    if (c[0] !== 0) throw bad(`${what}: BIT STRING with unused bits`);
    return c.subarray(1);
  }

  /** Read an OCTET STRING's contents. */
  octetString(what: string): Uint8Array {
    return this.expect(Tag.OctetString, what).contents;
  }

  /** Require that nothing is left. */
  expectEnd(what: string): void {
    if (!this.atEnd) throw bad(`${what}: trailing data`);
  }
}

/** Parse a whole buffer as exactly one TLV of the given tag. */
export function readSingle(buf: Uint8Array, tag: number, what: string): DerElement {
  const r = new DerReader(buf);
  const el = r.expect(tag, what);
  r.expectEnd(what);
  return el;
}

/** Check INTEGER contents are non-empty and minimally encoded (X.690 §8.3.2). */
export function checkInteger(b: Uint8Array, what: string): Uint8Array {
  if (b.length === 0) throw bad(`${what}: empty INTEGER`);
  if (b.length > 1 && ((b[0] === 0 && (b[1]! & 0x80) === 0) || (b[0] === 0xff && (b[1]! & 0x80) !== 0))) {
    throw bad(`${what}: non-minimal INTEGER`);
  }
  return b;
}

/**
 * Decode a DER BIT STRING's contents into its bits (X.690 §11.2: unused bits zero, no trailing zero bits
 * in a named-bit list). Bit 0 is the most significant bit of the first octet.
 */
export function decodeNamedBits(c: Uint8Array, what: string): boolean[] {
  if (c.length === 0) throw bad(`${what}: empty BIT STRING`);
  const unused = c[0]!;
  if (unused > 7 || (c.length === 1 && unused !== 0)) throw bad(`${what}: bad unused-bit count`);
  const bits: boolean[] = [];
  for (let i = 1; i < c.length; i++) for (let j = 7; j >= 0; j--) bits.push(((c[i]! >> j) & 1) === 1);
  for (let k = 0; k < unused; k++) if (bits.pop()) throw bad(`${what}: unused bits not zero`);
  if (bits.length > 0 && !bits[bits.length - 1]) throw bad(`${what}: trailing zero bits in a named-bit list`);
  return bits;
}

/** Decode OBJECT IDENTIFIER contents (X.690 §8.19) with minimal base-128 subidentifiers. */
export function decodeOid(c: Uint8Array, what: string): string {
  if (c.length === 0) throw bad(`${what}: empty OID`);
  const arcs: string[] = [];
  let v = 0;
  let started = false;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    if (!started && b === 0x80) throw bad(`${what}: non-minimal OID subidentifier`);
    started = true;
    if (v > 2 ** 45) throw bad(`${what}: OID arc too large`);
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = v < 40 ? 0 : v < 80 ? 1 : 2;
        arcs.push(String(first), String(v - first * 40));
      } else {
        arcs.push(String(v));
      }
      v = 0;
      started = false;
    }
  }
  if (started) throw bad(`${what}: truncated OID`);
  return arcs.join('.');
}

/** The BadEncoding error used throughout X.509 decoding. */
export function bad(detail: string): InvalidCertificate {
  return new InvalidCertificate('BadEncoding', detail);
}

function describeTag(tag: number | undefined): string {
  return tag === undefined ? 'end of data' : `0x${tag.toString(16)}`;
}
