/**
 * The socket as the HTTP stacks of Node programs use it (issue 13): a keep-alive `https.Agent`,
 * undici's `Client` with `allowH2` over ALPN h2 (node:http2 server), `https.request` with
 * `createConnection` posting 1 MB, and a socket nobody reads reaching 'end'/'close'. The servers
 * are Node's own (node:https, node:http2, node:tls) on 127.0.0.1; what is asserted is what the
 * server saw (connections, HTTP version, body length), not what puretls says about itself.
 */
import { once } from 'node:events';
import { request as httpsRequest, Agent as HttpsAgent, createServer as createHttpsServer, type AgentOptions } from 'node:https';
import { createSecureServer } from 'node:http2';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/connect.ts';
import type { TLSSocket } from '../src/tls-socket.ts';
import { engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
beforeAll(() => {
  if (engineReady && opensslAvailable()) pki = makePki();
});
afterAll(() => pki?.cleanup());

async function listen(server: NetServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const close = (server: NetServer): Promise<void> => new Promise((r) => server.close(() => r()));

/** connect() as the HTTP stacks call their connection factory. */
function puretls(port: number, alpn: string[]): TLSSocket {
  return connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, ALPNProtocols: alpn });
}

describe.skipIf(!engineReady || !opensslAvailable())('HTTP clients over puretls sockets', () => {
  it('a keepAlive https.Agent reuses one puretls socket for 3 requests', async () => {
    const server = createHttpsServer({ key: pki.rsa.key, cert: pki.rsa.cert }, (req, res) => res.end(`hello ${req.url}`));
    let connections = 0;
    server.on('secureConnection', () => connections++);
    const port = await listen(server);
    const made: TLSSocket[] = [];
    class PuretlsAgent extends HttpsAgent {
      override createConnection(): Duplex {
        const s = puretls(port, ['http/1.1']);
        made.push(s);
        return s;
      }
    }
    const agent = new PuretlsAgent({ keepAlive: true, maxSockets: 1 } as AgentOptions);
    const remotePorts = new Set<number | undefined>();
    for (const path of ['/a', '/b', '/c']) {
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('socket', (s: TLSSocket) => remotePorts.add(s.localPort));
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe(`hello ${path}`);
    }
    expect(made).toHaveLength(1);
    expect(connections).toBe(1); // the server saw one TLS connection
    expect(remotePorts.size).toBe(1);
    agent.destroy();
    await once(made[0]!, 'close');
    server.closeAllConnections();
    await close(server);
  });

  it('undici Client({ allowH2: true, connect }) speaks HTTP/2 over ALPN h2 to node:http2', async () => {
    const server = createSecureServer({ key: pki.rsa.key, cert: pki.rsa.cert, allowHTTP1: false }, (req, res) => {
      res.end(`v${req.httpVersion} ${req.url}`);
    });
    const port = await listen(server);
    let socket: TLSSocket | undefined;
    const client = new Client(`https://localhost:${port}`, {
      allowH2: true,
      connect: (_options, callback) => {
        const s = puretls(port, ['h2', 'http/1.1']);
        socket = s;
        s.once('secureConnect', () => callback(null, s as never));
        s.once('error', (err) => callback(err, null));
        return s as never;
      },
    });
    const first = await client.request({ path: '/one', method: 'GET' });
    expect(await first.body.text()).toBe('v2.0 /one');
    const second = await client.request({ path: '/two', method: 'GET' });
    expect(await second.body.text()).toBe('v2.0 /two');
    expect(socket?.alpnProtocol).toBe('h2');
    await client.close();
    await close(server);
  });

  it('https.request({ createConnection }) POSTs 1 MB and emits no error after the response (3 runs each: body read, or answered at once)', async () => {
    // '/early' answers without reading the body, so Node's server closes (close_notify, FIN) while
    // the client is still writing: the old pump then reported the EPIPE of those writes on the
    // request after the response had arrived (5 of 5 runs); node:tls reports none.
    const server = createHttpsServer({ key: pki.rsa.key, cert: pki.rsa.cert }, (req, res) => {
      if (req.url === '/early') {
        res.end('early');
        return;
      }
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => {
        res.setHeader('Connection', 'close');
        res.end(String(n));
      });
    });
    const port = await listen(server);
    const body = Buffer.alloc(1024 * 1024, 0x61);
    for (const path of ['/upload', '/upload', '/upload', '/early', '/early', '/early']) {
      const errors: Error[] = [];
      let socket: TLSSocket | undefined;
      const text = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path,
            headers: { 'content-length': body.length },
            createConnection: () => (socket = puretls(port, ['http/1.1'])),
          },
          (res) => {
            let t = '';
            res.on('data', (c: Buffer) => (t += c.toString()));
            res.on('end', () => resolve(t));
          },
        );
        req.on('error', (e) => {
          errors.push(e);
          reject(e);
        });
        req.end(body);
      });
      expect(text).toBe(path === '/early' ? 'early' : String(body.length));
      socket!.on('error', (e) => errors.push(e));
      if (!socket!.destroyed) await once(socket!, 'close');
      await new Promise((r) => setTimeout(r, 100)); // a late EPIPE would come now
      expect(errors).toEqual([]);
    }
    await close(server);
  });

  it('an unread socket reaches close after end(), and emits end/close when the server closes', async () => {
    const server = createTlsServer({ key: pki.rsa.key, cert: pki.rsa.cert }, (s) => {
      s.on('error', () => {});
      if (s.servername === 'closer.localhost') s.end();
    });
    const port = await listen(server);
    // The client ends first: close_notify + FIN out, the server answers, and 'close' comes.
    const a = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem });
    await once(a, 'secureConnect');
    a.end();
    await once(a, 'close');
    expect(a.destroyed).toBe(true);
    // The server ends first; nobody ever reads the client socket.
    const b = connect({ host: '127.0.0.1', port, servername: 'closer.localhost', ca: pki.caPem, rejectUnauthorized: false });
    let ended = false;
    let failed: Error | undefined;
    b.on('end', () => (ended = true));
    b.on('error', (e) => (failed = e));
    await once(b, 'close');
    expect(ended).toBe(true);
    expect(failed).toBeUndefined();
    expect(b.readableFlowing).toBe(null); // never read
    await close(server);
  });
});
