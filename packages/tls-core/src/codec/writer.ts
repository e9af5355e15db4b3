/**
 * A growable byte writer for encoding TLS structures. Length prefixes are written by
 * {@link Writer.prefixed}, which patches the length after the body's closure has run, so no
 * caller ever computes a length by hand.
 * @module
 */
import { UsageError } from '../errors.ts';

export class Writer {
  #buf: Uint8Array;
  #len = 0;

  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(initialCapacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  u8(v: number): this {
    this.#reserve(1);
    this.#buf[this.#len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.#reserve(2);
    this.#buf[this.#len++] = (v >>> 8) & 0xff;
    this.#buf[this.#len++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.#reserve(3);
    this.#buf[this.#len++] = (v >>> 16) & 0xff;
    this.#buf[this.#len++] = (v >>> 8) & 0xff;
    this.#buf[this.#len++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.#reserve(4);
    this.#buf[this.#len++] = (v >>> 24) & 0xff;
    this.#buf[this.#len++] = (v >>> 16) & 0xff;
    this.#buf[this.#len++] = (v >>> 8) & 0xff;
    this.#buf[this.#len++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  /**
   * Write a body behind a `size`-byte length prefix. The body is produced by `body`, then
   * the prefix is patched. Throws {@link UsageError} if the body exceeds the prefix's range
   * or the optional `max`.
   * @example w.prefixed(2, (w) => w.u16(0x1301).u16(0x1302))
   */
  prefixed(size: 1 | 2 | 3, body: (w: Writer) => void, max?: number): this {
    this.#reserve(size);
    const at = this.#len;
    this.#len += size;
    body(this);
    const len = this.#len - at - size;
    const limit = Math.min(max ?? Infinity, 2 ** (8 * size) - 1);
    if (len > limit) throw new UsageError(`body of ${len} bytes exceeds its ${size}-byte prefix (max ${limit})`);
    for (let i = size - 1, v = len; i >= 0; i--, v >>>= 8) this.#buf[at + i] = v & 0xff;
    return this;
  }

  /** Opaque bytes behind a length prefix. */
  opaque(size: 1 | 2 | 3, b: Uint8Array): this {
    return this.prefixed(size, (w) => w.bytes(b));
  }

  /** The encoded bytes (a fresh copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

/** Encode with a fresh writer. */
export function encode(body: (w: Writer) => void): Uint8Array {
  const w = new Writer();
  body(w);
  return w.finish();
}
