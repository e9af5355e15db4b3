/**
 * `connect()`: the puretls equivalent of Node's `tls.connect()` for the options applications
 * use. It maps Node/OpenSSL option spellings (`ciphers`, `ciphersuites`/`suites`,
 * `ecdhCurve`/`groups`, `ca`, `rejectUnauthorized`, `ALPNProtocols`, ...) onto tls-core's
 * `ClientConfigOptions`, opens the TCP connection (or wraps `options.socket`), and returns a
 * {@link TLSSocket}.
 *
 * Sessions (docs/session.md): every connection runs on a @puretls/session `Connection` of a
 * `Context`: `options.context` (whose cache then offers and stores sessions automatically, and
 * whose configuration replaces the connect options' TLS settings), or a private Context built
 * from the options, without a cache. `options.session` may be a `Session`, its bytes (the
 * `'session'` event's Buffer, `Session.toBytes()`), or engine resumption data. The Connection is
 * the TLSSocket's engine (tls-core's `ClientEngine`): its `session` events carry the Session and
 * its serialized bytes, which the socket hands out (`'session'`, `getSession()`).
 * @module
 */
import { X509Certificate, timingSafeEqual } from 'node:crypto';
import { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  InvalidPrivateKey,
  KeyShareReserve,
  UsageError,
  createClientCredential,
  parseCertificate,
  parsePrivateKeyPem,
  type ClientConfigOptions,
  type ClientConnectionOptions,
  type ClientCredential,
  type ClientCredentialSelector,
  type ClientEngine,
  type ResumptionData,
  type ServerCertificateVerifier,
  type TrustStore,
} from '@puretls/tls-core';
import { x25519MLKEM768 } from '@puretls/tls-core/pq';
import { ocspStapleChecker } from '@puretls/tls-core/ocsp';
import { Context, Session, SessionError } from '@puretls/session';
import { defaultTrustStore, trustStoreFromPem } from './engine-factory.ts';
import { isIpLiteral } from './ip-literal.ts';
import { TLS12_DEFAULT, TLS13_DEFAULT, parseCipherString, parseGroups, parseTls13Suites } from './names.ts';
import { clearRandomPool, pooledRandomBytes } from './random.ts';
import { peerCertificate, type PeerCertificate } from './peer-certificate.ts';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, TLSSocket } from './tls-socket.ts';
import { TcpInput } from './tcp-input.ts';

