/**
 * `ClientConnection`: the sans-IO TLS client. Bytes in (`receive`), bytes out (`takeOutgoing`),
 * plaintext in (`write`) and out (`readPlaintext`), events out (`takeEvents`); no sockets, no
 * timers. It owns the record layer (RFC 8446 §5, RFC 5246 §6), alert handling (RFC 8446 §6,
 * RFC 5246 §7.2), closure (RFC 8446 §6.1) and the sticky error: the first error ends the
 * connection, the alert that {@link alertFor} picks is queued once, and every later call throws
 * the same error. It also keeps the book of 0-RTT early data (RFC 8446 §4.2.10): what was sent
 * early, and what is sent after the handshake or handed back (docs/early-data.md).
 * @module
 */
import { concatBytes, toHex } from '../codec/bytes.ts';
import {
  AlertReceived,
  InappropriateMessage,
  PeerMisbehaved,
  UnexpectedEof,
  UsageError,
  alertFor,
} from '../errors.ts';
import type { Tls12Suite } from '../crypto/suites.ts';
import { RecordDeframer, type TlsRecord } from '../record/deframer.ts';
import { HandshakeReassembler } from '../record/handshake-reassembler.ts';
import { LIMITS, maxHandshakeLength } from '../limits.ts';
import type { KeyShareReserve } from '../crypto/key-share-reserve.ts';
import { RecordLayer } from '../record/record-layer.ts';
import { MAX_PLAINTEXT_LENGTH, MAX_TLS12_CIPHERTEXT_LENGTH, MAX_TLS13_CIPHERTEXT_LENGTH, PlaintextProtector } from '../record/protector.ts';
import { Tls13Protector } from '../record/protect-tls13.ts';
import { Tls12Protector } from '../record/protect-tls12.ts';
import { revealSecret, type TrafficKeys } from '../tls13/key-schedule.ts';
import { revealMasterSecret, Tls12MasterSecret } from '../tls12/master-secret.ts';
import { decodeAlert, encodeAlert } from '../wire/alert.ts';
import { decodeServerHandshake, type HandshakeMessage } from '../wire/handshake.ts';
import { AlertDescription, AlertLevel, ContentType, HandshakeType, nameOf } from '../wire/enums.ts';
import type { ClientEngine } from '../engine.ts';
import type { ClientConfig } from './config.ts';
import { copyResumptionData, type ClientEvent, type NegotiatedParameters, type ResumptionData } from './events.ts';
import { startHandshake, type ClientState } from './expect-server-hello.ts';
import { settleEarlyData, type EarlyDataBook } from './early-data.ts';
import { sniHostName } from './hello.ts';
import type { HandshakeIo } from './state.ts';

/** Per-connection options. */
export interface ClientConnectionOptions {
  /** The server's host name or IP address: SNI (for names) and the certificate identity check. */
  readonly host?: string;
  /** Send server_name (default true; `false` is `openssl s_client -noservername`). */
  readonly sendServerName?: boolean;
  /** A session to offer for resumption (copied: the caller keeps ownership of its bytes). */
  readonly session?: ResumptionData;
  /**
   * Where the ClientHello's key shares come from: a reserve that may hold shares made ahead in
   * idle time (crypto/key-share-reserve.ts). Default: generated when the handshake starts.
   */
  readonly keyShareReserve?: KeyShareReserve;
  /**
   * TLS 1.3 0-RTT (RFC 8446 §4.2.10): bytes to send in the first flight, before the server
   * answers. Offered only with a TLS 1.3 `session` whose ticket allows early data, whose suite is
   * enabled and whose ALPN (if any) is among `alpnProtocols`; at most the ticket's
   * max_early_data_size bytes go early, the rest after the handshake. Early data can be replayed
   * by an attacker (RFC 8446 Appendix E.5): only for requests that are safe to repeat. Copied.
   * See docs/early-data.md for what happens when the server rejects it.
   */
  readonly earlyData?: Uint8Array;
}

/**
 * A TLS client connection, independent of any transport.
 * @example
 * const conn = new ClientConnection(config, { host: 'example.com' });
 * conn.start();
 * socket.write(conn.takeOutgoing());
 * socket.on('data', (d) => { conn.receive(d); flush(); });
 */
