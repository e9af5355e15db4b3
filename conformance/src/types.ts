/**
 * The client-under-test contract shared by the conformance matrix and the benchmarks.
 *
 * Any TLS client that can be driven through {@link ClientUnderTest} can be run against the
 * matrix: Node's own `tls.connect` (the stand-in used to prove the harness) and puretls'
 * `connect()` from `@puretls/transport-node`. Names follow the IANA TLS registries
 * (RFC 8446 §4.2.7 groups, §4.2.3 signature schemes, §B.4 cipher suites) so expectations in
 * `cases.ts` never depend on one library's spelling.
 *
 * @module
 */

/** A value the client could not report (e.g. Node has no API for the peer's signature scheme). */
export const NOT_AVAILABLE = 'n/a' as const;
export type NotAvailable = typeof NOT_AVAILABLE;

/** Group names as options take them (the `groups` extension of the puretls connect options). */
export type GroupOption = 'X25519' | 'P-256' | 'P-384' | 'P-521' | 'X448' | 'X25519MLKEM768';

/** Options for one connection, independent of the client library. */
export interface ClientConnectOptions {
  readonly host: string;
  readonly port: number;
  /** SNI and the name the certificate is verified against. */
  readonly servername: string;
  /** Trust anchors (PEM). */
  readonly ca: string;
  readonly rejectUnauthorized?: boolean;
  readonly alpnProtocols?: readonly string[];
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** IANA cipher suite names in preference order; undefined = the client's default. */
  readonly suites?: readonly string[];
  /** Supported groups in preference order; the client sends a key share for the first one only. */
  readonly groups?: readonly GroupOption[];
  /** Handshake timeout in ms (default 10 s). */
  readonly timeoutMs?: number;
  /** Keep received application data in memory (default true; benchmarks turn it off). */
  readonly keepData?: boolean;
  /** Refuse a TLS 1.2 server that does not negotiate the extended master secret (RFC 7627 §5.4). */
  readonly requireExtendedMasterSecret?: boolean;
  /** A client certificate chain (PEM, leaf first) offered when the server asks (RFC 8446 §4.4.2); Node's `cert`. */
  readonly cert?: string;
  /** The private key (PEM) of `cert`'s leaf; Node's `key`. */
  readonly key?: string;
  /** Ask for an OCSP staple (status_request, RFC 6066 §8); Node's `requestOCSP`. */
  readonly requestOCSP?: boolean;
  /** The client's staple policy (puretls: 'check' by default; 'require' refuses a handshake without one). */
  readonly ocspPolicy?: 'check' | 'require';
  /** Offer TLS 1.3 post-handshake client authentication (RFC 8446 §4.2.6). */
  readonly postHandshakeAuth?: boolean;
  /** A TLS 1.3 external PSK (RFC 8446 §4.2.11): identity and key (hex), SHA-256 bound. */
  readonly externalPsk?: { readonly identity: string; readonly keyHex: string };
  /** A session to offer (bytes of an earlier connection's `'session'` event). */
  readonly session?: Uint8Array;
  /** TLS 1.3 0-RTT: send this text as early data with `session` (RFC 8446 §4.2.10; puretls `connect({ earlyData })`). */
  readonly earlyData?: string;
  /** TLS 1.3 psk_key_exchange_modes to offer (RFC 8446 §4.2.9); undefined = the client's default. */
  readonly pskModes?: readonly ('psk_ke' | 'psk_dhe_ke')[];
  /**
   * Run the client's clock this many seconds ahead of real time for this connection (an injected
   * clock: session ages, session lifetimes and certificate validity are all judged at that time).
   */
  readonly clockSkewSeconds?: number;
  /**
   * Reuse one client context (trust store, configuration) for every connection with the same
   * options, as an application that makes many connections does: node:tls a `secureContext`,
   * puretls a @puretls/session `Context` (cache off). The benchmark sets it so both clients start
   * each handshake from a prepared context.
   */
  readonly preparedContext?: boolean;
  /**
   * Listen for 'keylog' and 'session' events (default true). The benchmark's full-handshake,
   * download and idle rows turn it off, as an application that wants neither does, so neither
   * client derives key log lines or serializes sessions nobody asked for.
   */
  readonly observe?: boolean;
}

