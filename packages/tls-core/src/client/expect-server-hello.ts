/**
 * The start of every handshake: sending the ClientHello (with PSK binders when resuming,
 * RFC 8446 §4.2.11.2), then the one place where the version splits (RFC 8446 §4.1.3, §4.2.1):
 * a TLS 1.3 ServerHello continues in tls13.ts, a TLS 1.2 one in tls12.ts. HelloRetryRequest
 * (RFC 8446 §4.1.4) is handled here, because it is answered by a second ClientHello. 0-RTT
 * (RFC 8446 §4.2.10, §2.3, Appendix D.4) starts here too: the early_data offer, the middlebox CCS
 * right after the first ClientHello, and the early data under client_early_traffic_secret (§7.1).
 * @module
 */
import { equalBytes } from '../codec/bytes.ts';
import { PeerIncompatible, PeerMisbehaved, UsageError } from '../errors.ts';
import { generateKeyShare, type KeyShare } from '../crypto/key-exchange.ts';
import type { KeyShareReserve } from '../crypto/key-share-reserve.ts';
import { tls12SuiteById, tls13SuiteById, type Tls13Suite } from '../crypto/suites.ts';
import { EarlySecret, ResumptionPsk } from '../tls13/key-schedule.ts';
import { Transcript, TranscriptBuffer } from '../tls13/transcript.ts';
import { checkExtensionsAllowed, findExtension } from '../wire/extensions.ts';
import type { HandshakeMessage } from '../wire/handshake.ts';
import type { RecordBoundary } from '../record/handshake-reassembler.ts';
import { patchBinders, truncateClientHelloForBinders } from '../wire/client-hello.ts';
import type { ServerHello } from '../wire/server-hello.ts';
import { DOWNGRADE_SENTINEL_TLS11, DOWNGRADE_SENTINEL_TLS12 } from '../wire/server-hello.ts';
import { ExtensionType, HandshakeType, ProtocolVersion } from '../wire/enums.ts';
import { buildClientHello, type BuiltClientHello } from './hello.ts';
import type { ClientConfig } from './config.ts';
import type { ResumptionData, Tls13TicketData } from './events.ts';
import { MAX_TICKET_LIFETIME_S, type HelloContext } from './hello-context.ts';
import { expectMessage, type HandshakeIo, type StateBase } from './state.ts';
import { startTls13, type Tls13State } from './tls13.ts';
import { startTls12, type Tls12State } from './tls12.ts';
import { earlyDataTicket, sendEarlyData } from './early-data.ts';

/** Options for a new handshake. */
export interface StartOptions {
  /** Host to connect to: used for SNI (unless an IP literal) and certificate name checks. */
  readonly host?: string | undefined;
  /** Send SNI (default true when host is a DNS name). */
  readonly sendServerName?: boolean;
  /** A session to resume. */
  readonly session?: ResumptionData | undefined;
  /** The 32-byte client random (the connection keeps it for key logging). */
  readonly clientRandom: Uint8Array;
  /** Key shares made ahead of time (each used once); default: generated here. */
  readonly keyShareReserve?: KeyShareReserve | undefined;
  /** The caller has early data to send (the connection keeps it): offer 0-RTT if the session allows it (early-data.ts `earlyDataTicket`). */
  readonly earlyData?: Uint8Array | undefined;
}

/**
 * Build and queue the first ClientHello.
 * @returns the state waiting for the ServerHello
 */
