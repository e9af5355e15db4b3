/**
 * Node's `err.code` / `authorizationError` on puretls errors (issue 13), each compared with what a
 * real node:tls client reports against the same Node server in the same run, plus the literal
 * code (so a change on both sides is noticed). Also: the caller's checkServerIdentity Error is
 * emitted as is, `minVersion: 'TLSv1.1'` is raised to TLS 1.2, and a self-signed `openssl req -x509`
 * certificate given as `ca` is trusted while another one is refused.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { connect as nodeConnect, createServer, type ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertReceived, InvalidCertificate, UnexpectedEof } from '@puretls/tls-core';
import { connect, type ConnectOptions } from '../src/connect.ts';
import { alertCode } from '../src/node-errors.ts';
import { engineReady, makePki, opensslAvailable, SERVER_LEAF_EXTENSIONS, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
let expiredCert = '';
let otherSelfSigned = '';
let leafUnderIntermediate = '';
beforeAll(() => {
  if (!engineReady || !opensslAvailable()) return;
  pki = makePki();
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: pki.dir, stdio: 'ignore' });
  // An expired leaf from the test CA (openssl ca takes explicit dates).
  mkdirSync(join(pki.dir, 'db'));
  writeFileSync(join(pki.dir, 'db', 'index.txt'), '');
  writeFileSync(join(pki.dir, 'db', 'serial'), '01\n');
  writeFileSync(join(pki.dir, 'ca.cnf'), '[ca]\ndefault_ca=d\n[d]\ndir=./db\ndatabase=./db/index.txt\nserial=./db/serial\nnew_certs_dir=./db\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n');
  run('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'ecdsa.csr', '-out', 'expired.pem', '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extfile', 'ecdsa.cnf', '-extensions', 'ext', '-notext');
  expiredCert = readFileSync(join(pki.dir, 'expired.pem'), 'utf8');
  const builder = pki.builder;
  builder.certificate('other', { keyType: 'P-256', subject: '/CN=localhost', days: 30, extensions: ['basicConstraints = critical,CA:TRUE', 'subjectKeyIdentifier = hash', 'subjectAltName = DNS:localhost'] });
  otherSelfSigned = builder.text('other.pem');
  // An intermediate under the test CA and a leaf under it: sent as leaf + intermediate, the root missing.
  builder.certificate('int', { keyType: 'P-256', subject: '/CN=puretls test intermediate', days: 30, extensions: ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign'], issuer: 'ca' });
  builder.certificate('leaf-int', { reuseKeyOf: 'ecdsa', subject: '/CN=localhost/O=puretls ecdsa', days: 30, extensions: SERVER_LEAF_EXTENSIONS, issuer: 'int' });
  leafUnderIntermediate = readFileSync(join(pki.dir, 'leaf-int.pem'), 'utf8') + readFileSync(join(pki.dir, 'int.pem'), 'utf8');
});
afterAll(() => pki?.cleanup());

async function listen(server: NetServer): Promise<number> {
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

interface Outcome {
  error: (Error & { code?: string }) | undefined;
  authorized: boolean | undefined;
  authorizationError: unknown;
  protocol: string | null | undefined;
}

/** Run one client to completion: the error it emits, or its state after secureConnect. */
function outcome(socket: import('node:tls').TLSSocket | ReturnType<typeof connect>): Promise<Outcome> {
  return new Promise((resolve) => {
    socket.on('error', (error: Error) => resolve({ error, authorized: undefined, authorizationError: undefined, protocol: undefined }));
    socket.on('secureConnect', () => {
      resolve({ error: undefined, authorized: socket.authorized, authorizationError: socket.authorizationError, protocol: socket.getProtocol() });
      socket.destroy();
    });
  });
}

/** The same connection made by node:tls and by puretls. */
async function both(port: number, options: ConnectionOptions & ConnectOptions): Promise<{ node: Outcome; ours: Outcome }> {
  const base = { host: '127.0.0.1', port, ...options };
  const node = await outcome(nodeConnect(base as ConnectionOptions));
  const ours = await outcome(connect(base as ConnectOptions));
  return { node, ours };
}

async function tlsServer(key: string, cert: string, extra: Record<string, unknown> = {}): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer({ key, cert, ...extra }, (s) => s.on('error', () => {}));
  const port = await listen(server);
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}

