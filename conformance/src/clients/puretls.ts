/**
 * puretls' `connect()` from `@puretls/transport-node` as the client under test.
 *
 * The transport exposes a `tls.connect`-shaped API plus `getNegotiatedGroup()` and
 * `getPeerSignatureScheme()`; errors are the typed `TlsError`s of `@puretls/tls-core`
 * (`AlertReceived.alert`, `InvalidCertificate.reason`, `UnexpectedEof`), and the alert puretls
 * sent is read from the socket's `'alert'` event (the alert that went out), not recomputed.
 *
 * Options the Node-shaped `connect()` does not expose (`requireExtendedMasterSecret`) are applied
 * through its `engineFactory` hook: the validated tls-core options are extended and the engine is
 * tls-core's own `ClientConnection`, exactly as the transport builds it. A session to offer is
 * passed as `session` (the bytes of an earlier `'session'` event); TLS 1.3 `pskModes`, which
 * `connect()` does not take, and an injected clock (`clockSkewSeconds`, tls-core's `now`), go
 * through a cache-less @puretls/session `Context` built from the same options and passed as
 * `context`.
 *
 * @module
 */
import { ianaGroupName, NOT_AVAILABLE, type ClientConnectOptions, type ClientUnderTest, type EarlyDataOutcome, type ObservedError } from '../types.ts';
import { tlsLikeClient, type TlsLikeSocket } from './tls-like.ts';

/**
 * THE switch: the module whose `connect` is the puretls client. `loadPuretlsClient` returns
 * undefined while that module does not export a `connect` function yet.
 */
export const PURETLS_TRANSPORT_MODULE = '@puretls/transport-node';

type ConnectFunction = (options: Record<string, unknown>) => TlsLikeSocket;

/** The parts of @puretls/tls-core used to build an engine with extra config options. */
interface CoreEngineParts {
  readonly createClientConfig: (options: Record<string, unknown>) => unknown;
  readonly ClientConnection: new (config: unknown, target: Record<string, unknown>) => unknown;
}
interface EngineTargetShape {
  readonly host: string;
  readonly sendServerName: boolean;
  readonly session: unknown;
}

interface PuretlsSocketExtras {
  getNegotiatedGroup?(): string | null | undefined;
  getPeerSignatureScheme?(): string | null | undefined;
}

/** The parts of @puretls/session and the transport used to offer chosen psk_key_exchange_modes. */
export interface SessionContextParts {
  readonly Context: new (options: Record<string, unknown>) => unknown;
  readonly toConfigOptions: (options: Record<string, unknown>) => Record<string, unknown>;
}

/** The transport's `'earlyData'` event argument (transport-node `EarlyDataInfo`). */
interface EarlyDataEventShape {
  readonly status: EarlyDataOutcome['status'];
  readonly sentAsEarlyData: number;
  readonly sentAfterHandshake: number;
  readonly unsent: Uint8Array | undefined;
}

/** Each socket's early data report, kept from its 'earlyData' event until 'secureConnect' reads it. */
const EARLY_DATA = new WeakMap<TlsLikeSocket, EarlyDataOutcome>();

/** Contexts prepared for `preparedContext` connections, by their options. */
const PREPARED_CONTEXTS = new Map<string, unknown>();

/** Maps the harness options to puretls' tls.connect-shaped options. */
export function puretlsOptions(options: ClientConnectOptions, core?: CoreEngineParts, sessionParts?: SessionContextParts): Record<string, unknown> {
  const mapped: Record<string, unknown> = {
    host: options.host,
    port: options.port,
    servername: options.servername,
    ca: options.ca,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  };
  if (options.alpnProtocols !== undefined) mapped.ALPNProtocols = [...options.alpnProtocols];
  if (options.minVersion !== undefined) mapped.minVersion = options.minVersion;
  if (options.maxVersion !== undefined) mapped.maxVersion = options.maxVersion;
  if (options.suites !== undefined) mapped.ciphers = options.suites.join(':');
  if (options.groups !== undefined) mapped.groups = [...options.groups];
  if (options.session !== undefined) mapped.session = options.session;
  if (options.earlyData !== undefined) mapped.earlyData = options.earlyData;
  if (options.cert !== undefined) mapped.cert = options.cert;
  if (options.postHandshakeAuth !== undefined) mapped.postHandshakeAuth = options.postHandshakeAuth;
  if (options.requestOCSP !== undefined) mapped.requestOCSP = options.requestOCSP;
  if (options.ocspPolicy !== undefined) mapped.ocspPolicy = options.ocspPolicy;
  if (options.externalPsk !== undefined) mapped.externalPsk = { identity: options.externalPsk.identity, key: new Uint8Array(Buffer.from(options.externalPsk.keyHex, 'hex')) };
  if (options.key !== undefined) mapped.key = options.key;
  const contextOptions: Record<string, unknown> = {};
  if (options.pskModes !== undefined || options.clockSkewSeconds !== undefined) {
    // connect() takes neither pskModes nor a clock: a session Context (cache off) built from the
    // same options carries them (tls-core's `now` is the clock of session ages and certificate checks).
    if (sessionParts === undefined) throw new Error('pskModes and clockSkewSeconds need @puretls/session');
    const skewMs = (options.clockSkewSeconds ?? 0) * 1000;
    if (options.pskModes !== undefined) contextOptions.pskModes = [...options.pskModes];
    if (options.clockSkewSeconds !== undefined) contextOptions.now = () => Date.now() + skewMs;
  }
  const wantsContext = Object.keys(contextOptions).length > 0 || options.preparedContext === true;
  if (wantsContext && sessionParts !== undefined) {
    const parts = sessionParts;
    const build = (): unknown => new parts.Context({ ...parts.toConfigOptions(mapped), ...contextOptions, sessionCacheMode: 'off' });
    if (options.preparedContext === true) {
      // One cache-less Context per distinct option set (pskModes and clock included), as tls.connect
      // reuses a secureContext: the psk_ke resumption row used to build a Context, trust store
      // included, for every connection.
      // The per-connection fields are left out before stringifying: a replacer would see the session
      // only after JSON.stringify had already turned its Buffer into an array of numbers (toJSON runs
      // first), work that was charged to puretls's CPU on every resumed connection.
      const { session: _session, host: _host, port: _port, servername: _servername, ...shared } = mapped;
      const key = JSON.stringify([shared, options.pskModes ?? null, options.clockSkewSeconds ?? null]);
      let prepared = PREPARED_CONTEXTS.get(key);
      if (prepared === undefined) PREPARED_CONTEXTS.set(key, (prepared = build()));
      mapped.context = prepared;
    } else {
      mapped.context = build();
    }
  }
  if (options.requireExtendedMasterSecret === true) {
    if (core === undefined) throw new Error('requireExtendedMasterSecret needs @puretls/tls-core');
    mapped.engineFactory = (config: Record<string, unknown>, target: EngineTargetShape) =>
      new core.ClientConnection(core.createClientConfig({ ...config, requireExtendedMasterSecret: true }), {
        host: target.host,
        sendServerName: target.sendServerName,
        ...(target.session === undefined ? {} : { session: target.session }),
      });
  }
  return mapped;
}

