/**
 * Servers that cannot bind to 127.0.0.1 only (gnutls-serv and Botan's `tls_server` have no
 * bind-address option and listen on all interfaces) run in a private network namespace, never in
 * the host's (CONFORMANCE.md §3). The runner re-executes a small Node child (`netns-child.js`: the
 * client side of one case) inside `unshare -n` (a namespace whose only interface is `lo`, brought
 * up with `ip link set lo up`); that child starts the server next to itself with
 * {@link startNetnsServer}, runs the case and prints the result as JSON. Neither process listens
 * outside the namespace, and the namespace disappears with them.
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
import { serverProcess, spawnTracked } from '@puretls/test-support/process';
import type { RunningServer } from '../types.ts';

const run = promisify(execFile);

/** Port inside the private namespace (nothing else listens there). */
export const NETNS_PORT = 5601;

/** One server process to start inside the namespace. */
export interface NetnsServerSpec {
  readonly kind: RunningServer['kind'];
  /** The executable, e.g. `gnutls-serv`. */
  readonly command: string;
  /**
   * Its arguments, built once the private work directory exists (for files such as a policy or a
   * key log the server writes there).
   */
  readonly args: (workDir: string) => Promise<readonly string[]> | readonly string[];
  readonly cwd: string;
  /** Extra environment variables (e.g. SSLKEYLOGFILE), also given the work directory. */
  readonly env?: (workDir: string) => Readonly<Record<string, string>>;
  /** Output that says the server is listening. */
  readonly ready: RegExp;
  /** The server's key log lines once it has stopped (default: none). */
  readonly readKeylog?: (workDir: string) => Promise<string[]>;
}

/**
 * Starts a server in the private namespace, with a work directory removed when it stops.
 * @throws Error when not inside {@link runInNetns}, or when the server does not start
 */
export async function startNetnsServer(spec: NetnsServerSpec): Promise<RunningServer> {
  if (process.env.PURETLS_CONFORMANCE_NETNS !== '1') {
    throw new Error(`${spec.command} listens on all interfaces: start it only inside runInNetns()`);
  }
  const workDir = await mkdtemp(join(tmpdir(), `puretls-${spec.kind}-`));
  const env = { ...process.env, ...(spec.env?.(workDir) ?? {}) };
  const proc = spawnTracked(spec.command, [...(await spec.args(workDir))], { cwd: spec.cwd, env, lifetimeSeconds: 60 });
  try {
    await proc.waitForOutput(spec.ready, 5000);
  } catch (error) {
    await proc.stop();
    await rm(workDir, { recursive: true, force: true });
    throw new Error(`${spec.command} failed to start: ${(error as Error).message}\n${proc.output()}`);
  }
  const readKeylog = spec.readKeylog;
  return serverProcess(spec.kind, NETNS_PORT, proc, { ...(readKeylog === undefined ? {} : { readKeylog: () => readKeylog(workDir) }), workDir });
}

/** Why `command` cannot run here (not installed, or no `unshare -n`), or undefined when it can. */
export async function netnsServerUnavailableReason(command: string, versionArgs: readonly string[], installHint: string): Promise<string | undefined> {
  try {
    await run(command, [...versionArgs]);
  } catch {
    return `${command} not installed (${installHint})`;
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

/**
 * A compiled entry point of this package, e.g. `runner/netns-child.js`: child processes always run
 * the build in conformance/dist (also when the caller itself runs from src under vitest).
 * @throws Error when it has not been built
 */
export function compiledScript(relative: string): string {
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
  const path = join(dist, relative);
  if (!existsSync(path)) throw new Error(`${relative} not found in ${dist}: run \`pnpm -s build\` first`);
  return path;
}

/** The compiled child entry point of {@link runInNetns}. */
export function netnsChildScript(): string {
  return compiledScript('runner/netns-child.js');
}

/**
 * Runs one case inside a fresh private network namespace and returns the child's JSON output.
 * @param caseId the case to run
 * @param clientName the client the child loads (`node` or `puretls`)
 * @param pkiDir the generated PKI
 * @throws Error when the child fails or prints no result
 */
export async function runInNetns(caseId: string, clientName: string, pkiDir: string): Promise<unknown> {
  return runScriptInNetns(netnsChildScript(), [caseId, clientName, pkiDir], `netns child for ${caseId}`);
}

/**
 * Runs a compiled child script (one that ends with {@link netnsChildMain}) inside a fresh private
 * network namespace whose `lo` is up, and returns the JSON of its `RESULT` line.
 * @throws Error when the child fails or prints no result
 */
export async function runScriptInNetns(scriptPath: string, args: readonly string[], label: string): Promise<unknown> {
  const script = `ip link set lo up && exec "$0" "$@"`;
  const child = spawnTracked('unshare', ['-n', '--', 'sh', '-c', script, process.execPath, scriptPath, ...args], {
    env: { ...process.env, PURETLS_CONFORMANCE_NETNS: '1' },
    lifetimeSeconds: 90,
  });
  const exit = await child.exited;
  const output = child.output();
  const line = output.split('\n').find((candidate) => candidate.startsWith('RESULT '));
  if (line === undefined) {
    throw new Error(`${label} exited (${exit.code ?? exit.signal}) without a result:\n${output.slice(-2000)}`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as unknown;
}

/**
 * The body of a child script run by {@link runScriptInNetns}: checks that it has its `usage`
 * arguments and runs inside the namespace, prints `RESULT <json>` of what `run` returns and
 * exits 0; on an error, prints it and exits 1.
 */
export function netnsChildMain(name: string, usage: readonly string[], run: (args: readonly string[]) => Promise<unknown>): void {
  const main = async (): Promise<void> => {
    const args = process.argv.slice(2);
    if (args.length < usage.length) throw new Error(`usage: ${name} ${usage.join(' ')}`);
    if (process.env.PURETLS_CONFORMANCE_NETNS !== '1') throw new Error(`${name} must run inside a private network namespace (runScriptInNetns)`);
    process.stdout.write(`RESULT ${JSON.stringify(await run(args))}\n`);
  };
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