export function startHandshake(io: HandshakeIo, sniName: string | undefined, options: StartOptions): ExpectServerHello {
  const config = io.config;
  const offers13 = config.tls13Suites.length > 0;
  const resumable = usableTicket(config, options.session, sniName);
  // An external PSK is offered when no ticket is (RFC 9257 §6: one identity; tickets it yields resume later).
  const external = resumable === undefined && offers13 && config.externalPsk !== undefined ? externalPskTicket(config) : undefined;
  const ticket = resumable ?? external;
  const tls12Session = options.session?.version === 'TLSv1.2' && config.tls12Suites.includes(options.session.suite) ? options.session : undefined;
  // RFC 8446 §4.1.2 / Appendix D.4: a non-empty legacy_session_id in compatibility mode; a TLS 1.2
  // session ID when resuming one (RFC 5246 §7.4.1.2); for a 1.2 ticket, any non-empty ID (RFC 5077 §3.4).
  let sessionId: Uint8Array = new Uint8Array(0);
  if (tls12Session !== undefined && tls12Session.sessionId.length > 0) sessionId = tls12Session.sessionId;
  else if ((offers13 && config.middleboxCompatibility) || tls12Session?.ticket !== undefined) sessionId = config.randomBytes(32);
  // RFC 8446 §4.2.8: client_shares MAY be empty. Resuming a TLS 1.2 session predicts a TLS 1.2
  // answer, which needs no share (config.emptyKeyShareWhenResumingTls12); a PSK offered for
  // psk_ke only predicts a resumption without (EC)DHE (config.emptyKeyShareWithPskKeOnly).
  const pskKeOnly = ticket !== undefined && !config.pskModes.includes('psk_dhe_ke') && config.emptyKeyShareWithPskKeOnly;
  const sendShares = offers13 && !pskKeOnly && !(tls12Session !== undefined && ticket === undefined && config.emptyKeyShareWhenResumingTls12);
  const reserve = options.keyShareReserve;
  const keyShares = sendShares ? config.keyShareGroups.map((g) => (reserve === undefined ? generateKeyShare(g, config.randomBytes, config.keyExchanges) : reserve.take(g, config.randomBytes, config.keyExchanges))) : [];
  let ctx: HelloContext = {
    config,
    serverName: sniName,
    verifyHostname: options.host,
    clientRandom: options.clientRandom,
    sessionId,
    offeredExtensions: new Set(),
    offeredTicket: ticket,
    offeredExternalPsk: external !== undefined,
    offeredTls12Session: tls12Session,
    helloRetried: false,
    sentCompatCcs: false,
  };
  let earlyTicket: Tls13TicketData | undefined;
  // `EARLY_DATA:` statements are dropped from the default embedding bundle (early-data.ts).
  EARLY_DATA: if (options.earlyData !== undefined && (earlyTicket = earlyDataTicket(config, resumable)) !== undefined) ctx = { ...ctx, offeredEarlyData: true };
  const transcript = new TranscriptBuffer();
  const hello = sendClientHello(io, ctx, keyShares, undefined, (prefix, hash) => transcript.hashWith(hash, prefix), undefined);
  transcript.add(hello.encoded);
  let sent: HelloContext = { ...ctx, offeredExtensions: hello.offeredExtensions };
  EARLY_DATA: if (earlyTicket !== undefined) sent = sendEarlyData(io, sent, earlyTicket, transcript, hello.early!);
  return new ExpectServerHello(sent, keyShares, transcript, hello.early);
}

/** Every state before the version is known: the closed union the connection holds is built on it. */
export type HelloState = ExpectServerHello | ExpectServerHelloAfterRetry;

/** Every client state: a closed union of concrete classes, each with a literal `kind` and its own fields. */
export type ClientState = HelloState | Tls13State | Tls12State;

/**
 * Waiting for the answer to our first ClientHello: a TLS 1.3 ServerHello, a HelloRetryRequest
 * (RFC 8446 §4.1.4), or a TLS 1.2 ServerHello (RFC 8446 §4.1.3 downgrade rules). The transcript
 * is still a buffer: its hash is not known until the server picks a suite.
 */
export class ExpectServerHello implements StateBase {
  readonly kind = 'ExpectServerHello';
  readonly version = undefined;
  readonly isTraffic = false;
  readonly #ctx: HelloContext;
  readonly #keyShares: readonly KeyShare[];
  readonly #transcript: TranscriptBuffer;
  /** The Early Secret of the offered PSK (RFC 8446 §7.1), made for its binder; the schedule continues from it if the server takes the PSK. */
  readonly #early: EarlySecret | undefined;

  constructor(ctx: HelloContext, keyShares: readonly KeyShare[], transcript: TranscriptBuffer, early: EarlySecret | undefined) {
    this.#ctx = ctx;
    this.#keyShares = keyShares;
    this.#transcript = transcript;
    this.#early = early;
  }

