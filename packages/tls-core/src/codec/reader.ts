/**
 * A bounds-checked cursor over a Uint8Array for decoding TLS structures (RFC 8446 §3 presentation
 * language). Every read names what it reads, and every failure is an {@link InvalidMessage} with
 * that label, never a RangeError.
 * @module
 */
import { InvalidMessage } from '../errors.ts';

/** Options for length-prefixed vectors. */
export interface VectorOptions {
  /** Reject an empty body (`<1..2^16-1>` style lower bounds). */
  nonEmpty?: boolean;
  /** Minimum body length in bytes. */
  min?: number;
  /** Maximum body length in bytes. */
  max?: number;
  /** Body length must be a multiple of this (element size of a fixed-width list). */
  multipleOf?: number;
}

export class Reader {
  readonly #buf: Uint8Array;
  #pos = 0;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  /** Current offset from the start of this reader's buffer. */
  get offset(): number {
    return this.#pos;
  }

  /** True when all bytes have been consumed. */
  get atEnd(): boolean {
    return this.#pos === this.#buf.length;
  }

  u8(what: string): number {
    this.#need(1, what);
    return this.#buf[this.#pos++]!;
  }

  u16(what: string): number {
    this.#need(2, what);
    const b = this.#buf;
    const v = (b[this.#pos]! << 8) | b[this.#pos + 1]!;
    this.#pos += 2;
    return v;
  }

  u24(what: string): number {
    this.#need(3, what);
    const b = this.#buf;
    const v = (b[this.#pos]! << 16) | (b[this.#pos + 1]! << 8) | b[this.#pos + 2]!;
    this.#pos += 3;
    return v;
  }

  u32(what: string): number {
    this.#need(4, what);
    const b = this.#buf;
    const v = ((b[this.#pos]! << 24) | (b[this.#pos + 1]! << 16) | (b[this.#pos + 2]! << 8) | b[this.#pos + 3]!) >>> 0;
    this.#pos += 4;
    return v;
  }

  /** A view (subarray) of the next n bytes. Copy with slice() before keeping it past this decode. */
  bytes(n: number, what: string): Uint8Array {
    this.#need(n, what);
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** All remaining bytes as a view. */
  rest(): Uint8Array {
    const out = this.#buf.subarray(this.#pos);
    this.#pos = this.#buf.length;
    return out;
  }

  /** A child reader over the next `len` bytes. */
  sub(len: number, what: string): Reader {
    return new Reader(this.bytes(len, what));
  }

  /** A child reader over a body with a 1-byte length prefix. */
  vec8(what: string, opts?: VectorOptions): Reader {
    return this.#vec(this.u8(`length of ${what}`), what, opts);
  }

  /** A child reader over a body with a 2-byte length prefix. */
  vec16(what: string, opts?: VectorOptions): Reader {
    return this.#vec(this.u16(`length of ${what}`), what, opts);
  }

  /** A child reader over a body with a 3-byte length prefix. */
  vec24(what: string, opts?: VectorOptions): Reader {
    return this.#vec(this.u24(`length of ${what}`), what, opts);
  }

  /** The bytes of an opaque vector with a 1-byte length prefix (a view). */
  opaque8(what: string, opts?: VectorOptions): Uint8Array {
    return this.vec8(what, opts).rest();
  }

  /** The bytes of an opaque vector with a 2-byte length prefix (a view). */
  opaque16(what: string, opts?: VectorOptions): Uint8Array {
    return this.vec16(what, opts).rest();
  }

  /** The bytes of an opaque vector with a 3-byte length prefix (a view). */
  opaque24(what: string, opts?: VectorOptions): Uint8Array {
    return this.vec24(what, opts).rest();
  }

  /** Fail with TrailingData unless every byte was consumed. */
  expectEnd(what: string): void {
    if (this.#pos !== this.#buf.length) throw new InvalidMessage('TrailingData', what);
  }

  #need(n: number, what: string): void {
    if (this.#buf.length - this.#pos < n) throw new InvalidMessage('MissingData', what);
  }

  #vec(len: number, what: string, opts?: VectorOptions): Reader {
    if (opts !== undefined) {
      if ((opts.nonEmpty === true && len === 0) || (opts.min !== undefined && len < opts.min))
        throw new InvalidMessage('EmptyList', what);
      if (opts.max !== undefined && len > opts.max) throw new InvalidMessage('TooLong', what);
      if (opts.multipleOf !== undefined && len % opts.multipleOf !== 0) throw new InvalidMessage('BadLength', what);
    }
    return this.sub(len, what);
  }
}
