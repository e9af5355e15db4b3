/**
 * The client state machine's shared shapes (STYLE.md §B): the closed union of `Expect…` states,
 * the `HandshakeIo` port through which states send messages, change keys and report events,
 * and the one-line message-type guard. Changing read keys takes a `RecordBoundary` (RFC 8446
 * §5.1): the value the handshake reassembler hands out with a message that ended its record.
 *
 * States are immutable steps: `handle()` returns the next state object and never mutates itself
 * into another one. States never write alerts: they throw, and the connection maps the error.
 * @module
 */
import { InappropriateMessage } from '../errors.ts';
import type { HandshakeMessage } from '../wire/handshake.ts';
import { HandshakeType, nameOf } from '../wire/enums.ts';
import type { ScheduleSecret, TrafficKeys } from '../tls13/key-schedule.ts';
import type { Tls12MasterSecret } from '../tls12/master-secret.ts';
import type { Tls12Suite } from '../crypto/suites.ts';
import type { RecordBoundary } from '../record/handshake-reassembler.ts';
import type { ClientConfig } from './config.ts';
import type { ClientEvent, NegotiatedParameters } from './events.ts';

/** What a state may do to the world. Implemented by the connection. */
export interface HandshakeIo {
  readonly config: ClientConfig;
  /** Queue a handshake message under the current write protection. */
  sendHandshake(raw: Uint8Array): void;
  /** Queue a warning-level alert (TLS 1.2 no_renegotiation). */
  sendWarningAlert(description: number): void;
  /** Queue a plaintext ChangeCipherSpec record (TLS 1.2, or the TLS 1.3 middlebox dummy). */
  sendChangeCipherSpec(): void;
  /**
   * Switch incoming records to TLS 1.3 protection with these keys (RFC 8446 §5.2). `boundary` is
   * the proof that the message before the change ended its record (§5.1): the reassembler hands it
   * out with that message, and a state without one cannot call this.
   */
  installTls13ReadKeys(keys: TrafficKeys, boundary: RecordBoundary): void;
  /** Switch outgoing records to TLS 1.3 protection with these keys. */
  installTls13WriteKeys(keys: TrafficKeys): void;
  /** TLS 1.2: take these keys for reading after the server's ChangeCipherSpec, which stands at a record boundary (`boundary`). */
  installTls12ReadKeys(suite: Tls12Suite, key: Uint8Array, iv: Uint8Array, boundary: RecordBoundary): void;
  /** TLS 1.2: protect everything sent after our ChangeCipherSpec. */
  installTls12WriteKeys(suite: Tls12Suite, key: Uint8Array, iv: Uint8Array): void;
  /**
   * The ServerHello chose `version`: the deframer's record size cap follows it. (The connection
   * stores no version: it reads the current state's, and the handshake decoder follows that.)
   */
  setVersion(version: 'tls13' | 'tls12'): void;
  /**
   * RFC 8449: the server answered our record_size_limit with `peerLimit` (already checked to be at
   * least 64): our protected records respect it from now on, and the server's must respect ours.
   */
  setRecordSizeLimit(peerLimit: number, version: 'tls13' | 'tls12'): void;
  emit(event: ClientEvent): void;
  /** Emit an NSS key log line for `secret` (a no-op unless the config enables key logging). */
  keyLog(label: string, secret: ScheduleSecret | Tls12MasterSecret): void;
  /** TLS 1.3: a KeyUpdate was sent (our write keys moved on). */
  noteKeyUpdateSent(): void;
  /**
   * TLS 1.3: true when we sent no application data since our last KeyUpdate: a peer's
   * update_requested then needs no answer (RFC 8446 §4.6.3: "multiple KeyUpdates while it is
   * silent" get "a single update").
   */
  silentSinceKeyUpdate(): boolean;
  /**
   * TLS 1.3 0-RTT (RFC 8446 §4.2.10, §2.3; these three are absent from the default embedding bundle, early-data.ts): right after the first ClientHello (and the middlebox
   * CCS), protect outgoing records with these client_early_traffic_secret keys and send the
   * connection's early data as application_data records, at most `maxEarlyData` bytes of it.
   */
  sendEarlyData?(keys: TrafficKeys, maxEarlyData: number): void;
  /** The server will not read our early data (HelloRetryRequest, TLS 1.2): outgoing records go back to plaintext. */
  stopEarlyData?(): void;
  /** The server's EncryptedExtensions accepted our early data (RFC 8446 §4.2.10). */
  earlyDataAccepted?(): void;
  /**
   * Record what was negotiated (called once, when the handshake completes, after our Finished and
   * before `handshakeDone`); the connection adds the early data outcome.
   */
  setNegotiated(params: Omit<NegotiatedParameters, 'earlyData'>): void;
}

/**
 * What every state class has. The connection holds the closed union of the concrete classes
 * (`ClientState` in expect-server-hello.ts, the union of each file's own union), so that a
 * `kind` test narrows to one class; this interface only says what each of them implements.
 */
export interface StateBase {
  /** The state's name, a literal per class: for logs, errors and narrowing. */
  readonly kind: string;
  /** The version the state belongs to; undefined only before the ServerHello. */
  readonly version: 'tls13' | 'tls12' | undefined;
  /** True once application data may flow in both directions. */
  readonly isTraffic: boolean;
  /**
   * Handle one handshake message and return the next state. `boundary` is present when the
   * message ended its record (RFC 8446 §5.1); a state that changes read keys after the message
   * needs it (see `requireRecordBoundary`), the others leave it out of their signature.
   */
  handle(msg: HandshakeMessage, io: HandshakeIo, boundary: RecordBoundary | undefined): StateBase;
}

/**
 * A state in which application data flows (RFC 8446 §4.6, RFC 5246 §7.4.9 onwards): it answers
 * post-handshake messages and exports keying material (RFC 8446 §7.5, RFC 5705).
 */
export interface TrafficState extends StateBase {
  readonly isTraffic: true;
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array;
}

/**
 * Guard: the message must be one of `types`.
 * @throws InappropriateMessage (unexpected_message)
 */
export function expectMessage<T extends number>(msg: HandshakeMessage, state: string, ...types: T[]): asserts msg is Extract<HandshakeMessage, { type: T }> {
  if (!(types as number[]).includes(msg.type))
    throw new InappropriateMessage(
      `handshake message in ${state}`,
      types.map((t) => nameOf(HandshakeType, t, 2)),
      nameOf(HandshakeType, msg.type, 2),
    );
}
