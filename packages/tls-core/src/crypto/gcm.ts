/**
 * AES-GCM (NIST SP 800-38D) bound to one key for its whole life: the AES key schedule and the GHASH
 * multiplication table are made once per traffic key instead of once per record (noble's `gcm()` is a
 * one-shot object per key, nonce and AAD and rebuilds both for every record; ~10% of a 16 KiB record).
 *
 * The block cipher itself (key expansion and the 32-bit counter mode GCTR of SP 800-38D §6.5) is
 * noble's, handed in by crypto/noble.ts as an {@link AesCtr}; this module adds only GHASH (§6.4) and
 * the GCM composition (§7.1, §7.2), so it imports nothing.
 *
 * GHASH uses 4-bit windows (Shoup's table method without the shift-and-reduce step): for each of the
 * 32 nibble positions of a block, the 16 multiples of H·x^(4w..4w+3) are tabulated, and one
 * multiplication by H is 32 table reads XOR-ed together. The table is 32 × 16 × 16 bytes = 8 KiB per
 * key, made on the key's first use (a key that never protects a record costs none). A wiped key's
 * table, zeroed, goes to a small pool that the next key's table is written into (a connection
 * retires its handshake keys for its application keys; allocating 8 KiB is half of making a table).
 * Table look-ups are indexed by data bits, as in noble's GHASH and OpenSSL's portable `gcm_gmult_4bit`: not
 * constant-time against a cache-timing attacker on the same machine; docs/performance.md says so.
 * @module
 */

/** AES under one expanded key, as GCM needs it. */
export interface AesCtr {
  /** E_K(block) in place; `block` is 16 bytes at a 4-byte aligned offset. */
  encryptBlock(block: Uint8Array): void;
  /**
   * GCTR (SP 800-38D §6.5): XOR `data` in place with E_K(counter), E_K(inc32(counter)), ...
   * `data` starts at a 4-byte aligned offset; `counter` (16 bytes, aligned) is advanced.
   */
  ctr32(counter: Uint8Array, data: Uint8Array): void;
  /** Overwrite the expanded key. */
  wipe(): void;
}

const TAG_LENGTH = 16;
const TABLE_WORDS = 32 * 16 * 4;

/** Zeroed tables of wiped keys, reused by {@link ghashTable}; at most {@link SPARE_TABLES_MAX} (32 KiB). */
const spareTables: Int32Array[] = [];
const SPARE_TABLES_MAX = 4;

/**
 * The 8 KiB GHASH table of H: entry (w·16 + n)·4 holds, as four big-endian words, n·H·x^(4w) in
 * GF(2^128). Written into a spare table when there is one (every entry but the zero ones, which a
 * spare table holds already).
 */
