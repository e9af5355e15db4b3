/**
 * The conformance core inside QuickJS (issue 11): the shipped IIFE bundle loaded into a bare
 * QuickJS context (quickjs-emscripten's wasm engine) that has no TextEncoder, TextDecoder,
 * crypto or console, given only a byte pipe driven by this process and `hostRandom`. Against
 * openssl s_server (127.0.0.1, stopped by PID): every row of embedded/cases.ts, key logs equal
 * to the server's, and resumption with a Session serialized in one context and resumed in
 * another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_CASES } from '../src/embedded/cases.ts';
import { quickJsHost, readIifeBundle, runGuestConnection, type GuestHost } from '../src/embedded/host.ts';
import { runEmbeddedCase } from '../src/embedded/run.ts';
import { opensslAvailable, startOpensslServer } from '@puretls/test-support/openssl';
import { createPki, type Pki } from '../src/pki.ts';
import { keylogCheck } from '../src/runner/run-case.ts';

const hasOpenssl = opensslAvailable();
if (!hasOpenssl) console.warn('QuickJS conformance skipped: the openssl CLI is not installed');

describe.skipIf(!hasOpenssl)('the conformance core inside QuickJS (bare context, host byte pipe and randomness only)', () => {
  let pki: Pki;
  let bundle: string;
  let guest: GuestHost;

  beforeAll(async () => {
    [pki, bundle] = await Promise.all([createPki(), readIifeBundle()]);
    guest = await quickJsHost(bundle);
  });
  afterAll(async () => {
    guest?.dispose();
    await pki?.dispose();
  });

  it('the context has no TextEncoder, TextDecoder, crypto, console, process or Buffer; the bundle defines puretls', () => {
    for (const name of ['TextEncoder', 'TextDecoder', 'crypto', 'console', 'process', 'Buffer', 'require']) expect(guest.typeOf(name), name).toBe('undefined');
    expect(guest.typeOf('puretls')).toBe('object');
    expect(guest.typeOf('puretls.ClientConnection')).toBe('function');
  });

  for (const c of EMBEDDED_CASES) {
    it(c.id, { timeout: 60_000 }, async () => {
      const { result, serverKeylog } = await runEmbeddedCase(guest, pki, c);
      if (c.expect.ok) {
        expect(result.error).toBeUndefined();
        expect(result.info).toMatchObject({ version: c.expect.version, suite: c.expect.suite, group: c.expect.group, hrr: c.expect.hrr ?? false, resumed: false });
        expect(result.data).toContain('dlrow olleh');
        expect(keylogCheck(result.keylog, serverKeylog)).toMatchObject({ status: 'pass' });
      } else {
        expect(result.handshakeDone).toBe(false);
        expect(result.error?.name).toBe(c.expect.error);
        expect(c.expect.reasons).toContain(result.error?.reason);
      }
    });
  }

  it('resumes a TLS 1.3 session serialized in one QuickJS context in a fresh one; both key logs equal the server\'s', { timeout: 60_000 }, async () => {
    const server = await startOpensslServer({ args: ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-cert_chain', 'ca-int.pem', '-tls1_3', '-rev'], cwd: pki.dir, keylog: true, naccept: 2, exitGraceMs: 500 });
    const second = await quickJsHost(bundle);
    try {
      const config = { caPem: pki.caRootPem };
      const echo = { send: 'hello world\n', expect: 'dlrow olleh', thenSend: 'CLOSE\n' };
      const first = await runGuestConnection(guest, { port: server.port, host: 'localhost', config, ...echo });
      expect(first.error).toBeUndefined();
      expect(first.sessions.length).toBeGreaterThan(0);
      const resumed = await runGuestConnection(second, { port: server.port, host: 'localhost', config, session: first.sessions[0]!, ...echo });
      expect(resumed.error).toBeUndefined();
      expect(resumed.info).toMatchObject({ version: 'TLSv1.3', resumed: true });
      expect(resumed.data).toContain('dlrow olleh');
      const log = await server.stop();
      const randomOf = (lines: readonly string[]): string | undefined => lines[0]?.split(' ')[1];
      for (const leg of [first, resumed]) {
        const lines = log.keylog.filter((l) => l.split(' ')[1] === randomOf(leg.keylog));
        expect(keylogCheck(leg.keylog, lines)).toMatchObject({ status: 'pass' });
      }
    } finally {
      second.dispose();
      await server.stop();
    }
  });
});