/** What the client reports about a finished handshake. */
export interface HandshakeInfo {
  /** `TLSv1.3` or `TLSv1.2`. */
  readonly version: string;
  /** IANA cipher suite name, e.g. `TLS_AES_128_GCM_SHA256`. */
  readonly suite: string;
  /** IANA group name (`x25519`, `secp256r1`, ...) or 'n/a'. */
  readonly group: string;
  /** IANA signature scheme name (`ecdsa_secp256r1_sha256`, ...) or 'n/a'. */
  readonly sigScheme: string;
  /** Negotiated ALPN protocol, or null when none was negotiated. */
  readonly alpn: string | null;
  readonly resumed: boolean | NotAvailable;
  /** What became of `earlyData` (reported before the handshake completes), when it was given and the client can say. */
  readonly earlyData?: EarlyDataOutcome;
}

/** The client's report on its 0-RTT early data (puretls' `'earlyData'` event). */
export interface EarlyDataOutcome {
  readonly status: 'accepted' | 'rejected' | 'not-offered';
  readonly sentAsEarlyData: number;
  readonly sentAfterHandshake: number;
  /** Bytes handed back to the application, not sent. */
  readonly unsentBytes: number;
}

/** A handshake or connection failure, normalised so expectations are library independent. */
export interface ObservedError {
  readonly message: string;
  /** Library-specific code (Node `err.code`, puretls error class name). */
  readonly code?: string;
  /** Fatal alert received from the server (RFC 8446 §6 AlertDescription). */
  readonly alertReceived?: number;
  /** Fatal alert this client sent; absent when the client cannot say. */
  readonly alertSent?: number;
  /** Why the certificate was refused, in puretls' CertificateErrorReason vocabulary. */
  readonly certReason?: string;
  /** The error's reason for other refusals, in puretls' vocabulary (e.g. PeerMisbehaved 'DowngradeDetected'). */
  readonly reason?: string;
  /** The transport ended without close_notify (RFC 8446 §6.1). */
  readonly truncated?: boolean;
}

/** How the server ended the connection, as far as the client can tell. */
export type CloseKind =
  /** close_notify received before EOF. */
  | 'clean'
  /** EOF without close_notify, surfaced as a truncation error. */
  | 'truncated'
  /** EOF seen, but the client cannot tell whether close_notify came first (Node). */
  | 'eof'
  /** Some other error ended the connection. */
  | 'error';

export interface CloseInfo {
  readonly kind: CloseKind;
  readonly error?: ObservedError;
}

/** A connected client after a successful handshake. */
export interface ClientConnection {
  readonly info: HandshakeInfo;
  write(data: string | Uint8Array): void;
  /** Resolves once the received data contains `text`; rejects on timeout or close first. */
  waitForText(text: string, timeoutMs: number): Promise<void>;
  /** Everything received so far (empty when `keepData` was false). */
  received(): Uint8Array;
  /** Total application bytes received. */
  receivedBytes(): number;
  /** Resolves when the connection is fully closed. */
  readonly closed: Promise<CloseInfo>;
  /** Key log lines (NSS format, no trailing newline) seen so far. */
  keylogLines(): readonly string[];
  /** Resumable sessions received so far (`'session'` event bytes), oldest first. */
  sessions(): readonly Uint8Array[];
  /** Resolves once at least one session has arrived, or after `timeoutMs` (whichever is first). */
  waitForSession(timeoutMs: number): Promise<void>;
  /** Sends close_notify and half-closes. */
  end(): void;
  /** Tears the connection down without a close_notify. */
  destroy(): void;
}

