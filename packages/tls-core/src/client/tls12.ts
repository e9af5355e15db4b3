/**
 * The TLS 1.2 client handshake (RFC 5246 §7.3–§7.4, RFC 8422, RFC 7627, RFC 5746, RFC 5077).
 *
 * Not implemented yet (tracked by the TLS 1.2 issue): a server that negotiates TLS 1.2 is refused
 * with protocol_version, after the RFC 8446 §4.1.3 downgrade check has run.
 * @module
 */
import { PeerIncompatible } from '../errors.ts';
import type { Tls12Suite } from '../crypto/suites.ts';
import type { TranscriptBuffer } from '../tls13/transcript.ts';
import type { ServerHello } from '../wire/server-hello.ts';
import type { HelloContext } from './expect-server-hello.ts';
import type { ClientState, HandshakeIo } from './state.ts';

/**
 * Continue a handshake in which the server chose TLS 1.2.
 * @throws PeerIncompatible 'Tls12NotEnabled' (protocol_version) until TLS 1.2 support lands
 */
export function startTls12(_io: HandshakeIo, _hello: HelloContext, suite: Tls12Suite, _sh: ServerHello, _transcript: TranscriptBuffer | undefined): ClientState {
  throw new PeerIncompatible('Tls12NotEnabled', `server chose TLS 1.2 (${suite.name}); puretls does not speak TLS 1.2 yet`);
}
