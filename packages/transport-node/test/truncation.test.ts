/**
 * Truncation (RFC 8446 §6.1): a transport EOF without close_notify stays an error by default
 * (UnexpectedEof, code ECONNRESET as Node uses for a cut connection); `allowUnauthenticatedEnd`
 * reports it after the handshake as a clean 'end' with `unauthenticatedEnd` set, and never during
 * the handshake. Checked with the fake engine and with the real engine behind a proxy that drops
 * the server's close_notify (Node's TLS server on the other side).
 */
import { once } from 'node:events';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnexpectedEof } from '@puretls/tls-core';
import { connect } from '../src/connect.ts';
import { TLSSocket } from '../src/tls-socket.ts';
import { FakeEngine, RecordType, startFakeServer } from './helpers/fake-engine.ts';
import { engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

type Fixture = Awaited<ReturnType<typeof startFakeServer>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

interface Run {
  data: string;
  ended: boolean;
  error: (Error & { code?: string }) | undefined;
}

function run(tls: TLSSocket): Promise<Run> {
  const r: Run = { data: '', ended: false, error: undefined };
  tls.on('data', (c: Buffer) => (r.data += c.toString()));
  tls.on('end', () => (r.ended = true));
  tls.on('error', (e) => (r.error = e));
  return new Promise((resolve) => tls.on('close', () => resolve(r)));
}

describe('EOF without close_notify (fake engine)', () => {
  const serverThatCuts = (): Promise<Fixture> =>
    startFakeServer({
      onConnection: (c) => {
        c.sendData(Buffer.from('partial body'));
        c.socket.end(); // FIN, no close_notify
      },
    });

  it('is an UnexpectedEof error with code ECONNRESET by default', async () => {
    fixture = await serverThatCuts();
    const tls = new TLSSocket(netConnect({ host: '127.0.0.1', port: fixture.port }), new FakeEngine());
    const r = await run(tls);
    expect(r.error).toBeInstanceOf(UnexpectedEof);
    expect(r.error?.code).toBe('ECONNRESET');
    expect(r.ended).toBe(false);
    expect(tls.unauthenticatedEnd).toBe(false);
  });

  it("with allowUnauthenticatedEnd: the data, then a clean 'end' flagged unauthenticatedEnd", async () => {
    fixture = await serverThatCuts();
    const tls = new TLSSocket(netConnect({ host: '127.0.0.1', port: fixture.port }), new FakeEngine(), { allowUnauthenticatedEnd: true });
    const r = await run(tls);
    expect(r.error).toBeUndefined();
    expect(r.data).toBe('partial body');
    expect(r.ended).toBe(true);
    expect(tls.unauthenticatedEnd).toBe(true);
  });

  it('with allowUnauthenticatedEnd: a close_notify end is not flagged', async () => {
    fixture = await startFakeServer({
      onConnection: (c) => {
        c.sendData(Buffer.from('whole body'));
        c.send(RecordType.CloseNotify);
        c.socket.end();
      },
    });
    const tls = new TLSSocket(netConnect({ host: '127.0.0.1', port: fixture.port }), new FakeEngine(), { allowUnauthenticatedEnd: true });
    const r = await run(tls);
    expect(r.error).toBeUndefined();
    expect(r.ended).toBe(true);
    expect(tls.unauthenticatedEnd).toBe(false);
  });

  it('with allowUnauthenticatedEnd: EOF during the handshake is still an error', async () => {
    fixture = await startFakeServer({ handshake: false });
    fixture.server.on('connection', (s: Socket) => s.once('data', () => s.end()));
    const tls = new TLSSocket(netConnect({ host: '127.0.0.1', port: fixture.port }), new FakeEngine(), { allowUnauthenticatedEnd: true });
    const r = await run(tls);
    expect(r.error).toBeInstanceOf(UnexpectedEof);
    expect(tls.unauthenticatedEnd).toBe(false);
  });
});

let pki: TestPki;
beforeAll(() => {
  if (engineReady && opensslAvailable()) pki = makePki();
});
afterAll(() => pki?.cleanup());

/**
 * Node's TLS server (TLS 1.2, so records are typed in the clear) behind a TCP proxy that drops
 * the server's alert records (its close_notify) and passes the FIN on.
 */
async function cuttingProxy(): Promise<{ port: number; close: () => void }> {
  const tlsServer = createTlsServer({ key: pki.ecdsa.key, cert: pki.ecdsa.cert, maxVersion: 'TLSv1.2' }, (s) => {
    s.on('error', () => {});
    s.end('partial body');
  });
  tlsServer.listen(0, '127.0.0.1');
  await once(tlsServer, 'listening');
  const upstream = (tlsServer.address() as AddressInfo).port;
  const proxy: Server = createNetServer((client) => {
    const server = netConnect({ host: '127.0.0.1', port: upstream });
    client.on('error', () => {});
    server.on('error', () => {});
    client.pipe(server);
    let pending = Buffer.alloc(0);
    server.on('data', (b: Buffer) => {
      pending = Buffer.concat([pending, b]);
      while (pending.length >= 5 && pending.length >= 5 + pending.readUInt16BE(3)) {
        const len = 5 + pending.readUInt16BE(3);
        if (pending[0] !== 0x15) client.write(pending.subarray(0, len)); // drop alerts
        pending = pending.subarray(len);
      }
    });
    server.on('end', () => client.end());
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  return {
    port: (proxy.address() as AddressInfo).port,
    close: () => {
      proxy.close();
      tlsServer.close();
    },
  };
}

describe.skipIf(!engineReady || !opensslAvailable())('EOF without close_notify (real engine, Node server, close_notify dropped)', () => {
  it("default: UnexpectedEof, code ECONNRESET; allowUnauthenticatedEnd: data, 'end', unauthenticatedEnd", async () => {
    const proxy = await cuttingProxy();
    const strict = await run(connect({ host: '127.0.0.1', port: proxy.port, servername: 'localhost', ca: pki.caPem }));
    expect(strict.error).toBeInstanceOf(UnexpectedEof);
    expect(strict.error?.code).toBe('ECONNRESET');

    const lenient = connect({ host: '127.0.0.1', port: proxy.port, servername: 'localhost', ca: pki.caPem, allowUnauthenticatedEnd: true });
    const r = await run(lenient);
    expect(r.error).toBeUndefined();
    expect(r.data).toBe('partial body');
    expect(r.ended).toBe(true);
    expect(lenient.unauthenticatedEnd).toBe(true);
    proxy.close();
  });
});
