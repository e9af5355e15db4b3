/**
 * The case schema: what one row of the conformance matrix says. A row names its peer
 * ({@link ServerSpec}: which module of ../servers/ starts it, with what arguments), the client's
 * options, the scripted steps after the handshake and the {@link Expectation}; optional parts add
 * server-output counts, wire facts, a second (resumption) connection and a client certificate.
 * The rows themselves are in the per-server files of this folder (openssl/ by theme, gnutls.ts, botan.ts,
 * nss.ts, node.ts); the spellings of suites and groups per server are in suites.ts.
 *
 * @module
 */
import type { NodeServerConfig } from '../servers/node-server-child.ts';
import type { ClientConnectOptions, ServerKind } from '../types.ts';

/** One scripted action after the handshake. */
export type Step =
  /** The client writes text. */
  | { readonly op: 'send'; readonly text: string }
  /** Wait until the client has received text containing this. */
  | { readonly op: 'expect'; readonly text: string }
  /** Write to the server's stdin (s_server: `k\n`, `K\n`, `q\n`, or a data line for the client). */
  | { readonly op: 'server-stdin'; readonly text: string }
  /** Wait until the server's output contains this (s_server prints client data and `-msg` lines). */
  | { readonly op: 'expect-server-output'; readonly text: string }
  | { readonly op: 'sleep'; readonly ms: number }
  /** The client sends close_notify and waits for the connection to close. */
  | { readonly op: 'end' }
  /** Wait for the server to close; `truncated` expects an error for EOF without close_notify. */
  | { readonly op: 'expect-close'; readonly kind: 'clean' | 'truncated'; readonly essential?: boolean }
  /** Wait for the connection to end with this fatal alert from the server. */
  | { readonly op: 'expect-alert'; readonly alert: number }
  /** `GET /<file> HTTP/1.0` from s_server -WWW; the body must equal the generated file (size and SHA-256). */
  | { readonly op: 'download'; readonly file: 'big' };

export interface ExpectSuccess {
  readonly ok: true;
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  /** IANA cipher suite name. */
  readonly suite: string;
  /** IANA group name. */
  readonly group: string;
  /** IANA signature scheme name of the server's CertificateVerify / ServerKeyExchange. */
  readonly sigScheme: string;
  readonly alpn: string | null;
}

export interface ExpectFailure {
  readonly ok: false;
  /** The fatal alert the server must send. */
  readonly alertReceived?: number;
  /** Acceptable certificate reasons (any of). */
  readonly certReason?: readonly string[];
  /** Acceptable error reasons for other refusals (any of), e.g. PeerMisbehaved 'DowngradeDetected'. */
  readonly reason?: readonly string[];
  /** Acceptable alerts for the client to send (any of). */
  readonly alertSent?: readonly number[];
}

export type Expectation = ExpectSuccess | ExpectFailure;

export interface ServerSpec {
  /** Which module of conformance/src/servers/ starts the peer. */
  readonly kind: ServerKind;
  /** Command-line arguments (s_server, gnutls-serv, botan, selfserv); file names are relative to the PKI directory. */
  readonly args: readonly string[];
  /** For the Node servers (`node20`, `node26`): the child's tls.createServer options (files relative to the PKI directory). */
  readonly node?: Omit<NodeServerConfig, 'keylogPath'>;
  /**
   * A configuration file's text: for s_server an OpenSSL config passed as `OPENSSL_CONF`
   * (selected with `-ssl_config`), for Botan a text policy passed as `--policy=`.
   */
  readonly configText?: string;
  /** Put the in-test proxy of downgrade-proxy.ts between client and server (s_server only). */
  readonly proxy?: 'passthrough' | 'strip-tls13';
}

/** A count of regular-expression matches in the server's output (e.g. two ServerHellos = HRR). */
export interface ServerOutputCheck {
  readonly name: string;
  readonly pattern: string;
  readonly count: number;
}

