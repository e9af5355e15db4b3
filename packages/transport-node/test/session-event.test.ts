/**
 * Issue 10 defect 2: on a TLS 1.2 resumption that makes no new Session (session ID resumption,
 * no ticket), the 'session' event carried the engine's raw resumption object, master secret
 * included. Every 'session' value and getSession() must be the serialized bytes, and those bytes
 * must resume again. The server is Node's (TLS 1.2, session IDs only).
 */
import { constants } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/connect.ts';
import type { TLSSocket } from '../src/tls-socket.ts';
import { engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
beforeAll(() => {
  if (engineReady && opensslAvailable()) pki = makePki();
});
afterAll(() => pki?.cleanup());

describe.skipIf(!engineReady || !opensslAvailable())("TLS 1.2 resumption: 'session' carries bytes only", () => {
  it('session ID resumption without a new ticket emits Buffers, which resume again', async () => {
    const server = createServer({ key: pki.ecdsa.key, cert: pki.ecdsa.cert, maxVersion: 'TLSv1.2', sessionIdContext: 'puretls', secureOptions: constants.SSL_OP_NO_TICKET }, (s) => {
      s.on('error', () => {});
      s.end();
    });
    // Node's server keeps no internal session cache: it resumes session IDs through these events.
    const cache = new Map<string, Buffer>();
    server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      cache.set(id.toString('hex'), data);
      done();
    });
    server.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => done(null, cache.get(id.toString('hex')) ?? null));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;

    const run = async (session?: Buffer): Promise<{ socket: TLSSocket; events: unknown[] }> => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, maxVersion: 'TLSv1.2', ...(session === undefined ? {} : { session }) });
      const events: unknown[] = [];
      socket.on('session', (s: unknown) => events.push(s));
      socket.on('error', () => {});
      let reused: boolean | undefined;
      socket.on('secureConnect', () => (reused = socket.isSessionReused()));
      socket.resume();
      await once(socket, 'close');
      expect(socket.isSessionReused()).toBe(reused);
      return { socket, events };
    };

    const first = await run();
    expect(first.socket.isSessionReused()).toBe(false);
    expect(first.events).toHaveLength(1);
    expect(Buffer.isBuffer(first.events[0])).toBe(true);

    const second = await run(first.events[0] as Buffer);
    expect(second.socket.isSessionReused()).toBe(true);
    expect(second.events.length).toBeGreaterThan(0);
    for (const e of second.events) expect(Buffer.isBuffer(e)).toBe(true); // never the engine object
    const kept = second.socket.getSession();
    expect(Buffer.isBuffer(kept)).toBe(true);

    const third = await run(kept as Buffer);
    expect(third.socket.isSessionReused()).toBe(true);
    server.close();
  });
});
