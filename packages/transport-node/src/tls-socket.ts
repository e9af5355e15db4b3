/**
 * TLSSocket: a Node Duplex over a sans-IO TLS client engine, shaped like `node:tls`'s
 * TLSSocket for the parts applications use (events `secureConnect`, `session`, `keylog`;
 * `getProtocol()`, `getCipher()`, `getPeerCertificate()`, `alpnProtocol`, `authorized`, ...).
 * Writes made before the handshake completes are held until it does; `end()` sends
 * close_notify (RFC 8446 §6.1) and FIN and keeps reading until the peer's close_notify.
 * The net.Socket surface HTTP stacks call (`ref`/`unref`, `connecting`, `pending`, `address()`,
 * `destroySoon()`, byte counts) is delegated to the transport; errors carry Node's `code`
 * (node-errors.ts); an optional handshake deadline destroys a connection that does not complete.
 * Differences from node:tls are listed in docs/node-compat.md.
 * @module
 */
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { UsageError, type ClientEngine, type NegotiatedParameters } from '@puretls/tls-core';
import type { ConnectionEvent } from '@puretls/session';
import { cipherInfo, ephemeralKeyInfo, groupName, signatureSchemeName, type CipherInfo } from './names.ts';
import { HandshakeTimeout, verifyCode, withNodeCode } from './node-errors.ts';
import { peerCertificate, type PeerCertificate } from './peer-certificate.ts';
import { Pump, type PumpHost } from './pump.ts';
import type { TcpInput } from './tcp-input.ts';

/** Options of the TLSSocket wrapper itself (connect() fills them). */
export interface TLSSocketOptions {
  /** Keep the writable side open after the peer's close_notify (default false, as in Node). */
  allowHalfOpen?: boolean;
  /** The SNI / verification name, for `servername`. */
  servername?: string | undefined;
  /**
   * Milliseconds from the start until the handshake must be complete (TCP connect included);
   * past it the socket is destroyed with a {@link HandshakeTimeout} (`ERR_TLS_HANDSHAKE_TIMEOUT`).
   * 0 or undefined: no deadline. connect() defaults it to {@link DEFAULT_HANDSHAKE_TIMEOUT_MS}.
   */
  handshakeTimeout?: number | undefined;
  /**
   * Report a transport EOF without close_notify after the handshake as a clean `'end'` (with
   * {@link TLSSocket.unauthenticatedEnd} set) instead of an error. Default false. See docs/node-compat.md.
   */
  allowUnauthenticatedEnd?: boolean | undefined;
  /** The trust anchor that issued a certificate (DER), for `getPeerCertificate(true)`. */
  anchorFor?: ((der: Uint8Array) => Uint8Array | undefined) | undefined;
  /**
   * The onread reader of `socket` (tcp-input.ts), when connect() opened the TCP connection
   * itself: input then bypasses the socket's Readable side. `socket` must be `tcpInput.socket`.
   */
  tcpInput?: TcpInput | undefined;
}

/**
 * The `'earlyData'` event's argument (puretls extra; tls-core's `earlyData` event, RFC 8446
 * §4.2.10, docs/early-data.md): what became of `connect({ earlyData })`.
 */
export interface EarlyDataInfo {
  /** 'accepted', 'rejected' (re-sent or handed back, see `unsent`), or 'not-offered' (the session did not allow 0-RTT). */
  status: 'accepted' | 'rejected' | 'not-offered';
  /** Bytes sent in 0-RTT records. */
  sentAsEarlyData: number;
  /** Bytes sent as ordinary data right after the handshake (the part beyond max_early_data_size, or all of it after a rejection with the session's ALPN). */
  sentAfterHandshake: number;
  /** The bytes handed back unsent (rejected with another ALPN, or not offered): the application decides whether to write them. */
  unsent: Buffer | undefined;
}

/** Node's `getEphemeralKeyInfo()` result. */
export interface EphemeralKeyInfo {
  type: 'ECDH' | 'DH';
  name: string;
  size: number;
}

type Callback = (err?: Error | null) => void;

/**
 * Makes the engine when the socket starts (on the next tick, so that listeners attached right
 * after `connect()` returns are seen): `keyLog` is true when a `'keylog'` listener exists, as
 * Node only computes key log lines for listeners.
 */
export type EngineFactory = (wants: { keyLog: boolean }) => ClientEngine<ConnectionEvent>;