/** The `tls.connect()` options puretls understands. Unknown keys are ignored, as in Node. */
export interface ConnectOptions {
  host?: string;
  port?: number;
  /** SNI and verification name. Defaults to `host` (SNI is not sent for IP addresses: RFC 6066 §3). */
  servername?: string;
  /** Send SNI (default true; false is `openssl s_client -noservername`; the name is still verified). */
  sendServerName?: boolean;
  /** PEM trust anchors: REPLACE the default roots (Node's bundled `tls.rootCertificates`). */
  ca?: string | Buffer | Uint8Array | ReadonlyArray<string | Buffer | Uint8Array>;
  /** A prebuilt tls-core TrustStore (puretls extra; takes precedence over `ca`). */
  trustStore?: TrustStore;
  /** Default true. When false a bad chain does not abort: `authorized` is false and `authorizationError` says why. */
  rejectUnauthorized?: boolean;
  /** Replaces the host name check; receives Node's certificate object. Return an Error to refuse. */
  checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
  /** ALPN protocols in preference order. */
  ALPNProtocols?: ReadonlyArray<string | Uint8Array>;
  /** Lowest version. `'TLSv1'` and `'TLSv1.1'` (old configurations) are raised to `'TLSv1.2'`: puretls never speaks them. */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher string (TLS 1.2 names; TLS 1.3 names are accepted too). */
  ciphers?: string;
  /** TLS 1.3 suites, colon-separated (OpenSSL `-ciphersuites`). */
  suites?: string;
  /** Alias of `suites` (OpenSSL's spelling). */
  ciphersuites?: string;
  /** Groups in preference order, `'X25519:P-256'` or an array (puretls). */
  groups?: string | readonly string[];
  /** Node's name for `groups`. */
  ecdhCurve?: string;
  /**
   * Groups whose key share the first ClientHello carries, a subset of `groups` (puretls; default:
   * the first group). `'X25519MLKEM768:X25519'` sends both, so a server without the hybrid needs no
   * HelloRetryRequest.
   */
  keyShareGroups?: string | readonly string[];
  /**
   * A session to offer: a `Session` (of `context`, or of a Context with the same security
   * configuration), its bytes (a previous `'session'` event / `getSession()`), or engine data.
   */
  session?: Uint8Array | Session | ResumptionData;
  /**
   * TLS 1.3 0-RTT early data (puretls extra; RFC 8446 §4.2.10, docs/early-data.md): sent in the
   * first flight, before the server answers, when `session` (or the Context's cached session)
   * allows it. A string is sent as UTF-8. An attacker can replay it (RFC 8446 Appendix E.5): only
   * for requests safe to repeat. At most the ticket's max_early_data_size bytes go early, the rest
   * right after the handshake; rejected data is re-sent after the handshake when the negotiated
   * ALPN equals the session's, otherwise handed back in the `'earlyData'` event (`unsent`), as is
   * data that could not be offered. `socket.earlyDataStatus` tells which.
   */
  earlyData?: Buffer | Uint8Array | string;
  /**
   * A @puretls/session Context: its configuration and its client session cache are used (a
   * cached session is offered, and new ones are stored). The options' TLS settings (ca,
   * ciphers, versions, ALPN, ...) are then ignored.
   */
  context?: Context;
  /** An existing transport to run TLS over, instead of opening a TCP connection. */
  socket?: Duplex;
  /** Idle timeout in ms (emits `'timeout'`, as `socket.setTimeout`). */
  timeout?: number;
  /**
   * Deadline in ms for the TCP connect plus the TLS handshake (default 30 000; 0 turns it off).
   * When it passes the socket is destroyed with a `HandshakeTimeout` error, code
   * `ERR_TLS_HANDSHAKE_TIMEOUT`. node:tls has none; see docs/node-compat.md.
   */
  handshakeTimeout?: number;
  /**
   * Report a transport EOF without close_notify, after the handshake, as a clean `'end'` with
   * `socket.unauthenticatedEnd === true` instead of an `ECONNRESET`-coded UnexpectedEof error
   * (node:tls always does this). Only safe when the application frames its own messages
   * (HTTP Content-Length / chunked, length-prefixed protocols) and so detects a cut itself.
   * Default false.
   */
  allowUnauthenticatedEnd?: boolean;
  /** Keep writing after the peer's close_notify (default false). */
  allowHalfOpen?: boolean;
  /** Compute key log lines even without a `'keylog'` listener at start (default: only with a listener). */
  keylog?: boolean;
  /**
   * The client private key, PEM (PKCS#8, SEC1 `EC PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`), as in
   * Node; several keys pair with `cert` by public key. Encrypted keys are refused with
   * InvalidPrivateKey 'Encrypted' (see `passphrase`).
   */
  key?: string | Buffer | ReadonlyArray<string | Buffer | { pem: string | Buffer; passphrase?: string }>;
  /** The client certificate chain(s), PEM, leaf first, as in Node. */
  cert?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * Node's passphrase for an encrypted `key`. puretls does not decrypt keys: an encrypted key is
   * an InvalidPrivateKey 'Encrypted' error whether or not a passphrase is given (never silence).
   */
  passphrase?: string;
  /** PKCS#12 is not supported: giving `pfx` throws InvalidPrivateKey 'UnsupportedFormat'. */
  pfx?: unknown;
  /** Prebuilt tls-core credentials (puretls extra), offered after the one from `key`/`cert`. */
  clientCredentials?: readonly ClientCredential[];
  /** Picks the credential for a CertificateRequest (puretls extra; OpenSSL's client_cert_cb). */
  selectClientCredential?: ClientCredentialSelector;
  /**
   * A TLS 1.3 external PSK (puretls extra; tls-core's externalPsk): identity, key and hash
   * (default sha256). The server authenticates with it instead of a certificate.
   */
  externalPsk?: { identity: string | Uint8Array; key: Uint8Array; hash?: 'sha256' | 'sha384' };
  /**
   * Node's PSK callback. TLS 1.3 has no identity hint, so it is called once, with null, before
   * the ClientHello (as Node calls it for TLS 1.3); it returns `{ psk, identity }`.
   */
  pskCallback?: (hint: string | null) => { psk: Uint8Array; identity: string } | null | undefined;
  /** Node's option: ask for an OCSP staple (status_request). */
  requestOCSP?: boolean;
  /** What to do with a staple (puretls extra; tls-core's ocspPolicy): 'check' (default), 'require', 'ignore'. */
  ocspPolicy?: 'ignore' | 'check' | 'require';
  /**
   * Offer record_size_limit (puretls extra; RFC 8449, tls-core's recordSizeLimit), 64..16385: the
   * largest protected record plaintext the server may send us; the server's own limit is honoured.
   */
  recordSizeLimit?: number;
  /** Offer TLS 1.3 post-handshake client authentication (puretls extra; RFC 8446 §4.2.6), answered from key/cert. */
  postHandshakeAuth?: boolean;
  /** An extra server certificate check after the built-in validation (puretls extra; tls-core's verifyServerCertificate). */
  verifyServerCertificate?: ServerCertificateVerifier;
  /** REPLACES the built-in chain and name validation (puretls extra; the handshake signature is still checked). */
  dangerouslyReplaceServerVerifier?: ServerCertificateVerifier;
  /**
   * Replace the engine (tests, custom engines): called for each handshake with the tls-core
   * options made from these connect options (`keyLog` set when key log lines are wanted) and the
   * engine's per-connection options (host, sendServerName, the session to offer). The engine runs
   * under a private cache-less @puretls/session Context, as the default one does (`context` is
   * then ignored), so sessions reach the application the same way.
   */
  engineFactory?: (config: ClientConfigOptions, target: ClientConnectionOptions) => ClientEngine;
}

