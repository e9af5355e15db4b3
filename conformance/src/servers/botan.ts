/**
 * Botan's `botan tls_server` (Botan 2.19, Debian package `botan`) as a third, independent TLS 1.2
 * peer (CONFORMANCE.md §3.2). Botan 2 has no TLS 1.3, so every Botan row is a TLS 1.2 row.
 *
 * Like gnutls-serv it has no bind-address option and listens on all interfaces, so it only runs
 * inside the private network namespace of netns.ts. It echoes every line it receives and answers
 * a close_notify with its own. The suites, groups and signature hashes it accepts are pinned per
 * case by a `--policy=<file>` in Botan's text policy format (`ciphers = AES-128/GCM`,
 * `key_exchange_groups = secp384r1`, `signature_hashes = SHA-256`). Botan 2.19 cannot write a key
 * log, so Botan rows cannot compare key logs.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NETNS_PORT, netnsServerUnavailableReason, startNetnsServer } from './netns.ts';
import type { RunningServer } from '../types.ts';

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
export function startBotanServer(options: BotanServerOptions): Promise<RunningServer> {
  return startNetnsServer({
    kind: 'botan',
    command: 'botan',
    args: async (workDir) => {
      const args = ['tls_server', ...options.args, `--port=${NETNS_PORT}`];
      if (options.policy !== undefined) {
        const policyPath = join(workDir, 'policy.txt');
        await writeFile(policyPath, options.policy);
        args.push(`--policy=${policyPath}`);
      }
      return args;
    },
    cwd: options.cwd,
    ready: /Listening for new connections/,
  });
}

/** Why Botan cases cannot run here (botan not installed, no `unshare -n`), or undefined. */
export function botanUnavailableReason(): Promise<string | undefined> {
  return netnsServerUnavailableReason('botan', ['version'], 'apt-get install botan');
}
