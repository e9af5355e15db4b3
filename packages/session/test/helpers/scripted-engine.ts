/**
 * A scripted stand-in for tls-core's ClientConnection: the test decides when the handshake
 * finishes, whether it resumed, and which session events arrive, so reference counts can be
 * checked after every step without a network peer.
 */
import {
  CipherSuite,
  ResumptionPsk,
  SHA256,
  Tls12MasterSecret,
  type ClientConfig,
  type ClientConnectionOptions,
  type ClientEngine,
  type ClientEvent,
  type NegotiatedParameters,
  type ResumptionData,
  type Tls12SessionData,
  type Tls13TicketData,
} from '@puretls/tls-core/internal';
import type { EngineFactory } from '../../src/index.ts';

export class ScriptedEngine implements ClientEngine {
  readonly options: ClientConnectionOptions;
  readonly config: ClientConfig;
  started = false;
  isClosed = false;
  isWriteClosed = false;
  error: Error | undefined;
  negotiated: NegotiatedParameters | undefined;
  readonly finishedVerifyData: Uint8Array | undefined = undefined;
  readonly peerFinishedVerifyData: Uint8Array | undefined = undefined;
  #events: ClientEvent[] = [];

  constructor(config: ClientConfig, options: ClientConnectionOptions) {
    this.config = config;
    this.options = options;
  }

  get isHandshaking(): boolean {
    return this.error === undefined && this.negotiated === undefined;
  }

  start(): void {
    this.started = true;
  }
  receive(): void {}
  receiveEof(): void {}
  takeOutgoing(): Uint8Array | undefined {
    return undefined;
  }
  write(): void {}
  readPlaintext(): Uint8Array | undefined {
    return undefined;
  }
  takeEvents(): ClientEvent[] {
    const e = this.#events;
    this.#events = [];
    return e;
  }
  close(): void {
    this.isWriteClosed = true;
  }
  requestKeyUpdate(): void {}
  exportKeyingMaterial(): Uint8Array {
    return new Uint8Array(0);
  }

  /** The server finished the handshake; `reused` is what ServerHello decided. */
  finish(reused: boolean, version: 'TLSv1.3' | 'TLSv1.2' = 'TLSv1.3'): void {
    this.negotiated = {
      version: version === 'TLSv1.3' ? 0x0304 : 0x0303,
      versionName: version,
      suite: version === 'TLSv1.3' ? CipherSuite.TLS_AES_128_GCM_SHA256 : CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      group: undefined,
      signatureScheme: undefined,
      alpn: undefined,
      serverName: this.options.host,
      sessionReused: reused,
      helloRetryRequest: false,
      extendedMasterSecret: true,
      peerCertificates: [],
      ocspResponse: undefined,
      certificateError: undefined,
      earlyData: 'not-offered',
    };
    this.#events.push({ type: 'handshakeDone' });
  }

  /** A NewSessionTicket (TLS 1.3) or the end-of-handshake session (TLS 1.2). */
  sessionEvent(session: ResumptionData): void {
    this.#events.push({ type: 'session', session });
  }

  /** A fatal error (as after a sent or received fatal alert). */
  fail(): void {
    this.error = new Error('scripted failure');
  }
}

/** An engine factory that records every engine it made. */
export function scriptedFactory(): { factory: EngineFactory; engines: ScriptedEngine[] } {
  const engines: ScriptedEngine[] = [];
  return {
    engines,
    factory: (config, options) => {
      const e = new ScriptedEngine(config, options);
      engines.push(e);
      return e;
    },
  };
}

let counter = 0;

/** Distinct TLS 1.3 ticket data for `serverName`. */
export function ticket13(serverName = 'example.test', nowMs = Date.now(), extra: Partial<Tls13TicketData> = {}): Tls13TicketData {
  const n = ++counter;
  return {
    version: 'TLSv1.3',
    suite: CipherSuite.TLS_AES_128_GCM_SHA256,
    psk: ResumptionPsk.fromBytes(new Uint8Array(32).fill(n & 0xff)),
    ticket: new Uint8Array([1, 2, 3, n & 0xff]),
    lifetimeSeconds: 7200,
    ageAdd: 12345,
    receivedAtMs: nowMs,
    maxEarlyData: 0,
    alpn: undefined,
    serverName,
    peerCertificates: [new Uint8Array([0x30, 0x03, 0x02, 0x01, n & 0xff])],
    ...extra,
  };
}

/** Distinct TLS 1.2 session data. */
export function session12(serverName = 'example.test', nowMs = Date.now(), extra: Partial<Tls12SessionData> = {}): Tls12SessionData {
  const n = ++counter;
  return {
    version: 'TLSv1.2',
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    masterSecret: Tls12MasterSecret.fromBytes(SHA256, new Uint8Array(48).fill(n & 0xff)),
    sessionId: new Uint8Array(32).fill((n + 1) & 0xff),
    ticket: undefined,
    lifetimeSeconds: 7200,
    receivedAtMs: nowMs,
    extendedMasterSecret: true,
    alpn: undefined,
    serverName,
    peerCertificates: [],
    ...extra,
  };
}
