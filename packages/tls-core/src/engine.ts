/**
 * The one sans-IO client engine interface every layer drives (the pattern of BearSSL's
 * "4 pipes" engine API: the I/O layer only moves bytes between the transport and the engine).
 * tls-core's `ClientConnection` implements it with {@link ClientEvent}s; @puretls/session's
 * `Connection` implements it over a `ClientConnection` with its own event type, whose `session`
 * event carries a `Session` and its serialized bytes instead of the raw resumption secrets. The
 * transports (transport-node's pump and TLSSocket, transport-web's pump) drive a `Connection`
 * through this interface; tests drive them with fake engines. See docs/design.md.
 *
 * RFC 8446 §6.1 (closure), §7.5 (exporters), §4.6.3 (KeyUpdate).
 * @module
 */
import type { ClientEvent, NegotiatedParameters } from './client/events.ts';

/** A TLS client engine: bytes in, bytes out, events and plaintext to drain. */
export interface ClientEngine<Event extends { readonly type: string } = ClientEvent> {
  /** Queue the ClientHello. */
  start(): void;
  /** Feed bytes read from the transport. Throws a TlsError (sticky); an alert may then be queued. */
  receive(bytes: Uint8Array): void;
  /** The transport reached EOF. Throws UnexpectedEof unless close_notify was received. */
  receiveEof(): void;
  /** All queued records, concatenated, or undefined when there is nothing to send. */
  takeOutgoing(): Uint8Array | undefined;
  /** Encrypt application data (throws before the handshake completes). */
  write(plaintext: Uint8Array): void;
  /** The next chunk of received application data. */
  readPlaintext(): Uint8Array | undefined;
  /** Events since the last call, in the order they happened. */
  takeEvents(): Event[];
  /** Queue close_notify (once). Reading may continue. */
  close(): void;
  /**
   * The transport is gone: wipe the record keys (nothing is sent; later records throw). Optional,
   * so that engines written before it still fit; the transports call it when it is there.
   */
  destroy?(): void;
  /** Send a TLS 1.3 KeyUpdate, asking the peer to update too when `requestPeerUpdate`. */
  requestKeyUpdate(requestPeerUpdate: boolean): void;
  /** RFC 8446 §7.5 / RFC 5705 exporter (throws before the handshake completes). */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array;
  readonly isHandshaking: boolean;
  /** The peer sent close_notify. */
  readonly isClosed: boolean;
  /** We sent close_notify. */
  readonly isWriteClosed: boolean;
  /** The sticky error, once the connection failed. */
  readonly error: Error | undefined;
  readonly negotiated: NegotiatedParameters | undefined;
  /** verify_data of our latest Finished (a copy), or undefined before the handshake. */
  readonly finishedVerifyData: Uint8Array | undefined;
  /** verify_data of the server's Finished (a copy), or undefined. */
  readonly peerFinishedVerifyData: Uint8Array | undefined;
}

