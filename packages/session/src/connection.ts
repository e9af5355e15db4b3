/**
 * `Connection`: a tls-core client connection bound to a {@link Context}, with OpenSSL's
 * client-side session contract (`SSL_set_session`, `SSL_get_session`, `SSL_get1_session`,
 * `SSL_session_reused`, the bad-session rule of `ssl_clear_bad_session`, and the fatal-alert
 * rule that removes the session from the cache). It is itself a tls-core `ClientEngine` (the
 * one engine interface the transports drive) over the engine of the current handshake, and
 * turns the engine's `session` events into {@link Session}s that feed the Context's cache:
 * every TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1) and the TLS 1.2 session at the end of a
 * handshake (RFC 5246 §7.3, RFC 5077 §3.3: a new ticket replaces the old one). Its own
 * `session` event ({@link SessionEvent}) carries the Session and its serialized bytes; the
 * engine's resumption secrets never leave it.
 * @module
 */
import { ClientConnection, UsageError, type ClientConnectionOptions, type ClientEngine, type ClientEvent, type KeyShareReserve, type NegotiatedParameters, type ResumptionData } from '@puretls/tls-core';
import { SessionError } from './errors.ts';
import type { SessionOwner } from './owner.ts';
import { Session } from './session.ts';

/**
 * The Context as a Connection sees it: its cache, clock-based expiry, the engine factory and the
 * ownership check. The Context implements it (context.ts), so this module does not import it.
 */
export interface ConnectionOwner extends SessionOwner {
  /** The lifetime given to TLS 1.2 sessions whose server announced none (seconds). */
  readonly sessionLifetimeSeconds: number;
  /** @throws SessionError ForeignContext / SessionFreed */
  checkOwn(session: Session): void;
  /** True when the session is past its own lifetime or the Context's. */
  isExpired(session: Session): boolean;
  /** Add to the cache, taking a reference (false when already cached or caching is off). */
  addSession(session: Session): boolean;
  /** Remove from the cache, dropping its reference (false when not cached). */
  removeSession(session: Session): boolean;
  /** An engine for one handshake. */
  newEngine(options: ClientConnectionOptions, keyLog: boolean): ClientEngine;
}

/** Where a connection goes. */
export interface ConnectionTarget {
  /** Server name (SNI, certificate identity, cache key) or IP address. */
  readonly host: string;
  /** TCP port (cache key). Default 0. */
  readonly port?: number;
  /** Send server_name (default true). */
  readonly sendServerName?: boolean;
  /** Compute key log lines (default: the Context config's keyLog). */
  readonly keyLog?: boolean;
  /**
   * Called synchronously for every new Session, before anything can replace or free it
   * (OpenSSL's new-session callback, `SSL_CTX_sess_set_new_cb`). The Session is valid during
   * the call; `upRef()` it to keep it. A later ticket in the same read can replace it as the
   * connection's session before `takeEvents()` returns, so serialize it here if you need it
   * afterwards. Must not throw.
   */
  readonly onNewSession?: (session: Session) => void;
  /** Key shares made ahead of time for the ClientHello (tls-core `KeyShareReserve`); default: made at start(). */
  readonly keyShareReserve?: KeyShareReserve;
  /**
   * Serialize each new Session when it is made, so that its {@link SessionEvent.bytes} outlive
   * it (a later ticket in the same read replaces and frees it before `takeEvents()` returns).
   * A function is asked at each new Session. Default false: bytes are made on the first
   * `bytes()` call, while the Session is alive (most connections never ask).
   */
  readonly serializeSessions?: boolean | (() => boolean);
  /**
   * TLS 1.3 0-RTT early data for the first handshake (tls-core's `ClientConnectionOptions.earlyData`,
   * RFC 8446 §4.2.10): sent before the server answers when the session offered at that start()
   * allows it (docs/early-data.md). A later start() on this connection (a new handshake) sends
   * none. Replayable by an attacker (RFC 8446 Appendix E.5): only for requests safe to repeat.
   * The `earlyData` event and `negotiated.earlyData` report the outcome.
   */
  readonly earlyData?: Uint8Array;
}

