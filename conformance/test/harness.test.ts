/**
 * Self-tests of the conformance harness: it must fail when an expectation is wrong, compare key
 * logs as sets, and kill its servers. Uses Node's tls.connect as the client (independent of puretls).
 */
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCase, type ConformanceCase } from '../src/cases/index.ts';
import { nodeClient } from '../src/clients/node.ts';
import { pickPort, startOpensslServer } from '@puretls/test-support/openssl';
import { createPki, type Pki } from '../src/pki.ts';
import { liveProcessCount } from '@puretls/test-support/process';
import { keylogCheck, runCase } from '../src/runner/run-case.ts';

describe('keylogCheck', () => {
  it('accepts the same lines in another order', () => {
    const a = 'CLIENT_HANDSHAKE_TRAFFIC_SECRET 01 02';
    const b = 'SERVER_HANDSHAKE_TRAFFIC_SECRET 01 03';
    expect(keylogCheck([b, a], [a, b]).status).toBe('pass');
  });
  it('fails when a line is missing or differs', () => {
    const a = 'CLIENT_HANDSHAKE_TRAFFIC_SECRET 01 02';
    const b = 'SERVER_HANDSHAKE_TRAFFIC_SECRET 01 03';
    expect(keylogCheck([a], [a, b]).status).toBe('fail');
    expect(keylogCheck(['CLIENT_HANDSHAKE_TRAFFIC_SECRET 01 04'], [a]).status).toBe('fail');
  });
  it("ignores OpenSSL's non-standard *_TRAFFIC_SECRET_N lines written after a KeyUpdate", () => {
    const base = ['CLIENT_TRAFFIC_SECRET_0 r s', 'SERVER_TRAFFIC_SECRET_0 r t'];
    expect(keylogCheck(base, [...base, 'SERVER_TRAFFIC_SECRET_N r u']).status).toBe('pass');
  });
  it('fails when the server logged nothing', () => {
    expect(keylogCheck([], []).status).toBe('fail');
  });
});

let hasOpenssl = true;
try {
  execFileSync('openssl', ['version']);
} catch {
  hasOpenssl = false;
}

describe.skipIf(!hasOpenssl)('runner against s_server with node:tls', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
  });
  afterAll(async () => {
    await pki?.dispose();
  });

  const base = (): ConformanceCase => findCase('s13-suite-TLS_AES_256_GCM_SHA384')!;

  it('passes a correct expectation and checks the key log against the server', async () => {
    const result = await runCase(base(), nodeClient, { pki });
    expect(result.status).toBe('pass');
    expect(result.checks.find((c) => c.name === 'key log = server key log')?.status).toBe('pass');
    expect(result.checks.find((c) => c.name.startsWith('receive'))?.status).toBe('pass');
  });

  it('fails when the expected suite is wrong', async () => {
    const wrong: ConformanceCase = { ...base(), expect: { ...base().expect, suite: 'TLS_AES_128_GCM_SHA256' } as ConformanceCase['expect'] };
    const result = await runCase(wrong, nodeClient, { pki });
    expect(result.status).toBe('fail');
    expect(result.checks.find((c) => c.name === 'suite')).toMatchObject({ status: 'fail', observed: 'TLS_AES_256_GCM_SHA384' });
  });

  it('fails when an accepted handshake was expected to be refused', async () => {
    const wrong: ConformanceCase = { ...base(), expect: { ok: false, alertReceived: 40 } };
    expect((await runCase(wrong, nodeClient, { pki })).status).toBe('fail');
  });

  it('fails when the echo reply does not arrive', async () => {
    const wrong: ConformanceCase = { ...base(), steps: [{ op: 'send', text: 'hello world\n' }, { op: 'expect', text: 'not what the server sends' }] };
    const result = await runCase(wrong, nodeClient, { pki });
    expect(result.status).toBe('fail');
  });

  it('retries on another port when the first one is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const ports = [taken, pickPort()];
    try {
      const server = await startOpensslServer({ args: ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-rev'], cwd: pki.dir, pickPort: () => ports.shift() ?? pickPort() });
      expect(server.port).not.toBe(taken);
      await server.stop();
    } finally {
      blocker.close();
    }
  });

  it('kills its servers by PID', async () => {
    const servers = await Promise.all([0, 1].map(() => startOpensslServer({ args: ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-rev'], cwd: pki.dir })));
    expect(liveProcessCount()).toBe(2);
    for (const server of servers) {
      await server.stop();
      expect(() => process.kill(server.pid, 0)).toThrow();
    }
    expect(liveProcessCount()).toBe(0);
  });
});
