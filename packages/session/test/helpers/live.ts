/**
 * Live peers for the resumption tests: the shared test PKI and `openssl s_server` on 127.0.0.1
 * (stopped by PID) from @puretls/test-support, and a minimal socket driver for a session
 * Connection (no transport package needed).
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { TrustStore } from '@puretls/tls-core';
import { generateFixturePki } from '@puretls/test-support/pki';
import { opensslAvailable, startOpensslServer, type OpensslServer } from '@puretls/test-support/openssl';
import type { Connection, Session } from '../../src/index.ts';

export { freePort, opensslAvailable } from '@puretls/test-support/openssl';

export function makePki(): { dir: string; caPem: string; ec: string[]; cleanup: () => void } {
  const pki = generateFixturePki('session');
  return {
    dir: pki.dir,
    caPem: pki.text('trust-root.pem'),
    ec: ['-cert', join(pki.dir, 'leaf-ecdsa-p256.pem'), '-key', join(pki.dir, 'leaf-ecdsa-p256.key'), '-cert_chain', join(pki.dir, 'ca-int.pem')],
    cleanup: pki.cleanup,
  };
}

export type LiveServer = OpensslServer;

/** What a live test file shares: the PKI and its trust store (made before all tests when openssl is there) and the servers it started. */
export interface LivePeers {
  readonly pki: ReturnType<typeof makePki>;
  readonly trustStore: TrustStore;
  /** Every server pushed here is stopped after all tests. */
  readonly servers: LiveServer[];
}

/** Registers the file's beforeAll (PKI, trust store) and afterAll (stop the servers, remove the PKI); read the fields inside tests. */
export function useLivePeers(): LivePeers {
  let pki: LivePeers['pki'] | undefined;
  let trustStore: TrustStore | undefined;
  const servers: LiveServer[] = [];
  beforeAll(() => {
    if (!opensslAvailable()) return;
    pki = makePki();
    trustStore = TrustStore.fromPem(pki.caPem);
  });
  afterAll(() => {
    for (const s of servers) s.stop();
    pki?.cleanup();
  });
  return {
    get pki() {
      return pki!;
    },
    get trustStore() {
      return trustStore!;
    },
    servers,
  };
}

/** Resolves once the server process has exited (its stdout is then complete). */
export function exited(srv: LiveServer): Promise<void> {
  return new Promise((resolve) => (srv.proc.exitCode !== null ? resolve() : srv.proc.once('exit', () => resolve())));
}

/** `openssl s_server -accept 127.0.0.1:port ...args` (the rows pass their own `-naccept`); resolves once it listens. */
export function startServer(args: string[], port?: number, env?: NodeJS.ProcessEnv): Promise<LiveServer> {
  return startOpensslServer({ args, naccept: 0, ...(port === undefined ? {} : { port }), ...(env === undefined ? {} : { env }) });
}

export interface RunResult {
  keyLog: string[];
  sessions: Session[];
  reused: boolean;
  helloRetryRequest: boolean;
  group: number | undefined;
  version: string | undefined;
  /** negotiated.earlyData (tls-core): 'accepted', 'rejected' or 'not-offered'. */
  earlyData: string | undefined;
}

/**
 * Run one connection: handshake, read until the server's tickets and close_notify arrive
 * (we send close_notify right after the handshake; s_server answers with its own).
 */
export function runConnection(conn: Connection, port: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    const keyLog: string[] = [];
    const sessions: Session[] = [];
    let closed = false;
    const flush = (): void => {
      const out = conn.takeOutgoing();
      if (out !== undefined && !socket.destroyed) socket.write(out);
    };
    const events = (): void => {
      for (const e of conn.takeEvents()) {
        if (e.type === 'keyLog') keyLog.push(e.entry.line);
        if (e.type === 'session' && 'handle' in e) sessions.push(e.handle);
        if (e.type === 'handshakeDone' && !closed) {
          closed = true;
          conn.close();
        }
      }
    };
    const finish = (): void => {
      socket.destroy();
      const n = conn.negotiated;
      resolve({ keyLog, sessions, reused: conn.sessionReused(), helloRetryRequest: n?.helloRetryRequest ?? false, group: n?.group, version: n?.versionName, earlyData: n?.earlyData });
    };
    socket.on('connect', () => {
      conn.start();
      flush();
    });
    socket.on('data', (d: Buffer) => {
      try {
        conn.receive(new Uint8Array(d));
      } catch (e) {
        flush();
        socket.destroy();
        reject(e);
        return;
      }
      events();
      flush();
      if (conn.isClosed) finish();
    });
    socket.on('end', () => finish());
    socket.on('error', reject);
  });
}

/** Lines of an NSS key log file for one client random. */
export function serverKeyLines(file: string, clientRandomHex: string): string[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.split(' ')[1] === clientRandomHex);
}
