/**
 * The session package's typed error: every refusal of the session API (the analogues of
 * OpenSSL returning 0 from `SSL_set_session`, `SSL_CTX_add_session`, `d2i_SSL_SESSION`, ...)
 * is a {@link SessionError} with a machine-readable reason. It extends tls-core's `TlsError`,
 * so `alertFor()` maps it to "no alert": it never reaches the wire.
 * @module
 */
import { TlsError } from '@puretls/tls-core';

/** Why the session API refused a call or an input. */
export type SessionErrorReason =
  | 'ForeignContext' // a Session used with a Context that did not create it
  | 'SessionFreed' // the Session's reference count already reached zero (its secret is wiped)
  | 'HandshakeInProgress' // setSession()/start() while this connection is in the middle of a handshake
  | 'BadMagic' // serialized input that is not a puretls session
  | 'UnsupportedFormatVersion' // a format version this build does not read
  | 'Truncated' // serialized input that ends early
  | 'Malformed' // serialized input with trailing bytes or values outside the format
  | 'Altered' // the integrity tag does not match (changed bytes, or another sessionKey)
  | 'ForeignConfiguration' // serialized by a Context with another security configuration
  | 'BadPem'; // no (or a broken) -----BEGIN PURETLS SESSION----- block

export class SessionError extends TlsError {
  override name = 'SessionError';
  readonly reason: SessionErrorReason;
  constructor(reason: SessionErrorReason, detail?: string) {
    super(`tls: session: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
    this.reason = reason;
  }
}
