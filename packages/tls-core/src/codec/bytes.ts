/**
 * Byte helpers over Uint8Array: concatenation, constant-time comparison, hex, and UTF-8
 * (RFC 3629). No Node `Buffer` and no `TextEncoder`/`TextDecoder` (QuickJS and other embedded
 * engines have neither): these run in any ECMAScript engine.
 * @module
 */

/** Concatenate byte arrays into one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Compare two byte arrays in time that depends only on their lengths. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b];
  return s;
}

/** Parse hex (whitespace ignored). Throws a plain Error on odd length or non-hex input: for tests and config, not wire data. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`fromHex: not hex: ${hex.slice(0, 40)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * UTF-8 encode a string (RFC 3629 §3). A lone surrogate becomes U+FFFD, as `TextEncoder` does
 * (the WHATWG Encoding Standard's UTF-8 encoder on a USVString).
 */
export function utf8(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3); // at most 3 bytes per UTF-16 code unit
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 0x3f);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
        continue;
      }
      c = 0xfffd; // unpaired surrogate
    }
    out[n++] = 0xe0 | (c >> 12);
    out[n++] = 0x80 | ((c >> 6) & 0x3f);
    out[n++] = 0x80 | (c & 0x3f);
  }
  return out.slice(0, n);
}

/**
 * Strict UTF-8 decode (RFC 3629 §4 syntax): overlong forms, surrogates (U+D800..U+DFFF), code
 * points above U+10FFFF, stray continuation bytes and truncated sequences are refused. A leading
 * byte order mark is kept (decoded as U+FEFF), never stripped.
 * @throws TypeError on invalid input (callers wrap it in their own typed error)
 */
export function fromUtf8(b: Uint8Array): string {
  let s = '';
  let chunk: number[] = []; // UTF-16 code units, flushed in slices that fit any engine's argument limit
  for (let i = 0; i < b.length; ) {
    const lead = b[i]!;
    let cp: number;
    let need: number;
    let min: number;
    if (lead < 0x80) [cp, need, min] = [lead, 0, 0];
    else if (lead >= 0xc2 && lead <= 0xdf) [cp, need, min] = [lead & 0x1f, 1, 0x80];
    else if (lead >= 0xe0 && lead <= 0xef) [cp, need, min] = [lead & 0x0f, 2, 0x800];
    else if (lead >= 0xf0 && lead <= 0xf4) [cp, need, min] = [lead & 0x07, 3, 0x10000];
    else throw new TypeError(`invalid UTF-8 lead byte 0x${lead.toString(16)} at ${i}`);
    if (i + need >= b.length) throw new TypeError(`truncated UTF-8 sequence at ${i}`);
    for (let k = 1; k <= need; k++) {
      const cont = b[i + k]!;
      if ((cont & 0xc0) !== 0x80) throw new TypeError(`invalid UTF-8 continuation byte at ${i + k}`);
      cp = (cp << 6) | (cont & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new TypeError(`invalid UTF-8 code point at ${i}`);
    if (cp >= 0x10000) chunk.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else chunk.push(cp);
    i += need + 1;
    if (chunk.length >= 4096) {
      s += String.fromCharCode(...chunk);
      chunk = [];
    }
  }
  return s + String.fromCharCode(...chunk);
}

/** Overwrite a secret with zeros (best effort: JS cannot guarantee no copies exist). */
export function wipe(...arrays: Uint8Array[]): void {
  for (const a of arrays) a.fill(0);
}

const HEX = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
