/**
 * `openssl s_server` (OpenSSL 3.0) as a real peer, bound to 127.0.0.1 only: the one start-up used
 * by the packages' live tests and by the conformance runner (conformance/src/servers/).
 *
 * Started as `openssl s_server -accept 127.0.0.1:PORT [-naccept N] ...` with stdin as a pipe (the
 * `k`, `K`, `q`, `r` commands and data lines are written to it; stdin must stay open because EOF
 * on stdin closes the server), ready once it prints `ACCEPT`. Ports are picked below 32768
 * (CONFORMANCE.md §2: random ports in the ephemeral range collided with client sockets) and a new
 * one is tried on `Address already in use`. The server is a tracked child (./process.ts), killed
 * by PID on stop, failure or timeout (optionally after a grace period in which it may exit by
 * itself and flush its output); `-keylogfile` output is returned by `stop()`.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverProcess, spawnTracked, type ServerProcess, type ServerProcessLog } from './process.ts';

/** True when the `openssl` command runs (live tests skip without it). */
export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface OpensslServerOptions {
  /** s_server arguments after `-accept` / `-naccept` (certificates, versions, modes...). */
  readonly args: readonly string[];
  /** Working directory (the `-WWW` document root); relative file names resolve here (default: this process's). */
  readonly cwd?: string;
  /** Number of connections to accept before exiting (default 1; 0 = unbounded). */
  readonly naccept?: number;
  /** Pass `-keylogfile` and return the lines from `stop()`. */
  readonly keylog?: boolean;
  /** Lifetime bound in seconds (default 60). */
  readonly lifetimeSeconds?: number;
  /** A fixed port (no retry on `Address already in use`); default: {@link pickPort}. */
  readonly port?: number;
  /** Port chooser (default {@link pickPort}); called again after `Address already in use`. */
  readonly pickPort?: () => number;
  /** The environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * An OpenSSL configuration file's text: written next to the key log and passed as
   * `OPENSSL_CONF` (e.g. an `ssl_conf` section selected with `-ssl_config`, CONFORMANCE.md §2.1 row 17).
   */
  readonly configText?: string;
  /**
   * On stop, first give s_server up to this many ms to exit by itself once its `-naccept`
   * connections are done (default 0: kill at once). s_server writes `-msg` / `-trace` output to a
   * block-buffered stdout that is flushed only at exit, so killing it can drop the last messages,
   * and a count of zero (e.g. "no pre_shared_key") would then prove nothing.
   */
  readonly exitGraceMs?: number;
}

/** What a stopped server logged. */
export type OpensslServerLog = ServerProcessLog;

/** A running s_server (the conformance runner's `RunningServer` of kind `openssl`). */
export type OpensslServer = ServerProcess<'openssl'>;

const PORT_MIN = 20000;
const PORT_MAX = 32000;
const START_ATTEMPTS = 6;
const READY_TIMEOUT_MS = 5000;

/** A random port in [20000, 32000): below the ephemeral range. */
export function pickPort(): number {
  return PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN));
}

/**
 * Starts s_server and waits for its ACCEPT line.
 * @throws Error with the server output when it cannot start
 */
export async function startOpensslServer(options: OpensslServerOptions): Promise<OpensslServer> {
  const workDir = await mkdtemp(join(tmpdir(), 'puretls-sserver-'));
  const keylogPath = join(workDir, 'server.keys');
  let env = options.env;
  if (options.configText !== undefined) {
    const configPath = join(workDir, 'openssl.cnf');
    await writeFile(configPath, options.configText);
    env = { ...(env ?? process.env), OPENSSL_CONF: configPath };
  }
  const attempts = options.port === undefined ? START_ATTEMPTS : 1;
  let lastOutput = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (options.pickPort ?? pickPort)();
    const args = ['s_server', '-accept', `127.0.0.1:${port}`];
    if ((options.naccept ?? 1) > 0) args.push('-naccept', String(options.naccept ?? 1));
    if (options.keylog === true) args.push('-keylogfile', keylogPath);
    args.push(...options.args);
    const proc = spawnTracked('openssl', args, {
      lifetimeSeconds: options.lifetimeSeconds ?? 60,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(env === undefined ? {} : { env }),
    });
    try {
      await proc.waitForOutput(/^ACCEPT/m, READY_TIMEOUT_MS);
    } catch {
      lastOutput = proc.output();
      await proc.stop();
      if (lastOutput.includes('Address already in use') && options.port === undefined) continue;
      await rm(workDir, { recursive: true, force: true });
      throw new Error(`openssl s_server failed to start: openssl ${args.join(' ')}\n${lastOutput}`);
    }
    const grace = options.exitGraceMs ?? 0;
    return serverProcess('openssl', port, proc, {
      beforeStop: async () => {
        if (grace <= 0 || proc.hasExited()) return;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([proc.exited, new Promise((resolve) => (timer = setTimeout(resolve, grace)))]);
        clearTimeout(timer);
      },
      ...(options.keylog === true ? { readKeylog: () => readKeylog(keylogPath) } : {}),
      workDir,
    });
  }
  await rm(workDir, { recursive: true, force: true });
  throw new Error(`openssl s_server: no free port after ${START_ATTEMPTS} attempts\n${lastOutput}`);
}

/** Starts s_server, runs `body` with it and stops it by PID afterwards, also when `body` throws. */
export async function withOpensslServer<T>(options: OpensslServerOptions, body: (server: OpensslServer) => Promise<T>): Promise<T> {
  const server = await startOpensslServer(options);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

/** Reads an NSS key log file, dropping comments and blank lines; a missing file gives []. */
export async function readKeylog(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}
