/**
 * Spawning helper for peer processes: every child is tracked by PID, killed by PID on stop,
 * and killed (SIGKILL) when this process exits or is interrupted, so no server outlives a run.
 * Each child is also started under coreutils `timeout` as a last-resort lifetime bound.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';

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
