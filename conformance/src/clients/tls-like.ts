/**
 * A generic {@link ClientUnderTest} over any `tls.connect`-shaped API.
 *
 * Node's `tls.connect` and puretls' `connect()` (from `@puretls/transport-node`) both return an
 * event emitter with `secureConnect`, `data`, `end`, `close`, `error` and `keylog` events and the
 * `getProtocol()` / `getCipher()` / `alpnProtocol` accessors, so one adapter drives both. The
 * library-specific parts (option mapping, error normalisation, group and signature-scheme readers)
 * are passed in as a {@link TlsLikeProfile}.
 *
 * @module
 */
import {
  NOT_AVAILABLE,
  type ClientCapabilities,
  type ClientConnectOptions,
  type ClientConnection,
  type ClientUnderTest,
  type CloseInfo,
  type ConnectOutcome,
  type EarlyDataOutcome,
  type HandshakeInfo,
  type ObservedError,
} from '../types.ts';

/** The subset of a TLS socket the adapter uses. */
export interface TlsLikeSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  write(data: string | Uint8Array): unknown;
  end(): unknown;
  destroy(): unknown;
  getProtocol(): string | null;
  getCipher(): { name: string; standardName?: string; version: string } | undefined;
  readonly alpnProtocol?: string | false | null;
  isSessionReused?(): boolean;
}

export interface TlsLikeProfile {
  readonly name: string;
  readonly capabilities: ClientCapabilities;
  readonly knownDeviations?: Readonly<Record<string, string>>;
  /** Opens the socket (tls.connect-shaped options are built by the profile). */
  open(options: ClientConnectOptions): TlsLikeSocket;
  /** Normalises a library error. */
  describeError(error: unknown): ObservedError;
  /** IANA group name after the handshake, or 'n/a'. */
  readGroup(socket: TlsLikeSocket): string;
  /** IANA signature scheme name after the handshake, or 'n/a'. */
  readSigScheme(socket: TlsLikeSocket): string;
  /** The client's early data report at 'secureConnect', when it sent early data (puretls). */
  readEarlyData?(socket: TlsLikeSocket): EarlyDataOutcome | undefined;
  /** True when an 'end' event proves close_notify was received (puretls), false for a bare EOF (Node). */
  readonly endMeansCloseNotify: boolean;
  /**
   * The socket emits `'alert'` events `{ level, description, sent }` (puretls): the fatal alert the
   * client sent is read from them, as the alert that went out, instead of being recomputed.
   */
  readonly alertEvents?: boolean;
}

