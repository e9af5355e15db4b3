/**
 * Record protection for the tests' scripted servers (tls-core's in-memory Server12/Server13 and
 * transport-node's hostile server), on node:crypto only, so the server side shares no code with
 * the client's record layer: TLS 1.3 TLSInnerPlaintext under a traffic key (RFC 8446 §5.2-§5.3),
 * TLS 1.2 AEAD records with GCM's explicit nonce (RFC 5288 §3, RFC 5246 §6.2.3.3) or ChaCha20's
 * implicit one (RFC 7905 §2), and the plaintext record header (RFC 8446 §5.1). A server may seal
 * records a real record layer never would (any outer type or version, padding).
 *
 * @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** node:crypto's AEAD names. */
export type AeadName = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

/** node:crypto's name of a tls-core AEAD algorithm name (`AES-128-GCM`, …). */
export function aeadName(algorithm: string): AeadName {
  const name = algorithm.toLowerCase();
  if (name !== 'aes-128-gcm' && name !== 'aes-256-gcm' && name !== 'chacha20-poly1305') throw new Error(`no AEAD ${algorithm}`);
  return name;
}

const TAG_LENGTH = 16;
const concat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);

export function aeadSeal(alg: AeadName, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = alg === 'chacha20-poly1305' ? createCipheriv(alg, key, nonce, { authTagLength: TAG_LENGTH }) : createCipheriv(alg, key, nonce);
  c.setAAD(aad, { plaintextLength: plaintext.length });
  return concat(c.update(plaintext), c.final(), c.getAuthTag());
}

/** Open, or undefined when the tag does not verify. */
export function aeadOpen(alg: AeadName, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < TAG_LENGTH) return undefined;
  const d = alg === 'chacha20-poly1305' ? createDecipheriv(alg, key, nonce, { authTagLength: TAG_LENGTH }) : createDecipheriv(alg, key, nonce);
  d.setAAD(aad, { plaintextLength: sealed.length - TAG_LENGTH });
  d.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
  try {
    return concat(d.update(sealed.subarray(0, sealed.length - TAG_LENGTH)), d.final());
  } catch {
    return undefined;
  }
}

/** The 5-byte record header: type, legacy version, length (RFC 8446 §5.1). */
export function recordHeader(type: number, version: number, length: number): Uint8Array {
  return new Uint8Array([type, version >> 8, version & 0xff, length >> 8, length & 0xff]);
}

const seqBytes = (seq: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(seq);
  return b;
};

/** The per-record nonce: the IV XOR the 64-bit sequence number, right-aligned (RFC 8446 §5.3, RFC 7905 §2). */
function xorNonce(iv: Uint8Array, seq: bigint): Buffer {
  const n = Buffer.from(iv);
  const s = seqBytes(seq);
  for (let i = 0; i < 8; i++) n[n.length - 8 + i]! ^= s[i]!;
  return n;
}

/** How one record is sealed: TLS 1.3 padding, outer content type, header version. */
export interface SealOptions {
  /** TLS 1.3: zero bytes after the inner content type. */
  readonly padding?: number;
  /** TLS 1.3: the outer (header) content type; default application_data. */
  readonly outerType?: number;
  /** The header's version; default 0x0303. */
  readonly version?: number;
}

/** One direction of record protection with its own sequence number. */
export interface RecordProtection {
  seq: bigint;
  /** Seal one record: returns the whole record (header included). */
  seal(type: number, content: Uint8Array, opts?: SealOptions): Buffer;
  /**
   * Open one record's body (its header is the AAD): the content type (TLS 1.3: the inner one, 0
   * when the record holds only zeros) and content; undefined when it does not authenticate.
   */
  open(header: Uint8Array, body: Uint8Array): { type: number; content: Buffer } | undefined;
}

const APPLICATION_DATA = 23;

/** RFC 8446 §5.2: TLSInnerPlaintext under one traffic key and IV. */
export function protectTls13Records(aead: AeadName, key: Uint8Array, iv: Uint8Array): RecordProtection {
  return {
    seq: 0n,
    seal(type, content, opts = {}) {
      const inner = concat(content, Buffer.from([type]), Buffer.alloc(opts.padding ?? 0));
      const header = recordHeader(opts.outerType ?? APPLICATION_DATA, opts.version ?? 0x0303, inner.length + TAG_LENGTH);
      const sealed = aeadSeal(aead, key, xorNonce(iv, this.seq), header, inner);
      this.seq++;
      return concat(header, sealed);
    },
    open(header, body) {
      const inner = aeadOpen(aead, key, xorNonce(iv, this.seq), header, body);
      if (inner === undefined) return undefined;
      this.seq++;
      let i = inner.length - 1;
      while (i >= 0 && inner[i] === 0) i--;
      return { type: i < 0 ? 0 : inner[i]!, content: inner.subarray(0, Math.max(i, 0)) };
    },
  };
}

/** RFC 5288 §3 (GCM, explicit nonce = sequence number) and RFC 7905 §2 (ChaCha20, implicit nonce); AAD per RFC 5246 §6.2.3.3. */
export function protectTls12Records(aead: AeadName, key: Uint8Array, fixedIv: Uint8Array): RecordProtection {
  const gcm = aead !== 'chacha20-poly1305';
  const aad = (seq: bigint, type: number, version: number, length: number): Buffer => concat(seqBytes(seq), recordHeader(type, version, length));
  return {
    seq: 0n,
    seal(type, content, opts = {}) {
      const version = opts.version ?? 0x0303;
      const nonce = gcm ? concat(fixedIv, seqBytes(this.seq)) : xorNonce(fixedIv, this.seq);
      const sealed = aeadSeal(aead, key, nonce, aad(this.seq, type, version, content.length), content);
      const body = gcm ? concat(seqBytes(this.seq), sealed) : sealed;
      this.seq++;
      return concat(recordHeader(type, version, body.length), body);
    },
    open(header, body) {
      const explicit = gcm ? body.subarray(0, 8) : undefined;
      const sealed = gcm ? body.subarray(8) : body;
      const nonce = gcm ? concat(fixedIv, explicit!) : xorNonce(fixedIv, this.seq);
      const version = (header[1]! << 8) | header[2]!;
      const pt = aeadOpen(aead, key, nonce, aad(this.seq, header[0]!, version, sealed.length - TAG_LENGTH), sealed);
      if (pt === undefined) return undefined;
      this.seq++;
      return { type: header[0]!, content: pt };
    },
  };
}

/** Split concatenated handshake messages (RFC 8446 §4: type u8, length u24) into whole messages. */
export function splitHandshakeMessages(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off + 4 <= bytes.length) {
    const len = (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!;
    out.push(bytes.slice(off, off + 4 + len));
    off += 4 + len;
  }
  if (off !== bytes.length) throw new Error('partial handshake message in one record');
  return out;
}