/**
 * A TLS client connection as a Duplex stream.
 * @example
 * const sock = new TLSSocket(netSocket, engine, { servername: 'example.com' });
 * sock.on('secureConnect', () => sock.end('GET / HTTP/1.0\r\n\r\n'));
 */
export class TLSSocket extends Duplex {
  /** Always true, as on Node's TLSSocket. */
  readonly encrypted = true;
  /** True when the peer's chain verified (false with `rejectUnauthorized: false` and a bad chain). */
  authorized = false;
  /** Node/OpenSSL-style code of the verification failure (`CERT_HAS_EXPIRED`, ...), or null. */
  authorizationError: string | null = null;
  /** The negotiated ALPN protocol, or false (Node's convention). */
  alpnProtocol: string | false = false;
  /** The server name sent in SNI, if any. */
  readonly servername: string | undefined;
  /** The underlying transport. */
  readonly socket: Duplex;
  /**
   * True when the stream ended at a transport EOF without the peer's close_notify and
   * `allowUnauthenticatedEnd` turned that into a clean `'end'`: the data may have been truncated.
   */
  unauthenticatedEnd = false;
  /**
   * What became of `connect({ earlyData })` (puretls extra), set just before `'earlyData'` and
   * `'secureConnect'`: 'accepted', 'rejected' or 'not-offered'; undefined before the handshake
   * completes or when no early data was given.
   */
  earlyDataStatus: 'accepted' | 'rejected' | 'not-offered' | undefined = undefined;

  #engine: ClientEngine<ConnectionEvent> | undefined;
  #pump: Pump | undefined;
  #readRequested = false;
  #secure = false;
  #pendingWrites: Array<[Uint8Array, Callback]> = [];
  #pendingFinal: Callback | undefined;
  /** The newest session's bytes, or how to make them (the event's `bytes()`, on the first getSession()). */
  #session: Buffer | (() => Uint8Array | undefined) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #options: TLSSocketOptions;
  #bytesWritten = 0;
  #bytesRead = 0;

