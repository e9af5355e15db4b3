/**
 * TLSSocket: a Node Duplex over a sans-IO TLS client engine, shaped like `node:tls`'s
 * TLSSocket for the parts applications use (events `secureConnect`, `session`, `keylog`;
 * `getProtocol()`, `getCipher()`, `getPeerCertificate()`, `alpnProtocol`, `authorized`, ...).
 * Writes made before the handshake completes are held until it does; `end()` sends
 * close_notify (RFC 8446 §6.1) and FIN and keeps reading until the peer's close_notify.
 * @module
 */
import { Duplex } from 'node:stream';
import { UsageError, type ClientEvent, type InvalidCertificate, type NegotiatedParameters, type ResumptionData } from '@puretls/tls-core';
import type { TlsEngine } from './engine.ts';
import { cipherInfo, ephemeralKeyInfo, groupName, signatureSchemeName, type CipherInfo } from './names.ts';
import { isSelfSigned, peerCertificate, type PeerCertificate } from './peer-certificate.ts';
import { Pump, type PumpHost } from './pump.ts';
import { exportSession, type SessionValue } from './session-hook.ts';

/** Options of the TLSSocket wrapper itself (connect() fills them). */
export interface TLSSocketOptions {
  /** Keep the writable side open after the peer's close_notify (default false, as in Node). */
  allowHalfOpen?: boolean;
  /** The SNI / verification name, for `servername`. */
  servername?: string | undefined;
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
export type EngineFactory = (wants: { keyLog: boolean }) => TlsEngine;

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

  #engine: TlsEngine | undefined;
  #pump: Pump | undefined;
  #readRequested = false;
  #secure = false;
  #pendingWrites: Array<[Uint8Array, Callback]> = [];
  #pendingFinal: Callback | undefined;
  #session: ResumptionData | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param socket the transport (a connected or connecting net.Socket, or any Duplex)
   * @param engine the engine, or a factory called on the next tick
   */
  constructor(socket: Duplex, engine: TlsEngine | EngineFactory, options: TLSSocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, decodeStrings: true, readableHighWaterMark: READABLE_HIGH_WATER_MARK });
    this.socket = socket;
    this.servername = options.servername;
    process.nextTick(() => this.#start(engine));
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
    return peerCertificate(this.#negotiated?.peerCertificates ?? [], detailed) ?? {};
  }

  /**
   * Our own certificate as Node describes it (Node's `getCertificate()`): the client certificate
   * this connection authenticated with (sent in this handshake, or recorded with the resumed
   * session), or `{}` when none was sent.
   */
  getCertificate(): PeerCertificate | Record<string, never> {
    return peerCertificate(this.#negotiated?.clientCertificate ?? []) ?? {};
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

  /** The most recent resumable session (see session-hook.ts for its form), or undefined. */
  getSession(): SessionValue | undefined {
    return this.#session === undefined ? undefined : exportSession(this.#session);
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
    if (!this.#secure || this.#pump === undefined) {
      this.#pendingWrites.push([chunk, callback]);
      return;
    }
    this.#pump.writeApplicationData(chunk, callback);
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

  #start(source: TlsEngine | EngineFactory): void {
    if (this.destroyed) return;
    let engine: TlsEngine;
    try {
      engine = typeof source === 'function' ? source({ keyLog: this.listenerCount('keylog') > 0 }) : source;
    } catch (e) {
      this.destroy(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.#engine = engine;
    this.#pump = new Pump(engine, this.socket, this.#pumpHost());
    this.#pump.start();
    if (this.#readRequested) this.#pump.wantRead();
  }

  #started(): TlsEngine {
    if (this.#engine === undefined) throw new UsageError('the TLS connection has not started yet');
    return this.#engine;
  }

  readonly #onInnerTimeout = (): void => {
    this.emit('timeout');
  };

  #pumpHost(): PumpHost {
    return {
      deliver: (chunk) => this.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
      handleEvents: (events) => {
        for (const event of events) this.#handleEvent(event);
      },
      peerClosed: () => {
        this.push(null);
      },
      fail: (err) => {
        this.destroy(err);
      },
    };
  }

  #handleEvent(event: ClientEvent): void {
    switch (event.type) {
      case 'handshakeDone':
        this.#onHandshakeDone();
        return;
      case 'session':
        this.#session = event.session;
        this.emit('session', exportSession(event.session));
        return;
      case 'keyLog':
        this.emit('keylog', Buffer.from(`${event.entry.line}\n`, 'latin1'));
        return;
      case 'alert':
        this.emit('alert', event);
        return;
      case 'keyUpdate':
        this.emit('keyUpdate', event);
        return;
      case 'peerClosed':
        return; // reported by the pump once all data before close_notify is delivered
    }
  }

  #onHandshakeDone(): void {
    const n = this.#negotiated;
    this.#secure = true;
    this.alpnProtocol = n?.alpn ?? false;
    const failure = n?.certificateError;
    this.authorized = failure === undefined;
    this.authorizationError = failure === undefined ? null : authorizationCode(failure, n?.peerCertificates ?? []);
    this.emit('secureConnect');
    const pump = this.#pump!;
    for (const [chunk, callback] of this.#pendingWrites.splice(0)) pump.writeApplicationData(chunk, callback);
    const final = this.#pendingFinal;
    this.#pendingFinal = undefined;
    if (final !== undefined) pump.finish(final);
  }
}

/**
 * The OpenSSL verify-error code Node puts in `authorizationError` for a puretls certificate
 * failure (Node uses these names; `ERR_TLS_CERT_ALTNAME_INVALID` for a host name mismatch).
 */
export function authorizationCode(err: Error, chain: readonly Uint8Array[]): string {
  const reason = (err as Partial<InvalidCertificate>).reason;
  if (reason === undefined) return (err as { code?: string }).code ?? err.message;
  if (reason === 'UnknownIssuer' && chain.length >= 1 && isSelfSigned(chain[0]!)) {
    return chain.length === 1 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN';
  }
  return VERIFY_CODES[reason] ?? reason;
}

const VERIFY_CODES: Readonly<Record<string, string>> = {
  Expired: 'CERT_HAS_EXPIRED',
  NotYetValid: 'CERT_NOT_YET_VALID',
  UnknownIssuer: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  BadSignature: 'CERT_SIGNATURE_FAILURE',
  NotValidForName: 'ERR_TLS_CERT_ALTNAME_INVALID',
  CaUsedAsEndEntity: 'INVALID_PURPOSE',
  EndEntityUsedAsCa: 'INVALID_CA',
  PathLengthExceeded: 'PATH_LENGTH_EXCEEDED',
  WeakSignatureAlgorithm: 'CA_MD_TOO_WEAK',
  WeakKey: 'EE_KEY_TOO_SMALL',
  UnknownCriticalExtension: 'UNHANDLED_CRITICAL_EXTENSION',
  NameConstraintViolation: 'PERMITTED_VIOLATION',
  BadEncoding: 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  WrongKeyUsage: 'INVALID_PURPOSE',
  ChainTooLong: 'CERT_CHAIN_TOO_LONG',
};

/**
 * Decrypted bytes the socket buffers before it stops reading the transport (Node's default is
 * 16 KiB, exactly one full TLS record): 64 KiB lets the pump decrypt a whole socket read per turn of
 * the event loop instead of pausing after every record. Backpressure still stops socket reads
 * once this much is waiting for a consumer.
 */
const READABLE_HIGH_WATER_MARK = 64 * 1024;
