/**
 * The 5-byte TLSPlaintext / TLSCiphertext record header (RFC 8446 §5.1 and §5.2, RFC 5246 §6.2.1):
 * content type, legacy record version, length. The one codec for it: the record layer decodes
 * every received header with {@link decodeRecordHeader} and writes every sent one with
 * {@link writeRecordHeader}. Which values are acceptable (content types, versions, length limits)
 * is the record layer's business (record/deframer.ts).
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
  const out = new Uint8Array(RECORD_HEADER_LENGTH);
  writeRecordHeader(out, h.contentType, h.legacyVersion, h.length);
  return out;
}

/**
 * Write a record header into the first five bytes of `out`, the buffer the record is built in
 * (the protectors' one allocation per record). The caller passes in-range values: the type is a
 * ContentType, the version 0x0301 or 0x0303, the length at most 2^14 + 2048.
 */
export function writeRecordHeader(out: Uint8Array, contentType: number, legacyVersion: number, length: number): void {
  out[0] = contentType;
  out[1] = legacyVersion >>> 8;
  out[2] = legacyVersion & 0xff;
  out[3] = length >>> 8;
  out[4] = length & 0xff;
}

function inRange(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}
