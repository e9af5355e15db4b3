/**
 * What every part of the record layer shares (RFC 8446 §5, RFC 5246 §6.2): the shape of a framed
 * record and of an opened one, the {@link RecordProtector} interface the plaintext, TLS 1.3 and
 * TLS 1.2 protectors implement, and the record size facts of both versions. The deframer, the
 * protectors and the record layer import from here and not from each other, so record/ has no
 * import loop. The header itself is coded by wire/record-header.ts; the denial-of-service limits
 * (how much a peer may make us buffer or do) are in limits.ts.
 * @module
 */
import { UsageError } from '../errors.ts';

/** One record as framed on the wire (still protected if keys are in use). */
export interface TlsRecord {
  readonly type: number;
  readonly version: number;
  /** The 5 header bytes as received (the TLS 1.3 AAD, RFC 8446 §5.2). */
  readonly header: Uint8Array;
  /** The record body (TLSPlaintext.fragment or TLSCiphertext.encrypted_record). */
  readonly fragment: Uint8Array;
}

/** A record after protection was removed: the (inner) content type and the plaintext. */
export interface PlainRecord {
  readonly type: number;
  /** May be a view into a buffer owned by the record layer's caller; copy it if it must outlive the next call. */
  readonly plaintext: Uint8Array;
  /**
   * True when `plaintext` lives in memory nobody else references (fresh AEAD output): the caller
   * may keep it without copying. False or absent: it may alias the received bytes.
   */
  readonly owned?: boolean;
}

/**
 * Seals and opens records for one set of keys. Protectors are stateless about sequence numbers:
 * the `RecordLayer` owns the counter and passes it in as two 32-bit halves.
 */
export interface RecordProtector {
  readonly kind: 'plaintext' | 'tls13' | 'tls12';
  /**
   * Protect `plaintext` (at most {@link MAX_PLAINTEXT_LENGTH} bytes) and return the whole record,
   * header included.
   */
  seal(type: number, plaintext: Uint8Array, seqHi: number, seqLo: number): Uint8Array;
  /**
   * Remove protection from one record.
   * @param recordSizeLimit the negotiated RFC 8449 limit on this record's plaintext (TLS 1.3: the
   *   whole TLSInnerPlaintext, content type and padding included); protected records only
   * @throws DecryptError on a bad tag (bad_record_mac), PeerMisbehaved for size or content-type violations
   */
  open(record: TlsRecord, seqHi: number, seqLo: number, recordSizeLimit?: number): PlainRecord;
  /** Wipe the keys: this protector is never used again (a key change replaced it, or its direction ended). */
  retire(): void;
}

/** RFC 8446 §5.1, RFC 5246 §6.2.1: at most 2^14 plaintext bytes per record. */
export const MAX_PLAINTEXT_LENGTH = 16384;
/** RFC 8446 §5.2: TLSCiphertext.length at most 2^14 + 256. */
export const MAX_TLS13_CIPHERTEXT_LENGTH = 16384 + 256;
/** RFC 5246 §6.2.3: TLSCiphertext.length at most 2^14 + 2048. */
export const MAX_TLS12_CIPHERTEXT_LENGTH = 16384 + 2048;
/** legacy_record_version of every TLS 1.2 and TLS 1.3 record except perhaps the first ClientHello. */
export const TLS12_RECORD_VERSION = 0x0303;

/** @throws UsageError when a caller tries to seal more than 2^14 bytes into one record */
export function checkPlaintextLength(length: number): void {
  if (length > MAX_PLAINTEXT_LENGTH) throw new UsageError(`record plaintext of ${length} bytes exceeds 2^14: fragment first`);
}

/** Write a big-endian 32-bit value (a half of the sequence number, into a nonce or AAD). */
export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** XOR a big-endian 32-bit value into `b` at `at` (RFC 8446 §5.3, RFC 7905 §2 nonces). */
export function xorU32(b: Uint8Array, at: number, v: number): void {
  b[at] = b[at]! ^ (v >>> 24);
  b[at + 1] = b[at + 1]! ^ ((v >>> 16) & 0xff);
  b[at + 2] = b[at + 2]! ^ ((v >>> 8) & 0xff);
  b[at + 3] = b[at + 3]! ^ (v & 0xff);
}
