/**
 * `openssl s_server` (OpenSSL 3.0) as the main interop peer, bound to 127.0.0.1 only.
 *
 * Started as `openssl s_server -accept 127.0.0.1:PORT -naccept N ...` with stdin as a pipe (the
 * `k`, `K`, `q`, `r` commands and data lines are written to it; stdin must stay open because EOF
 * on stdin closes the server), ready once it prints `ACCEPT`. Ports are picked below 32768
 * (CONFORMANCE.md §2: random ports in the ephemeral range collided with client sockets) and a new
 * one is tried on `Address already in use`. The server is killed by PID on stop, failure or
 * timeout (optionally after a grace period in which it may exit by itself and flush its output);
 * `-keylogfile` output is returned by {@link RunningServer.stop}.
 *
 * @module
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTracked } from './process.ts';
import type { RunningServer, ServerLog } from '../types.ts';

export interface OpensslServerOptions {
  /** s_server arguments after `-accept` / `-naccept` (certificates, versions, modes...). */
  readonly args: readonly string[];
  /** Working directory (the `-WWW` document root); relative file names resolve here. */
  readonly cwd: string;
  /** Number of connections to accept before exiting (default 1; 0 = unbounded). */
  readonly naccept?: number;
  /** Pass `-keylogfile` and return the lines from `stop()`. */
  readonly keylog?: boolean;
  /** Lifetime bound in seconds (default 60). */
  readonly lifetimeSeconds?: number;
  /** Port chooser (default {@link pickPort}); called again after `Address already in use`. */
  readonly pickPort?: () => number;
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
export async function startOpensslServer(options: OpensslServerOptions): Promise<RunningServer> {
  const workDir = await mkdtemp(join(tmpdir(), 'puretls-sserver-'));
  const keylogPath = join(workDir, 'server.keys');
  let env: NodeJS.ProcessEnv | undefined;
  if (options.configText !== undefined) {
    const configPath = join(workDir, 'openssl.cnf');
    await writeFile(configPath, options.configText);
    env = { ...process.env, OPENSSL_CONF: configPath };
  }
  let lastOutput = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = (options.pickPort ?? pickPort)();
    const args = ['s_server', '-accept', `127.0.0.1:${port}`];
    if ((options.naccept ?? 1) > 0) args.push('-naccept', String(options.naccept ?? 1));
    if (options.keylog === true) args.push('-keylogfile', keylogPath);
    args.push(...options.args);
    const proc = spawnTracked('openssl', args, { cwd: options.cwd, lifetimeSeconds: options.lifetimeSeconds ?? 60, ...(env === undefined ? {} : { env }) });
    try {
      await proc.waitForOutput(/^ACCEPT/m, READY_TIMEOUT_MS);
    } catch {
      lastOutput = proc.output();
      await proc.stop();
      if (lastOutput.includes('Address already in use')) continue;
      await rm(workDir, { recursive: true, force: true });
      throw new Error(`openssl s_server failed to start: openssl ${args.join(' ')}\n${lastOutput}`);
    }
    let stopped: ServerLog | undefined;
    return {
      kind: 'openssl',
      port,
      pid: proc.pid,
      sendStdin: (text) => {
        proc.write(text);
      },
      output: () => proc.output(),
      waitForOutput: (text, timeoutMs) => proc.waitForOutput(text, timeoutMs),
      stop: async () => {
        if (stopped !== undefined) return stopped;
        const grace = options.exitGraceMs ?? 0;
        if (grace > 0 && !proc.hasExited()) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([proc.exited, new Promise((resolve) => (timer = setTimeout(resolve, grace)))]);
          clearTimeout(timer);
        }
        await proc.stop();
        let keylog: string[] = [];
        if (options.keylog === true) {
          keylog = await readKeylog(keylogPath);
        }
        await rm(workDir, { recursive: true, force: true });
        stopped = { output: proc.output(), keylog };
        return stopped;
      },
    };
  }
  await rm(workDir, { recursive: true, force: true });
  throw new Error(`openssl s_server: no free port after ${START_ATTEMPTS} attempts\n${lastOutput}`);
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