function describePuretlsError(error: unknown): ObservedError {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = error as Error & { alert?: unknown; reason?: unknown; code?: unknown };
  const described: { -readonly [K in keyof ObservedError]: ObservedError[K] } = { message: error.message, code: error.name };
  if (error.name === 'AlertReceived' && typeof fields.alert === 'number') described.alertReceived = fields.alert;
  if (error.name === 'InvalidCertificate' && typeof fields.reason === 'string') described.certReason = fields.reason;
  else if (typeof fields.reason === 'string') described.reason = fields.reason;
  if (error.name === 'UnexpectedEof') described.truncated = true;
  return described;
}

/** Loads puretls, or returns undefined when the transport does not export `connect` yet. */
export async function loadPuretlsClient(): Promise<ClientUnderTest | undefined> {
  let transport: Record<string, unknown>;
  try {
    transport = (await import(PURETLS_TRANSPORT_MODULE)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const connect = transport.connect;
  if (typeof connect !== 'function') return undefined;
  let engineParts: CoreEngineParts | undefined;
  try {
    const core = (await import('@puretls/tls-core')) as Record<string, unknown>;
    if (typeof core.createClientConfig === 'function' && typeof core.ClientConnection === 'function') engineParts = core as unknown as CoreEngineParts;
  } catch {
    engineParts = undefined;
  }
  let sessionParts: SessionContextParts | undefined;
  try {
    const session = (await import('@puretls/session')) as Record<string, unknown>;
    if (typeof session.Context === 'function' && typeof transport.toConfigOptions === 'function') {
      sessionParts = { Context: session.Context as SessionContextParts['Context'], toConfigOptions: transport.toConfigOptions as SessionContextParts['toConfigOptions'] };
    }
  } catch {
    sessionParts = undefined;
  }
  return tlsLikeClient({
    name: 'puretls',
    capabilities: {
      group: true,
      sigScheme: true,
      keylog: true,
      closeNotify: true,
      alertSent: true,
      errorReason: true,
      requireExtendedMasterSecret: engineParts !== undefined,
      pskModes: sessionParts !== undefined,
      postHandshakeAuth: true,
      ocsp: true,
      clock: sessionParts !== undefined,
      earlyData: true,
    },
    knownDeviations: {},
    open: (options) => {
      const socket = (connect as ConnectFunction)(puretlsOptions(options, engineParts, sessionParts));
      // The transport's 'earlyData' event comes just before 'secureConnect'.
      socket.on('earlyData', (info: EarlyDataEventShape) => {
        EARLY_DATA.set(socket, { status: info.status, sentAsEarlyData: info.sentAsEarlyData, sentAfterHandshake: info.sentAfterHandshake, unsentBytes: info.unsent?.length ?? 0 });
      });
      return socket;
    },
    readEarlyData: (socket) => EARLY_DATA.get(socket),
    describeError: describePuretlsError,
    readGroup: (socket) => {
      const group = (socket as TlsLikeSocket & PuretlsSocketExtras).getNegotiatedGroup?.();
      return group === undefined || group === null ? NOT_AVAILABLE : ianaGroupName(group);
    },
    readSigScheme: (socket) => (socket as TlsLikeSocket & PuretlsSocketExtras).getPeerSignatureScheme?.() ?? NOT_AVAILABLE,
    endMeansCloseNotify: true,
    alertEvents: true,
  });
}