export interface ConformanceCase {
  readonly id: string;
  readonly section: string;
  readonly description: string;
  readonly server: ServerSpec;
  /** The certificate fixture the server presents (for the report). */
  readonly certificate: string;
  readonly client: Omit<Partial<ClientConnectOptions>, 'host' | 'port' | 'ca'>;
  readonly steps: readonly Step[];
  readonly expect: Expectation;
  /** Compare client and server key logs (default: true for successful cases). */
  readonly checkKeylog?: boolean;
  /** Counted in the server's output after the case, for accepted and refused handshakes alike. */
  readonly serverOutput?: readonly ServerOutputCheck[];
  /** A two-connection resumption case (see {@link Resumption}); `expect` then applies to the first connection. */
  readonly resumption?: Resumption;
  /** Facts read from the recorded bytes of the connection(s) (servers/wire-tap.ts, runner/wire.ts). */
  readonly wire?: readonly WireCheck[];
  /**
   * A client certificate fixture of gen-pki.sh (e.g. `client-ecdsa`): the runner passes
   * `<name>.chain.pem` as `cert` and `<name>.key` as `key` (or `keyFile` when given).
   */
  readonly clientCertificate?: { readonly name: string; readonly keyFile?: string };
}

/**
 * A resumption case: a first connection (full handshake, `expect`) runs its steps and keeps the
 * last session it received; a second connection offers it (to the same server, or to a new server
 * process on the same port) and runs the steps again. Each connection's key log must equal the
 * server's lines for its client random.
 */
export interface Resumption {
  /** 'same': one server accepting both connections; 'restart': the second goes to a new server process (new ticket keys, empty cache). */
  readonly server: 'same' | 'restart';
  /** Whether the first connection must yield a session (false: the second connection offers none). */
  readonly expectSession: boolean;
  /** Exactly this many sessions must arrive on the first connection (TLS 1.3: one per NewSessionTicket). */
  readonly sessionCount?: number;
  /**
   * Client options of the second connection that differ from the first's: another server name
   * (SNI), or a client clock past the session's lifetime. The session is still handed to the
   * client; whether the client offers it is then up to the client (and visible to the server).
   */
  readonly secondClient?: Pick<Partial<ClientConnectOptions>, 'servername' | 'clockSkewSeconds' | 'pskModes' | 'alpnProtocols'>;
  /** Whether the second connection must be resumed. */
  readonly expectReused: boolean;
  /** The second connection's version and suite. */
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  readonly suite: string;
  /** The second connection's key exchange group, when it has one to check ('none' for TLS 1.3 psk_ke). */
  readonly group?: string;
  /** For `server: 'restart'`: the restarted server's command line (default: the first server's). */
  readonly restartedServerArgs?: readonly string[];
  /** TLS 1.3 0-RTT: the second connection sends early data with the session, and this must become of it. */
  readonly earlyData?: EarlyDataExpectation;
  /**
   * A third connection to the same server offers the same session again, with its own early data
   * (RFC 8446 §8 anti-replay: a server that took the first 0-RTT must not take this one).
   */
  readonly replay?: { readonly expectReused: boolean; readonly earlyData: EarlyDataExpectation };
}

/** TLS 1.3 0-RTT on a resumed connection (RFC 8446 §4.2.10): what the client sends and what the client must report. */
export interface EarlyDataExpectation {
  /** The text sent as early data. */
  readonly text: string;
  readonly status: 'accepted' | 'rejected' | 'not-offered';
  /** Bytes sent in 0-RTT records (checked when given). */
  readonly sentAsEarlyData?: number;
  /** Bytes sent as ordinary data after the handshake (checked when given). */
  readonly sentAfterHandshake?: number;
  /** Bytes handed back to the application unsent (default 0). */
  readonly unsentBytes?: number;
}

/**
 * A fact about the unencrypted handshake bytes, read by the runner from a wire tap placed between
 * client and server (independent of the client's own report):
 * - `hrr`: the server sent a HelloRetryRequest (RFC 8446 §4.1.3) before its ServerHello;
 * - `hrr-cookie-echoed`: that HelloRetryRequest carried a cookie (§4.2.2) and the client's second
 *   ClientHello carries the same cookie bytes.
 */
export type WireCheck = 'hrr' | 'hrr-cookie-echoed';
