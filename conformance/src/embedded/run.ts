/**
 * One embedded case against a fresh `openssl s_server` (127.0.0.1, stopped by PID), with the
 * server's `-keylogfile` returned for comparison with the guest's key log.
 * @module
 */
import { startOpensslServer } from '@puretls/test-support/openssl';
import type { Pki } from '../pki.ts';
import type { EmbeddedCase } from './cases.ts';
import { runGuestConnection, type GuestHost, type GuestResult } from './host.ts';

export interface EmbeddedOutcome {
  readonly result: GuestResult;
  readonly serverKeylog: readonly string[];
}

/** Run `c` with `guest`; the echo (-rev) is exercised on success. */
export async function runEmbeddedCase(guest: GuestHost, pki: Pki, c: EmbeddedCase, timeoutMs = 30_000): Promise<EmbeddedOutcome> {
  const server = await startOpensslServer({ args: c.server, cwd: pki.dir, keylog: true, exitGraceMs: 500 });
  try {
    const result = await runGuestConnection(guest, {
      port: server.port,
      host: c.host ?? 'localhost',
      config: { caPem: pki.caRootPem, ...c.config },
      send: 'hello world\n',
      expect: 'dlrow olleh',
      thenSend: 'CLOSE\n',
      timeoutMs,
    });
    const log = await server.stop();
    return { result, serverKeylog: log.keylog };
  } finally {
    await server.stop();
  }
}
