/**
 * Live peers for the resumption tests: the shared test PKI (test-pki/gen-pki.sh into a temp
 * dir), `openssl s_server` on 127.0.0.1 (stopped by PID), and a minimal socket driver for a
 * session Connection (no transport package needed).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, Session } from '../../src/index.ts';

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makePki(): { dir: string; caPem: string; ec: string[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-session-pki-'));
  execFileSync('bash', [new URL('../../../../test-pki/gen-pki.sh', import.meta.url).pathname, dir], { stdio: 'ignore' });
  return {
    dir,
    caPem: readFileSync(join(dir, 'trust-root.pem'), 'utf8'),
    ec: ['-cert', join(dir, 'leaf-ecdsa-p256.pem'), '-key', join(dir, 'leaf-ecdsa-p256.key'), '-cert_chain', join(dir, 'ca-int.pem')],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface LiveServer {
  port: number;
  proc: ChildProcess;
  output: () => string;
  stop: () => void;
}

/** `openssl s_server -accept 127.0.0.1:port ...args`; resolves once it listens. */
export async function startServer(args: string[], port?: number, env?: NodeJS.ProcessEnv): Promise<LiveServer> {
  const p = port ?? (await freePort());
  const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${p}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
  let output = '';
  proc.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const deadline = Date.now() + 10000;
  while (!output.includes('ACCEPT')) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`openssl s_server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port: p,
    proc,
    output: () => output,
    stop: () => {
      if (proc.pid !== undefined && proc.exitCode === null) process.kill(proc.pid);
    },
  };
}

export interface RunResult {
  keyLog: string[];
  sessions: Session[];
  reused: boolean;
  helloRetryRequest: boolean;
  group: number | undefined;
  version: string | undefined;
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
      resolve({ keyLog, sessions, reused: conn.sessionReused(), helloRetryRequest: n?.helloRetryRequest ?? false, group: n?.group, version: n?.versionName });
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
