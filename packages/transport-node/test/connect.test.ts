/**
 * connect() with the real engine against Node's own TLS server (in process, 127.0.0.1) and
 * `openssl s_server`. Expected values come from the other side of the connection (what
 * Node's server socket negotiated and exports), never from puretls itself.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect as nodeConnect, createServer, type Server, type TLSSocket as NodeTLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Context, Session, SessionError } from '@puretls/session';
import { AlertReceived, InvalidCertificate } from '@puretls/tls-core';
import { clearKeyShareReserve, connect, readyKeyShareCount, toConfigOptions, type ConnectOptions } from '../src/connect.ts';
import type { TLSSocket } from '../src/tls-socket.ts';
import { engineReady, freePort, makePki, opensslAvailable, startOpensslServer, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
beforeAll(() => {
  if (engineReady && opensslAvailable()) pki = makePki();
});
afterAll(() => pki?.cleanup());

interface NodeServer {
  port: number;
  accepted: Promise<NodeTLSSocket>;
  serverKeylog: string[];
  close(): Promise<void>;
}

async function nodeServer(options: Parameters<typeof createServer>[0], onSecure?: (s: NodeTLSSocket) => void): Promise<NodeServer> {
  let resolveAccepted!: (s: NodeTLSSocket) => void;
  const accepted = new Promise<NodeTLSSocket>((r) => (resolveAccepted = r));
  const serverKeylog: string[] = [];
  const server: Server = createServer(options, (s) => {
    s.on('error', () => {});
    resolveAccepted(s);
    onSecure?.(s);
  });
  server.on('keylog', (line: Buffer) => serverKeylog.push(line.toString('latin1')));
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    accepted,
    serverKeylog,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function open(port: number, extra: ConnectOptions = {}): TLSSocket {
  return connect({ host: '127.0.0.1', port, ca: pki.caPem, ...extra });
}

const result = (s: TLSSocket): Promise<Error | undefined> =>
  new Promise((r) => {
    let err: Error | undefined;
    s.on('error', (e) => (err = e));
    s.on('close', () => r(err));
  });

describe.skipIf(!engineReady || !opensslAvailable())('connect() against node:tls createServer', () => {
  it('negotiates TLS 1.3 and agrees with the server on cipher, ALPN, exporter and key log', async () => {
    const srv = await nodeServer({ key: pki.rsa.key, cert: pki.rsa.cert, ALPNProtocols: ['h2', 'http/1.1'] }, (s) => s.pipe(s));
    const client = open(srv.port, { ALPNProtocols: ['http/1.1'], servername: 'localhost' });
    const keylog: string[] = [];
    client.on('keylog', (line: Buffer) => keylog.push(line.toString('latin1')));
    await once(client, 'secureConnect');
    const server = await srv.accepted;
    expect(client.getProtocol()).toBe('TLSv1.3');
    expect(client.getProtocol()).toBe(server.getProtocol());
    expect(client.getCipher()).toEqual(server.getCipher());
    expect(client.alpnProtocol).toBe(server.alpnProtocol);
    expect(client.authorized).toBe(true);
    expect(client.authorizationError).toBeNull();
    expect(client.getNegotiatedGroup()).toBe('X25519');
    expect(client.getPeerSignatureScheme()).toMatch(/^rsa_pss_rsae_sha(256|384|512)$/);
    const leaf = new X509Certificate(pki.rsa.cert);
    const peer = client.getPeerCertificate();
    expect(peer.fingerprint256).toBe(leaf.fingerprint256);
    expect(peer.subject).toEqual({ CN: 'localhost', O: 'puretls rsa' });
    expect(peer.valid_to).toBe(leaf.validTo);
    expect(Buffer.compare(peer.raw!, leaf.raw)).toBe(0);
    const context = Buffer.from('ctx');
    expect(client.exportKeyingMaterial(32, 'EXPORTER-test', context).equals(server.exportKeyingMaterial(32, 'EXPORTER-test', context))).toBe(true);
    // Every line ends with '\n' and the traffic secrets match the server's own log.
    expect(keylog.length).toBeGreaterThan(0);
    for (const line of keylog) expect(line.endsWith('\n')).toBe(true);
    const traffic = (lines: string[]) => lines.filter((l) => /^(CLIENT|SERVER)_(HANDSHAKE_)?TRAFFIC_SECRET/.test(l)).sort();
    expect(traffic(keylog)).toEqual(traffic(srv.serverKeylog));

    const big = Buffer.alloc(300_000, 7);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    client.write(big);
    while (Buffer.concat(chunks).length < big.length) await once(client, 'data');
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
    client.end();
    expect(await result(client)).toBeUndefined();
    await srv.close();
  });

  it('reads post-handshake tickets without a reader: a lone session listener gets the TLS 1.3 session', async () => {
    // Node's TLSSocket keeps reading until its buffer is full, so 'session' fires even when nobody
    // consumes data; the pump must do the same (tickets arrive after the server's Finished).
    const srv = await nodeServer({ key: pki.rsa.key, cert: pki.rsa.cert });
    const client = open(srv.port, { servername: 'localhost' });
    const [session] = (await once(client, 'session')) as [Buffer];
    expect(client.getProtocol()).toBe('TLSv1.3');
    expect(session.length).toBeGreaterThan(0);
    expect(client.readableFlowing).toBe(null); // nobody ever asked for data
    client.destroy();
    await srv.close();
  });

  it('serializes sessions only on demand: none without a listener, one for getSession(), which resumes', async () => {
    const toBytes = vi.spyOn(Session.prototype, 'toBytes');
    try {
      const srv = await nodeServer({ key: pki.rsa.key, cert: pki.rsa.cert });
      const client = open(srv.port, { servername: 'localhost' });
      await once(client, 'secureConnect');
      client.resume();
      // Node's server sends its two TLS 1.3 tickets right after the handshake; give them time to arrive.
      await new Promise((r) => setTimeout(r, 300));
      expect(toBytes).not.toHaveBeenCalled();
      const session = client.getSession();
      expect(Buffer.isBuffer(session)).toBe(true);
      expect(toBytes).toHaveBeenCalledTimes(1); // the newest ticket only, now
      expect(client.getSession()).toEqual(session);
      expect(toBytes).toHaveBeenCalledTimes(1); // and only once
      client.destroy();
      await once(client, 'close');
      const again = open(srv.port, { servername: 'localhost', session: session as Buffer });
      await once(again, 'secureConnect');
      expect(again.isSessionReused()).toBe(true);
      again.destroy();
      await once(again, 'close');
      // A session nobody asked for while the socket was open is still there after 'close', as in
      // Node: serialized now, and it resumes.
      const unasked = open(srv.port, { servername: 'localhost' });
      await once(unasked, 'secureConnect');
      unasked.resume();
      await new Promise((r) => setTimeout(r, 300));
      unasked.destroy();
      await once(unasked, 'close');
      const calls = toBytes.mock.calls.length;
      const late = unasked.getSession();
      expect(Buffer.isBuffer(late)).toBe(true);
      expect(toBytes.mock.calls.length).toBe(calls + 1);
      const third = open(srv.port, { servername: 'localhost', session: late as Buffer });
      await once(third, 'secureConnect');
      expect(third.isSessionReused()).toBe(true);
      third.destroy();
      await srv.close();
    } finally {
      toBytes.mockRestore();
    }
  });

  it('parses the same session bytes once per explicit Context; every connection offering them resumes, other bytes are parsed (and checked) anew', async () => {
    const fromBytes = vi.spyOn(Session, 'fromBytes');
    try {
      const srv = await nodeServer({ key: pki.rsa.key, cert: pki.rsa.cert });
      const context = new Context({ ...toConfigOptions({ ca: pki.caPem }), sessionCacheMode: 'off' });
      const first = open(srv.port, { servername: 'localhost', context });
      const [bytes] = (await once(first, 'session')) as [Buffer];
      first.destroy();
      await once(first, 'close');
      expect(fromBytes).not.toHaveBeenCalled();
      for (let i = 0; i < 3; i++) {
        const again = open(srv.port, { servername: 'localhost', context, session: Buffer.from(bytes) });
        await once(again, 'secureConnect');
        expect(again.isSessionReused()).toBe(true);
        again.destroy();
        await once(again, 'close');
      }
      expect(fromBytes).toHaveBeenCalledTimes(1); // three equal copies of the bytes, one parse
      const altered = Buffer.from(bytes);
      altered[altered.length - 1]! ^= 1;
      expect(() => open(srv.port, { servername: 'localhost', context, session: altered })).toThrow(SessionError);
      expect(fromBytes).toHaveBeenCalledTimes(2); // not taken from the cache
      const last = open(srv.port, { servername: 'localhost', context, session: bytes });
      await once(last, 'secureConnect');
      expect(last.isSessionReused()).toBe(true);
      expect(fromBytes).toHaveBeenCalledTimes(2); // the refused bytes did not replace the parsed ones
      last.destroy();
      await once(last, 'close');
      await srv.close();
    } finally {
      fromBytes.mockRestore();
    }
  });

  it('makes the next X25519 share while waiting for the server, and a refused connection does not stop that', async () => {
    clearKeyShareReserve();
    // A port nobody listens on: the connection fails before 'connect'; the refill must not stay "scheduled".
    const closed = await freePort();
    const refused = await result(open(closed, { servername: 'localhost' }));
    expect(refused).toBeInstanceOf(Error);
    expect(readyKeyShareCount()).toBe(0); // the failed connection took a share; none is ready yet
    const srv = await nodeServer({ key: pki.rsa.key, cert: pki.rsa.cert });
    const client = open(srv.port, { servername: 'localhost' });
    await once(client, 'secureConnect');
    await new Promise((r) => setImmediate(r));
    expect(readyKeyShareCount()).toBe(1); // made after this ClientHello left, for the next connection
    client.destroy();
    const second = open(srv.port, { servername: 'localhost' });
    await once(second, 'secureConnect');
    expect(second.getNegotiatedGroup()).toBe('X25519');
    second.destroy();
    await srv.close();
  });

  it('negotiates TLS 1.2 with an OpenSSL-named cipher and P-256', async () => {
    const srv = await nodeServer({ key: pki.ecdsa.key, cert: pki.ecdsa.cert });
    const client = open(srv.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384', groups: 'P-256' });
    await once(client, 'secureConnect');
    const server = await srv.accepted;
    expect(client.getProtocol()).toBe('TLSv1.2');
    expect(client.getCipher()).toEqual(server.getCipher());
    expect(client.getCipher()?.name).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
    expect(client.getEphemeralKeyInfo()).toMatchObject({ name: 'prime256v1', size: 256 });
    client.destroy();
    await srv.close();
  });

  it('rejects an untrusted self-signed server by default, with the reason Node gives when not rejecting', async () => {
    const srv = await nodeServer({ key: pki.selfSigned.key, cert: pki.selfSigned.cert });
    const err = await result(open(srv.port));
    expect(err).toBeInstanceOf(InvalidCertificate);
    expect((err as InvalidCertificate).reason).toBe('UnknownIssuer');

    const ours = open(srv.port, { rejectUnauthorized: false });
    await once(ours, 'secureConnect');
    const nodes = nodeConnect({ host: '127.0.0.1', port: srv.port, ca: pki.caPem, rejectUnauthorized: false });
    await once(nodes, 'secureConnect');
    expect(ours.authorized).toBe(false);
    expect(ours.authorizationError).toBe(nodes.authorizationError);
    ours.destroy();
    nodes.destroy();
    await srv.close();
  });

  it('rejects a certificate for another name', async () => {
    const srv = await nodeServer({ key: pki.rsa.key, cert: pki.rsa.cert });
    const err = await result(open(srv.port, { servername: 'other.example' }));
    expect(err).toBeInstanceOf(InvalidCertificate);
    expect((err as InvalidCertificate).reason).toBe('NotValidForName');
    await srv.close();
  });

  it('calls a custom checkServerIdentity with a Node-style certificate and aborts on its error', async () => {
    const srv = await nodeServer({ key: pki.rsa.key, cert: pki.rsa.cert });
    const seen: string[] = [];
    const refused = new Error('pinned key mismatch');
    const err = await result(
      open(srv.port, {
        checkServerIdentity: (host, cert) => {
          seen.push(`${host} ${String(cert.subject.CN)}`);
          return refused;
        },
      }),
    );
    expect(seen).toEqual(['127.0.0.1 localhost']);
    expect(err).toBeDefined();
    await srv.close();
  });

  it('surfaces the server alert when ALPN has nothing in common', async () => {
    const srv = await nodeServer({ key: pki.rsa.key, cert: pki.rsa.cert, ALPNProtocols: ['h2'] });
    const err = await result(open(srv.port, { ALPNProtocols: ['http/1.1'] }));
    expect(err).toBeInstanceOf(AlertReceived);
    expect((err as AlertReceived).alert).toBe(120); // no_application_protocol, RFC 7301 §3.2
    await srv.close();
  });
});

describe.skipIf(!engineReady || !opensslAvailable())('connect() against openssl s_server', () => {
  it.each([
    ['TLSv1.3', ['-tls1_3']],
    ['TLSv1.2', ['-tls1_2']],
  ] as const)('%s: handshake, echo through -rev, and the negotiated version', async (version, flags) => {
    const server = await startOpensslServer({ args: ['-cert', pki.ecdsa.certFile, '-key', pki.ecdsa.keyFile, '-rev', ...flags], naccept: 0 });
    try {
      const client = open(server.port, { servername: 'localhost' });
      await once(client, 'secureConnect');
      expect(client.getProtocol()).toBe(version);
      expect(client.authorized).toBe(true);
      client.write('hello puretls\n');
      let text = '';
      client.on('data', (c: Buffer) => (text += c.toString()));
      while (!text.includes('\n')) await once(client, 'data');
      expect(text).toContain('slterup olleh');
      // "CLOSE" makes s_server -rev send close_notify: a clean end, not a truncation.
      let ended = false;
      client.on('end', () => (ended = true));
      const closed = result(client);
      client.write('CLOSE\n');
      expect(await closed).toBeUndefined();
      expect(ended).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
