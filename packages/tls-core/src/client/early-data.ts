/**
 * TLS 1.3 0-RTT early data on the client (RFC 8446 §2.3, §4.2.10, §7.1, Appendix D.4), the parts
 * the states and the connection call at their hook points: when 0-RTT may be offered, the flight
 * after the first ClientHello, the check of the server's acceptance (whose result the TLS 1.3
 * states hold as `earlyWriteKeys` and `earlyDataAccepted`, tls13.ts), and what becomes of the data when the handshake completes
 * (sent early, re-sent, handed back: docs/early-data.md).
 *
 * Every call into this module is a statement labelled `EARLY_DATA:`. The default embedding bundle
 * (packages/bundle/build.js) is built with esbuild's `dropLabels: ['EARLY_DATA']`: those
 * statements are dropped, and with them this module, so that bundle carries none of the 0-RTT
 * code and stays under issue 11's size ceiling (docs/early-data.md, "Bundles"). Elsewhere the
 * label is a no-op.
 * @module
 */
import { PeerMisbehaved } from '../errors.ts';
import type { Tls13Suite } from '../crypto/suites.ts';
import type { EarlySecret, TrafficSecret } from '../tls13/key-schedule.ts';
import type { Transcript, TranscriptBuffer } from '../tls13/transcript.ts';
import { findExtension, type Extension } from '../wire/extensions.ts';
import { encodeClientHandshake } from '../wire/handshake.ts';
import { ExtensionType, HandshakeType } from '../wire/enums.ts';
import type { ClientConfig } from './config.ts';
import type { EarlyDataEvent, Tls13TicketData } from './events.ts';
import type { HelloContext } from './hello-context.ts';
import type { HandshakeIo } from './state.ts';

/**
 * The ticket with which early data may be offered (RFC 8446 §4.2.10), or undefined: a TLS 1.3
 * resumption ticket about to be offered (never an external PSK: `resumable` is only ever a
 * ticket), as the first (only) PSK identity, allowing early data (max_early_data_size > 0), whose
 * own suite is offered (0-RTT uses the session's suite, not just its hash), and whose ALPN, if it
 * had one, is among the offered protocols (0-RTT data speaks the session's protocol).
 */
export function earlyDataTicket(config: ClientConfig, resumable: Tls13TicketData | undefined): Tls13TicketData | undefined {
  if (resumable === undefined || resumable.maxEarlyData <= 0) return undefined;
  if (!config.tls13Suites.includes(resumable.suite)) return undefined;
  if (resumable.alpn !== undefined && !config.alpnProtocols.includes(resumable.alpn)) return undefined;
  return resumable;
}

/**
 * The 0-RTT flight after the first ClientHello (RFC 8446 §2.3): the middlebox CCS goes right
 * after the ClientHello when offering early data (Appendix D.4), then the early data under
 * client_early_traffic_secret = Derive-Secret(early secret, "c e traffic", ClientHello) with the
 * session's suite (§4.2.10, §7.1).
 * @returns the context with the CCS recorded as sent
 */
export function sendEarlyData(io: HandshakeIo, ctx: HelloContext, ticket: Tls13TicketData, transcript: TranscriptBuffer, early: EarlySecret): HelloContext {
  // The binder's Early Secret, of the ticket's own suite (earlyDataTicket() checked it is one of the config's).
  const suite = early.suite;
  if (ctx.config.middleboxCompatibility) io.sendChangeCipherSpec();
  const helloHash = transcript.hashWith(suite.hash, new Uint8Array(0));
  const secret = early.clientEarlyTrafficSecret(helloHash);
  io.keyLog('CLIENT_EARLY_TRAFFIC_SECRET', secret);
  // early_exporter_master_secret (§7.1): only key-logged (as OpenSSL does), so that key logs match the server's.
  if (ctx.config.keyLog) io.keyLog('EARLY_EXPORTER_SECRET', early.earlyExporterMasterSecret(helloHash));
  io.sendEarlyData!(secret.trafficKeys(), ticket.maxEarlyData);
  return { ...ctx, sentCompatCcs: ctx.sentCompatCcs || ctx.config.middleboxCompatibility };
}

