/**
 * The transport's own typed error: the byte pipe under TLS failed (the relay's WebSocket closed
 * with an error, the socket's stream errored, a write was refused). Protocol failures keep
 * tls-core's classes (`AlertReceived`, `InvalidCertificate`, `UnexpectedEof` for a truncation,
 * RFC 8446 §6.1, ...); everything a caller sees from this package is a `TlsError`.
 * @module
 */
import { TlsError } from '@puretls/tls-core';

/** Why the transport failed. */
export type TransportErrorReason =
  | 'ReadFailed' // the transport's readable errored
  | 'WriteFailed' // the transport's writable errored or refused a write
  | 'Aborted'; // the application aborted the TLS writable or cancelled the readable

/** The underlying byte pipe failed; `cause` holds what the transport raised. */
export class TransportError extends TlsError {
  override name = 'TransportError';
  readonly reason: TransportErrorReason;
  constructor(reason: TransportErrorReason, cause: unknown) {
    super(`tls: transport: ${reason}${cause instanceof Error ? `: ${cause.message}` : cause === undefined ? '' : `: ${String(cause)}`}`, { cause });
    this.reason = reason;
  }
}

/** `e` as a TlsError: tls-core errors pass through, anything else becomes a TransportError. */
export function asTlsError(e: unknown, reason: TransportErrorReason): TlsError {
  return e instanceof TlsError ? e : new TransportError(reason, e);
}
