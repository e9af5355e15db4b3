/**
 * `connect()`: TLS over any Web Streams byte pipe, `{ readable, writable }` (a WebSocket relay
 * through {@link webSocketStreams}, a WebSocketStream, Deno's or Bun's socket, a Worker runtime's
 * socket API, Node's `Duplex.toWeb(socket)`). It runs the handshake and returns the plaintext
 * pair of the same shape and what was negotiated.
 *
 * Options are tls-core's `ClientConfigOptions` (secure by default: chains and host names are
 * verified, against the trust anchors given, since a browser exposes no root store to scripts)
 * plus the connection's target and session. Connections run on a @puretls/session `Connection`
 * of a `Context` (`options.context`, or a private one without a cache); sessions cross the API
 * as their serialized form (`Session.toBytes()`, docs/session.md).
 * @module
 */
import {
  NamedGroup,
  TrustStore,
  cachedTrustStoreFromPem,
  UsageError,
  tls12SuiteById,
  tls13SuiteById,
  type ClientConfigOptions,
  type TlsError,
} from '@puretls/tls-core';
import { Context, Session } from '@puretls/session';
import { TransportError } from './errors.ts';
import { Pump, type ByteStreamPair } from './pump.ts';
import { hostRandomBytes } from './random.ts';

/** What `connect()` takes: tls-core's configuration plus the target and the session. */
export interface WebConnectOptions extends ClientConfigOptions {
  /** The server's name (SNI, certificate identity, session cache key) or IP address. Required. */
  host: string;
  /** SNI and verification name when it differs from `host`. */
  servername?: string;
  /** Send server_name (default true; false is `openssl s_client -noservername`; the name is still verified). */
  sendServerName?: boolean;
  /** The server's port: part of the session cache key only (default 443). */
  port?: number;
  /** PEM trust anchors (the `trustStore` option takes precedence). */
  ca?: string | readonly string[];
  /** A session to offer: the bytes of a previous connection's session (`onSession`, `connection.session`). */
  session?: Uint8Array | Session;
  /**
   * A @puretls/session Context: its configuration and session cache are used; the TLS options
   * above (trust, versions, suites, ALPN, randomBytes, ...) are then ignored.
   */
  context?: Context;
  /** Each NSS key log line (SSLKEYLOGFILE format) as the handshake derives it. */
  onKeyLog?: (line: string) => void;
  /**
   * Every session the connection reports, serialized: each new one (TLS 1.3 tickets arrive after
   * the handshake, while reading), and the resumed one when a TLS 1.2 resumption renewed nothing
   * (as Node's `'session'` event).
   */
  onSession?: (session: Uint8Array) => void;
  /** Plaintext chunks buffered by the TLS readable before the transport is no longer read (default 1). */
  readableHighWaterMark?: number;
  /**
   * Abort the handshake or the connection (e.g. `AbortSignal.timeout(10_000)`: a server that
   * never answers otherwise keeps the handshake waiting). Fails with `TransportError('Aborted')`.
   */
  signal?: AbortSignal;
}

/** What the handshake negotiated. */
export interface HandshakeResult {
  readonly protocol: 'TLSv1.3' | 'TLSv1.2';
  /** IANA cipher suite name, e.g. TLS_CHACHA20_POLY1305_SHA256. */
  readonly cipher: string;
  /** The key exchange group (IANA name: x25519, secp256r1, ...), undefined for a psk_ke resumption. */
  readonly group: string | undefined;
  readonly alpn: string | undefined;
  /** DER certificates as the server sent them, leaf first (empty when resumed). */
  readonly peerCertificates: readonly Uint8Array[];
  readonly sessionReused: boolean;
  readonly helloRetryRequest: boolean;
  /** Set only with `verifyCertificates: false`: why the chain or name would have been refused. */
  readonly certificateError: Error | undefined;
  /**
   * The newest session at the end of the handshake, serialized (TLS 1.2: the session just made;
   * TLS 1.3: undefined, since tickets come after the handshake: see `TlsConnection.session`).
   */
  readonly session: Uint8Array | undefined;
}

/** An established connection: plaintext streams, the handshake result, the newest session. */
export interface TlsConnection extends ByteStreamPair {
  readonly handshake: HandshakeResult;
  /** The newest session received so far, serialized (undefined before the first). */
  readonly session: Uint8Array | undefined;
  /** Settles when both directions are finished (undefined) or the connection failed (its error). Never rejects. */
  readonly closed: Promise<TlsError | undefined>;
}