/**
 * Open a TLS connection, like `tls.connect()`.
 * @param options see {@link ConnectOptions}
 * @param callback added as a `'secureConnect'` listener
 * @returns the TLSSocket; errors after this point are emitted as `'error'`
 * @throws UsageError synchronously for invalid options (unknown suite or group names, bad versions)
 * @example
 * const socket = connect({ host: 'example.com', port: 443, ALPNProtocols: ['http/1.1'] }, () => {
 *   console.log(socket.getProtocol(), socket.getCipher()?.name);
 *   socket.end('GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n');
 * });
 */
export function connect(options: ConnectOptions, callback?: () => void): TLSSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, callback?: () => void): TLSSocket;
export function connect(port: number, options?: ConnectOptions, callback?: () => void): TLSSocket;
export function connect(...args: unknown[]): TLSSocket {
  const { options, callback } = normalizeArgs(args);
  const host = options.host ?? 'localhost';
  const serverName = options.servername ?? host;
  const port = options.port ?? 443;
  const handshakeTimeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  if (!Number.isFinite(handshakeTimeout) || handshakeTimeout < 0) throw new UsageError('handshakeTimeout must be a number of milliseconds >= 0');
  const anchors = options.context === undefined ? trustStoreOf(options) : options.context.config.trustStore;
  const wrapperOptions = {
    allowHalfOpen: options.allowHalfOpen ?? false,
    servername: isIpLiteral(serverName) ? undefined : serverName,
    handshakeTimeout,
    allowUnauthenticatedEnd: options.allowUnauthenticatedEnd ?? false,
    anchorFor: anchors === undefined ? undefined : (der: Uint8Array) => anchorIssuing(anchors, der),
  };
  // Validate synchronously (bad options and bad sessions throw here, as tls.connect does).
  const context = options.engineFactory !== undefined ? customEngineContext(options, options.engineFactory) : (options.context ?? new Context({ ...toConfigOptions(options), sessionCacheMode: 'off' }));
  const explicitContext = options.engineFactory === undefined && options.context !== undefined;
  const session = options.session === undefined ? undefined : sessionFor(context, explicitContext, options.session, serverName, port);
  const earlyData = earlyDataBytes(options.earlyData);
  // A TCP connection of our own is read through net's onread (tcp-input.ts); a caller's socket as a Readable.
  const tcpInput = options.socket === undefined ? new TcpInput(host, port) : undefined;
  const tlsSocket: TLSSocket = new TLSSocket(
    options.socket ?? tcpInput!.socket,
    ({ keyLog }) => {
      const conn = context.createConnection({
        host: serverName,
        port,
        sendServerName: options.sendServerName ?? true,
        keyLog: keyLog || options.keylog === true,
        // Session.toBytes() (an encoding and an HMAC) runs at once only for a 'session' listener
        // (a second ticket in the same read replaces and frees the first before the socket sees
        // it); otherwise on getSession(), for the newest session only.
        serializeSessions: () => tlsSocket.listenerCount('session') > 0,
        keyShareReserve: KEY_SHARE_RESERVE,
        ...(earlyData === undefined ? {} : { earlyData }),
      });
      scheduleKeyShareRefill(tlsSocket.socket);
      if (session !== undefined) {
        conn.setSession(session);
        session.free(); // ours; the connection holds its own reference
      }
      tlsSocket.once('close', () => {
        // getSession() works after 'close', as in Node: the newest session is kept (one reference,
        // as long as the socket object) for its on-demand serialization.
        conn.get1Session();
        conn.free(); // SSL_free: a session never closed with close_notify leaves the cache
      });
      return conn;
    },
    { ...wrapperOptions, tcpInput },
  );
  if (options.timeout !== undefined) tlsSocket.setTimeout(options.timeout);
  if (callback !== undefined) tlsSocket.once('secureConnect', callback);
  return tlsSocket;
}