  /**
   * @param socket the transport (a connected or connecting net.Socket, or any Duplex)
   * @param engine the engine (a @puretls/session `Connection`, or a test's fake), or a factory called on the next tick
   */
  constructor(socket: Duplex, engine: ClientEngine<ConnectionEvent> | EngineFactory, options: TLSSocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, decodeStrings: true, readableHighWaterMark: READABLE_HIGH_WATER_MARK });
    this.socket = socket;
    this.servername = options.servername;
    this.#options = options;
    const deadline = options.handshakeTimeout ?? 0;
    if (deadline > 0) {
      this.#handshakeTimer = setTimeout(() => this.destroy(new HandshakeTimeout(deadline)), deadline);
      this.#handshakeTimer.unref(); // the socket keeps the process alive, not its deadline
    }
    process.nextTick(() => this.#start(engine));
  }

  /** True while the TCP connection is being opened (as net.Socket's). */
  get connecting(): boolean {
    return (this.socket as Duplex & { connecting?: boolean }).connecting ?? false;
  }

  /** True while the transport is not connected yet (as net.Socket's). */
  get pending(): boolean {
    return (this.socket as Duplex & { pending?: boolean }).pending ?? false;
  }

  /** Plaintext bytes written by the application (accepted and still queued), as Node's TLSSocket counts them. */
  get bytesWritten(): number {
    return this.#bytesWritten + this.writableLength;
  }

  /** Plaintext bytes received. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** The local address of the transport (`{ address, family, port }`), or `{}`. */
  address(): AddressInfo | Record<string, never> {
    const inner = this.socket as Duplex & { address?: () => AddressInfo | Record<string, never> };
    return typeof inner.address === 'function' ? inner.address() : {};
  }

  /** Let the transport keep the event loop alive again (net.Socket `ref()`). */
  ref(): this {
    (this.socket as Duplex & { ref?: () => unknown }).ref?.();
    return this;
  }

  /** Do not keep the event loop alive for this connection (net.Socket `unref()`). */
  unref(): this {
    (this.socket as Duplex & { unref?: () => unknown }).unref?.();
    return this;
  }

  /** The verify_data of our latest Finished (OpenSSL SSL_get_finished), or undefined before the handshake. */
  getFinished(): Buffer | undefined {
    const v = this.#engine?.finishedVerifyData;
    return v === undefined ? undefined : Buffer.from(v);
  }

  /** The verify_data of the server's Finished (SSL_get_peer_finished), or undefined. */
  getPeerFinished(): Buffer | undefined {
    const v = this.#engine?.peerFinishedVerifyData;
    return v === undefined ? undefined : Buffer.from(v);
  }

  /** The server's leaf as a node:crypto X509Certificate, or undefined. */
  getPeerX509Certificate(): X509Certificate | undefined {
    const leaf = this.#negotiated?.peerCertificates[0];
    return leaf === undefined ? undefined : new X509Certificate(leaf);
  }

  /** Our own certificate as an X509Certificate (Node's `getX509Certificate()`): the client leaf we authenticated with, else undefined. */
  getX509Certificate(): X509Certificate | undefined {
    const leaf = this.#negotiated?.clientCertificate?.[0];
    return leaf === undefined ? undefined : new X509Certificate(leaf);
  }

  /** net.Socket's `destroySoon()` (used by node:http): end, then destroy once everything is written. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Renegotiation is never done (secure by default; RFC 5746 clients may refuse it): a no-op, as after Node's own call. */
  disableRenegotiation(): void {}

  /**
   * Node's client-initiated renegotiation: not supported. Calls back with an error and returns false.
   */
  renegotiate(_options: unknown, callback?: (err: Error | null) => void): boolean {
    const err = new UsageError('renegotiation is not supported');
    if (callback !== undefined) process.nextTick(() => callback(err));
    return false;
  }

  /** `'TLSv1.3'` / `'TLSv1.2'`, or null before the handshake. */
  getProtocol(): string | null {
    return this.#negotiated?.versionName ?? null;
  }

  /** Node's `{ name, standardName, version }`, or undefined before the handshake. */
  getCipher(): CipherInfo | undefined {
    const n = this.#negotiated;
    return n === undefined ? undefined : cipherInfo(n.suite);
  }

  /**
   * The server's leaf certificate as Node describes it, or `{}` when there is none.
   * @param detailed link `issuerCertificate` along the chain the server sent
   */
  getPeerCertificate(detailed = false): PeerCertificate | Record<string, never> {
    return peerCertificate(this.#negotiated?.peerCertificates ?? [], detailed, this.#options.anchorFor) ?? {};
  }

  /**
   * Our own certificate as Node describes it (Node's `getCertificate()`): the client certificate
   * this connection authenticated with (sent in this handshake, or recorded with the resumed
   * session), or `null` when none was sent.
   */
  getCertificate(): PeerCertificate | null {
    return peerCertificate(this.#negotiated?.clientCertificate ?? []) ?? null;
  }

  /** The stapled OCSP response's verdict ('good', 'revoked', 'unknown', 'invalid', 'none', 'unchecked'), or undefined before the handshake or when resumed (puretls extra). */
  getOcspStatus(): string | undefined {
    return this.#negotiated?.ocspStatus;
  }

  /** The scheme of our CertificateVerify, e.g. `'ecdsa_secp256r1_sha256'`, when we sent one (puretls extra). */
  getClientSignatureScheme(): string | undefined {
    const scheme = this.#negotiated?.clientSignatureScheme;
    return scheme === undefined ? undefined : signatureSchemeName(scheme);
  }

  /** DER certificates as the server sent them, leaf first (puretls extra). */
  getPeerCertificateChain(): readonly Uint8Array[] {
    return this.#negotiated?.peerCertificates ?? [];
  }

  /** True when the handshake resumed a session. */
  isSessionReused(): boolean {
    return this.#negotiated?.sessionReused ?? false;
  }

  /**
   * The most recent resumable session, serialized (`Session.toBytes()`, docs/session.md), or
   * undefined; also after 'close', as in Node. It is serialized on demand (the newest one only;
   * listen to 'session' to get every one).
   */
  getSession(): Buffer | undefined {
    let v = this.#session;
    if (typeof v === 'function') {
      const bytes = v();
      this.#session = v = bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return v === undefined ? undefined : Buffer.from(v); // a copy per call, as Node's
  }

  /** The ECDHE group, e.g. `'X25519'` (puretls extra), or undefined. */
  getNegotiatedGroup(): string | undefined {
    const group = this.#negotiated?.group;
    return group === undefined ? undefined : groupName(group);
  }

  /** The server's handshake signature scheme, e.g. `'rsa_pss_rsae_sha256'` (puretls extra). */
  getPeerSignatureScheme(): string | undefined {
    const scheme = this.#negotiated?.signatureScheme;
    return scheme === undefined ? undefined : signatureSchemeName(scheme);
  }

  /** Node's `getEphemeralKeyInfo()`: `{ type: 'ECDH', name: 'X25519', size: 253 }`, or `{}`. */
  getEphemeralKeyInfo(): EphemeralKeyInfo | Record<string, never> {
    const group = this.#negotiated?.group;
    if (group === undefined) return {};
    const { type, name, size } = ephemeralKeyInfo(group);
    return { type, name, size };
  }

  /** Everything the engine negotiated (puretls extra). */
  get negotiated(): NegotiatedParameters | undefined {
    return this.#negotiated;
  }

  /**
   * RFC 8446 §7.5 / RFC 5705 keying material exporter, with Node's argument order.
   * @throws the engine's UsageError before the handshake completes
   */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    return Buffer.from(this.#started().exportKeyingMaterial(label, context, length));
  }

  /** Send a TLS 1.3 KeyUpdate, asking the peer to update too when `requestPeer` (puretls extra). */
  updateKeys(requestPeer = false): void {
    this.#started().requestKeyUpdate(requestPeer);
    this.#pump?.run();
  }

  /**
   * Emit `'timeout'` after `ms` of the connection being open; 0 disables. Delegates to the
   * underlying net.Socket's idle timer when there is one.
   */
  setTimeout(ms: number, callback?: () => void): this {
    if (callback !== undefined) this.once('timeout', callback);
    const inner = this.socket as Duplex & { setTimeout?: (ms: number) => unknown };
    if (typeof inner.setTimeout === 'function') {
      inner.setTimeout(ms);
      this.socket.removeListener('timeout', this.#onInnerTimeout);
      if (ms > 0) this.socket.on('timeout', this.#onInnerTimeout);
      return this;
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = ms > 0 ? setTimeout(() => this.emit('timeout'), ms) : undefined;
    this.#timer?.unref();
    return this;
  }

  setNoDelay(noDelay = true): this {
    (this.socket as Duplex & { setNoDelay?: (v: boolean) => unknown }).setNoDelay?.(noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    (this.socket as Duplex & { setKeepAlive?: (e: boolean, d: number) => unknown }).setKeepAlive?.(enable, initialDelay);
    return this;
  }

  get remoteAddress(): string | undefined {
    return (this.socket as Duplex & { remoteAddress?: string }).remoteAddress;
  }

  get remotePort(): number | undefined {
    return (this.socket as Duplex & { remotePort?: number }).remotePort;
  }

  get localAddress(): string | undefined {
    return (this.socket as Duplex & { localAddress?: string }).localAddress;
  }

  get localPort(): number | undefined {
    return (this.socket as Duplex & { localPort?: number }).localPort;
  }

  override _read(): void {
    if (this.#pump === undefined) this.#readRequested = true;
    else this.#pump.wantRead();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    const done: Callback = (err) => {
      if (err == null) this.#bytesWritten += chunk.length;
      callback(err);
    };
    if (!this.#secure || this.#pump === undefined) {
      this.#pendingWrites.push([chunk, done]);
      return;
    }
    this.#pump.writeApplicationData(chunk, done);
  }

  override _final(callback: Callback): void {
    if (!this.#secure || this.#pump === undefined) {
      this.#pendingFinal = callback;
      return;
    }
    this.#pump.finish(callback);
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#handshakeTimer !== undefined) clearTimeout(this.#handshakeTimer);
    this.socket.removeListener('timeout', this.#onInnerTimeout);
    this.#pendingWrites = [];
    this.#pendingFinal = undefined;
    if (this.#pump !== undefined) this.#pump.destroy();
    else this.socket.destroy();
    callback(err);
  }

  get #negotiated(): NegotiatedParameters | undefined {
    return this.#engine?.negotiated;
  }

  #start(source: ClientEngine<ConnectionEvent> | EngineFactory): void {
    if (this.destroyed) return;
    let engine: ClientEngine<ConnectionEvent>;
    try {
      engine = typeof source === 'function' ? source({ keyLog: this.listenerCount('keylog') > 0 }) : source;
    } catch (e) {
      this.destroy(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.#engine = engine;
    this.#pump = new Pump(engine, this.socket, this.#pumpHost(), { allowUnauthenticatedEnd: this.#options.allowUnauthenticatedEnd === true, input: this.#options.tcpInput });
    this.#pump.start();
    if (this.#readRequested) this.#pump.wantRead();
  }

  #started(): ClientEngine<ConnectionEvent> {
    if (this.#engine === undefined) throw new UsageError('the TLS connection has not started yet');
    return this.#engine;
  }

  readonly #onInnerTimeout = (): void => {
    this.emit('timeout');
  };

  #pumpHost(): PumpHost {
    return {
      deliver: (chunk) => {
        this.#bytesRead += chunk.byteLength;
        return this.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      },
      handleEvents: (events) => {
        for (const event of events) this.#handleEvent(event);
      },
      peerClosed: (authenticated) => {
        if (!authenticated) this.unauthenticatedEnd = true;
        this.push(null);
        // As net.Socket does at EOF: 'end' is emitted even when nobody reads (the buffer is empty),
        // so an unread socket still reaches 'close'.
        this.read(0);
      },
      fail: (err) => {
        this.destroy(withNodeCode(err, !this.#secure));
      },
    };
  }

  #handleEvent(event: ConnectionEvent): void {
    switch (event.type) {
      case 'handshakeDone':
        this.#onHandshakeDone();
        return;
      case 'session': {
        // Serialized only for a listener or a later getSession() (most connections never ask).
        if (this.listenerCount('session') === 0) {
          this.#session = event.bytes;
          return;
        }
        const bytes = event.bytes();
        if (bytes === undefined) return;
        const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        this.#session = value;
        this.emit('session', value);
        return;
      }
      case 'keyLog':
        this.emit('keylog', Buffer.from(`${event.entry.line}\n`, 'latin1'));
        return;
      case 'earlyData': {
        // Comes just before handshakeDone, so it is known at 'secureConnect'.
        this.earlyDataStatus = event.status;
        const unsent = event.unsent === undefined ? undefined : Buffer.from(event.unsent.buffer, event.unsent.byteOffset, event.unsent.byteLength);
        const info: EarlyDataInfo = { status: event.status, sentAsEarlyData: event.sentAsEarlyData, sentAfterHandshake: event.sentAfterHandshake, unsent };
        this.emit('earlyData', info);
        return;
      }
      case 'alert':
        this.emit('alert', event);
        return;
      case 'keyUpdate':
        this.emit('keyUpdate', event);
        return;
      case 'message':
        this.emit('message', event); // traceMessages (puretls extra; `puretls s_client -msg`)
        return;
      case 'peerClosed':
        return; // reported by the pump once all data before close_notify is delivered
    }
  }

  #onHandshakeDone(): void {
    const n = this.#negotiated;
    this.#secure = true;
    if (this.#handshakeTimer !== undefined) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
    this.alpnProtocol = n?.alpn ?? false;
    const failure = n?.certificateError;
    this.authorized = failure === undefined;
    this.authorizationError = failure === undefined ? null : verifyCode(failure, n?.peerCertificates ?? []);
    this.emit('secureConnect');
    const pump = this.#pump!;
    const pending = this.#pendingWrites.splice(0);
    // Several writes made during the handshake leave in one socket write (writev), with the
    // held handshake flight in front of them (pump.ts).
    const cork = pending.length > 1 && !this.socket.destroyed;
    if (cork) this.socket.cork();
    for (const [chunk, callback] of pending) pump.writeApplicationData(chunk, callback);
    if (cork) this.socket.uncork();
    const final = this.#pendingFinal;
    this.#pendingFinal = undefined;
    if (final !== undefined) pump.finish(final);
  }
}

/**
 * The OpenSSL verify-error code Node puts in `authorizationError` for a puretls certificate
 * failure (kept for callers of 0.1; see node-errors.ts verifyCode).
 */
export function authorizationCode(err: Error, chain: readonly Uint8Array[]): string {
  return verifyCode(err, chain);
}

/** connect()'s default handshake deadline (docs/node-compat.md). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * Decrypted bytes the socket buffers before it stops reading the transport (Node's default is
 * 16 KiB, exactly one full TLS record): 64 KiB lets the pump decrypt a whole socket read per turn of
 * the event loop instead of pausing after every record. Backpressure still stops socket reads
 * once this much is waiting for a consumer.
 */
const READABLE_HIGH_WATER_MARK = 64 * 1024;