export function ghashTable(h: Uint8Array): Int32Array {
  const t = spareTables.pop() ?? new Int32Array(TABLE_WORDS);
  let a = (h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!;
  let b = (h[4]! << 24) | (h[5]! << 16) | (h[6]! << 8) | h[7]!;
  let c = (h[8]! << 24) | (h[9]! << 16) | (h[10]! << 8) | h[11]!;
  let d = (h[12]! << 24) | (h[13]! << 16) | (h[14]! << 8) | h[15]!;
  for (let w = 0; w < 32; w++) {
    const base = w * 64;
    // Bit j of the nibble (j = 0 its most significant) stands for x^(4w + j): entries 8, 4, 2, 1.
    for (let bit = 8; bit >= 1; bit >>= 1) {
      const p = base + bit * 4;
      t[p] = a;
      t[p + 1] = b;
      t[p + 2] = c;
      t[p + 3] = d;
      // V·x in GCM's reflected bit order: shift right by one, reduce by x^128 + x^7 + x^2 + x + 1.
      const carry = d & 1;
      d = (d >>> 1) | (c << 31);
      c = (c >>> 1) | (b << 31);
      b = (b >>> 1) | (a << 31);
      a = (a >>> 1) ^ (carry === 0 ? 0 : 0xe1000000);
    }
    for (let n = 3; n < 16; n++) {
      const low = n & -n;
      if (low === n) continue;
      const p = base + n * 4;
      const q = base + (n ^ low) * 4;
      const r = base + low * 4;
      t[p] = t[q]! ^ t[r]!;
      t[p + 1] = t[q + 1]! ^ t[r + 1]!;
      t[p + 2] = t[q + 2]! ^ t[r + 2]!;
      t[p + 3] = t[q + 3]! ^ t[r + 3]!;
    }
  }
  return t;
}

/**
 * Absorb `data` into the GHASH state `y` (four big-endian words), zero-padding the last block:
 * Y_i = (Y_{i-1} ⊕ X_i) · H, SP 800-38D §6.4.
 */
export function ghashUpdate(t: Int32Array, y: Int32Array, data: Uint8Array): void {
  let y0 = y[0]!;
  let y1 = y[1]!;
  let y2 = y[2]!;
  let y3 = y[3]!;
  const length = data.length;
  const whole = length - (length % 16);
  let i = 0;
  for (;;) {
    let x0: number, x1: number, x2: number, x3: number;
    if (i < whole) {
      x0 = y0 ^ ((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!);
      x1 = y1 ^ ((data[i + 4]! << 24) | (data[i + 5]! << 16) | (data[i + 6]! << 8) | data[i + 7]!);
      x2 = y2 ^ ((data[i + 8]! << 24) | (data[i + 9]! << 16) | (data[i + 10]! << 8) | data[i + 11]!);
      x3 = y3 ^ ((data[i + 12]! << 24) | (data[i + 13]! << 16) | (data[i + 14]! << 8) | data[i + 15]!);
      i += 16;
    } else if (i < length) {
      const last = new Uint8Array(16);
      last.set(data.subarray(i));
      x0 = y0 ^ ((last[0]! << 24) | (last[1]! << 16) | (last[2]! << 8) | last[3]!);
      x1 = y1 ^ ((last[4]! << 24) | (last[5]! << 16) | (last[6]! << 8) | last[7]!);
      x2 = y2 ^ ((last[8]! << 24) | (last[9]! << 16) | (last[10]! << 8) | last[11]!);
      x3 = y3 ^ ((last[12]! << 24) | (last[13]! << 16) | (last[14]! << 8) | last[15]!);
      i = length;
    } else break;
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    for (let s = 0; s < 8; s++) {
      const shift = 28 - 4 * s;
      let p = (s * 16 + ((x0 >>> shift) & 15)) * 4;
      z0 ^= t[p]!;
      z1 ^= t[p + 1]!;
      z2 ^= t[p + 2]!;
      z3 ^= t[p + 3]!;
      p = ((8 + s) * 16 + ((x1 >>> shift) & 15)) * 4;
      z0 ^= t[p]!;
      z1 ^= t[p + 1]!;
      z2 ^= t[p + 2]!;
      z3 ^= t[p + 3]!;
      p = ((16 + s) * 16 + ((x2 >>> shift) & 15)) * 4;
      z0 ^= t[p]!;
      z1 ^= t[p + 1]!;
      z2 ^= t[p + 2]!;
      z3 ^= t[p + 3]!;
      p = ((24 + s) * 16 + ((x3 >>> shift) & 15)) * 4;
      z0 ^= t[p]!;
      z1 ^= t[p + 1]!;
      z2 ^= t[p + 2]!;
      z3 ^= t[p + 3]!;
    }
    y0 = z0;
    y1 = z1;
    y2 = z2;
    y3 = z3;
  }
  y[0] = y0;
  y[1] = y1;
  y[2] = y2;
  y[3] = y3;
}

/** Thrown by {@link Gcm.open} when the tag does not verify (crypto/noble.ts turns it into DecryptError). */
export class GcmTagMismatch extends Error {}

/**
 * AES-GCM with 96-bit nonces (the only length TLS uses, RFC 5288 §3 and RFC 8446 §5.3) and 16-byte
 * tags, bound to one key. Not re-entrant (scratch blocks are per key), which a record layer never needs.
 */
export class Gcm {
  readonly #aes: AesCtr;
  #table: Int32Array | undefined;
  // Scratch blocks, made on first use (a key that never protects a record, like the write key of
  // an idle connection, costs no more than its key schedule): one 48-byte buffer, 4-byte aligned.
  #counter: Uint8Array | undefined;
  #tagMask: Uint8Array | undefined;
  #y: Int32Array | undefined;

  constructor(aes: AesCtr) {
    this.#aes = aes;
  }

  #scratch(): { counter: Uint8Array; mask: Uint8Array } {
    if (this.#counter === undefined || this.#tagMask === undefined) {
      const buffer = new ArrayBuffer(48);
      this.#counter = new Uint8Array(buffer, 0, 16);
      this.#tagMask = new Uint8Array(buffer, 16, 16);
      this.#y = new Int32Array(buffer, 32, 4);
    }
    return { counter: this.#counter, mask: this.#tagMask };
  }

  /** H = E_K(0^128), and its table, on first use. */
  #ghashTable(): Int32Array {
    if (this.#table === undefined) {
      const h = new Uint8Array(16);
      this.#aes.encryptBlock(h);
      this.#table = ghashTable(h);
      h.fill(0);
    }
    return this.#table;
  }

  /** J0 = nonce ‖ 0^31 ‖ 1; the tag mask E_K(J0); the counter left at inc32(J0). */
  #start(nonce: Uint8Array): void {
    if (nonce.length !== 12) throw new RangeError(`AES-GCM nonce length ${nonce.length}`);
    const { counter, mask } = this.#scratch();
    counter.set(nonce);
    counter[12] = 0;
    counter[13] = 0;
    counter[14] = 0;
    counter[15] = 1;
    mask.set(counter);
    this.#aes.encryptBlock(mask);
    counter[15] = 2;
  }

  /** S = GHASH_H(A ‖ 0 ‖ C ‖ 0 ‖ [len(A)]_64 ‖ [len(C)]_64), T = MSB_t(GCTR_K(J0, S)), written to `tag`. */
  #tag(aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): void {
    const t = this.#ghashTable();
    const y = this.#y!;
    y.fill(0);
    ghashUpdate(t, y, aad);
    ghashUpdate(t, y, ciphertext);
    const lengths = new Uint8Array(16);
    const aadBits = aad.length * 8;
    const dataBits = ciphertext.length * 8;
    lengths[3] = aadBits / 2 ** 32;
    lengths[4] = aadBits >>> 24;
    lengths[5] = aadBits >>> 16;
    lengths[6] = aadBits >>> 8;
    lengths[7] = aadBits;
    lengths[11] = dataBits / 2 ** 32;
    lengths[12] = dataBits >>> 24;
    lengths[13] = dataBits >>> 16;
    lengths[14] = dataBits >>> 8;
    lengths[15] = dataBits;
    ghashUpdate(t, y, lengths);
    const mask = this.#tagMask!;
    for (let i = 0; i < 4; i++) {
      const word = y[i]!;
      tag[4 * i] = (word >>> 24) ^ mask[4 * i]!;
      tag[4 * i + 1] = (word >>> 16) ^ mask[4 * i + 1]!;
      tag[4 * i + 2] = (word >>> 8) ^ mask[4 * i + 2]!;
      tag[4 * i + 3] = word ^ mask[4 * i + 3]!;
    }
  }

  /** XOR `data` in place with the key stream from the current counter, on an aligned copy when `data` is not aligned. */
  #ctr(data: Uint8Array): void {
    if (data.byteOffset % 4 === 0) {
      this.#aes.ctr32(this.#counter!, data);
      return;
    }
    const aligned = data.slice();
    this.#aes.ctr32(this.#counter!, aligned);
    data.set(aligned);
  }

  /**
   * ciphertext ‖ tag (§7.1) into `output` (`plaintext.length + 16` bytes; `plaintext` may be its own
   * first bytes, no other overlap), or into a new buffer.
   */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output?: Uint8Array): Uint8Array {
    const out = output ?? new Uint8Array(plaintext.length + TAG_LENGTH);
    const body = out.subarray(0, plaintext.length);
    if (plaintext !== body && !(plaintext.buffer === body.buffer && plaintext.byteOffset === body.byteOffset)) body.set(plaintext);
    this.#start(nonce);
    this.#ctr(body);
    this.#tag(aad, body, out.subarray(plaintext.length));
    return out;
  }

  /**
   * The plaintext (§7.2), after the tag has verified (compared in constant time); throws
   * {@link GcmTagMismatch} and writes nothing otherwise. `output`: `ciphertext.length - 16` bytes,
   * not overlapping `ciphertext` unless it starts at the same byte.
   */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, output?: Uint8Array): Uint8Array {
    if (ciphertext.length < TAG_LENGTH) throw new GcmTagMismatch('ciphertext shorter than the tag');
    const length = ciphertext.length - TAG_LENGTH;
    const body = ciphertext.subarray(0, length);
    this.#start(nonce);
    const expected = new Uint8Array(16);
    this.#tag(aad, body, expected);
    let diff = 0;
    for (let i = 0; i < 16; i++) diff |= expected[i]! ^ ciphertext[length + i]!;
    if (diff !== 0) throw new GcmTagMismatch('tag mismatch');
    const out = output ?? new Uint8Array(length);
    if (out.buffer !== body.buffer || out.byteOffset !== body.byteOffset) out.set(body);
    this.#ctr(out);
    return out;
  }

  /**
   * Overwrite the key schedule, the GHASH table and the tag mask (the owner calls this when the key
   * is retired; the key is not used again). The zeroed table goes to the pool of spare tables.
   */
  wipe(): void {
    this.#aes.wipe();
    this.#tagMask?.fill(0);
    const table = this.#table;
    if (table === undefined) return;
    this.#table = undefined;
    table.fill(0);
    if (spareTables.length < SPARE_TABLES_MAX) spareTables.push(table);
  }
}