/**
 * A session as the Connection reports it. The engine's resumption data (secrets included) stays
 * inside the Connection: the application sees the Session and its serialized form.
 */
export interface SessionEvent {
  readonly type: 'session';
  /**
   * The new Session (a TLS 1.3 NewSessionTicket, the TLS 1.2 session of a full handshake or a
   * renewed ticket), or the resumed one when a TLS 1.2 resumption renewed nothing. The
   * Connection owns it: it is freed when replaced or at `free()`; `upRef()` it to keep it.
   */
  readonly handle: Session;
  /**
   * `handle.toBytes()` (docs/session.md), made once and a new copy per call; undefined when the
   * Session was freed before it was serialized (see {@link ConnectionTarget.serializeSessions}).
   */
  bytes(): Uint8Array | undefined;
}

/** The Connection's events: the engine's, with `session` events as {@link SessionEvent}s. */
export type ConnectionEvent = Exclude<ClientEvent, { readonly type: 'session' }> | SessionEvent;

export class Connection implements ClientEngine<ConnectionEvent> {
  readonly context: ConnectionOwner;
  readonly host: string;
  readonly port: number;
  readonly #target: ConnectionTarget;
  #engine: ClientEngine | undefined;
  /** OpenSSL's `s->session`: the session to offer, or the one this connection established. */
  #session: Session | undefined;
  /** The session offered in the handshake in progress. */
  #offered: Session | undefined;
  /** Whether #session came from (or was used by) the current engine: the bad-session rule applies. */
  #sessionBound = false;
  #established = false;
  #reused = false;
  #failureHandled = false;
  /** The first start() takes the target's early data; later handshakes send none. */
  #earlyDataUsed: boolean | undefined;
  #events: ConnectionEvent[] = [];

  /** Internal: use {@link Context.createConnection}. */
  constructor(context: ConnectionOwner, target: ConnectionTarget) {
    this.context = context;
    this.#target = target;
    this.host = target.host;
    this.port = target.port ?? 0;
  }