/**
 * `connect({ earlyData })` as bytes (a string as UTF-8): a copy, so that later changes to the
 * caller's buffer do not reach the ClientHello flight made on the next tick.
 * @throws UsageError for anything else
 */
function earlyDataBytes(value: ConnectOptions['earlyData']): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  throw new UsageError('earlyData must be a Buffer, a Uint8Array or a string');
}

/**
 * The process-wide reserve of ClientHello key shares (tls-core crypto/key-share-reserve.ts):
 * after a connection takes a share and its ClientHello is on the wire, the next share for the
 * same group is made while that connection waits for the server, off the next handshake's
 * critical path. Each share is used by exactly one handshake. A process pays for one share more
 * than it uses (the last one made). `connect({ engineFactory })` engines find it in their options.
 */
const KEY_SHARE_RESERVE = new KeyShareReserve();

/** Ready key shares held for the next connections (diagnostics; at most one per group used). */
export function readyKeyShareCount(): number {
  return KEY_SHARE_RESERVE.readyCount;
}

/**
 * Drop the key shares and the random bytes made ahead of time (random.ts; e.g. before a process
 * snapshot); later connections make new ones.
 */
export function clearKeyShareReserve(): void {
  KEY_SHARE_RESERVE.clear();
  clearRandomPool();
}

/**
 * Refill the reserve once the ClientHello has left: after the current turn (which queues it),
 * and for a socket still connecting, after its 'connect' (where Node writes queued data), so
 * the key generation never delays the ClientHello itself. `refill()` makes only what is missing,
 * so concurrent connections scheduling it more than once cost nothing extra.
 */
function scheduleKeyShareRefill(transport: Duplex): void {
  const refillSoon = (): void => {
    setImmediate(() => KEY_SHARE_RESERVE.refill()).unref();
  };
  if ((transport as Partial<Socket>).connecting === true) transport.once('connect', refillSoon);
  else refillSoon();
}

/**
 * The Session for `connect({ session })`, with one reference owned by the caller. Without an
 * explicit `context`, a Session of another Context crosses through its serialized form, whose
 * domain check refuses another security configuration.
 * @throws SessionError ForeignContext (a Session of another Context than the explicit one),
 *   ForeignConfiguration / Altered / Truncated / ... for bytes
 */
function sessionFor(context: Context, explicit: boolean, value: Uint8Array | Session | ResumptionData, host: string, port: number): Session {
  if (value instanceof Session) {
    if (value.context === context) return value.upRef();
    if (explicit) throw new SessionError('ForeignContext', 'connect({ context, session }): the session belongs to another Context');
    return Session.fromBytes(context, value.toBytes());
  }
  if (value instanceof Uint8Array) return explicit ? parsedOnce(context, value) : Session.fromBytes(context, value);
  if (typeof value !== 'object' || value === null || (value.version !== 'TLSv1.3' && value.version !== 'TLSv1.2')) throw new SessionError('Malformed', 'connect({ session }) wants a Session, its bytes, or engine session data');
  return new Session(context, value, host, port);
}

/**
 * The Session parsed from the newest session bytes given to connect() with each explicit Context,
 * held with one reference together with a copy of those bytes. An application that stores a
 * session's bytes and offers them on every connect (node:tls style) then pays the parse and the
 * integrity check (an HMAC over the whole encoding, server certificates included) once, not per
 * connection. Different bytes replace the entry: its copy is zeroed and its reference dropped (a
 * Session wipes its secret at zero references).
 */