/**
 * EncryptedExtensions (RFC 8446 §4.2.10): with early_data it accepts our 0-RTT, which is only valid
 * when we sent early data with the PSK the server took (startTls13 allows only the first identity,
 * and `earlyWriteKeys` says both), with the session's suite and ALPN, the parameters the early
 * data was sent with (OpenSSL and rustls check the same); checkExtensionsAllowed already refused
 * it (unsupported_extension) unless this ClientHello offered it. Without it, early data still in
 * flight is rejected: our next records go under the client handshake keys, which the server reads
 * after skipping the early data.
 * @param sh the ServerHello's facts (tls13.ts `Tls13Hello`)
 * @returns whether the server accepted the early data (EndOfEarlyData is then due)
 * @throws PeerMisbehaved 'IllegalEarlyData' (illegal_parameter)
 */
export function checkEarlyDataAcceptance(
  io: HandshakeIo,
  sh: { readonly suite: Tls13Suite; readonly acceptedPsk: Tls13TicketData | undefined; readonly earlyWriteKeys: boolean },
  extensions: readonly Extension[],
  alpn: string | undefined,
  clientHandshakeSecret: TrafficSecret,
): boolean {
  if (findExtension(extensions, ExtensionType.EarlyData) === undefined) {
    if (sh.earlyWriteKeys) io.installTls13WriteKeys(clientHandshakeSecret.trafficKeys());
    return false;
  }
  const ticket = sh.acceptedPsk;
  if (!sh.earlyWriteKeys || ticket === undefined) throw new PeerMisbehaved('IllegalEarlyData', 'no PSK');
  if (sh.suite.id !== ticket.suite || alpn !== ticket.alpn) throw new PeerMisbehaved('IllegalEarlyData', "not the session's suite and ALPN");
  io.earlyDataAccepted!();
  return true;
}

/**
 * After the server's Finished, when it accepted our early data (RFC 8446 §4.5): EndOfEarlyData
 * under the early keys, then the client handshake keys for the rest of our flight.
 * EndOfEarlyData is in the transcript of our Finished (not of the application secrets).
 */
export function sendEndOfEarlyData(io: HandshakeIo, transcript: Transcript, clientHandshakeSecret: TrafficSecret): void {
  const endOfEarlyData = encodeClientHandshake({ type: HandshakeType.EndOfEarlyData });
  io.sendHandshake(endOfEarlyData);
  transcript.add(endOfEarlyData);
  io.installTls13WriteKeys(clientHandshakeSecret.trafficKeys());
}

/** The early data given to a connection, and what became of it so far. */
export interface EarlyDataBook {
  /** The connection's own copy of `ClientConnectionOptions.earlyData`. */
  readonly data: Uint8Array;
  /** The ALPN of the session the early data was sent for; set with `sentAsEarlyData` once sent. */
  sessionAlpn: string | undefined;
  /** Bytes sent in 0-RTT records; undefined while none was offered. */
  sentAsEarlyData: number | undefined;
  accepted: boolean;
}

/**
 * The handshake is complete (our Finished sent, application keys installed): emit the event, and
 * send what is due now (RFC 8446 §4.2.10). Accepted: the part beyond max_early_data_size.
 * Rejected: all of it when the negotiated ALPN equals the session's (both may be none), since
 * §4.2.10 forbids an automatic resend only when the ALPN changed; otherwise nothing, and the bytes
 * go back to the caller in the event. Not offered (the session did not allow it): back too.
 * @returns the outcome for `negotiated.earlyData`
 */
export function settleEarlyData(book: EarlyDataBook, negotiatedAlpn: string | undefined, emit: (event: EarlyDataEvent) => void, send: (data: Uint8Array) => void): EarlyDataEvent['status'] {
  const sent = book.sentAsEarlyData;
  let after: Uint8Array | undefined;
  let unsent: Uint8Array | undefined;
  if (sent === undefined) unsent = book.data.slice();
  else if (book.accepted) after = book.data.subarray(sent);
  else if (negotiatedAlpn === book.sessionAlpn) after = book.data;
  else unsent = book.data.slice();
  const status = sent === undefined ? 'not-offered' : book.accepted ? 'accepted' : 'rejected';
  emit({ type: 'earlyData', status, sentAsEarlyData: sent ?? 0, sentAfterHandshake: after?.length ?? 0, unsent });
  if (after !== undefined && after.length > 0) send(after);
  return status;
}
