/**
 * Record deframing (RFC 8446 §5.1, RFC 5246 §6.2.1): bytes in any chunking → whole records.
 *
 * Each header is checked as soon as its five bytes are in: known content type
 * (unexpected_message otherwise), a legacy_record_version of the `03 01..03 03` family
 * (protocol_version otherwise) and a length within the configured maximum (record_overflow
 * otherwise; RFC 8446 §5.2: 2^14 + 256, RFC 5246 §6.2.3: 2^14 + 2048). No length taken from the
 * wire is used before it is checked, so malformed input raises a typed TlsError, never a RangeError.
 *
 * Zero-copy where possible: a record wholly inside one pushed chunk is returned as a view of
 * that chunk; a record split across chunks is gathered into one exactly-sized allocation.
 * Records therefore never alias memory the deframer later reuses. Callers must not modify a
 * pushed chunk while records from it are still in use.
 * @module
 */
import { InappropriateMessage, PeerMisbehaved, UsageError } from '../errors.ts';
import { ContentType } from '../wire/enums.ts';
import { decodeRecordHeader, RECORD_HEADER_LENGTH, type RecordHeader } from '../wire/record-header.ts';
import { MAX_TLS12_CIPHERTEXT_LENGTH, type TlsRecord } from './record.ts';

export type { TlsRecord } from './record.ts';

/**
 * Splits a byte stream into records.
 * @example
 * deframer.push(chunk);
 * for (let rec = deframer.next(); rec !== undefined; rec = deframer.next()) handle(rec);
 */
export class RecordDeframer {
  #maxFragmentLength: number;
  #input: Uint8Array = EMPTY;
  #offset = 0;
  /** A record whose header is known (and checked) but whose body is still arriving. */
  #partial: Uint8Array | undefined;
  #partialHeader: RecordHeader | undefined;
  #partialFilled = 0;
  /** Up to four header bytes of a record whose header is still arriving. */
  readonly #header = new Uint8Array(RECORD_HEADER_LENGTH);
  #headerFilled = 0;

  /**
   * @param maxFragmentLength the largest record body accepted; the default, 2^14 + 2048, is the
   * loosest limit of either version (use {@link setMaxFragmentLength} once the version is known)
   */
  constructor(maxFragmentLength: number = MAX_TLS12_CIPHERTEXT_LENGTH) {
    this.#maxFragmentLength = checkLimit(maxFragmentLength);
  }

  /** Tighten or change the body length limit (e.g. 2^14 + 256 once TLS 1.3 is negotiated). */
  setMaxFragmentLength(maxFragmentLength: number): void {
    this.#maxFragmentLength = checkLimit(maxFragmentLength);
  }

  /** Bytes received but not yet returned as a record. */
  get bufferedLength(): number {
    return this.#input.length - this.#offset + this.#partialFilled + this.#headerFilled;
  }

  /** Add bytes from the transport. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#offset < this.#input.length) {
      // The caller pushed again before draining: join the unread rest with the new bytes.
      const rest = this.#input.subarray(this.#offset);
      const joined = new Uint8Array(rest.length + bytes.length);
      joined.set(rest);
      joined.set(bytes, rest.length);
      this.#input = joined;
    } else {
      this.#input = bytes;
    }
    this.#offset = 0;
  }

  /** Drop every buffered byte (after close_notify nothing more is parsed, RFC 8446 §6.1). */
  clear(): void {
    this.#input = EMPTY;
    this.#offset = 0;
    this.#partial = undefined;
    this.#partialHeader = undefined;
    this.#partialFilled = 0;
    this.#headerFilled = 0;
  }

  /**
   * The next complete record, or undefined when more bytes are needed.
   * @throws InappropriateMessage for an unknown content type, PeerMisbehaved('BadRecordVersion')
   * for a foreign record version, PeerMisbehaved('RecordOverflow') for an over-long record
   */
  next(): TlsRecord | undefined {
    for (;;) {
      const input = this.#input;
      const available = input.length - this.#offset;
      if (this.#partial !== undefined) {
        const partial = this.#partial;
        const n = Math.min(partial.length - this.#partialFilled, available);
        partial.set(input.subarray(this.#offset, this.#offset + n), this.#partialFilled);
        this.#partialFilled += n;
        this.#offset += n;
        if (this.#partialFilled < partial.length) return undefined;
        const header = this.#partialHeader!;
        this.#partial = undefined;
        this.#partialHeader = undefined;
        this.#partialFilled = 0;
        return recordOf(partial, header);
      }
      if (this.#headerFilled > 0 || available < RECORD_HEADER_LENGTH) {
        const n = Math.min(RECORD_HEADER_LENGTH - this.#headerFilled, available);
        this.#header.set(input.subarray(this.#offset, this.#offset + n), this.#headerFilled);
        this.#headerFilled += n;
        this.#offset += n;
        if (this.#headerFilled < RECORD_HEADER_LENGTH) return undefined;
        const header = this.#checkHeader(this.#header);
        this.#partial = new Uint8Array(RECORD_HEADER_LENGTH + header.length);
        this.#partialHeader = header;
        this.#partial.set(this.#header);
        this.#partialFilled = RECORD_HEADER_LENGTH;
        this.#headerFilled = 0;
        continue;
      }
      const header = this.#checkHeader(input.subarray(this.#offset, this.#offset + RECORD_HEADER_LENGTH));
      const total = RECORD_HEADER_LENGTH + header.length;
      if (available >= total) {
        const record = recordOf(input.subarray(this.#offset, this.#offset + total), header);
        this.#offset += total;
        return record;
      }
      this.#partial = new Uint8Array(total);
      this.#partialHeader = header;
      this.#partial.set(input.subarray(this.#offset));
      this.#partialFilled = available;
      this.#offset = input.length;
      return undefined;
    }
  }

  /** Decodes the five header bytes `bytes` and checks type, version and length before anything is buffered. */
  #checkHeader(bytes: Uint8Array): RecordHeader {
    const header = decodeRecordHeader(bytes);
    const { contentType: type, legacyVersion: version, length } = header;
    if (type < ContentType.ChangeCipherSpec || type > ContentType.ApplicationData)
      throw new InappropriateMessage('record content type', KNOWN_TYPES, String(type));
    // RFC 8446 §5.1 / RFC 5246 §6.2.1, §E.1: record versions are {03,01}..{03,03}.
    if (version < 0x0301 || version > 0x0303)
      throw new PeerMisbehaved('BadRecordVersion', `record version 0x${version.toString(16).padStart(4, '0')}`);
    if (length > this.#maxFragmentLength)
      throw new PeerMisbehaved('RecordOverflow', `record of ${length} bytes, limit ${this.#maxFragmentLength}`);
    return header;
  }
}

/** `bytes` is the whole record, header included; `header` its decoded (and checked) header. */
function recordOf(bytes: Uint8Array, header: RecordHeader): TlsRecord {
  return {
    type: header.contentType,
    version: header.legacyVersion,
    header: bytes.subarray(0, RECORD_HEADER_LENGTH),
    fragment: bytes.subarray(RECORD_HEADER_LENGTH),
  };
}

function checkLimit(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new UsageError('record length limit out of range');
  return n;
}

const EMPTY = /* @__PURE__ */ new Uint8Array(0);
const KNOWN_TYPES = ['change_cipher_spec', 'alert', 'handshake', 'application_data'] as const;