const PARSED_SESSIONS = new WeakMap<Context, { readonly bytes: Uint8Array; readonly session: Session }>();

/** `Session.fromBytes(context, bytes)`, or the Session already parsed from the same bytes (one reference for the caller). */
function parsedOnce(context: Context, bytes: Uint8Array): Session {
  const last = PARSED_SESSIONS.get(context);
  if (last !== undefined && last.session.refCount > 0 && last.bytes.length === bytes.length && timingSafeEqual(last.bytes, bytes)) return last.session.upRef();
  const session = Session.fromBytes(context, bytes);
  if (last !== undefined) {
    last.bytes.fill(0);
    if (last.session.refCount > 0) last.session.free();
  }
  PARSED_SESSIONS.set(context, { bytes: new Uint8Array(bytes), session: session.upRef() });
  return session;
}

/**
 * The private cache-less Context of `connect({ engineFactory })`: the custom engine gets the
 * options made from the connect options (with `keyLog` when the Context wants key log lines).
 */
function customEngineContext(options: ConnectOptions, factory: NonNullable<ConnectOptions['engineFactory']>): Context {
  const configOptions = toConfigOptions(options);
  return new Context({
    ...configOptions,
    sessionCacheMode: 'off',
    engineFactory: (config, target) => factory({ ...configOptions, keyLog: config.keyLog }, target),
  });
}

/**
 * Map Node options to tls-core's ClientConfigOptions.
 * @throws UsageError on unknown suite or group names
 */
export function toConfigOptions(options: ConnectOptions): ClientConfigOptions {
  const verify = options.rejectUnauthorized ?? true;
  const out: ClientConfigOptions = {
    trustStore: trustStoreOf(options),
    verifyCertificates: verify,
    // Node's CSPRNG drawn 4 KiB at a time (random.ts): one call costs as much for 32 bytes as for 4096.
    randomBytes: pooledRandomBytes,
  };
  // Node accepts 'TLSv1'/'TLSv1.1' (and then negotiates 1.2 or 1.3 with any modern server): raise them.
  if (options.minVersion !== undefined) out.minVersion = options.minVersion === 'TLSv1' || options.minVersion === 'TLSv1.1' ? 'TLSv1.2' : options.minVersion;
  if (options.maxVersion !== undefined) out.maxVersion = options.maxVersion;
  const suites = cipherSuitesOf(options);
  if (suites !== undefined) out.cipherSuites = suites;
  const groups = options.groups ?? options.ecdhCurve;
  // X25519MLKEM768 is a provider object in tls-core (its `pq` entry), so the name maps to it here.
  if (groups !== undefined && groups !== 'auto') out.groups = parseGroups(groups).map((g) => (g === x25519MLKEM768.group ? x25519MLKEM768 : g));
  if (options.keyShareGroups !== undefined) out.keyShareGroups = parseGroups(options.keyShareGroups);
  if (options.ALPNProtocols !== undefined) out.alpnProtocols = options.ALPNProtocols.map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('utf8')));
  const credentials = [...credentialsOf(options), ...(options.clientCredentials ?? [])];
  if (credentials.length > 0) out.clientCredentials = credentials;
  if (options.selectClientCredential !== undefined) out.selectClientCredential = options.selectClientCredential;
  const psk = options.externalPsk ?? pskFromCallback(options.pskCallback);
  if (psk !== undefined) out.externalPsk = psk;
  if (options.postHandshakeAuth !== undefined) out.postHandshakeAuth = options.postHandshakeAuth;
  if (options.recordSizeLimit !== undefined) out.recordSizeLimit = options.recordSizeLimit;
  if (options.requestOCSP !== undefined) out.statusRequest = options.requestOCSP;
  if (options.ocspPolicy !== undefined) out.ocspPolicy = options.ocspPolicy;
  // OCSP checking is a provider in tls-core (its `ocsp` entry); Node users always have it.
  out.ocspStapleChecker = ocspStapleChecker;
  if (options.verifyServerCertificate !== undefined) out.verifyServerCertificate = options.verifyServerCertificate;
  if (options.dangerouslyReplaceServerVerifier !== undefined) out.dangerouslyReplaceServerVerifier = options.dangerouslyReplaceServerVerifier;
  const check = options.checkServerIdentity;
  if (check !== undefined) {
    out.checkServerIdentity = (hostname, leafDer) => check(hostname, peerCertificate([leafDer]) ?? ({} as PeerCertificate));
  }
  return out;
}