  handle(msg: HandshakeMessage, io: HandshakeIo, boundary: RecordBoundary | undefined): ClientState {
    expectMessage(msg, this.kind, HandshakeType.ServerHello);
    const sh = msg;
    const ctx = this.#ctx;
    const version = negotiatedVersion(ctx.config, sh);
    if (version === ProtocolVersion.TLSv1_2) {
      checkDowngradeSentinel(ctx.config, sh.random);
      // A TLS 1.2 server reads no early data; our next records are its plaintext handshake.
      EARLY_DATA: if (ctx.offeredEarlyData) io.stopEarlyData!();
      const suite = tls12SuiteById(sh.cipherSuite);
      if (suite === undefined || !ctx.config.tls12Suites.includes(sh.cipherSuite))
        throw new PeerMisbehaved('SelectedUnofferedCipherSuite', `0x${sh.cipherSuite.toString(16)}`);
      io.setVersion('tls12');
      return startTls12(io, ctx, suite, sh, this.#transcript);
    }
    const suite = checkTls13ServerHello(ctx, sh);
    if (sh.isHelloRetryRequest) return this.#retry(sh, suite, io);
    io.setVersion('tls13');
    const transcript = this.#transcript.startHash(suite.hash).add(sh.raw);
    return startTls13(io, ctx, suite, sh, this.#keyShares, transcript, boundary, this.#early);
  }

  /** RFC 8446 §4.1.4: validate the HelloRetryRequest and answer with a second ClientHello. */
  #retry(hrr: ServerHello & { readonly raw: Uint8Array }, suite: Tls13Suite, io: HandshakeIo): ExpectServerHelloAfterRetry {
    checkExtensionsAllowed(hrr.extensions, 'HRR', this.#ctx.offeredExtensions);
    const keyShare = findExtension(hrr.extensions, ExtensionType.KeyShare);
    const cookie = findExtension(hrr.extensions, ExtensionType.Cookie);
    let keyShares = this.#keyShares;
    if (keyShare !== undefined) {
      if (keyShare.form !== 'HRR') throw new PeerMisbehaved('IllegalHelloRetryRequest', 'key_share form');
      const group = keyShare.selectedGroup;
      // The group must be one we support, and one we did not already send a share for.
      if (!this.#ctx.config.groups.includes(group)) throw new PeerMisbehaved('SelectedUnofferedGroup', `0x${group.toString(16)}`);
      if (this.#keyShares.some((k) => k.group === group)) throw new PeerMisbehaved('IllegalHelloRetryRequestWithOfferedGroup');
      keyShares = [generateKeyShare(group, this.#ctx.config.randomBytes, this.#ctx.config.keyExchanges)];
    } else if (cookie === undefined) {
      // An HRR that would not change the ClientHello.
      throw new PeerMisbehaved('IllegalHelloRetryRequestWithNoChanges');
    }
    // The transcript restarts from message_hash(ClientHello1) (RFC 8446 §4.4.1).
    const transcript = this.#transcript.startHash(suite.hash).rollupForHelloRetryRequest().add(hrr.raw);
    // RFC 8446 §4.2.10: the early data is rejected; the second ClientHello (plaintext, without early_data) follows.
    EARLY_DATA: if (this.#ctx.offeredEarlyData) io.stopEarlyData!();
    let ctx: HelloContext = { ...this.#ctx, helloRetried: true };
    EARLY_DATA: ctx = { ...ctx, offeredEarlyData: false };
    // A PSK whose hash differs from the HRR suite's can no longer be offered (RFC 8446 §4.1.4).
    let early = this.#early;
    if (ctx.offeredTicket !== undefined && tls13SuiteById(ctx.offeredTicket.suite)?.hash !== suite.hash) {
      ctx = { ...ctx, offeredTicket: undefined, offeredExternalPsk: false };
      early = undefined;
    }
    if (ctx.config.middleboxCompatibility && !ctx.sentCompatCcs) {
      // RFC 8446 Appendix D.4: the dummy CCS goes before the second ClientHello.
      io.sendChangeCipherSpec();
      ctx = { ...ctx, sentCompatCcs: true };
    }
    let hello: SentClientHello;
    try {
      hello = sendClientHello(io, ctx, keyShares, cookie?.cookie, (prefix) => transcript.hashWith(prefix), early);
    } catch (e) {
      // The first ClientHello encoded; only the HRR's cookie (up to 2^16 - 1 bytes) and selected
      // group changed, so a second one too long for its extensions<..2^16-1> is the HRR's doing.
      if (e instanceof UsageError) throw new PeerMisbehaved('IllegalHelloRetryRequest', `the ClientHello it asks for cannot be encoded (${e.message})`);
      throw e;
    }
    transcript.add(hello.encoded);
    return new ExpectServerHelloAfterRetry({ ...ctx, offeredExtensions: hello.offeredExtensions }, keyShares, transcript, suite, hello.early);
  }
}

/**
 * Waiting for the ServerHello after our second ClientHello (RFC 8446 §4.1.4): TLS 1.3 only, with
 * the suite the HelloRetryRequest chose; a second HelloRetryRequest is refused. The transcript
 * already runs with that suite's hash, from message_hash(ClientHello1) (§4.4.1).
 */
export class ExpectServerHelloAfterRetry implements StateBase {
  readonly kind = 'ExpectServerHelloAfterRetry';
  readonly version = undefined;
  readonly isTraffic = false;
  readonly #ctx: HelloContext;
  readonly #keyShares: readonly KeyShare[];
  readonly #transcript: Transcript;
  /** The suite the HelloRetryRequest selected; the ServerHello must repeat it (RFC 8446 §4.1.4). */
  readonly #retrySuite: Tls13Suite;
  /** The offered PSK's Early Secret, as in {@link ExpectServerHello}. */
  readonly #early: EarlySecret | undefined;

  constructor(ctx: HelloContext, keyShares: readonly KeyShare[], transcript: Transcript, retrySuite: Tls13Suite, early: EarlySecret | undefined) {
    this.#ctx = ctx;
    this.#keyShares = keyShares;
    this.#transcript = transcript;
    this.#retrySuite = retrySuite;
    this.#early = early;
  }

  handle(msg: HandshakeMessage, io: HandshakeIo, boundary: RecordBoundary | undefined): ClientState {
    expectMessage(msg, this.kind, HandshakeType.ServerHello);
    const sh = msg;
    const ctx = this.#ctx;
    const version = negotiatedVersion(ctx.config, sh);
    if (version === ProtocolVersion.TLSv1_2) throw new PeerMisbehaved('SelectedUnofferedVersion', 'TLS 1.2 after a HelloRetryRequest');
    const suite = checkTls13ServerHello(ctx, sh);
    if (sh.isHelloRetryRequest) throw new PeerMisbehaved('SecondHelloRetryRequest');
    if (this.#retrySuite.id !== suite.id) throw new PeerMisbehaved('HelloRetryRequestChangedSuite');
    io.setVersion('tls13');
    return startTls13(io, ctx, suite, sh, this.#keyShares, this.#transcript.add(sh.raw), boundary, this.#early);
  }
}

/**
 * The checks every TLS 1.3 ServerHello and HelloRetryRequest passes (RFC 8446 §4.1.3, §4.1.4).
 * @returns the suite it selected
 */
function checkTls13ServerHello(ctx: HelloContext, sh: ServerHello): Tls13Suite {
  // RFC 8446 §4.1.3: legacy_version is 0x0303 (the version is in supported_versions).
  if (sh.legacyVersion !== ProtocolVersion.TLSv1_2) throw new PeerMisbehaved('BadLegacyVersion', `0x${sh.legacyVersion.toString(16)}`);
  if (!equalBytes(sh.legacySessionIdEcho, ctx.sessionId)) throw new PeerMisbehaved('SessionIdMismatch');
  if (sh.legacyCompressionMethod !== 0) throw new PeerMisbehaved('NonZeroCompression');
  const suite = tls13SuiteById(sh.cipherSuite);
  if (suite === undefined || !ctx.config.tls13Suites.includes(sh.cipherSuite))
    throw new PeerMisbehaved('SelectedUnofferedCipherSuite', `0x${sh.cipherSuite.toString(16)}`);
  return suite;
}

/** A ClientHello as sent: with the Early Secret its PSK binder was made with, if it offers a PSK. */
type SentClientHello = BuiltClientHello & { readonly early: EarlySecret | undefined };

/** The hash of the transcript with an extra (truncated ClientHello) appended, for binders. */
type BinderTranscript = (truncatedClientHello: Uint8Array, hash: Tls13Suite['hash']) => Uint8Array;

function sendClientHello(
  io: HandshakeIo,
  ctx: HelloContext,
  keyShares: readonly KeyShare[],
  cookie: Uint8Array | undefined,
  binderTranscript: BinderTranscript,
  early: EarlySecret | undefined,
): SentClientHello {
  const config = ctx.config;
  const ticket = ctx.offeredTicket;
  const ticketSuite = ticket === undefined ? undefined : tls13SuiteById(ticket.suite);
  const psk =
    ticket === undefined || ticketSuite === undefined
      ? undefined
      : {
          // RFC 8446 §4.2.11: an external identity's obfuscated_ticket_age SHOULD be 0.
          identities: [{ identity: ticket.ticket, obfuscatedTicketAge: ctx.offeredExternalPsk ? 0 : obfuscatedAge(ticket, config.now()) }],
          binderLengths: [ticketSuite.hash.outputLen],
        };
  const built = buildClientHello({
    config,
    random: ctx.clientRandom,
    sessionId: ctx.sessionId,
    serverName: ctx.serverName,
    keyShares: keyShares.map((k) => ({ group: k.group, keyExchange: k.publicKey })),
    psk,
    tls12Ticket: ctx.offeredTls12Session?.ticket,
    cookie,
    earlyData: ctx.offeredEarlyData,
  });
  let encoded = built.encoded;
  if (ticket !== undefined && ticketSuite !== undefined) {
    // RFC 8446 §4.2.11.2: binder = HMAC(finished_key(binder_key), Hash(transcript || truncated ClientHello)).
    // The Early Secret is extracted once per connection: a second ClientHello (same PSK, same hash) reuses it.
    early ??= EarlySecret.withPsk(ticketSuite, ticket.psk);
    const binder = early.binder(ctx.offeredExternalPsk ? 'external' : 'resumption', binderTranscript(truncateClientHelloForBinders(encoded, built.message), ticketSuite.hash));
    encoded = patchBinders(encoded, [binder]);
  }
  io.sendHandshake(encoded);
  return { ...built, encoded, early };
}

/**
 * Whether a TLS 1.3 ticket may be offered (RFC 8446 §4.6.1, §4.2.11): TLS 1.3 enabled, a suite
 * with the ticket's hash offered, the same server name, not expired.
 */
function usableTicket(config: ClientConfig, session: ResumptionData | undefined, sniName: string | undefined): Tls13TicketData | undefined {
  if (session === undefined || session.version !== 'TLSv1.3' || config.tls13Suites.length === 0) return undefined;
  const suite = tls13SuiteById(session.suite);
  if (suite === undefined || !config.tls13Suites.some((s) => tls13SuiteById(s)?.hash === suite.hash)) return undefined;
  if (session.serverName !== sniName) return undefined;
  const ageMs = config.now() - session.receivedAtMs;
  if (ageMs < 0 || ageMs > Math.min(session.lifetimeSeconds, MAX_TICKET_LIFETIME_S) * 1000) return undefined;
  return session;
}

/** The config's external PSK in the shape of an offered ticket (identity as the "ticket", its key as the PSK). */
function externalPskTicket(config: ClientConfig): Tls13TicketData | undefined {
  const ext = config.externalPsk;
  if (ext === undefined || !config.tls13Suites.includes(ext.suite)) return undefined;
  return {
    version: 'TLSv1.3',
    suite: ext.suite,
    psk: ResumptionPsk.fromBytes(ext.key),
    ticket: ext.identity,
    lifetimeSeconds: 0,
    ageAdd: 0,
    receivedAtMs: config.now(),
    maxEarlyData: 0,
    alpn: undefined,
    serverName: undefined,
    peerCertificates: [],
  };
}

/** RFC 8446 §4.2.11.1: (age in ms + ticket_age_add) mod 2^32. */
function obfuscatedAge(ticket: Tls13TicketData, now: number): number {
  return (Math.max(0, Math.floor(now - ticket.receivedAtMs)) + ticket.ageAdd) >>> 0;
}

/**
 * The version a ServerHello selects (RFC 8446 §4.2.1): supported_versions if present, else
 * legacy_version (TLS 1.2 servers).
 * @throws PeerMisbehaved 'SelectedUnofferedVersion' / PeerIncompatible 'NoCommonVersion'
 */
function negotiatedVersion(config: ClientConfig, sh: ServerHello): number {
  const sv = findExtension(sh.extensions, ExtensionType.SupportedVersions);
  if (sv !== undefined) {
    if (sv.form !== 'SH' || sv.selectedVersion !== ProtocolVersion.TLSv1_3 || config.tls13Suites.length === 0)
      throw new PeerMisbehaved('SelectedUnofferedVersion', sv.form === 'SH' ? `0x${sv.selectedVersion.toString(16)}` : 'bad form');
    return ProtocolVersion.TLSv1_3;
  }
  if (sh.isHelloRetryRequest) throw new PeerMisbehaved('IllegalHelloRetryRequest', 'no supported_versions');
  if (sh.legacyVersion === ProtocolVersion.TLSv1_2 && config.tls12Suites.length > 0) return ProtocolVersion.TLSv1_2;
  throw new PeerIncompatible('NoCommonVersion', `server chose 0x${sh.legacyVersion.toString(16)}`);
}

/** RFC 8446 §4.1.3: a TLS 1.3-capable client that gets TLS 1.2 must check the downgrade sentinel. */
function checkDowngradeSentinel(config: ClientConfig, serverRandom: Uint8Array): void {
  if (config.tls13Suites.length === 0) return;
  const tail = serverRandom.subarray(24);
  if (equalBytes(tail, DOWNGRADE_SENTINEL_TLS12) || equalBytes(tail, DOWNGRADE_SENTINEL_TLS11)) throw new PeerMisbehaved('DowngradeDetected');
}
