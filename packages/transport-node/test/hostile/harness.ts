/**
 * Case helpers for the hostile-server suites: one server and one PKI per test file (bound to
 * 127.0.0.1 port 0, closed in afterAll), and `rejects13` / `rejects12` that turn a script into a
 * vitest case asserting the error class, reason and the alert on the wire.
 */
import { afterAll, beforeAll, it } from 'vitest';
import type { ConnectOptions } from '../../src/connect.ts';
import type { TLSSocket } from '../../src/tls-socket.ts';
import { expectRejected, type Rejection } from './assert.ts';
import { makeHostilePki, type HostilePki } from './pki.ts';
import { HostileServer, Tls12, Tls13, type Identity, type Peer, type RunResult, type ClientRecord, type Tls12Options, type Tls13Options } from './server.ts';

export interface Hostile {
  readonly server: HostileServer;
  readonly pki: HostilePki;
  /** connect() options trusting the test CA, for SNI/verification name localhost. */
  client(extra?: ConnectOptions): ConnectOptions;
}

/** Start one hostile server and PKI for the calling test file. */
export function useHostile(): Hostile {
  let server: HostileServer | undefined;
  let pki: HostilePki | undefined;
  beforeAll(async () => {
    pki = makeHostilePki();
    server = await HostileServer.start();
  });
  afterAll(async () => {
    await server?.close();
    pki?.cleanup();
  });
  return {
    get server() {
      return server!;
    },
    get pki() {
      return pki!;
    },
    client: (extra = {}) => ({ ca: pki!.caPem, servername: 'localhost', ...extra }),
  };
}

export interface CaseOptions {
  client?: ConnectOptions;
  /** Server identity (default: the P-256 leaf). */
  identity?: (pki: HostilePki) => Identity;
  server13?: Omit<Tls13Options, 'identity'>;
  server12?: Omit<Tls12Options, 'identity'>;
  /**
   * A known defect, not fixed yet: the case is registered with `it.fails` so that the suite stays
   * green and the case turns red the day the fix lands (then remove this). Name the defect.
   */
  knownDefect?: string;
}

/** Run a TLS 1.3 script (after the first ClientHello) and return every record the client wrote on the connection. */
export function run13(h: Hostile, script: (t: Tls13, peer: Peer) => void | Promise<void>, o: CaseOptions = {}, onClient?: (s: TLSSocket) => void): Promise<RunResult<ClientRecord[]>> {
  return h.server.run(async (peer) => {
    const t = await Tls13.accept(peer, { identity: (o.identity ?? ((p) => p.ec256))(h.pki), ...o.server13 });
    await script(t, peer);
    await peer.readUntilClose();
    return peer.fromClient;
  }, h.client(o.client), undefined, onClient);
}

/** Run a TLS 1.2 script (after the ClientHello) and return every record the client wrote on the connection. */
export function run12(h: Hostile, script: (t: Tls12, peer: Peer) => void | Promise<void>, o: CaseOptions = {}, onClient?: (s: TLSSocket) => void): Promise<RunResult<ClientRecord[]>> {
  return h.server.run(async (peer) => {
    const t = await Tls12.accept(peer, { identity: (o.identity ?? ((p) => p.ec256))(h.pki), ...o.server12 });
    await script(t, peer);
    await peer.readUntilClose();
    return peer.fromClient;
  }, h.client(o.client), undefined, onClient);
}

/** `it`, or `it.fails` with the defect named when `o.knownDefect` is set. */
export function register(name: string, o: Pick<CaseOptions, 'knownDefect'>, body: () => Promise<void>): void {
  if (o.knownDefect !== undefined) it.fails(`${name} [known defect: ${o.knownDefect}]`, body);
  else it(name, body);
}

/**
 * A TLS 1.3 case: the script misbehaves, the client must fail as `x` says. After the script the
 * server half-closes: a client that wrongly accepted everything then fails at once on the EOF
 * (which the assertion refuses) instead of waiting for the run's deadline; a client that refused
 * the misbehaviour did so on the bytes before the FIN.
 */
export function rejects13(h: Hostile, name: string, script: (t: Tls13, peer: Peer) => void | Promise<void>, x: Rejection, o: CaseOptions = {}): void {
  register(name, o, async () => expectRejected(await run13(h, thenEnd(script), o), x));
}

/** A TLS 1.2 case (the client offers TLS 1.3 and 1.2 unless `client` says otherwise). */
export function rejects12(h: Hostile, name: string, script: (t: Tls12, peer: Peer) => void | Promise<void>, x: Rejection, o: CaseOptions = {}): void {
  register(name, o, async () => expectRejected(await run12(h, thenEnd(script), o), x));
}

function thenEnd<T>(script: (t: T, peer: Peer) => void | Promise<void>): (t: T, peer: Peer) => Promise<void> {
  return async (t, peer) => {
    await script(t, peer);
    peer.end();
  };
}
