/**
 * Runs the `puretls s_client` rows of cli-cases.ts: starts the row's peer on 127.0.0.1, spawns
 * `node packages/transport-node/bin/puretls.js s_client ...` (the compiled command, as a user
 * runs it), waits for it to exit (killed after 30 s), stops the peer by PID and evaluates the
 * row's checks. s_server runs with `-naccept 1` and is given time to exit by itself, so its
 * block-buffered `-msg` output is complete.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { CliCase, CliRun } from '../cases/cli.ts';
import { startOpensslServer } from '@puretls/test-support/openssl';
import { REPO_ROOT, type Pki } from '../pki.ts';
import { startStartTlsResponder, type RunningResponder } from '../starttls-responder.ts';
import type { RunningServer } from '../types.ts';

export const PURETLS_BIN = join(REPO_ROOT, 'packages', 'transport-node', 'bin', 'puretls.js');
const CLI_TIMEOUT_MS = 30_000;

export interface CliCheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly observed?: string;
}

export interface CliCaseResult {
  readonly id: string;
  readonly description: string;
  readonly status: 'pass' | 'fail';
  readonly checks: readonly CliCheckResult[];
  readonly run: Omit<CliRun, 'path' | 'readFile'>;
}

/** The `-CApath` directory the rows use: the root, an intermediate-free copy, and a non-certificate file. */
function ensureCaPath(pki: Pki): void {
  const dir = pki.path('capath');
  if (existsSync(dir)) return;
  mkdirSync(dir);
  copyFileSync(pki.path('ca-root.pem'), join(dir, 'root.pem'));
  writeFileSync(join(dir, 'README'), 'not a certificate\n');
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function runCli(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string; elapsedMs: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [PURETLS_BIN, 's_client', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('latin1')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  });
}

/** Run one row against `pki` (made by createPki). */
export async function runCliCase(row: CliCase, pki: Pki): Promise<CliCaseResult> {
  ensureCaPath(pki);
  let server: RunningServer | undefined;
  let responder: RunningResponder | undefined;
  let netServer: Server | undefined;
  const peerSockets = new Set<Socket>();
  const track = (s: Socket): void => {
    peerSockets.add(s);
    s.on('close', () => peerSockets.delete(s));
    s.on('error', () => {});
  };
  let port = 1;
  const peer = row.peer;
  try {
    for (const [name, content] of Object.entries(row.files ?? {})) writeFileSync(pki.path(name), content);
    if (peer.kind === 'openssl' || peer.kind === 'starttls') {
      server = await startOpensslServer({ args: peer.args, cwd: pki.dir, naccept: row.setup === undefined ? 1 : 2, keylog: peer.kind === 'openssl' && peer.keylog === true, exitGraceMs: 5000, lifetimeSeconds: 60 });
      port = server.port;
      if (peer.kind === 'starttls') {
        responder = await startStartTlsResponder(peer.protocol, server.port);
        port = responder.port;
      }
    } else if (peer.kind === 'http') {
      netServer = createServer((s) => {
        track(s);
        s.once('data', () => s.end('HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<html><body>400</body></html>\r\n'));
      });
      port = await listen(netServer);
    } else if (peer.kind === 'silent') {
      netServer = createServer(track);
      port = await listen(netServer);
    } else if (peer.kind === 'refused') {
      const probe = createServer();
      port = await listen(probe);
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    }
    const setup = row.setup === undefined ? undefined : await runCli(row.setup(port, (name) => pki.path(name)), '');
    const result = await runCli(row.args(port, (name) => pki.path(name)), row.stdin ?? '');
    const log = server === undefined ? { output: '', keylog: [] as string[] } : await server.stop();
    const run: CliRun = {
      ...result,
      serverOutput: log.output,
      serverKeylog: log.keylog,
      starttlsCommands: responder?.commands() ?? [],
      path: (name) => pki.path(name),
      readFile: (name) => readFileSync(pki.path(name), 'utf8'),
    };
    const checks: CliCheckResult[] = [{ name: `exit code ${row.exitCode}`, ok: run.code === row.exitCode, observed: `exit ${run.code}; stderr: ${run.stderr.slice(0, 2000)}` }];
    if (setup !== undefined) checks.unshift({ name: 'setup run exit code 0', ok: setup.code === 0, observed: `exit ${setup.code}; stderr: ${setup.stderr.slice(0, 2000)}` });
    for (const c of row.checks) {
      const observed = c.check(run);
      checks.push(observed === undefined ? { name: c.name, ok: true } : { name: c.name, ok: false, observed });
    }
    const { path: _path, readFile: _readFile, ...plain } = run;
    return { id: row.id, description: row.description, status: checks.every((c) => c.ok) ? 'pass' : 'fail', checks, run: plain };
  } finally {
    await server?.stop();
    await responder?.stop();
    if (netServer !== undefined) {
      for (const s of peerSockets) s.destroy();
      await new Promise<void>((resolve) => netServer!.close(() => resolve()));
    }
  }
}
