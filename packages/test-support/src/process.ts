/**
 * Spawning helper for peer processes: every child is tracked by PID, killed by PID on stop,
 * and killed (SIGKILL) when this process exits or is interrupted, so no server outlives a run.
 * Each child is also started under coreutils `timeout` as a last-resort lifetime bound.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

export interface TrackedProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** stdout and stderr interleaved, as text. */
  output(): string;
  /** Resolves once the output contains `text` (or matches the pattern). */
  waitForOutput(text: string | RegExp, timeoutMs: number): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  write(text: string): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Map<number, ChildProcess>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const pid of live.keys()) {
      killGroup(pid, 'SIGKILL');
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.exit(130);
    });
  }
}

/**
 * Signals the process group led by `pid`. `timeout` makes itself a group leader, so the group is
 * exactly `timeout` and the peer it runs: SIGKILL reaches the peer too instead of orphaning it.
 */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Number of tracked children still running (tests assert it returns to 0). */
export function liveProcessCount(): number {
  return live.size;
}

export interface SpawnOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Upper bound on the child's lifetime in seconds (enforced by `timeout`). */
  readonly lifetimeSeconds: number;
}

/** Starts `command args...` under `timeout -k 2 <lifetime>` with piped stdio and tracks it. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): TrackedProcess {
  installExitHooks();
  const child = spawn('timeout', ['-k', '2', String(options.lifetimeSeconds), command, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`failed to spawn ${command}`);
  const pid = child.pid;
  live.set(pid, child);
  let text = '';
  let exitedFlag = false;
  const listeners = new Set<() => void>();
  const onChunk = (chunk: Buffer): void => {
    text += chunk.toString('latin1');
    for (const listener of [...listeners]) listener();
  };
  child.stdout.on('data', onChunk);
  child.stderr.on('data', onChunk);
  child.stdin.on('error', () => {
    // EPIPE after the server exited: ignored, the exit is reported separately
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      exitedFlag = true;
      live.delete(pid);
      for (const listener of [...listeners]) listener();
      resolve({ code, signal });
    });
  });
  return {
    pid,
    child,
    output: () => text,
    hasExited: () => exitedFlag,
    exited,
    write: (data) => {
      if (!exitedFlag && child.stdin.writable) child.stdin.write(data);
    },
    waitForOutput: (wanted, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const matches = (): boolean => (typeof wanted === 'string' ? text.includes(wanted) : wanted.test(text));
        const check = (): void => {
          if (matches()) {
            done();
            resolve();
          } else if (exitedFlag) {
            done();
            reject(new Error(`${command} exited before printing ${String(wanted)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${command} to print ${String(wanted)}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    stop: async (graceMs = 2000) => {
      if (exitedFlag) return;
      child.stdin.end();
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        killGroup(pid, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** What a stopped server logged. */
export interface ServerProcessLog {
  readonly output: string;
  /** Key log lines the server wrote (comments removed); empty when not requested. */
  readonly keylog: readonly string[];
}

/** A running server process as tests and the conformance runner hold it (its `RunningServer`). */
export interface ServerProcess<K extends string> {
  readonly kind: K;
  readonly port: number;
  readonly pid: number;
  /** The child process (the server under coreutils `timeout`), e.g. to wait for its exit. */
  readonly proc: ChildProcess;
  /** Writes to the server's stdin (s_server commands such as `k\n`, or data lines). */
  sendStdin(text: string): void;
  /** Server stdout + stderr so far. */
  output(): string;
  /** Resolves once the server output contains `text` (or matches the pattern). */
  waitForOutput(text: string | RegExp, timeoutMs: number): Promise<void>;
  /** Kills the server by PID (idempotent) and returns what it logged. */
  stop(): Promise<ServerProcessLog>;
}

/** What `stop()` does besides killing the process, in this order. */
export interface ServerStopSteps {
  /** Before the kill, e.g. a grace period in which the server may exit by itself. */
  readonly beforeStop?: () => Promise<void>;
  /** The key log lines once the server has stopped (default: none). */
  readonly readKeylog?: () => Promise<string[]>;
  /** A work directory to remove last. */
  readonly workDir?: string;
}

/** The handle of a started server: `stop()` runs the steps and the kill once and returns the same log afterwards. */
export function serverProcess<K extends string>(kind: K, port: number, proc: TrackedProcess, steps: ServerStopSteps = {}): ServerProcess<K> {
  let stopped: ServerProcessLog | undefined;
  return {
    kind,
    port,
    pid: proc.pid,
    proc: proc.child,
    sendStdin: (text) => {
      proc.write(text);
    },
    output: () => proc.output(),
    waitForOutput: (text, timeoutMs) => proc.waitForOutput(text, timeoutMs),
    stop: async () => {
      if (stopped !== undefined) return stopped;
      await steps.beforeStop?.();
      await proc.stop();
      const keylog = steps.readKeylog === undefined ? [] : await steps.readKeylog();
      if (steps.workDir !== undefined) await rm(steps.workDir, { recursive: true, force: true });
      stopped = { output: proc.output(), keylog };
      return stopped;
    },
  };
}