describe.skipIf(!engineReady || !opensslAvailable())('Node error codes on puretls errors', () => {
  it.each([
    ['expired leaf', 'CERT_HAS_EXPIRED', 'Expired', () => ({ key: pki.ecdsa.key, cert: expiredCert }), () => pki.caPem],
    ['unknown issuer, leaf alone', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UnknownIssuer', () => ({ key: pki.ecdsa.key, cert: pki.ecdsa.cert }), () => otherSelfSigned],
    ['chain ending in an untrusted self-signed root', 'SELF_SIGNED_CERT_IN_CHAIN', 'UnknownIssuer', () => ({ key: pki.ecdsa.key, cert: pki.ecdsa.cert + pki.caPem }), () => otherSelfSigned],
    ['intermediate sent, its issuer unknown', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UnknownIssuer', () => ({ key: pki.ecdsa.key, cert: leafUnderIntermediate }), () => otherSelfSigned],
    ['untrusted self-signed leaf', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UnknownIssuer', () => ({ key: pki.selfSigned.key, cert: pki.selfSigned.cert }), () => pki.caPem],
  ] as const)('%s: err.code %s, as node:tls; authorizationError the same without rejecting', async (_name, code, reason, serverCert, ca) => {
    const { key, cert } = serverCert();
    const srv = await tlsServer(key, cert);
    const { node, ours } = await both(srv.port, { ca: ca(), servername: 'localhost' });
    expect(node.error?.code).toBe(code);
    expect(ours.error?.code).toBe(code);
    expect(ours.error).toBeInstanceOf(InvalidCertificate);
    expect((ours.error as InvalidCertificate).reason).toBe(reason);
    const lenient = await both(srv.port, { ca: ca(), servername: 'localhost', rejectUnauthorized: false });
    expect(lenient.node.authorizationError).toBe(code);
    expect(lenient.ours.authorizationError).toBe(code);
    expect(lenient.ours.authorized).toBe(false);
    await srv.close();
  });

  it('wrong host name: ERR_TLS_CERT_ALTNAME_INVALID, as node:tls', async () => {
    const srv = await tlsServer(pki.ecdsa.key, pki.ecdsa.cert);
    const { node, ours } = await both(srv.port, { ca: pki.caPem, servername: 'other.example' });
    expect(node.error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(ours.error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect((ours.error as InvalidCertificate).reason).toBe('NotValidForName');
    await srv.close();
  });

  it.each([
    ['server TLS 1.2 only, client TLS 1.3 only', { maxVersion: 'TLSv1.2' }, { minVersion: 'TLSv1.3' }],
    ['server TLS 1.3 only, client TLS 1.2 only', { minVersion: 'TLSv1.3' }, { maxVersion: 'TLSv1.2' }],
  ] as const)('protocol version (%s): the server alert as ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION, as node:tls', async (_name, server, client) => {
    const srv = await tlsServer(pki.ecdsa.key, pki.ecdsa.cert, server);
    const { node, ours } = await both(srv.port, { ca: pki.caPem, servername: 'localhost', ...client });
    expect(node.error?.code).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    expect(ours.error?.code).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    expect((ours.error as AlertReceived).alert).toBe(70);
    await srv.close();
  });

  it('no common ALPN protocol: ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL, as node:tls', async () => {
    const srv = await tlsServer(pki.ecdsa.key, pki.ecdsa.cert, { ALPNProtocols: ['h2'] });
    const { node, ours } = await both(srv.port, { ca: pki.caPem, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    expect(ours.error?.code).toBe(node.error?.code);
    expect(ours.error?.code).toBe('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
    await srv.close();
  });

  it('the server hangs up during the handshake: ECONNRESET, as node:tls', async () => {
    const server = createNetServer((s) => s.once('data', () => s.end()));
    const port = await listen(server);
    const { node, ours } = await both(port, { ca: pki.caPem });
    expect(node.error?.code).toBe('ECONNRESET');
    expect(ours.error?.code).toBe('ECONNRESET');
    expect(ours.error).toBeInstanceOf(UnexpectedEof);
    server.close();
  });

  it('a plaintext HTTP server: ERR_SSL_WRONG_VERSION_NUMBER, as node:tls', async () => {
    const server = createNetServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const port = await listen(server);
    const { node, ours } = await both(port, { ca: pki.caPem });
    expect(node.error?.code).toBe('ERR_SSL_WRONG_VERSION_NUMBER');
    expect(ours.error?.code).toBe('ERR_SSL_WRONG_VERSION_NUMBER');
    server.close();
  });

  it("emits the caller's own checkServerIdentity Error, and uses its code as authorizationError", async () => {
    const srv = await tlsServer(pki.ecdsa.key, pki.ecdsa.cert);
    const mine = Object.assign(new Error('pinned key mismatch'), { code: 'MY_PIN' });
    const checkServerIdentity = (): Error => mine;
    const ours = await outcome(connect({ host: '127.0.0.1', port: srv.port, ca: pki.caPem, checkServerIdentity }));
    expect(ours.error).toBe(mine);
    const { node, ours: lenient } = await both(srv.port, { ca: pki.caPem, checkServerIdentity, rejectUnauthorized: false });
    expect(node.authorizationError).toBe('MY_PIN');
    expect(lenient.authorizationError).toBe('MY_PIN');
    await srv.close();
  });

  it("raises minVersion 'TLSv1.1' and 'TLSv1' to TLS 1.2 instead of throwing", async () => {
    const srv = await tlsServer(pki.ecdsa.key, pki.ecdsa.cert, { maxVersion: 'TLSv1.2' });
    for (const minVersion of ['TLSv1.1', 'TLSv1'] as const) {
      const ours = await outcome(connect({ host: '127.0.0.1', port: srv.port, ca: pki.caPem, minVersion }));
      expect(ours.error).toBeUndefined();
      expect(ours.protocol).toBe('TLSv1.2');
    }
    await srv.close();
  });

  it('trusts a self-signed openssl req -x509 server certificate given as ca (as node:tls), and refuses another', async () => {
    const srv = await tlsServer(pki.selfSigned.key, pki.selfSigned.cert);
    const accepted = await both(srv.port, { ca: pki.selfSigned.cert, servername: 'localhost' });
    expect(accepted.node.authorized).toBe(true);
    expect(accepted.ours.error).toBeUndefined();
    expect(accepted.ours.authorized).toBe(true);
    const refused = await both(srv.port, { ca: otherSelfSigned, servername: 'localhost' });
    expect(refused.node.error?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(refused.ours.error?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    await srv.close();
  });

  it("names received alerts as OpenSSL's reason codes", () => {
    expect(alertCode(40)).toBe('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
    expect(alertCode(48)).toBe('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
    expect(alertCode(116)).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });
});
