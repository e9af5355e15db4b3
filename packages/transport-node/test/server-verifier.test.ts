/**
 * connect({ verifyServerCertificate, dangerouslyReplaceServerVerifier }) against Node's TLS server:
 * SPKI pinning (the pin computed by node:crypto from the server's certificate) and Node's
 * rejectUnauthorized: false meaning (the refusal becomes authorizationError).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateRejected, type ServerCertificateInfo } from '@puretls/tls-core';
import { connect, type ConnectOptions } from '../src/connect.ts';
import type { TLSSocket } from '../src/tls-socket.ts';
import { closeOutcome, engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
let server: Server;
let port: number;
beforeAll(async () => {
  if (!engineReady || !opensslAvailable()) return;
  pki = makePki();
  server = createServer({ key: pki.ecdsa.key, cert: pki.ecdsa.cert }, (s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server?.close();
  pki?.cleanup();
});

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const pin = (pem: string) => {
  const want = sha256(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }));
  return (info: ServerCertificateInfo): void => {
    if (sha256(info.leafSpki) !== want) throw new CertificateRejected(42, 'SPKI pin mismatch');
  };
};
const outcome = closeOutcome;
const open = (o: ConnectOptions): TLSSocket => connect({ host: '127.0.0.1', port, servername: 'localhost', ...o });

describe.skipIf(!engineReady || !opensslAvailable())('server verifiers through connect()', () => {
  it('a replacing SPKI pin connects to a server no trust store knows', async () => {
    const client = open({ dangerouslyReplaceServerVerifier: pin(pki.ecdsa.cert) });
    const done = outcome(client);
    await once(client, 'secureConnect');
    expect(client.authorized).toBe(true);
    client.end();
    expect(await done).toBeUndefined();
  });

  it('a pin of another key refuses the server', async () => {
    const err = await outcome(open({ dangerouslyReplaceServerVerifier: pin(pki.rsa.cert) }));
    expect(err).toBeInstanceOf(CertificateRejected);
  });

  it('an extending pin runs after the CA check; rejectUnauthorized: false turns its refusal into authorizationError', async () => {
    const client = open({ ca: pki.caPem, rejectUnauthorized: false, verifyServerCertificate: pin(pki.rsa.cert) });
    const done = outcome(client);
    await once(client, 'secureConnect');
    expect(client.authorized).toBe(false);
    expect(String(client.authorizationError)).toMatch(/SPKI pin mismatch/);
    client.end();
    expect(await done).toBeUndefined();
  });
});
