/**
 * `connect()`: the puretls equivalent of Node's `tls.connect()` for the options applications
 * use. It maps Node/OpenSSL option spellings (`ciphers`, `ciphersuites`/`suites`,
 * `ecdhCurve`/`groups`, `ca`, `rejectUnauthorized`, `ALPNProtocols`, ...) onto tls-core's
 * `ClientConfigOptions`, opens the TCP connection (or wraps `options.socket`), and returns a
 * {@link TLSSocket}.
 * @module
 */
import { isIP, connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { UsageError, type ClientConfigOptions, type ResumptionData, type TrustStore } from '@puretls/tls-core';
import { buildConfig, createEngine, defaultTrustStore, trustStoreFromPem, type EngineTarget } from './engine-factory.ts';
import type { TlsEngine } from './engine.ts';
import { TLS12_DEFAULT, TLS13_DEFAULT, parseCipherString, parseGroups, parseTls13Suites } from './names.ts';
import { peerCertificate, type PeerCertificate } from './peer-certificate.ts';
import { importSession } from './session-hook.ts';
import { TLSSocket } from './tls-socket.ts';

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
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
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
  /** A session from a previous connection's `'session'` event / `getSession()`. */
  session?: Uint8Array | ResumptionData;
  /** An existing transport to run TLS over, instead of opening a TCP connection. */
  socket?: Duplex;
  /** Idle timeout in ms (emits `'timeout'`, as `socket.setTimeout`). */
  timeout?: number;
  /** Keep writing after the peer's close_notify (default false). */
  allowHalfOpen?: boolean;
  /** Compute key log lines even without a `'keylog'` listener at start (default: only with a listener). */
  keylog?: boolean;
  /** Replace the engine (tests, custom engines). Receives the validated tls-core options. */
  engineFactory?: (config: ClientConfigOptions, target: EngineTarget) => TlsEngine;
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
  const configOptions = toConfigOptions(options);
  buildConfig(configOptions); // validate synchronously, as tls.connect throws on bad options
  const target: EngineTarget = {
    host: serverName,
    sendServerName: options.sendServerName ?? true,
    session: options.session === undefined ? undefined : importSession(options.session),
  };
  const factory = options.engineFactory ?? ((o: ClientConfigOptions, t: EngineTarget) => createEngine(buildConfig(o), t));

  const socket = options.socket ?? netConnect({ host, port: options.port ?? 443 });
  const tlsSocket = new TLSSocket(socket, ({ keyLog }) => factory({ ...configOptions, keyLog: keyLog || options.keylog === true }, target), {
    allowHalfOpen: options.allowHalfOpen ?? false,
    servername: isIP(serverName) === 0 ? serverName : undefined,
  });
  if (options.timeout !== undefined) tlsSocket.setTimeout(options.timeout);
  if (callback !== undefined) tlsSocket.once('secureConnect', callback);
  return tlsSocket;
}

/**
 * Map Node options to tls-core's ClientConfigOptions.
 * @throws UsageError on unknown suite or group names
 */
export function toConfigOptions(options: ConnectOptions): ClientConfigOptions {
  const verify = options.rejectUnauthorized ?? true;
  const trustStore = options.trustStore ?? (options.ca === undefined ? defaultTrustStore() : trustStoreFromPem(toPemList(options.ca)));
  const out: ClientConfigOptions = {
    trustStore,
    verifyCertificates: verify,
  };
  if (options.minVersion !== undefined) out.minVersion = options.minVersion;
  if (options.maxVersion !== undefined) out.maxVersion = options.maxVersion;
  const suites = cipherSuitesOf(options);
  if (suites !== undefined) out.cipherSuites = suites;
  const groups = options.groups ?? options.ecdhCurve;
  if (groups !== undefined && groups !== 'auto') out.groups = parseGroups(groups);
  if (options.ALPNProtocols !== undefined) out.alpnProtocols = options.ALPNProtocols.map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('utf8')));
  const check = options.checkServerIdentity;
  if (check !== undefined) {
    out.checkServerIdentity = (hostname, leafDer) => check(hostname, peerCertificate([leafDer]) ?? ({} as PeerCertificate));
  }
  return out;
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
