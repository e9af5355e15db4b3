/**
 * Botan's `botan tls_server` (Botan 2.19, Debian package `botan`) as a third, independent TLS 1.2
 * peer (CONFORMANCE.md §3.2). Botan 2 has no TLS 1.3, so every Botan row is a TLS 1.2 row.
 *
 * Like gnutls-serv it has no bind-address option and listens on all interfaces, so it only runs
 * inside the private network namespace of `runInNetns()` (see gnutls-server.ts). It echoes every
 * line it receives and answers a close_notify with its own. The suites, groups and signature
 * hashes it accepts are pinned per case by a `--policy=<file>` in Botan's text policy format
 * (`ciphers = AES-128/GCM`, `key_exchange_groups = secp384r1`, `signature_hashes = SHA-256`).
 * Botan 2.19 cannot write a key log, so Botan rows cannot compare key logs.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NETNS_PORT, netnsUnavailableReason } from './gnutls-server.ts';
import { spawnTracked } from './process.ts';
import type { RunningServer, ServerLog } from './types.ts';

const run = promisify(execFile);

export interface BotanServerOptions {
  /** `tls_server` positional arguments: certificate chain file, PKCS#8 key file (relative to cwd). */
  readonly args: readonly string[];
  readonly cwd: string;
  /** Text policy (Botan::TLS::Text_Policy) written to a file and passed as `--policy=`. */
  readonly policy?: string;
}

/**
 * Starts `botan tls_server`. Only call this inside a private network namespace.
 * @throws Error when not inside runInNetns(), or when the server does not start
 */
export async function startBotanServer(options: BotanServerOptions): Promise<RunningServer> {
  if (process.env.PURETLS_CONFORMANCE_NETNS !== '1') {
    throw new Error('botan tls_server listens on all interfaces: start it only inside runInNetns()');
  }
  const workDir = await mkdtemp(join(tmpdir(), 'puretls-botan-'));
  const args = ['tls_server', ...options.args, `--port=${NETNS_PORT}`];
  if (options.policy !== undefined) {
    const policyPath = join(workDir, 'policy.txt');
    await writeFile(policyPath, options.policy);
    args.push(`--policy=${policyPath}`);
  }
  const proc = spawnTracked('botan', args, { cwd: options.cwd, lifetimeSeconds: 60 });
  try {
    await proc.waitForOutput(/Listening for new connections/, 5000);
  } catch (error) {
    await proc.stop();
    await rm(workDir, { recursive: true, force: true });
    throw new Error(`botan tls_server failed to start: ${(error as Error).message}\n${proc.output()}`);
  }
  let stopped: ServerLog | undefined;
  return {
    kind: 'botan',
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
      await rm(workDir, { recursive: true, force: true });
      stopped = { output: proc.output(), keylog: [] };
      return stopped;
    },
  };
}

/** Why Botan cases cannot run here (botan not installed, no `unshare -n`), or undefined. */
export async function botanUnavailableReason(): Promise<string | undefined> {
  try {
    await run('botan', ['version']);
  } catch {
    return 'botan not installed (apt-get install botan)';
  }
  return netnsUnavailableReason();
}
