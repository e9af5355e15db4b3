/**
 * `gnutls-serv` (GnuTLS 3.7) as a second, independent TLS 1.3 peer (CONFORMANCE.md §3.1).
 *
 * gnutls-serv has no bind-address option: it listens on all interfaces. So it never runs in the
 * host's network namespace. The runner re-executes a small Node child (`netns-child.js`: the
 * client side of one case) inside `unshare -n` (a private namespace whose only interface is `lo`,
 * brought up with `ip link set lo up`); that child starts gnutls-serv next to itself with
 * {@link startGnutlsServer}, runs the case and prints the result as JSON. Neither process listens
 * outside the namespace, and the namespace disappears with them. The server's key log comes from
 * GnuTLS' `SSLKEYLOGFILE` support.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readKeylog } from './openssl-server.ts';
import { spawnTracked } from './process.ts';
import type { RunningServer, ServerLog } from './types.ts';

const run = promisify(execFile);

/** Port inside the private namespace (nothing else listens there). */
export const NETNS_PORT = 5601;

export interface GnutlsServerOptions {
  readonly args: readonly string[];
  readonly cwd: string;
  readonly keylog?: boolean;
}

/**
 * Starts gnutls-serv. Only call this inside a private network namespace.
 * @throws Error when not in a namespace created by {@link runInNetns}, or when the server fails
 */
export async function startGnutlsServer(options: GnutlsServerOptions): Promise<RunningServer> {
  if (process.env.PURETLS_CONFORMANCE_NETNS !== '1') {
    throw new Error('gnutls-serv listens on all interfaces: start it only inside runInNetns()');
  }
  const workDir = await mkdtemp(join(tmpdir(), 'puretls-gnutls-'));
  const keylogPath = join(workDir, 'server.keys');
  const env = { ...process.env };
  if (options.keylog === true) env.SSLKEYLOGFILE = keylogPath;
  const proc = spawnTracked('gnutls-serv', ['-p', String(NETNS_PORT), ...options.args], { cwd: options.cwd, env, lifetimeSeconds: 60 });
  try {
    await proc.waitForOutput(/listening on IPv4 .*done/, 5000);
  } catch (error) {
    await proc.stop();
    await rm(workDir, { recursive: true, force: true });
    throw new Error(`gnutls-serv failed to start: ${(error as Error).message}\n${proc.output()}`);
  }
  let stopped: ServerLog | undefined;
  return {
    kind: 'gnutls',
    port: NETNS_PORT,
    pid: proc.pid,
    sendStdin: (text) => {
      proc.write(text);
    },
    output: () => proc.output(),
    waitForOutput: (text, timeoutMs) => proc.waitForOutput(text, timeoutMs),
    stop: async () => {
      if (stopped !== undefined) return stopped;
      await proc.stop();
      const keylog = options.keylog === true ? await readKeylog(keylogPath) : [];
      await rm(workDir, { recursive: true, force: true });
      stopped = { output: proc.output(), keylog };
      return stopped;
    },
  };
}

/** Why gnutls cases cannot run here, or undefined when they can (gnutls-serv installed, `unshare -n` permitted). */
export async function gnutlsUnavailableReason(): Promise<string | undefined> {
  try {
    await run('gnutls-serv', ['--version']);
  } catch {
    return 'gnutls-serv not installed (apt-get install gnutls-bin)';
  }
  return netnsUnavailableReason();
}

/** Why a private network namespace cannot be made here (`unshare -n` not permitted), or undefined. */
export async function netnsUnavailableReason(): Promise<string | undefined> {
  try {
    await run('unshare', ['-n', '--', 'ip', 'link', 'set', 'lo', 'up']);
  } catch (error) {
    return `unshare -n not permitted: ${(error as Error).message.split('\n')[0] ?? ''}`;
  }
  return undefined;
}

/** The compiled child entry point (netns-child.js next to this module, or in ../dist when run from src). */
export function netnsChildScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'netns-child.js');
  if (existsSync(sibling)) return sibling;
  const built = join(here, '..', 'dist', 'netns-child.js');
  if (existsSync(built)) return built;
  throw new Error(`netns-child.js not found next to ${here} nor in ../dist: run \`npx tsc -b\` first`);
}

/**
 * Runs one case inside a fresh private network namespace and returns the child's JSON output.
 * @param caseId the case to run
 * @param clientName the client the child loads (`node` or `puretls`)
 * @param pkiDir the generated PKI
 * @throws Error when the child fails or prints no result
 */
export async function runInNetns(caseId: string, clientName: string, pkiDir: string): Promise<unknown> {
  const script = `ip link set lo up && exec "$0" "$@"`;
  const child = spawnTracked('unshare', ['-n', '--', 'sh', '-c', script, process.execPath, netnsChildScript(), caseId, clientName, pkiDir], {
    env: { ...process.env, PURETLS_CONFORMANCE_NETNS: '1' },
    lifetimeSeconds: 90,
  });
  const exit = await child.exited;
  const output = child.output();
  const line = output.split('\n').find((candidate) => candidate.startsWith('RESULT '));
  if (line === undefined) {
    throw new Error(`netns child for ${caseId} exited (${exit.code ?? exit.signal}) without a result:\n${output.slice(-2000)}`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as unknown;
}