/** The `'alert'` event of a puretls socket (tls-core's alert event). */
interface AlertEvent {
  readonly level: 'warning' | 'fatal';
  readonly description: number;
  readonly sent: boolean;
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Builds a client adapter from a profile. */
export function tlsLikeClient(profile: TlsLikeProfile): ClientUnderTest {
  return {
    name: profile.name,
    capabilities: profile.capabilities,
    knownDeviations: profile.knownDeviations ?? {},
    connect: (options) => connectTlsLike(profile, options),
  };
}

function connectTlsLike(profile: TlsLikeProfile, options: ClientConnectOptions): Promise<ConnectOutcome> {
  return new Promise<ConnectOutcome>((resolveOutcome) => {
    const keylog: string[] = [];
    const sessions: Uint8Array[] = [];
    const chunks: Uint8Array[] = [];
    let byteCount = 0;
    const keepData = options.keepData ?? true;
    let settled = false;
    let closeInfo: CloseInfo | undefined;
    let sawEnd = false;
    let lastError: ObservedError | undefined;
    const waiters = new Set<() => void>();
    let resolveClosed!: (info: CloseInfo) => void;
    const closed = new Promise<CloseInfo>((resolve) => {
      resolveClosed = resolve;
    });

    let socket: TlsLikeSocket;
    try {
      socket = profile.open(options);
    } catch (error) {
      resolveOutcome({ ok: false, error: profile.describeError(error), keylog });
      return;
    }
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolveOutcome({ ok: false, error: { message: 'handshake timed out', code: 'TIMEOUT' }, keylog });
    }, options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);

    const notify = (): void => {
      for (const waiter of [...waiters]) waiter();
    };

    if (options.observe !== false) {
      socket.on('keylog', (line: Uint8Array) => {
        keylog.push(new TextDecoder().decode(line).trim());
      });
      socket.on('session', (session: Uint8Array) => {
        sessions.push(new Uint8Array(session));
        notify();
      });
    }
    socket.on('data', (chunk: Uint8Array) => {
      byteCount += chunk.length;
      if (keepData) chunks.push(chunk);
      notify();
    });
    socket.on('end', () => {
      sawEnd = true;
    });
    let fatalAlertSent: number | undefined;
    if (profile.alertEvents === true) {
      socket.on('alert', (event: AlertEvent) => {
        if (event.sent && event.level === 'fatal') fatalAlertSent = event.description;
      });
    }
    socket.on('error', (error: unknown) => {
      const described = profile.describeError(error);
      lastError = fatalAlertSent === undefined || described.alertSent !== undefined ? described : { ...described, alertSent: fatalAlertSent };
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolveOutcome({ ok: false, error: lastError, keylog });
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (lastError !== undefined) {
        closeInfo = { kind: lastError.truncated === true ? 'truncated' : 'error', error: lastError };
      } else if (sawEnd) {
        closeInfo = { kind: profile.endMeansCloseNotify ? 'clean' : 'eof' };
      } else {
        closeInfo = { kind: 'eof' };
      }
      resolveClosed(closeInfo);
      notify();
      if (!settled) {
        settled = true;
        resolveOutcome({ ok: false, error: { message: 'connection closed before the handshake finished', code: 'CLOSED' }, keylog });
      }
    });
    socket.once('secureConnect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const cipher = socket.getCipher();
      const alpn = socket.alpnProtocol;
      const info: HandshakeInfo = {
        version: socket.getProtocol() ?? '',
        suite: cipher?.standardName ?? cipher?.name ?? '',
        group: profile.readGroup(socket),
        sigScheme: profile.readSigScheme(socket),
        alpn: typeof alpn === 'string' && alpn.length > 0 ? alpn : null,
        resumed: typeof socket.isSessionReused === 'function' ? socket.isSessionReused() : NOT_AVAILABLE,
        ...(profile.readEarlyData === undefined ? {} : earlyDataField(profile.readEarlyData(socket))),
      };
      const connection: ClientConnection = {
        info,
        write: (data) => {
          socket.write(data);
        },
        waitForText: (text, timeoutMs) =>
          new Promise<void>((resolve, reject) => {
            const check = (): void => {
              if (new TextDecoder().decode(Buffer.concat(chunks)).includes(text)) {
                finish();
                resolve();
              } else if (closeInfo !== undefined) {
                finish();
                reject(new Error(`connection closed (${closeInfo.kind}) before ${JSON.stringify(text)} arrived`));
              }
            };
            const waitTimer = setTimeout(() => {
              finish();
              reject(new Error(`timed out after ${timeoutMs} ms waiting for ${JSON.stringify(text)}`));
            }, timeoutMs);
            const finish = (): void => {
              clearTimeout(waitTimer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          }),
        received: () => Buffer.concat(chunks),
        receivedBytes: () => byteCount,
        closed,
        keylogLines: () => keylog,
        sessions: () => sessions,
        waitForSession: (timeoutMs) =>
          new Promise<void>((resolve) => {
            const check = (): void => {
              if (sessions.length > 0 || closeInfo !== undefined) done();
            };
            const waitTimer = setTimeout(() => done(), timeoutMs);
            const done = (): void => {
              clearTimeout(waitTimer);
              waiters.delete(check);
              resolve();
            };
            waiters.add(check);
            check();
          }),
        end: () => {
          socket.end();
        },
        destroy: () => {
          socket.destroy();
        },
      };
      resolveOutcome({ ok: true, connection });
    });
  });
}

function earlyDataField(outcome: EarlyDataOutcome | undefined): { earlyData?: EarlyDataOutcome } {
  return outcome === undefined ? {} : { earlyData: outcome };
}
