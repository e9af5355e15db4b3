/**
 * Handshake message reassembly (RFC 8446 §5.1, RFC 5246 §6.2.1): handshake messages may be split
 * across records and several may share one record. The reassembler turns the plaintext of
 * handshake records into whole messages (4-byte header included, as the transcript needs them).
 *
 * It also reports, for each message, whether it ended exactly at the end of a record, by handing
 * out a {@link RecordBoundary} with it: RFC 8446 §5.1 requires messages that precede a key
 * change (ServerHello, Finished, KeyUpdate, EndOfEarlyData) to align with a record boundary, and
 * the functions that install read keys take a `RecordBoundary`, so a state holds one before it
 * can change them (without one, {@link requireRecordBoundary} refuses with
 * `PeerMisbehaved('KeyChangeNotOnRecordBoundary')`). Only this module makes the value.
 * @module
 */
import { InvalidMessage, PeerMisbehaved, UsageError } from '../errors.ts';
import { HANDSHAKE_HEADER_LENGTH } from '../wire/handshake.ts';
import { HandshakeType, nameOf } from '../wire/enums.ts';
import { DEFAULT_REASSEMBLY_LIMIT } from '../limits.ts';

/** Brands {@link RecordBoundary}: a type-only symbol, so no other object has the type. */
declare const RECORD_BOUNDARY: unique symbol;

/**
 * Proof that the receiver stands at a record boundary (RFC 8446 §5.1): the message it came with
 * was the last byte of its record and nothing is buffered after it, or (from
 * {@link HandshakeReassembler.boundary}) no handshake bytes are buffered at all. A proof
 * carries no data: there is one value, made and handed out by this module only; the read-key
 * installers of `HandshakeIo` require it.
 */
export type RecordBoundary = { readonly [RECORD_BOUNDARY]: true };

/** The one RecordBoundary value (the brand is a type, so the module names the value's type once here). */
const AT_BOUNDARY = {} as RecordBoundary;

/**
 * The boundary a key change needs (RFC 8446 §5.1: "If a message precedes a key change, it MUST
 * be aligned with a record boundary").
 * @throws PeerMisbehaved('KeyChangeNotOnRecordBoundary') (unexpected_message) when there is none
 */
export function requireRecordBoundary(boundary: RecordBoundary | undefined): RecordBoundary {
  if (!boundary) throw new PeerMisbehaved('KeyChangeNotOnRecordBoundary');
  return boundary;
}

/** One complete handshake message. */
export interface ReassembledMessage {
  readonly type: number;
  /**
   * Header and body, in memory nobody else references (a fresh copy of the pushed bytes, or a
   * view of a fragment pushed as `owned`): the caller may keep it without copying.
   */
  readonly raw: Uint8Array;
  /**
   * Present when the message's last byte was the last byte of a record and nothing is buffered
   * after it: the value a key change after this message requires. Absent otherwise.
   */
  readonly boundary?: RecordBoundary | undefined;
}

/** The largest body accepted for a message type (one number: the same for every type). */
export type HandshakeLengthLimit = number | ((type: number) => number);

/**
 * Joins and splits handshake messages in time linear in the bytes pushed: each byte is copied
 * at most once, into the message it belongs to. A message split across records gets one
 * exactly-sized buffer as soon as its 4-byte header is in (after the length was checked against
 * the limit); later fragments are copied into it. A message wholly inside one record is copied
 * out of it, unless the record's plaintext was pushed as `owned` (fresh AEAD output nobody else
 * references): then the message is a view of it and nothing is copied. Nothing is re-copied per
 * record.
 */
export class HandshakeReassembler {
  readonly #limit: (type: number) => number;
  /** Messages not yet taken; this class marks the last one of a record (the consumer sees them read-only). */
  #ready: { type: number; raw: Uint8Array; boundary?: RecordBoundary }[] = [];
  #readIndex = 0;
  /** Up to three bytes of a header still arriving. */
  readonly #header = new Uint8Array(HANDSHAKE_HEADER_LENGTH);
  #headerFilled = 0;
  /** The message whose header is known and whose body is still arriving. */
  #partial: Uint8Array | undefined;
  #partialFilled = 0;

  /**
   * @param maxMessageLength largest handshake body accepted: one number for every type (default
   * limits.ts's DEFAULT_REASSEMBLY_LIMIT, 256 KiB), or a function of the message type (the
   * connection passes limits.ts's per-type table)
   */
  constructor(maxMessageLength: HandshakeLengthLimit = DEFAULT_REASSEMBLY_LIMIT) {
    if (typeof maxMessageLength === 'number') {
      if (!Number.isInteger(maxMessageLength) || maxMessageLength < 0 || maxMessageLength > 0xffffff)
        throw new UsageError('handshake message limit out of range');
      this.#limit = () => maxMessageLength;
    } else {
      this.#limit = maxMessageLength;
    }
  }