  /**
   * Set the session to offer when the next handshake starts (`SSL_set_session`), or none.
   * Takes a reference to `session`; releases the previous one, which is first removed from the
   * cache if it is "bad" (this connection established it and sent no close_notify).
   * Nothing changes when it throws.
   * @throws SessionError ForeignContext / SessionFreed / HandshakeInProgress
   */
  setSession(session: Session | undefined): void {
    if (session !== undefined) this.context.checkOwn(session);
    if (this.#inHandshake()) throw new SessionError('HandshakeInProgress', 'setSession() during a handshake');
    this.#clearBadSession();
    session?.upRef();
    const old = this.#session;
    this.#session = session;
    this.#sessionBound = false;
    old?.free();
  }

  /** The connection's session (`SSL_get_session`): no reference is taken; do not free it. */
  getSession(): Session | undefined {
    return this.#session;
  }

  /** The connection's session with a new reference (`SSL_get1_session`): the caller must free() it. */
  get1Session(): Session | undefined {
    return this.#session?.upRef();
  }

  /** Whether the last handshake resumed the offered session (`SSL_session_reused`). */
  sessionReused(): boolean {
    return this.#reused;
  }

  /**
   * Queue the ClientHello, offering the set session if it has not expired. On a connection
   * used before (its handshake finished or failed) this starts a new handshake over a new
   * engine, as `SSL_clear()` + `SSL_connect()` do.
   * @throws SessionError HandshakeInProgress
   */
  start(): void {
    if (this.#inHandshake()) throw new SessionError('HandshakeInProgress', 'start() during a handshake');
    if (this.#engine !== undefined) {
      // SSL_clear(): a bad session is removed from the cache and not offered again.
      if (this.#clearBadSession()) this.#dropSession();
      this.#established = false;
      this.#reused = false;
      this.#failureHandled = false;
    }
    let offer = this.#session;
    if (offer !== undefined && this.context.isExpired(offer)) {
      this.context.removeSession(offer);
      this.#dropSession();
      offer = undefined;
    }
    this.#offered = offer;
    this.#sessionBound = offer !== undefined;
    let options: ClientConnectionOptions = {
      host: this.#target.host,
      sendServerName: this.#target.sendServerName ?? true,
      ...(offer === undefined ? {} : { session: offer.resumptionData() }),
      ...(this.#target.keyShareReserve === undefined ? {} : { keyShareReserve: this.#target.keyShareReserve }),
    };
    // Dropped from the default embedding bundle, which has no 0-RTT (tls-core client/early-data.ts).
    EARLY_DATA: {
      const earlyData = this.#earlyDataUsed ? undefined : this.#target.earlyData;
      this.#earlyDataUsed = true;
      if (earlyData !== undefined) options = { ...options, earlyData };
    }
    this.#engine = this.context.newEngine(options, this.#target.keyLog ?? false);
    this.#call(() => this.#engine!.start());
  }

  receive(bytes: Uint8Array): void {
    this.#call(() => this.#started().receive(bytes));
  }

  receiveEof(): void {
    this.#call(() => this.#started().receiveEof());
  }

  takeOutgoing(): Uint8Array | undefined {
    return this.#engine?.takeOutgoing();
  }

  write(plaintext: Uint8Array): void {
    this.#call(() => this.#started().write(plaintext));
  }

  readPlaintext(): Uint8Array | undefined {
    return this.#engine?.readPlaintext();
  }

  /** Events since the last call; `session` events are {@link SessionEvent}s. */
  takeEvents(): ConnectionEvent[] {
    this.#drain();
    const e = this.#events;
    this.#events = [];
    return e;
  }

  /** Send close_notify. A connection that did so leaves its session good for reuse. */
  close(): void {
    this.#call(() => this.#engine?.close());
  }

  /** The transport is gone: the engine wipes its record keys. The session stays as it is. */
  destroy(): void {
    this.#engine?.destroy?.();
  }

  requestKeyUpdate(requestPeerUpdate: boolean): void {
    this.#call(() => this.#started().requestKeyUpdate(requestPeerUpdate));
  }

  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    return this.#started().exportKeyingMaterial(label, context, length);
  }

  /**
   * True when {@link receive} is done with the bytes it is given once it returns, so that a
   * transport may feed it a read buffer it reuses (transport-node's tcp-input.ts): the engine of
   * the current handshake is tls-core's `ClientConnection`, which consumes every complete record
   * inside receive() (views of the input live only during the call; AEAD output is fresh memory;
   * handshake fragments, unprotected payloads and partial records are copied) and keeps no view of
   * unread input. False before start() and for other engines (`engineFactory`): copy the input.
   */
  get receiveCopiesInput(): boolean {
    return this.#engine instanceof ClientConnection;
  }

  get isHandshaking(): boolean {
    return this.#engine === undefined ? true : this.#engine.isHandshaking;
  }

  get isClosed(): boolean {
    return this.#engine?.isClosed ?? false;
  }

  get isWriteClosed(): boolean {
    return this.#engine?.isWriteClosed ?? false;
  }

  get error(): Error | undefined {
    return this.#engine?.error;
  }

  get negotiated(): NegotiatedParameters | undefined {
    return this.#engine?.negotiated;
  }

  get finishedVerifyData(): Uint8Array | undefined {
    return this.#engine?.finishedVerifyData;
  }

  get peerFinishedVerifyData(): Uint8Array | undefined {
    return this.#engine?.peerFinishedVerifyData;
  }

  /** The tls-core engine of the current handshake (undefined before start()). */
  get engine(): ClientEngine | undefined {
    return this.#engine;
  }

  /**
   * Release the connection's session (`SSL_free`), applying the bad-session rule first.
   * The connection can still be started again afterwards, without a session.
   */
  free(): void {
    this.#clearBadSession();
    this.#dropSession();
  }

  // ----------------------------------------------------------------------------------------------

  #started(): ClientEngine {
    if (this.#engine === undefined) throw new UsageError('start() has not been called');
    return this.#engine;
  }

  #inHandshake(): boolean {
    const e = this.#engine;
    return e !== undefined && e.error === undefined && !this.#established;
  }

  /** Run an engine call, then process the events it produced (also when it throws). */
  #call(fn: () => void): void {
    try {
      fn();
    } finally {
      this.#drain();
    }
  }

  #drain(): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    for (const event of engine.takeEvents()) {
      if (event.type === 'handshakeDone') this.#onHandshakeDone(engine);
      if (event.type === 'session') {
        const { session, made } = this.#onSession(event.session, engine);
        this.#events.push(sessionEvent(session, made && this.#serializeNow()));
        continue;
      }
      this.#events.push(event);
    }
    if (engine.error !== undefined && !this.#failureHandled) {
      this.#failureHandled = true;
      // OpenSSL removes the session from the cache on a fatal alert, sent or received.
      if (this.#session !== undefined && this.#sessionBound) this.context.removeSession(this.#session);
    }
  }

