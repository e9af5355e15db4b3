/**
 * TLS 1.3 record protection (RFC 8446 §5.2–5.4):
 * - per-record nonce = write_iv XOR the 64-bit sequence number, left-padded to 12 bytes (§5.3);
 * - AAD = the record header `opaque_type(23) || 03 03 || length` (§5.2);
 * - inner plaintext = content || content type || zero padding (§5.2, §5.4).
 *
 * On open: the outer type must be application_data; the padding is stripped by scanning for the
 * last non-zero byte; an all-zero plaintext is `unexpected_message`; an inner plaintext over
 * 2^14 + 1 bytes is `record_overflow`; a bad tag is `bad_record_mac` (DecryptError).
 *
 * Hot path: the nonce lives in one reused buffer; `seal` makes one allocation per record and
 * encrypts in place; the plaintext returned by `open` is a view of the AEAD's fresh output (no
 * copy), marked `owned` so the connection hands it on without copying it again.
 * @module
 */
import { DecryptError, InappropriateMessage, PeerMisbehaved, UsageError } from '../errors.ts';
import { AEAD_TAG_LENGTH, createAead, type Aead } from '../crypto/noble.ts';
import { ContentType } from '../wire/enums.ts';
import type { TrafficKeys } from '../tls13/key-schedule.ts';
import { RECORD_HEADER_LENGTH, writeRecordHeader } from '../wire/record-header.ts';
import {
  checkPlaintextLength,
  MAX_PLAINTEXT_LENGTH,
  MAX_TLS13_CIPHERTEXT_LENGTH,
  TLS12_RECORD_VERSION,
  xorU32,
  type PlainRecord,
  type RecordProtector,
  type TlsRecord,
} from './record.ts';

/**
 * How many zero bytes of padding to add to a record (RFC 8446 §5.4). Called with the content
 * length and type; the result is clamped so the inner plaintext stays within 2^14 + 1 bytes.
 */
export type PaddingPolicy = (contentLength: number, type: number) => number;

/** Pads every record to a multiple of `blockSize` bytes of inner plaintext (a common policy). */
export function padToMultipleOf(blockSize: number): PaddingPolicy {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new UsageError('padding block size must be a positive integer');
  return (contentLength) => (blockSize - ((contentLength + 1) % blockSize)) % blockSize;
}

/** Seals and opens TLS 1.3 records with one traffic key. */
export class Tls13Protector implements RecordProtector {
  readonly kind = 'tls13';
  readonly #aead: Aead;
  readonly #iv: Uint8Array;
  readonly #nonce = new Uint8Array(NONCE_LENGTH);
  readonly #padding: PaddingPolicy | undefined;

  constructor(keys: TrafficKeys, padding?: PaddingPolicy) {
    if (keys.iv.length !== NONCE_LENGTH) throw new UsageError('TLS 1.3 IV must be 12 bytes');
    this.#aead = createAead(keys.aead, keys.key);
    this.#iv = keys.iv.slice();
    this.#padding = padding;
  }

  seal(type: number, plaintext: Uint8Array, seqHi: number, seqLo: number): Uint8Array {
    checkPlaintextLength(plaintext.length);
    const pad = this.#paddingFor(plaintext.length, type);
    const innerLength = plaintext.length + 1 + pad;
    // One allocation per record: header || inner plaintext (sealed in place) || tag. The record
    // starts ALIGNMENT_SLACK bytes in, so the encrypted body sits on a 4-byte boundary (noble's
    // ChaCha20 XORs whole 32-bit words only on aligned buffers).
    const buffer = new Uint8Array(ALIGNMENT_SLACK + RECORD_HEADER_LENGTH + innerLength + AEAD_TAG_LENGTH);
    const out = buffer.subarray(ALIGNMENT_SLACK);
    writeRecordHeader(out, ContentType.ApplicationData, TLS12_RECORD_VERSION, innerLength + AEAD_TAG_LENGTH);
    const body = out.subarray(RECORD_HEADER_LENGTH);
    body.set(plaintext);
    body[plaintext.length] = type; // the padding is already zero
    this.#aead.seal(this.#nonceFor(seqHi, seqLo), out.subarray(0, RECORD_HEADER_LENGTH), body.subarray(0, innerLength), body);
    return out;
  }

  open(record: TlsRecord, seqHi: number, seqLo: number, recordSizeLimit?: number): PlainRecord {
    // RFC 8446 §5.2: protected records always have the outer type application_data.
    if (record.type !== ContentType.ApplicationData)
      throw new InappropriateMessage('record type while encrypted', ['application_data'], String(record.type));
    if (record.fragment.length > MAX_TLS13_CIPHERTEXT_LENGTH)
      throw new PeerMisbehaved('RecordOverflow', 'TLS 1.3 ciphertext longer than 2^14 + 256');
    if (record.fragment.length < AEAD_TAG_LENGTH + 1) throw new DecryptError('TLS 1.3 record too short');
    // RFC 8449 §4: a protected record's TLSInnerPlaintext (content, type, padding) must fit the
    // limit we advertised; its length is known before decrypting.
    if (recordSizeLimit !== undefined && record.fragment.length - AEAD_TAG_LENGTH > recordSizeLimit)
      throw new PeerMisbehaved('RecordOverflow', `TLS 1.3 inner plaintext of ${record.fragment.length - AEAD_TAG_LENGTH} bytes, record_size_limit ${recordSizeLimit}`);
    const inner = this.#aead.open(this.#nonceFor(seqHi, seqLo), record.header, record.fragment);
    // RFC 8446 §5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets" (content, type and padding).
    if (inner.length > MAX_PLAINTEXT_LENGTH + 1) throw new PeerMisbehaved('RecordOverflow', 'TLS 1.3 inner plaintext longer than 2^14 + 1');
    // RFC 8446 §5.4: the content type is the last non-zero byte.
    let i = inner.length - 1;
    while (i >= 0 && inner[i] === 0) i--;
    if (i < 0) throw new PeerMisbehaved('MissingInnerContentType');
    const type = inner[i]!;
    if (type !== ContentType.Alert && type !== ContentType.Handshake && type !== ContentType.ApplicationData)
      throw new PeerMisbehaved('IllegalInnerContentType', `inner content type ${type}`);
    return { type, plaintext: inner.subarray(0, i), owned: true };
  }

  retire(): void {
    this.#aead.wipe();
    this.#iv.fill(0);
    this.#nonce.fill(0);
  }

  #paddingFor(contentLength: number, type: number): number {
    if (this.#padding === undefined) return 0;
    const wanted = this.#padding(contentLength, type);
    if (!Number.isInteger(wanted) || wanted < 0) throw new UsageError('padding policy returned an invalid length');
    return Math.min(wanted, MAX_PLAINTEXT_LENGTH - contentLength);
  }

  /** RFC 8446 §5.3: iv XOR (seq as 64-bit big-endian, left-padded with zeros to 12 bytes). */
  #nonceFor(seqHi: number, seqLo: number): Uint8Array {
    const n = this.#nonce;
    n.set(this.#iv);
    xorU32(n, 4, seqHi);
    xorU32(n, 8, seqLo);
    return n;
  }
}

const NONCE_LENGTH = 12;
/** Leading bytes left unused so that header (5) + slack lands the sealed body on a 4-byte boundary. */
const ALIGNMENT_SLACK = 3;