  /** True when bytes of an unfinished message are buffered (a record boundary is not a message boundary). */
  get hasPartialMessage(): boolean {
    return this.#headerFilled > 0 || this.#partial !== undefined;
  }

  /**
   * Add the plaintext of one handshake record.
   * @param owned true when `fragment` is memory nobody else references or will change (fresh AEAD
   *   output, `PlainRecord.owned`): whole messages are then views of it instead of copies
   * @throws PeerMisbehaved('EmptyHandshakeFragment') for an empty record (RFC 8446 §5.1)
   * @throws InvalidMessage('TooLong') for a message above the limit, as soon as its header is in
   */
  push(fragment: Uint8Array, owned = false): void {
    // RFC 8446 §5.1: implementations MUST NOT send zero-length fragments of Handshake types.
    if (fragment.length === 0) throw new PeerMisbehaved('EmptyHandshakeFragment');
    let off = 0;
    let last = -1;
    while (off < fragment.length) {
      if (this.#partial !== undefined) {
        const partial = this.#partial;
        const n = Math.min(partial.length - this.#partialFilled, fragment.length - off);
        partial.set(fragment.subarray(off, off + n), this.#partialFilled);
        this.#partialFilled += n;
        off += n;
        if (this.#partialFilled < partial.length) break;
        this.#partial = undefined;
        this.#partialFilled = 0;
        last = this.#ready.push({ type: partial[0]!, raw: partial }) - 1;
        continue;
      }
      if (this.#headerFilled > 0 || fragment.length - off < HANDSHAKE_HEADER_LENGTH) {
        // A partial header can be checked only once all four bytes are in; nothing is trusted before.
        const n = Math.min(HANDSHAKE_HEADER_LENGTH - this.#headerFilled, fragment.length - off);
        this.#header.set(fragment.subarray(off, off + n), this.#headerFilled);
        this.#headerFilled += n;
        off += n;
        if (this.#headerFilled < HANDSHAKE_HEADER_LENGTH) break;
        this.#headerFilled = 0;
        const total = HANDSHAKE_HEADER_LENGTH + this.#checkLength(this.#header, 0);
        const message = new Uint8Array(total);
        message.set(this.#header);
        if (total === HANDSHAKE_HEADER_LENGTH) {
          last = this.#ready.push({ type: message[0]!, raw: message }) - 1;
        } else {
          this.#partial = message;
          this.#partialFilled = HANDSHAKE_HEADER_LENGTH;
        }
        continue;
      }
      const end = off + HANDSHAKE_HEADER_LENGTH + this.#checkLength(fragment, off);
      if (end > fragment.length) {
        this.#partial = new Uint8Array(end - off);
        continue;
      }
      const raw = owned ? fragment.subarray(off, end) : fragment.slice(off, end);
      last = this.#ready.push({ type: fragment[off]!, raw }) - 1;
      off = end;
    }
    if (last >= 0 && !this.hasPartialMessage) this.#ready[last]!.boundary = AT_BOUNDARY;
  }

  /**
   * The boundary between records, for a key change that follows a record of another type (the TLS
   * 1.2 ChangeCipherSpec, RFC 5246 §7.1): present when no handshake bytes are buffered, neither a
   * partial message nor whole ones not yet taken.
   */
  get boundary(): RecordBoundary | undefined {
    // Whole messages not yet taken count too: a key change after them would skip them.
    return this.hasPartialMessage || this.#readIndex < this.#ready.length ? undefined : AT_BOUNDARY;
  }

  /** The next complete message, or undefined. */
  next(): ReassembledMessage | undefined {
    if (this.#readIndex >= this.#ready.length) return undefined;
    const m = this.#ready[this.#readIndex++];
    if (this.#readIndex === this.#ready.length) {
      this.#ready = [];
      this.#readIndex = 0;
    }
    return m;
  }

  /** Validates the header at `bytes[at..at+4]` against the limit for its type and returns the body length. */
  #checkLength(bytes: Uint8Array, at: number): number {
    const type = bytes[at]!;
    const length = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const limit = this.#limit(type);
    if (length > limit) throw new InvalidMessage('TooLong', `${nameOf(HandshakeType, type, 2)} of ${length} bytes (limit ${limit})`);
    return length;
  }
}