  #onHandshakeDone(engine: ClientEngine): void {
    this.#established = true;
    this.#reused = engine.negotiated?.sessionReused === true && this.#offered !== undefined;
    const offered = this.#offered;
    this.#offered = undefined;
    // Not resumed: the reference taken by setSession() is dropped during the handshake.
    if (offered !== undefined && !this.#reused && this.#session === offered) this.#dropSession();
  }

  /**
   * @returns the Session made from the event (`made`), or the resumed one when a TLS 1.2
   *   resumption renewed nothing
   */
  #onSession(data: ResumptionData, engine: ClientEngine): { session: Session; made: boolean } {
    const current = this.#session;
    const resumed = engine.negotiated?.sessionReused === true;
    // TLS 1.2 resumption that renewed nothing: the offered session stays the connection's.
    if (data.version === 'TLSv1.2' && resumed && current !== undefined && current.sameAs(data)) return { session: current, made: false };
    const fixed: ResumptionData =
      data.version === 'TLSv1.2' && data.lifetimeSeconds === 0 ? { ...data, lifetimeSeconds: this.context.sessionLifetimeSeconds } : data;
    const session = new Session(this.context, fixed, this.host, this.port);
    this.#session = session;
    this.#sessionBound = true;
    if (current !== undefined) {
      // RFC 5077 §3.3: a new ticket for a resumed TLS 1.2 session replaces the old one.
      if (data.version === 'TLSv1.2' && resumed) this.context.removeSession(current);
      current.free();
    }
    this.context.addSession(session);
    this.#target.onNewSession?.(session);
    return { session, made: true };
  }

  #serializeNow(): boolean {
    const s = this.#target.serializeSessions;
    return typeof s === 'function' ? s() : s === true;
  }

  /** ssl_clear_bad_session: established here, no close_notify sent → remove it from the cache. */
  #clearBadSession(): boolean {
    const s = this.#session;
    const e = this.#engine;
    if (s === undefined || e === undefined || !this.#sessionBound || !this.#established || e.isWriteClosed) return false;
    this.context.removeSession(s);
    return true;
  }

  #dropSession(): void {
    const s = this.#session;
    this.#session = undefined;
    this.#sessionBound = false;
    s?.free();
  }
}

/** The {@link SessionEvent} for `session`, serialized now when `eager`, else on the first `bytes()`. */
function sessionEvent(session: Session, eager: boolean): SessionEvent {
  let bytes = eager ? session.toBytes() : undefined;
  return {
    type: 'session',
    handle: session,
    bytes: () => {
      if (bytes === undefined) {
        if (session.refCount <= 0) return undefined;
        bytes = session.toBytes();
      }
      return bytes.slice();
    },
  };
}
