/**
 * One direction of the record layer (RFC 8446 §5, RFC 5246 §6): the current protector, its
 * 64-bit sequence number (RFC 8446 §5.3, RFC 5246 §6.1) and key changes. A connection has one
 * `RecordLayer` for reading and one for writing, like Go's `halfConn`.
 *
 * - Installing a protector is a key change: the sequence number restarts at 0.
 * - The sequence number never wraps (RFC 8446 §5.3, RFC 5246 §6.1): the record that would use
 *   2^64 - 1 is refused with `PeerMisbehaved('SequenceNumberExhausted')` and nothing is sealed
 *   or opened with it.
 * - TLS 1.3 middlebox compatibility (RFC 8446 §5, §D.4): change_cipher_spec records travel in
 *   plaintext even while keys are installed and do not consume a sequence number. Whether one
 *   is acceptable is the state machine's decision.
 * @module
 */
import { PeerMisbehaved, UsageError } from '../errors.ts';
import { ContentType } from '../wire/enums.ts';
import { fragment } from './fragmenter.ts';
import { PlaintextProtector } from './protector.ts';
import { MAX_PLAINTEXT_LENGTH, type PlainRecord, type RecordProtector, type TlsRecord } from './record.ts';

/** Which way a {@link RecordLayer} works. */
export type RecordDirection = 'read' | 'write';

/** One direction of record protection with its sequence number. */
export class RecordLayer {
  readonly direction: RecordDirection;
  #protector: RecordProtector;
  #seqHi = 0;
  #seqLo = 0;
  #recordSizeLimit: number | undefined;

  /**
   * @param direction 'read' (open records) or 'write' (seal records)
   * @param initial the protector before any keys (plaintext, record version 0x0303 by default)
   */
  constructor(direction: RecordDirection, initial: RecordProtector = new PlaintextProtector()) {
    this.direction = direction;
    this.#protector = initial;
  }

  /** The protector in use. */
  get protector(): RecordProtector {
    return this.#protector;
  }

  /** True once keys are installed. */
  get isProtected(): boolean {
    return this.#protector.kind !== 'plaintext';
  }

  /** The sequence number the next record will use. */
  get sequenceNumber(): bigint {
    return (BigInt(this.#seqHi) << 32n) | BigInt(this.#seqLo);
  }

  /**
   * Key change: use `protector` from the next record on, with sequence number 0, and retire the
   * replaced one (its keys are wiped: this record layer was their only owner). RFC 8446 §5.1
   * requires the change to fall on a record boundary; the caller checks that with
   * `HandshakeReassembler.hasPartialMessage` before calling.
   */
  installProtector(protector: RecordProtector): void {
    const replaced = this.#protector;
    this.#protector = protector;
    this.#seqHi = 0;
    this.#seqLo = 0;
    replaced.retire();
  }

  /** This direction has ended (close_notify, or a fatal error): wipe its keys. Any later record throws. */
  retire(): void {
    this.#protector.retire();
  }

  /**
   * Reading: the negotiated RFC 8449 record_size_limit we advertised, enforced on every protected
   * record from now on, across key changes (unprotected records are not subject to it, §4).
   * TLS 1.3 counts the whole TLSInnerPlaintext; TLS 1.2 the plaintext.
   */
  setRecordSizeLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('record size limit must be a positive integer');
    this.#recordSizeLimit = limit;
  }

  /**
   * Set the next sequence number. TLS always starts at 0 after a key change; this exists for
   * tests of the exhaustion rule.
   */
  setSequenceNumber(seq: bigint): void {
    if (seq < 0n || seq > MAX_SEQUENCE) throw new UsageError('sequence number out of range');
    this.#seqHi = Number(seq >> 32n);
    this.#seqLo = Number(seq & 0xffffffffn);
  }

  /**
   * Protect one record of at most 2^14 bytes and return its bytes (header included).
   * @throws PeerMisbehaved('SequenceNumberExhausted') instead of wrapping
   */
  seal(type: number, plaintext: Uint8Array): Uint8Array {
    if (this.#bypassesProtection(type)) return PLAINTEXT_CCS.seal(type, plaintext);
    this.#checkSequence();
    const out = this.#protector.seal(type, plaintext, this.#seqHi, this.#seqLo);
    this.#increment();
    return out;
  }

  /**
   * Fragment `data` (at most `maxFragmentLength` bytes per record) and protect each piece.
   * @returns the records, in order; none for empty data
   */
  sealAll(type: number, data: Uint8Array, maxFragmentLength: number = MAX_PLAINTEXT_LENGTH): Uint8Array[] {
    return fragment(data, maxFragmentLength).map((piece) => this.seal(type, piece));
  }

  /**
   * Remove protection from one record.
   * @throws DecryptError on a bad tag, PeerMisbehaved for size/type violations or an exhausted sequence number
   */
  open(record: TlsRecord): PlainRecord {
    if (this.#bypassesProtection(record.type)) return PLAINTEXT_CCS.open(record);
    this.#checkSequence();
    const plain = this.#protector.open(record, this.#seqHi, this.#seqLo, this.#recordSizeLimit);
    this.#increment();
    return plain;
  }

  /** RFC 8446 §5: in TLS 1.3 change_cipher_spec is never protected. */
  #bypassesProtection(type: number): boolean {
    return type === ContentType.ChangeCipherSpec && this.#protector.kind === 'tls13';
  }

  #checkSequence(): void {
    // RFC 8446 §5.3 / RFC 5246 §6.1: sequence numbers MUST NOT wrap. We stop one short of 2^64 - 1.
    if (this.#seqHi === 0xffffffff && this.#seqLo === 0xffffffff) throw new PeerMisbehaved('SequenceNumberExhausted');
  }

  #increment(): void {
    if (this.#seqLo === 0xffffffff) {
      this.#seqLo = 0;
      this.#seqHi++;
    } else {
      this.#seqLo++;
    }
  }
}

const MAX_SEQUENCE = 0xffffffffffffffffn;
const PLAINTEXT_CCS = /* @__PURE__ */ new PlaintextProtector();