export type ConnectOutcome =
  | { readonly ok: true; readonly connection: ClientConnection }
  | { readonly ok: false; readonly error: ObservedError; readonly keylog: readonly string[] };

/** What an adapter can observe; a check whose field is unsupported is reported as 'n/a'. */
export interface ClientCapabilities {
  readonly group: boolean;
  readonly sigScheme: boolean;
  readonly keylog: boolean;
  /** Tells close_notify + EOF apart from a bare EOF. */
  readonly closeNotify: boolean;
  /** Reports the alert it sent when it refuses a handshake. */
  readonly alertSent: boolean;
  /** Reports a typed reason (PeerMisbehaved / PeerIncompatible) for a refusal. */
  readonly errorReason: boolean;
  /** Can be told to require the TLS 1.2 extended master secret. */
  readonly requireExtendedMasterSecret: boolean;
  /** Can be told which TLS 1.3 psk_key_exchange_modes to offer (absent = no). */
  readonly pskModes?: boolean;
  /** Checks stapled OCSP responses and can be told to ask for them (absent = no). */
  readonly ocsp?: boolean;
  /** Can offer TLS 1.3 post-handshake authentication (absent = no). */
  readonly postHandshakeAuth?: boolean;
  /** Can run on an injected clock ({@link ClientConnectOptions.clockSkewSeconds}; absent = no). */
  readonly clock?: boolean;
  /** Sends TLS 1.3 0-RTT early data and reports what became of it ({@link ClientConnectOptions.earlyData}; absent = no). */
  readonly earlyData?: boolean;
}

export interface ClientUnderTest {
  readonly name: string;
  readonly capabilities: ClientCapabilities;
  /**
   * Cases where this client knowingly follows a different policy from the matrix's expectation
   * (case id -> why). Such a failure is reported as a known deviation, not a pass.
   */
  readonly knownDeviations: Readonly<Record<string, string>>;
  connect(options: ClientConnectOptions): Promise<ConnectOutcome>;
}

/** The peer servers of the matrix (conformance/src/servers/, one module each). */
export type ServerKind = 'openssl' | 'gnutls' | 'botan' | 'nss' | 'node20' | 'node26';

/** A peer server process started for one case (s_server, gnutls-serv, Botan, NSS selfserv, Node). */
export interface RunningServer {
  readonly kind: ServerKind;
  readonly port: number;
  readonly pid: number;
  /** Where the server writes its NSS-format key log, when it writes one (read it after `stop()`). */
  readonly keylogPath?: string;
  /** Writes to the server's stdin (s_server commands such as `k\n`, or data lines). */
  sendStdin(text: string): void;
  /** Server stdout + stderr so far. */
  output(): string;
  /** Resolves once the server output contains `text`. */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
  /** Kills the server by PID (idempotent) and returns what it logged. */
  stop(): Promise<ServerLog>;
}

export interface ServerLog {
  readonly output: string;
  /** Key log lines the server wrote (comments removed); empty when not requested. */
  readonly keylog: readonly string[];
}

/** Group spellings seen in client APIs -> IANA NamedGroup names (RFC 8446 §4.2.7, RFC 8422). */
const IANA_GROUP_NAMES: Readonly<Record<string, string>> = {
  x25519: 'x25519',
  x448: 'x448',
  'p-256': 'secp256r1',
  prime256v1: 'secp256r1',
  secp256r1: 'secp256r1',
  'p-384': 'secp384r1',
  secp384r1: 'secp384r1',
  'p-521': 'secp521r1',
  secp521r1: 'secp521r1',
  ffdhe2048: 'ffdhe2048',
  ffdhe3072: 'ffdhe3072',
  ffdhe4096: 'ffdhe4096',
};

/** Normalises a group name (`X25519`, `P-256`, `prime256v1`...) to its IANA name; unknown names pass through. */
export function ianaGroupName(name: string): string {
  return IANA_GROUP_NAMES[name.toLowerCase()] ?? name;
}
