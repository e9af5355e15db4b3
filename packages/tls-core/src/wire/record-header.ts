/**
 * The 5-byte TLSPlaintext / TLSCiphertext record header (RFC 8446 §5.1 and §5.2, RFC 5246 §6.2.1):
 * content type, legacy record version, length. Length limits are the record layer's business.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { UsageError } from '../errors.ts';

/** Size of the record header in bytes. */
export const RECORD_HEADER_LENGTH = 5;

/** A decoded record header. */
export interface RecordHeader {
  readonly contentType: number;
  readonly legacyVersion: number;
  readonly length: number;
}

/**
 * Decode the header at the start of `bytes` (any bytes after the first five are ignored).
 * @throws InvalidMessage 'MissingData' when fewer than 5 bytes are given
 * @example decodeRecordHeader(buf) // { contentType: 22, legacyVersion: 0x0303, length: 90 }
 */
export function decodeRecordHeader(bytes: Uint8Array): RecordHeader {
  const r = new Reader(bytes);
  const contentType = r.u8('record.type');
  const legacyVersion = r.u16('record.legacy_record_version');
  return { contentType, legacyVersion, length: r.u16('record.length') };
}

/**
 * Encode a record header.
 * @throws UsageError when a field is out of range
 */
export function encodeRecordHeader(h: RecordHeader): Uint8Array {
  if (!inRange(h.contentType, 0xff) || !inRange(h.legacyVersion, 0xffff) || !inRange(h.length, 0xffff))
    throw new UsageError('record header field out of range');
  return new Uint8Array([h.contentType, h.legacyVersion >>> 8, h.legacyVersion & 0xff, h.length >>> 8, h.length & 0xff]);
}

function inRange(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}
