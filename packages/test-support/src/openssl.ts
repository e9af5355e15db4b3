/**
 * Real peers for the tests: `openssl s_server` started on 127.0.0.1 and stopped by PID, with the
 * free-port and OpenSSL-present checks every live test needs.
 * @module
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

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

/** A running `openssl s_server`. */
export interface OpensslServer {
  readonly port: number;
  readonly proc: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Stop it by PID (a no-op once it exited). */
  stop(): void;
}

/** Where and how {@link startOpensslServer} runs the server. */
export interface OpensslServerOptions {
  /** The port (default: a free one). */
  readonly port?: number;
  /** The environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * `openssl s_server -accept 127.0.0.1:<port> ...args`; resolves once it accepts.
 * @throws Error with its output when it exits or does not accept within 10 s
 */
export async function startOpensslServer(args: readonly string[], options: OpensslServerOptions = {}): Promise<OpensslServer> {
  const port = options.port ?? (await freePort());
  const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
  let output = '';
  proc.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const stop = (): void => {
    if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid);
  };
  const deadline = Date.now() + 10000;
  while (!output.includes('ACCEPT')) {
    if (Date.now() > deadline || proc.exitCode !== null) {
      stop();
      throw new Error(`openssl s_server did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, proc, output: () => output, stop };
}
