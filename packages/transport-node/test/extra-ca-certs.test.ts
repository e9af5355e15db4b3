/**
 * The default trust store follows Node's: `tls.rootCertificates` plus the PEM file named by
 * NODE_EXTRA_CA_CERTS. The variable is set before this file's first connection without `ca`
 * (the store is built once per process, at first use; vitest runs each test file in its own
 * module graph). A node:tls client with the same variable, started as a child process, is the
 * reference.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/connect.ts';
import { defaultTrustStore } from '../src/engine-factory.ts';
import { engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
beforeAll(() => {
  if (!engineReady || !opensslAvailable()) return;
  pki = makePki();
  process.env['NODE_EXTRA_CA_CERTS'] = pki.caFile;
});
afterAll(() => {
  delete process.env['NODE_EXTRA_CA_CERTS'];
  pki?.cleanup();
});

describe.skipIf(!engineReady || !opensslAvailable())('NODE_EXTRA_CA_CERTS', () => {
  it('adds its certificates to the default roots: a server of that CA verifies without `ca`, as with node:tls', async () => {
    const server = createServer({ key: pki.ecdsa.key, cert: pki.ecdsa.cert }, (s) => {
      s.on('error', () => {});
      s.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;

    // node:tls, in a child process that starts with the variable set (Node reads it at start-up).
    const script = `const s = require('node:tls').connect({ host: '127.0.0.1', port: ${port}, servername: 'localhost' }, () => { console.log(s.authorized); s.destroy(); }); s.on('error', (e) => console.log(e.code));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caFile }, encoding: 'utf8' });
    expect(stdout.trim()).toBe('true');

    const client = connect({ host: '127.0.0.1', port, servername: 'localhost' });
    await once(client, 'secureConnect');
    expect(client.authorized).toBe(true);
    client.destroy();
    expect(defaultTrustStore().size).toBeGreaterThan(100); // the bundled roots are still there
    server.close();
  });
});