export class ClientConnection implements ClientEngine {
  readonly config: ClientConfig;
  readonly #options: ClientConnectionOptions;
  #state: ClientState | undefined;
  #error: Error | undefined;
  #negotiated: NegotiatedParameters | undefined;
  readonly #clientRandom: Uint8Array;
  readonly #deframer = new RecordDeframer();
  readonly #reassembler = new HandshakeReassembler(maxHandshakeLength);
  readonly #read = new RecordLayer('read');
  // RFC 8446 §5.1: the initial ClientHello may use record version 0x0301 for compatibility.
  readonly #write = new RecordLayer('write', new PlaintextProtector(0x0301));
  #outgoing: Uint8Array[] = [];
  readonly #plaintext: Uint8Array[] = [];
  #events: ClientEvent[] = [];
  #peerClosed = false;
  /** We sent a KeyUpdate and no application data after it (RFC 8446 §4.6.3). */
  #silentSinceKeyUpdate = false;
  #sentCloseNotify = false;
  /** verify_data of the last Finished we sent / received (Node's getFinished() / getPeerFinished()). */
  #finished: Uint8Array | undefined;
  #peerFinished: Uint8Array | undefined;
  /** Content bytes per protected record we send: 2^14, or less once the server's record_size_limit is known (RFC 8449). */
  #sendLimit = MAX_PLAINTEXT_LENGTH;
  /** The negotiated record_size_limit values, once the server answered ours. */
  #recordSizeLimit: { readonly send: number; readonly receive: number } | undefined;
  /** The early data given in the options (the connection's copy) and what became of it (RFC 8446 §4.2.10). */
  #earlyData: EarlyDataBook | undefined;
  readonly #counts = { changeCipherSpecs: 0, warningAlerts: 0, emptyRecords: 0, keyUpdates: 0, helloRequests: 0 };
  readonly #io: HandshakeIo;

  constructor(config: ClientConfig, options: ClientConnectionOptions = {}) {
    this.config = config;
    // The offered session's secret becomes the engine's own copy: the giver may wipe its bytes
    // (Session.free()) while this connection still needs them (TLS 1.2 exporter, key log).
    this.#options = options.session === undefined ? options : { ...options, session: copyResumptionData(options.session) };
    // `EARLY_DATA:` statements are dropped from the default embedding bundle (early-data.ts).
    EARLY_DATA: if (options.earlyData !== undefined) this.#earlyData = { data: options.earlyData.slice(), sessionAlpn: undefined, sentAsEarlyData: undefined, accepted: false };
    this.#clientRandom = config.randomBytes(32);
    this.#io = this.#makeIo();
  }

  /** Queue the ClientHello. Call once, before anything else. */
  start(): void {
    if (this.#state !== undefined) throw new UsageError('start() was already called');
    this.#guard(() => {
      const sni = this.#options.sendServerName === false ? undefined : sniHostName(this.#options.host);
      // The options as the constructor kept them (the session is the engine's own copy).
      this.#state = startHandshake(this.#io, sni, { ...this.#options, clientRandom: this.#clientRandom });
      // After the first ClientHello, records carry 0x0303 (RFC 8446 §5.1); unless early data
      // follows it, under the early traffic keys already installed.
      if (!this.#write.isProtected) this.#write.installProtector(new PlaintextProtector());
    });
  }