/**
 * Run a TLS handshake over `transport` and return the plaintext streams.
 * The transport's streams are locked for the life of the connection.
 * @throws UsageError (a rejection) for bad options or locked streams; the handshake's TlsError
 *   (`InvalidCertificate`, `AlertReceived`, `UnexpectedEof`, `TransportError`, ...) after the
 *   alert was sent and the transport closed
 * @example
 * const tls = await connect(webSocketStreams(new WebSocket('ws://127.0.0.1:8080')), { host: 'example.com', ca: caPem });
 * const writer = tls.writable.getWriter();
 * await writer.write(new TextEncoder().encode('GET / HTTP/1.0\r\nHost: example.com\r\n\r\n'));
 */
export async function connect(transport: ByteStreamPair, options: WebConnectOptions): Promise<TlsConnection> {
  if (typeof options?.host !== 'string' || options.host === '') throw new UsageError('connect(): options.host is required');
  const signal = options.signal;
  if (signal?.aborted === true) throw new TransportError('Aborted', signal.reason);
  const serverName = options.servername ?? options.host;
  const port = options.port ?? 443;
  const context = options.context ?? new Context({ ...configOptions(options), sessionCacheMode: 'off' });
  const offered = options.session === undefined ? undefined : options.session instanceof Session ? sessionOf(context, options.session) : Session.fromBytes(context, options.session);

  let newest: Uint8Array | undefined;
  const onKeyLog = options.onKeyLog;
  const onSession = options.onSession;
  const conn = context.createConnection({
    host: serverName,
    port,
    sendServerName: options.sendServerName ?? true,
    keyLog: onKeyLog !== undefined,
    // Serialized at once: a later ticket in the same read may replace (and free) this Session.
    serializeSessions: true,
  });
  if (offered !== undefined) {
    conn.setSession(offered);
    offered.free(); // ours; the connection holds its own reference
  }

  let resolveClosed!: (e: TlsError | undefined) => void;
  const closed = new Promise<TlsError | undefined>((r) => (resolveClosed = r));
  const pump = new Pump(conn, transport, {
    readableHighWaterMark: options.readableHighWaterMark,
    onEvents: (events) => {
      for (const e of events) {
        if (e.type === 'keyLog') onKeyLog?.(e.entry.line);
        else if (e.type === 'session') {
          const bytes = e.bytes();
          if (bytes === undefined) continue;
          newest = bytes;
          onSession?.(bytes.slice());
        }
      }
    },
    onFinished: (error) => {
      signal?.removeEventListener('abort', onAbort);
      conn.free(); // SSL_free: a session of a connection that failed leaves the cache
      resolveClosed(error);
    },
  });
  const onAbort = (): void => pump.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  await pump.handshake();
  const n = conn.negotiated!;
  const handshake: HandshakeResult = Object.freeze({
    protocol: n.versionName,
    cipher: (tls13SuiteById(n.suite) ?? tls12SuiteById(n.suite))?.name ?? `0x${n.suite.toString(16).padStart(4, '0')}`,
    group: n.group === undefined ? undefined : (GROUP_NAMES.get(n.group) ?? `0x${n.group.toString(16).padStart(4, '0')}`),
    alpn: n.alpn,
    peerCertificates: n.peerCertificates.map((c) => c.slice()),
    sessionReused: n.sessionReused,
    helloRetryRequest: n.helloRetryRequest,
    certificateError: n.certificateError,
    session: newest?.slice(),
  });
  const { readable, writable } = pump.streams();
  return {
    readable,
    writable,
    handshake,
    get session() {
      return newest?.slice();
    },
    closed,
  };
}

/** A Session to offer: one of `context`'s, or another Context's carried over through its bytes (domain-checked). */
function sessionOf(context: Context, session: Session): Session {
  return session.context === context ? session.upRef() : Session.fromBytes(context, session.toBytes());
}

/** tls-core options from connect() options: `ca` to a TrustStore, host randomness by default. */
function configOptions(options: WebConnectOptions): ClientConfigOptions {
  const {
    host: _host,
    servername: _servername,
    sendServerName: _sendServerName,
    port: _port,
    ca,
    session: _session,
    context: _context,
    onKeyLog: _onKeyLog,
    onSession: _onSession,
    readableHighWaterMark: _hwm,
    ...config
  } = options;
  const out: ClientConfigOptions = { ...config, randomBytes: options.randomBytes ?? hostRandomBytes() };
  if (options.trustStore === undefined && ca !== undefined) out.trustStore = trustStoreFromPem(ca);
  return out;
}

/**
 * A TrustStore from PEM text, cached per distinct text (callers pass the same `ca` to every connect()).
 * @throws UsageError when no usable certificate is in it
 */
export function trustStoreFromPem(ca: string | readonly string[]): TrustStore {
  return cachedTrustStoreFromPem(typeof ca === 'string' ? ca : ca.join('\n'));
}

/** IANA group names by code point (RFC 8446 §4.2.7, RFC 7919). */
const GROUP_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(NamedGroup).map(([name, id]) => [id as number, name]));
