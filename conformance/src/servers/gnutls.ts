/**
 * `gnutls-serv` (GnuTLS 3.7) as a second, independent TLS 1.3 peer (CONFORMANCE.md §3.1). It has
 * no bind-address option, so it runs only inside the private network namespace of netns.ts. The
 * server's key log comes from GnuTLS' `SSLKEYLOGFILE` support.
 *
 * @module
 */
import { join } from 'node:path';
import { NETNS_PORT, netnsServerUnavailableReason, startNetnsServer } from './netns.ts';
import { readKeylog } from '@puretls/test-support/openssl';
import type { RunningServer } from '../types.ts';

export interface GnutlsServerOptions {
  readonly args: readonly string[];
  readonly cwd: string;
  readonly keylog?: boolean;
}

const KEYLOG_FILE = 'server.keys';

/**
 * Starts gnutls-serv. Only call this inside a private network namespace.
 * @throws Error when not in a namespace created by runInNetns(), or when the server fails
 */
export function startGnutlsServer(options: GnutlsServerOptions): Promise<RunningServer> {
  return startNetnsServer({
    kind: 'gnutls',
    command: 'gnutls-serv',
    args: () => ['-p', String(NETNS_PORT), ...options.args],
    cwd: options.cwd,
    env: (workDir): Record<string, string> => (options.keylog === true ? { SSLKEYLOGFILE: join(workDir, KEYLOG_FILE) } : {}),
    ready: /listening on IPv4 .*done/,
    ...(options.keylog === true ? { readKeylog: (workDir: string) => readKeylog(join(workDir, KEYLOG_FILE)) } : {}),
  });
}

/** Why gnutls cases cannot run here, or undefined when they can (gnutls-serv installed, `unshare -n` permitted). */
export function gnutlsUnavailableReason(): Promise<string | undefined> {
  return netnsServerUnavailableReason('gnutls-serv', ['--version'], 'apt-get install gnutls-bin');
}