  /**
   * Feed bytes received from the transport.
   * @throws TlsError (and every later call throws the same error); the alert to send is queued in {@link takeOutgoing}
   */
  receive(bytes: Uint8Array): void {
    this.#guard(() => {
      if (this.#state === undefined) throw new UsageError('receive() before start()');
      // RFC 8446 §6.1: after the peer's close_notify, everything it sends is ignored, unparsed.
      if (this.#peerClosed) return;
      // A Uint8Array subclass (Node's Buffer) makes slice() return a view: use a plain view so
      // that every copy the layers below make with slice() really is a copy.
      this.#deframer.push(bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      for (let rec = this.#deframer.next(); rec !== undefined; rec = this.#deframer.next()) {
        this.#processRecord(rec);
        if (this.#peerClosed) {
          // The data before close_notify stays readable; the bytes after it are dropped, not framed.
          this.#deframer.clear();
          return;
        }
      }
    });
  }

  /**
   * The transport reached end of stream.
   * @throws UnexpectedEof unless the peer sent close_notify first (RFC 8446 §6.1: truncation must not look like a clean end)
   */
  receiveEof(): void {
    this.#guard(() => {
      if (!this.#peerClosed) throw new UnexpectedEof();
    });
  }

  /** All bytes queued for the transport since the last call, or undefined. */
  takeOutgoing(): Uint8Array | undefined {
    const parts = this.#outgoing;
    if (parts.length === 0) return undefined;
    this.#outgoing = [];
    return parts.length === 1 ? parts[0] : concatBytes(...parts);
  }

  /**
   * Encrypt application data (split into records of at most `maxFragmentLength` bytes).
   * @throws UsageError before the handshake completes or after close()
   */
  write(plaintext: Uint8Array): void {
    this.#throwIfFailed();
    if (this.#state === undefined || !this.#state.isTraffic) throw new UsageError('write() before the handshake completed');
    if (this.#sentCloseNotify) throw new UsageError('write() after close()');
    this.#guard(() => {
      const limit = Math.min(this.config.maxFragmentLength, this.#sendLimit);
      for (const rec of this.#write.sealAll(ContentType.ApplicationData, plaintext, limit)) this.#outgoing.push(rec);
      if (plaintext.length > 0) this.#silentSinceKeyUpdate = false;
    });
  }

  /** The next chunk of received application data, or undefined. */
  readPlaintext(): Uint8Array | undefined {
    return this.#plaintext.shift();
  }

  /** Events since the last call (handshake done, sessions, key updates, alerts, key log lines). */
  takeEvents(): ClientEvent[] {
    const e = this.#events;
    this.#events = [];
    return e;
  }

  /** Send close_notify (once). We may go on reading until the peer closes too (half-close). */
  close(): void {
    if (this.#sentCloseNotify || this.#error !== undefined) return;
    this.#sentCloseNotify = true;
    this.#sendAlert(AlertLevel.Warning, AlertDescription.CloseNotify);
    this.#retireSpentKeys();
  }

  /**
   * The transport is gone (its socket was destroyed): wipe both directions' record keys, as the
   * connection's only owner of them. Nothing is sent (no alert can reach the peer now) and
   * {@link error} is left as it was; any later record to seal or open throws UsageError.
   */
  destroy(): void {
    this.#read.retire();
    this.#write.retire();
  }

  /**
   * TLS 1.3: send a KeyUpdate (RFC 8446 §4.6.3), optionally asking the server to update too.
   * @throws UsageError before the handshake completes or on TLS 1.2
   */
  requestKeyUpdate(requestPeerUpdate: boolean): void {
    this.#throwIfFailed();
    const state = this.#state;
    if (state?.kind !== 'ExpectTraffic') throw new UsageError('KeyUpdate needs an established TLS 1.3 connection');
    if (this.#sentCloseNotify) throw new UsageError('KeyUpdate after close()');
    this.#guard(() => state.sendKeyUpdate(this.#io, requestPeerUpdate));
  }

  /**
   * Keying material exporter (RFC 8446 §7.5; RFC 5705 for TLS 1.2).
   * @throws UsageError before the handshake completes
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    this.#throwIfFailed();
    const state = this.#state;
    if (state === undefined || !state.isTraffic) throw new UsageError('exporter needs a completed handshake');
    return state.exportKeyingMaterial(label, context, length);
  }

  /** True until the handshake completes (or fails). */
  get isHandshaking(): boolean {
    return this.#error === undefined && (this.#state === undefined || !this.#state.isTraffic);
  }

  /** True once the peer sent close_notify. */
  get isClosed(): boolean {
    return this.#peerClosed;
  }

  /** True once we sent close_notify. */
  get isWriteClosed(): boolean {
    return this.#sentCloseNotify;
  }

  /** The error that ended the connection, if any. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** The name of the current state (for logs). */
  get stateName(): string {
    return this.#error !== undefined ? 'Failed' : (this.#state?.kind ?? 'Start');
  }

  /**
   * The verify_data of the latest Finished message we sent (RFC 8446 §4.4.4, RFC 5246 §7.4.9), as
   * OpenSSL's SSL_get_finished / Node's `getFinished()`; a copy, undefined before it was sent.
   */
  get finishedVerifyData(): Uint8Array | undefined {
    return this.#finished?.slice();
  }

  /** The verify_data of the server's Finished (SSL_get_peer_finished); a copy, undefined before it arrived. */
  get peerFinishedVerifyData(): Uint8Array | undefined {
    return this.#peerFinished?.slice();
  }

  /**
   * The record_size_limit values in force (RFC 8449), once the server answered ours: `send`, the
   * server's limit on our protected records, and `receive`, ours on its; both as the RFC counts
   * them (TLS 1.3: TLSInnerPlaintext, content type byte included). Undefined when not negotiated.
   */
  get recordSizeLimit(): { readonly send: number; readonly receive: number } | undefined {
    return this.#recordSizeLimit;
  }

  /** What was negotiated, once the handshake is done. */
  get negotiated(): NegotiatedParameters | undefined {
    return this.#negotiated;
  }

  // ----------------------------------------------------------------------------------------------

  #processRecord(rec: TlsRecord): void {
    const plain = this.#read.open(rec);
    const type = plain.type;
    // RFC 8446 §5.1: handshake messages must not be interleaved with other record types.
    if (type !== ContentType.Handshake && this.#reassembler.hasPartialMessage) throw new PeerMisbehaved('HandshakeInterleaved');
    if (type !== ContentType.Handshake && plain.plaintext.length === 0) {
      if (type !== ContentType.ApplicationData) throw new PeerMisbehaved('EmptyHandshakeFragment', 'empty non-data record');
      // Application data before the handshake completes is premature (RFC 8446 §6.2), whatever its length.
      if (this.#state === undefined || !this.#state.isTraffic) throw new PeerMisbehaved('ApplicationDataBeforeHandshakeDone', 'empty record');
      if (++this.#counts.emptyRecords > LIMITS.emptyRecords) throw new PeerMisbehaved('TooManyEmptyRecords');
      return;
    }
    switch (type) {
      case ContentType.ChangeCipherSpec:
        return this.#handleChangeCipherSpec(rec, plain.plaintext);
      case ContentType.Alert:
        return this.#handleAlert(plain.plaintext);
      case ContentType.Handshake:
        return this.#handleHandshake(plain.plaintext, plain.owned === true);
      case ContentType.ApplicationData:
        if (this.#state === undefined || !this.#state.isTraffic) throw new PeerMisbehaved('ApplicationDataBeforeHandshakeDone');
        this.#counts.emptyRecords = 0;
        this.#counts.keyUpdates = 0;
        this.#counts.helloRequests = 0;
        // Fresh AEAD output is handed on as it is; anything that may alias received bytes is copied.
        this.#plaintext.push(plain.owned === true ? plain.plaintext : plain.plaintext.slice());
        return;
      default:
        throw new PeerMisbehaved('IllegalInnerContentType', `content type ${type}`);
    }
  }

  #handleChangeCipherSpec(rec: TlsRecord, body: Uint8Array): void {
    this.#trace('received', ContentType.ChangeCipherSpec, body);
    if (body.length !== 1 || body[0] !== 1) throw new PeerMisbehaved('BadChangeCipherSpec');
    const state = this.#state;
    if (state?.version === 'tls12') {
      if (state.kind !== 'ExpectChangeCipherSpec12') throw new InappropriateMessage('record', ['handshake'], 'change_cipher_spec');
      // A ChangeCipherSpec is a record of its own: the boundary holds unless handshake bytes are buffered.
      this.#state = state.handleChangeCipherSpec(this.#io, this.#reassembler.boundary);
      return;
    }
    // RFC 8446 §5: an unprotected CCS 0x01 between our first ClientHello and the server's Finished is dropped.
    if (rec.type !== ContentType.ChangeCipherSpec || state === undefined || state.isTraffic) throw new PeerMisbehaved('IllegalMiddleboxChangeCipherSpec');
    if (++this.#counts.changeCipherSpecs > LIMITS.compatChangeCipherSpecs) throw new PeerMisbehaved('TooManyChangeCipherSpecs');
  }

  #handleAlert(body: Uint8Array): void {
    this.#trace('received', ContentType.Alert, body);
    const alert = decodeAlert(body);
    if (alert.description === AlertDescription.CloseNotify) {
      // Before the handshake completes, close_notify ends a handshake that can never finish (we ignore
      // everything after it): fail now, instead of waiting for messages that will not come.
      if (this.#state === undefined || !this.#state.isTraffic) {
        this.#events.push({ type: 'alert', level: 'warning', description: alert.description, sent: false });
        throw new AlertReceived(alert.description);
      }
      // RFC 8446 §6.1: orderly closure; we stop reading but may still write (half-close).
      this.#peerClosed = true;
      this.#events.push({ type: 'alert', level: 'warning', description: alert.description, sent: false });
      this.#events.push({ type: 'peerClosed' });
      this.#retireSpentKeys();
      return;
    }
    const version = this.#state?.version;
    const tls13 = version !== 'tls12';
    // RFC 8446 §6: in TLS 1.3 every alert but close_notify and user_canceled is an error, whatever its level.
    // RFC 6066 §3: before the ServerHello (version unknown) a TLS 1.2 server may send a warning
    // unrecognized_name for our SNI; it is tolerated (counted as a warning alert).
    const preHelloSniWarning = version === undefined && alert.description === AlertDescription.UnrecognizedName;
    const warning = alert.level === AlertLevel.Warning && (!tls13 || preHelloSniWarning || alert.description === AlertDescription.UserCanceled);
    this.#events.push({ type: 'alert', level: warning ? 'warning' : 'fatal', description: alert.description, sent: false });
    if (!warning) throw new AlertReceived(alert.description);
    if (++this.#counts.warningAlerts > LIMITS.warningAlerts) throw new PeerMisbehaved('TooManyWarningAlerts');
  }

  #handleHandshake(fragment: Uint8Array, owned: boolean): void {
    // Each message is copied at most once, by the reassembler (not at all from owned AEAD output);
    // the decoder and the transcript keep that memory instead of copying it again.
    this.#reassembler.push(fragment, owned);
    for (let m = this.#reassembler.next(); m !== undefined; m = this.#reassembler.next()) {
      this.#trace('received', ContentType.Handshake, m.raw);
      const state = this.#state;
      if (state === undefined) throw new UsageError('receive() before start()');
      const msg = decodeServerHandshake(m.raw, state.version ?? 'tls13');
      // ServerHelloDone (TLS 1.2) and HelloRetryRequest end the server's flight: anything after
      // them in the record was sent before the server could have seen our answer, so it is
      // refused before we answer or derive keys from it (OpenSSL and rustls refuse it likewise).
      if (!m.boundary && endsServerFlight(msg)) throw new PeerMisbehaved('MessageNotOnRecordBoundary', nameOf(HandshakeType, msg.type, 2));
      // A peer could make us answer KeyUpdates forever without sending data: cap them between data records.
      if (msg.type === HandshakeType.KeyUpdate && ++this.#counts.keyUpdates > LIMITS.keyUpdates) throw new PeerMisbehaved('TooManyKeyUpdates');
      // Each TLS 1.2 HelloRequest costs us an alert record: cap them between data records too.
      if (msg.type === HandshakeType.HelloRequest && ++this.#counts.helloRequests > LIMITS.helloRequests) throw new PeerMisbehaved('TooManyHelloRequests');
      // The boundary value (present when the message ended its record) is what a key change needs (RFC 8446 §5.1).
      this.#state = state.handle(msg, this.#io, m.boundary);
      // Recorded once the state accepted it (a wrong Finished throws above).
      if (msg.type === HandshakeType.Finished) this.#peerFinished = msg.verifyData.slice();
    }
  }

  #sendAlert(level: number, description: number): void {
    try {
      const body = encodeAlert({ level, description });
      this.#outgoing.push(this.#write.seal(ContentType.Alert, body));
      this.#trace('sent', ContentType.Alert, body);
      this.#events.push({ type: 'alert', level: level === AlertLevel.Fatal ? 'fatal' : 'warning', description, sent: true });
    } catch {
      // Cannot seal (sequence exhausted): close the transport without the alert.
    }
  }

  /** Run `fn`; on error make it sticky, queue the alert once, and rethrow. */
  #guard(fn: () => void): void {
    this.#throwIfFailed();
    try {
      fn();
    } catch (e) {
      this.#fail(e);
      throw e;
    }
  }

  #fail(e: unknown): void {
    if (this.#error !== undefined) return;
    this.#error = e instanceof Error ? e : new Error(String(e));
    const alert = alertFor(e);
    // No alert after either side's close_notify (RFC 8446 §6.1: the closure ends that direction).
    if (alert !== undefined && !this.#sentCloseNotify && !this.#peerClosed) this.#sendAlert(AlertLevel.Fatal, alert);
    this.#retireSpentKeys();
  }

  /**
   * Wipe the record keys of each direction that can carry no more records: reading ends with the
   * peer's close_notify (what follows is dropped unread), writing once both sides have closed (a
   * post-handshake message could still need an answer before that); a failure ends both.
   */
  #retireSpentKeys(): void {
    const failed = this.#error !== undefined;
    if (failed || this.#peerClosed) this.#read.retire();
    if (failed || (this.#peerClosed && this.#sentCloseNotify)) this.#write.retire();
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#error;
  }

  #makeIo(): HandshakeIo {
    const io: HandshakeIo = {
      config: this.config,
      sendHandshake: (raw) => {
        // Every caller passes one message; a Finished body is its verify_data (4-byte header).
        if (raw[0] === HandshakeType.Finished) this.#finished = raw.slice(4);
        // RFC 8449 §4: the server's limit binds protected records only.
        const limit = this.#write.isProtected ? this.#sendLimit : MAX_PLAINTEXT_LENGTH;
        for (const rec of this.#write.sealAll(ContentType.Handshake, raw, limit)) this.#outgoing.push(rec);
        this.#trace('sent', ContentType.Handshake, raw);
      },
      sendWarningAlert: (description) => this.#sendAlert(AlertLevel.Warning, description),
      sendChangeCipherSpec: () => {
        this.#outgoing.push(new PlaintextProtector().seal(ContentType.ChangeCipherSpec, CCS_BODY));
        this.#trace('sent', ContentType.ChangeCipherSpec, CCS_BODY);
      },
      // The RecordBoundary argument is the proof that the change falls on a record boundary (RFC 8446 §5.1).
      installTls13ReadKeys: (keys: TrafficKeys) => {
        this.#read.installProtector(new Tls13Protector(keys));
      },
      installTls13WriteKeys: (keys: TrafficKeys) => {
        this.#write.installProtector(new Tls13Protector(keys));
      },
      installTls12ReadKeys: (suite: Tls12Suite, key: Uint8Array, iv: Uint8Array) => {
        this.#read.installProtector(new Tls12Protector({ aead: suite.aead, key, fixedIv: iv }));
      },
      installTls12WriteKeys: (suite: Tls12Suite, key: Uint8Array, iv: Uint8Array) => {
        this.#write.installProtector(new Tls12Protector({ aead: suite.aead, key, fixedIv: iv }));
      },
      setVersion: (version) => {
        this.#deframer.setMaxFragmentLength(version === 'tls13' ? MAX_TLS13_CIPHERTEXT_LENGTH : MAX_TLS12_CIPHERTEXT_LENGTH);
      },
      setRecordSizeLimit: (peerLimit, version) => {
        // RFC 8449 §4: TLS 1.3 limits count TLSInnerPlaintext (content, type byte, padding; we send
        // no padding), at most 2^14 + 1; TLS 1.2 limits count the plaintext, at most 2^14. A larger
        // value from the server means the version's maximum.
        const tls13 = version === 'tls13';
        const max = tls13 ? MAX_PLAINTEXT_LENGTH + 1 : MAX_PLAINTEXT_LENGTH;
        const send = Math.min(peerLimit, max) - (tls13 ? 1 : 0);
        const receive = Math.min(this.config.recordSizeLimit ?? max, max);
        this.#sendLimit = send;
        this.#read.setRecordSizeLimit(receive);
        // TLS 1.3: every record the server sends after EncryptedExtensions is protected, so the
        // deframer can refuse an over-long one from its header, before buffering its body.
        if (tls13) this.#deframer.setMaxFragmentLength(Math.min(MAX_TLS13_CIPHERTEXT_LENGTH, receive + 256));
        this.#recordSizeLimit = { send: tls13 ? send + 1 : send, receive };
      },
      emit: (event) => {
        this.#events.push(event);
      },
      keyLog: (label, typed) => {
        if (!this.config.keyLog) return;
        // The key log is the one place where secret bytes leave the typed schedule: as a copy the event owns.
        const secret = typed instanceof Tls12MasterSecret ? revealMasterSecret(typed) : revealSecret(typed);
        const line = `${label} ${toHex(this.#clientRandom)} ${toHex(secret)}`;
        this.#events.push({ type: 'keyLog', entry: { label, clientRandom: this.#clientRandom, secret, line } });
      },
      noteKeyUpdateSent: () => {
        this.#silentSinceKeyUpdate = true;
      },
      silentSinceKeyUpdate: () => this.#silentSinceKeyUpdate,
      setNegotiated: (params) => {
        // The handshake is complete: report the early data, then send what is due now (early-data.ts).
        let earlyData: NegotiatedParameters['earlyData'] = 'not-offered';
        EARLY_DATA: if (this.#earlyData !== undefined) {
          // Under the application keys just installed, as write() would (the state is not traffic yet).
          const limit = Math.min(this.config.maxFragmentLength, this.#sendLimit);
          earlyData = settleEarlyData(this.#earlyData, params.alpn, (event) => this.#events.push(event), (data) => this.#outgoing.push(...this.#write.sealAll(ContentType.ApplicationData, data, limit)));
        }
        const negotiated = { ...params, earlyData };
        this.#negotiated = this.#recordSizeLimit === undefined ? negotiated : { ...negotiated, recordSizeLimit: this.#recordSizeLimit };
      },
    };
    // 0-RTT (RFC 8446 §4.2.10); dropped from the default embedding bundle with the rest of early-data.ts's callers.
    EARLY_DATA: {
      io.sendEarlyData = (keys, maxEarlyData) => {
        // Only called when start() offered early data: there is a book and a session.
        const book = this.#earlyData!;
        this.#write.installProtector(new Tls13Protector(keys));
        const early = book.data.subarray(0, Math.min(book.data.length, maxEarlyData));
        // The server's record_size_limit is not known yet (RFC 8449 §4): full-size records, or the configured fragment size.
        for (const rec of this.#write.sealAll(ContentType.ApplicationData, early, Math.min(this.config.maxFragmentLength, this.#sendLimit))) this.#outgoing.push(rec);
        book.sessionAlpn = this.#options.session!.alpn;
        book.sentAsEarlyData = early.length;
      };
      io.stopEarlyData = () => this.#write.installProtector(new PlaintextProtector());
      io.earlyDataAccepted = () => {
        this.#earlyData!.accepted = true;
      };
    }
    return io;
  }

  /** With `traceMessages`, report a message as it passes (a copy: the caller keeps its bytes). */
  #trace(direction: 'sent' | 'received', contentType: number, body: Uint8Array): void {
    if (!this.config.traceMessages) return;
    const current = this.#state?.version;
    const version = current === undefined ? undefined : current === 'tls13' ? 'TLSv1.3' : 'TLSv1.2';
    this.#events.push({ type: 'message', direction, contentType, version, body: body.slice() });
  }
}

/** Messages after which the server waits for us: ServerHelloDone (RFC 5246 §7.4.5) and HelloRetryRequest (RFC 8446 §4.1.4). */
function endsServerFlight(msg: HandshakeMessage): boolean {
  return msg.type === HandshakeType.ServerHelloDone || (msg.type === HandshakeType.ServerHello && msg.isHelloRetryRequest);
}

const CCS_BODY = /* @__PURE__ */ new Uint8Array([1]);
