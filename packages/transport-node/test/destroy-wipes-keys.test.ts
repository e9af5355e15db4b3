/**
 * A destroyed TLSSocket leaves no usable record keys behind (docs/design.md, "Record-key
 * retirement"): the pump tells the engine the transport is gone (`ClientEngine.destroy`), through
 * @puretls/session's Connection to tls-core's ClientConnection, which wipes both directions'
 * keys. Checked with the real engine against Node's TLS server (TLS 1.3 and 1.2, echo) on
 * 127.0.0.1: after `destroy()` the engine refuses to seal a record. (A clean close and a failure
 * retire the keys inside the engine, tls-core's closure tests; its own checks refuse a write first.)
 * The engine is the real one, reached through the Context's `engineFactory`.
 */
import { once } from 'node:events';
import { createServer as createTlsServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientConnection, utf8 } from '@puretls/tls-core';
import { Context } from '@puretls/session';
import { connect, toConfigOptions } from '../src/connect.ts';
import { closeOutcome, engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
beforeAll(() => {
  if (engineReady && opensslAvailable()) pki = makePki();
});
afterAll(() => pki?.cleanup());

async function echoServer(maxVersion: 'TLSv1.3' | 'TLSv1.2'): Promise<{ server: Server; port: number }> {
  const server = createTlsServer({ key: pki.ecdsa.key, cert: pki.ecdsa.cert, maxVersion }, (s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

/** A Context whose connections' tls-core engines are kept in `engines`. */
function recordingContext(): { context: Context; engines: ClientConnection[] } {
  const engines: ClientConnection[] = [];
  const context = new Context({
    ...toConfigOptions({ ca: pki.caPem }),
    sessionCacheMode: 'off',
    engineFactory: (config, options) => {
      const engine = new ClientConnection(config, options);
      engines.push(engine);
      return engine;
    },
  });
  return { context, engines };
}

describe.skipIf(!engineReady || !opensslAvailable())('destroying a TLSSocket wipes its record keys (real engine, Node TLS server)', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: after destroy() mid-stream the engine seals nothing`, async () => {
      const { server, port } = await echoServer(version);
      try {
        const { context, engines } = recordingContext();
        const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', context });
        await once(socket, 'secureConnect');
        expect(socket.getProtocol()).toBe(version);
        socket.write('ping');
        const [echo] = (await once(socket, 'data')) as [Buffer];
        expect(echo.toString()).toBe('ping');
        const engine = engines[0]!;
        expect(engines).toHaveLength(1);
        // Live keys until then: the engine seals (the record is taken and dropped, never sent:
        // the socket is destroyed before the server could see the sequence gap).
        engine.write(utf8('sealed while connected'));
        expect(engine.takeOutgoing()?.length).toBeGreaterThan(0);
        const closed = closeOutcome(socket);
        socket.destroy();
        expect(await closed).toBeUndefined();
        expect(engine.error).toBeUndefined();
        expect(() => engine.write(utf8('after the socket was destroyed'))).toThrow(/key wiped/);
      } finally {
        server.close();
      }
    });
  }
});
