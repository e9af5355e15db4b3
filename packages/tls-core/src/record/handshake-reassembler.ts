/**
 * Handshake message reassembly (RFC 8446 §5.1, RFC 5246 §6.2.1): handshake messages may be split
 * across records and several may share one record. The reassembler turns the plaintext of
 * handshake records into whole messages (4-byte header included, as the transcript needs them).
 *
 * It also reports, for each message, whether it ended exactly at the end of a record: RFC 8446
 * §5.1 requires messages that precede a key change (ServerHello, Finished, KeyUpdate,
 * EndOfEarlyData) to align with a record boundary, and the state machine refuses otherwise
 * (`PeerMisbehaved('KeyChangeNotOnRecordBoundary')`).
 * @module
 */
import { InvalidMessage, PeerMisbehaved, UsageError } from '../errors.ts';

/** One complete handshake message. */
export interface ReassembledMessage {
  readonly type: number;
  /** Header and body; a fresh copy the caller may keep. */
  readonly raw: Uint8Array;
  /** True when the message's last byte was the last byte of a record. */
  readonly endsRecord: boolean;
}

/** Joins and splits handshake messages. */
export class HandshakeReassembler {
  readonly #maxMessageLength: number;
  readonly #ready: ReassembledMessage[] = [];
  #pending: Uint8Array = EMPTY;

  /**
   * @param maxMessageLength largest handshake body accepted (default 256 KiB, room for long
   * certificate chains; Go uses the same for Certificate)
   */
  constructor(maxMessageLength: number = DEFAULT_MAX_MESSAGE_LENGTH) {
    if (!Number.isInteger(maxMessageLength) || maxMessageLength < 0 || maxMessageLength > 0xffffff)
      throw new UsageError('handshake message limit out of range');
    this.#maxMessageLength = maxMessageLength;
  }

  /** True when bytes of an unfinished message are buffered (a record boundary is not a message boundary). */
  get hasPartialMessage(): boolean {
    return this.#pending.length > 0;
  }

  /** Whole messages waiting to be taken with {@link next}. */
  get readyCount(): number {
    return this.#ready.length;
  }

  /**
   * Add the plaintext of one handshake record.
   * @throws PeerMisbehaved('EmptyHandshakeFragment') for an empty record (RFC 8446 §5.1)
   * @throws InvalidMessage('TooLong') for a message above the limit
   */
  push(fragment: Uint8Array): void {
    // RFC 8446 §5.1: implementations MUST NOT send zero-length fragments of Handshake types.
    if (fragment.length === 0) throw new PeerMisbehaved('EmptyHandshakeFragment');
    let data = fragment;
    if (this.#pending.length > 0) {
      data = new Uint8Array(this.#pending.length + fragment.length);
      data.set(this.#pending);
      data.set(fragment, this.#pending.length);
    }
    let off = 0;
    let last: number | undefined;
    while (data.length - off >= HEADER_LENGTH) {
      const bodyLength = (data[off + 1]! << 16) | (data[off + 2]! << 8) | data[off + 3]!;
      if (bodyLength > this.#maxMessageLength) throw new InvalidMessage('TooLong', 'handshake message length');
      const end = off + HEADER_LENGTH + bodyLength;
      if (end > data.length) break;
      last = this.#ready.push({ type: data[off]!, raw: data.slice(off, end), endsRecord: false }) - 1;
      off = end;
    }
    // A partial header can be checked only once all four bytes are in; nothing is trusted before.
    this.#pending = off === data.length ? EMPTY : data.slice(off);
    if (last !== undefined && this.#pending.length === 0) {
      const m = this.#ready[last]!;
      this.#ready[last] = { type: m.type, raw: m.raw, endsRecord: true };
    }
  }

  /** The next complete message, or undefined. */
  next(): ReassembledMessage | undefined {
    return this.#ready.shift();
  }
}

const HEADER_LENGTH = 4;
const DEFAULT_MAX_MESSAGE_LENGTH = 256 * 1024;
const EMPTY = /* @__PURE__ */ new Uint8Array(0);
