/**
 * The record protection interface shared by the plaintext (initial), TLS 1.3 (RFC 8446 §5.2)
 * and TLS 1.2 AEAD (RFC 5246 §6.2.3.3) protectors, plus the plaintext protector itself
 * (RFC 8446 §5.1, RFC 5246 §6.2.1) and the record size limits of both versions.
 * @module
 */
import { PeerMisbehaved, UsageError } from '../errors.ts';
import type { TlsRecord } from './deframer.ts';

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
 * the {@link RecordLayer} owns the counter and passes it in as two 32-bit halves.
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
}

/** The protector in use before any keys: records go out and come in as they are. */
export class PlaintextProtector implements RecordProtector {
  readonly kind = 'plaintext';
  /** legacy_record_version written on sealed records (0x0301 is allowed for the initial ClientHello, RFC 8446 §5.1). */
  readonly legacyVersion: number;

  constructor(legacyVersion: number = TLS12_RECORD_VERSION) {
    this.legacyVersion = legacyVersion;
  }

  seal(type: number, plaintext: Uint8Array): Uint8Array {
    checkPlaintextLength(plaintext.length);
    const out = new Uint8Array(RECORD_HEADER_LENGTH + plaintext.length);
    writeHeader(out, type, this.legacyVersion, plaintext.length);
    out.set(plaintext, RECORD_HEADER_LENGTH);
    return out;
  }

  open(record: TlsRecord): PlainRecord {
    // RFC 8446 §5.1 / RFC 5246 §6.2.1: TLSPlaintext.length MUST NOT exceed 2^14.
    if (record.fragment.length > MAX_PLAINTEXT_LENGTH) throw new PeerMisbehaved('RecordOverflow', 'plaintext record longer than 2^14');
    return { type: record.type, plaintext: record.fragment };
  }
}

/** Write a 5-byte record header at the start of `out`. */
export function writeHeader(out: Uint8Array, type: number, version: number, length: number): void {
  out[0] = type;
  out[1] = version >>> 8;
  out[2] = version & 0xff;
  out[3] = length >>> 8;
  out[4] = length & 0xff;
}

/** Write a big-endian 32-bit value. */
export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** XOR a big-endian 32-bit value into `b` at `at`. */
export function xorU32(b: Uint8Array, at: number, v: number): void {
  b[at] = b[at]! ^ (v >>> 24);
  b[at + 1] = b[at + 1]! ^ ((v >>> 16) & 0xff);
  b[at + 2] = b[at + 2]! ^ ((v >>> 8) & 0xff);
  b[at + 3] = b[at + 3]! ^ (v & 0xff);
}

/** @throws UsageError when a caller tries to seal more than 2^14 bytes into one record */
export function checkPlaintextLength(length: number): void {
  if (length > MAX_PLAINTEXT_LENGTH) throw new UsageError(`record plaintext of ${length} bytes exceeds 2^14: fragment first`);
}

/** Record header size. */
export const RECORD_HEADER_LENGTH = 5;
/** RFC 8446 §5.1, RFC 5246 §6.2.1: at most 2^14 plaintext bytes per record. */
export const MAX_PLAINTEXT_LENGTH = 16384;
/** RFC 8446 §5.2: TLSCiphertext.length at most 2^14 + 256. */
export const MAX_TLS13_CIPHERTEXT_LENGTH = 16384 + 256;
/** RFC 5246 §6.2.3: TLSCiphertext.length at most 2^14 + 2048. */
export const MAX_TLS12_CIPHERTEXT_LENGTH = 16384 + 2048;
/** legacy_record_version of every TLS 1.2 and TLS 1.3 record except perhaps the first ClientHello. */
export const TLS12_RECORD_VERSION = 0x0303;