/**
 * Node's `key` / `cert` as tls-core credentials: each key is paired with the chain whose leaf
 * holds its public key (Node and OpenSSL pair them the same way).
 * @throws InvalidPrivateKey for pfx, a key without a cert (or the reverse), unreadable, encrypted or unmatched keys
 */
function credentialsOf(options: ConnectOptions): ClientCredential[] {
  if (options.pfx !== undefined) throw new InvalidPrivateKey('UnsupportedFormat', 'pfx (PKCS#12) is not supported: give key and cert as PEM');
  if (options.key === undefined && options.cert === undefined) return [];
  if (options.key === undefined || options.cert === undefined) throw new InvalidPrivateKey('KeyMismatch', options.key === undefined ? 'cert given without key' : 'key given without cert');
  const text = (v: string | Buffer): string => (typeof v === 'string' ? v : Buffer.from(v).toString('latin1'));
  const keys = (Array.isArray(options.key) ? options.key : [options.key]) as Array<string | Buffer | { pem: string | Buffer }>;
  const certs = (Array.isArray(options.cert) ? options.cert : [options.cert]) as Array<string | Buffer>;
  return keys.map((k) => {
    const keyPem = typeof k === 'object' && !(k instanceof Uint8Array) ? text(k.pem) : text(k);
    const privateKey = parsePrivateKeyPem(keyPem);
    let last: unknown;
    for (const c of certs) {
      try {
        return createClientCredential({ certificateChain: text(c), privateKey });
      } catch (e) {
        last = e;
      }
    }
    throw last;
  });
}

function pskFromCallback(callback: ConnectOptions['pskCallback']): ConnectOptions['externalPsk'] {
  if (callback === undefined) return undefined;
  const answer = callback(null);
  if (answer === null || answer === undefined) return undefined;
  return { identity: answer.identity, key: new Uint8Array(answer.psk) };
}

/** The trust anchors connect() uses: `trustStore`, else `ca` (replacing the defaults, as in Node), else Node's default store. */
function trustStoreOf(options: ConnectOptions): TrustStore {
  return options.trustStore ?? (options.ca === undefined ? defaultTrustStore() : trustStoreFromPem(toPemList(options.ca)));
}

/** The anchor that issued `der` (subject match and a valid signature, checked by node:crypto), for getPeerCertificate(true). */
function anchorIssuing(trust: TrustStore, der: Uint8Array): Uint8Array | undefined {
  try {
    const cert = new X509Certificate(der);
    for (const anchor of trust.bySubject(parseCertificate(der).issuer.der)) {
      const candidate = new X509Certificate(anchor.der);
      if (cert.checkIssued(candidate) && cert.verify(candidate.publicKey)) return anchor.der;
    }
  } catch {
    // Unparsable: the detailed chain just stops here.
  }
  return undefined;
}

function cipherSuitesOf(options: ConnectOptions): number[] | undefined {
  const tls13Spec = options.suites ?? options.ciphersuites;
  if (options.ciphers === undefined && tls13Spec === undefined) return undefined;
  const fromCiphers = options.ciphers === undefined ? undefined : parseCipherString(options.ciphers);
  const tls13 = tls13Spec !== undefined ? parseTls13Suites(tls13Spec) : fromCiphers !== undefined && fromCiphers.tls13.length > 0 ? fromCiphers.tls13 : [...TLS13_DEFAULT];
  const tls12 = fromCiphers !== undefined ? fromCiphers.tls12 : [...TLS12_DEFAULT];
  return [...tls13, ...tls12];
}

function toPemList(ca: NonNullable<ConnectOptions['ca']>): Array<string | Uint8Array> {
  return typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : [...ca];
}

function normalizeArgs(args: unknown[]): { options: ConnectOptions; callback: (() => void) | undefined } {
  const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : undefined;
  if (typeof args[0] === 'object' && args[0] !== null) return { options: args[0] as ConnectOptions, callback };
  if (typeof args[0] !== 'number') throw new UsageError('connect(options) or connect(port, host?, options?)');
  const port = args[0];
  const host = typeof args[1] === 'string' ? args[1] : undefined;
  const rest = (args.find((a, i) => i > 0 && typeof a === 'object' && a !== null) ?? {}) as ConnectOptions;
  return { options: { ...rest, port, ...(host === undefined ? {} : { host }) }, callback };
}
