/**
 * The sans-IO engine contract the Node transport drives: the subset of tls-core's
 * `ClientConnection` that the pump and the socket use. Declared structurally so tests can
 * drive the pump with a fake engine over a real socket pair (the pattern of BearSSL's
 * "4 pipes" engine API, where the I/O layer only moves bytes between the socket and the engine).
 * @module
 */
import type { ClientEvent, NegotiatedParameters } from '@puretls/tls-core';

/** What the transport needs from a TLS client engine. `ClientConnection` satisfies it. */
export interface TlsEngine {
  /** Queue the ClientHello. */
  start(): void;
  /** Feed bytes read from the socket. Throws a TlsError (sticky); an alert may then be queued. */
  receive(bytes: Uint8Array): void;
  /** The transport reached EOF. Throws UnexpectedEof unless close_notify was received. */
  receiveEof(): void;
  /** All queued records, concatenated, or undefined when there is nothing to send. */
  takeOutgoing(): Uint8Array | undefined;
  /** Encrypt application data (throws before the handshake completes). */
  write(plaintext: Uint8Array): void;
  /** The next chunk of received application data. */
  readPlaintext(): Uint8Array | undefined;
  /** Queue close_notify (once). Reading may continue. */
  close(): void;
  requestKeyUpdate(requestPeer: boolean): void;
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array;
  takeEvents(): ClientEvent[];
  readonly isHandshaking: boolean;
  /** The peer sent close_notify. */
  readonly isClosed: boolean;
  readonly error: Error | undefined;
  readonly negotiated: NegotiatedParameters | undefined;
  /** verify_data of our latest Finished (a copy), for `getFinished()`; optional for custom engines. */
  readonly finishedVerifyData?: Uint8Array | undefined;
  /** verify_data of the server's Finished (a copy), for `getPeerFinished()`. */
  readonly peerFinishedVerifyData?: Uint8Array | undefined;
}
