/**
 * The flight that completes the handshake (TLS 1.3 client Finished; a resumed TLS 1.2
 * handshake's ChangeCipherSpec + Finished) is held until the first application write of the same
 * turn, and leaves with it in ONE socket write, as node:tls over OpenSSL sends it (pump.ts). Real
 * peers: Node's TLS server on 127.0.0.1. Counted by spying on the TCP socket's write() calls, over
 * both input paths (our own socket read through onread, a caller's socket read as a Readable).
 * Without a write the flight still leaves (setImmediate), and so it does on end() and destroy()
 * right after 'secureConnect'.
 */
import { once } from 'node:events';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { createServer, type Server, type TLSSocket as NodeTLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ConnectOptions } from '../src/connect.ts';
import type { TLSSocket } from '../src/tls-socket.ts';
import { engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
let server: Server;
let port: number;
/** What the server saw, per connection, in order. */
const seen: Array<{ secure: boolean; data: string; ended: boolean }> = [];

beforeAll(async () => {
  if (!engineReady || !opensslAvailable()) return;
  pki = makePki();
  server = createServer({ key: pki.ecdsa.key, cert: pki.ecdsa.cert }, (s: NodeTLSSocket) => {
    const record = { secure: true, data: '', ended: false };
    seen.push(record);
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      record.data += d.toString();
      if (record.data.endsWith('\n')) s.end('bye\n');
    });
    s.on('end', () => (record.ended = true));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  if (server !== undefined) await new Promise((r) => server.close(r));
  pki?.cleanup();
});

const waitFor = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

type Path = 'own socket (onread)' | 'caller socket (Readable)';

/** connect() with a spy counting the TCP socket's write() calls (their byte lengths). */
function open(path: Path, extra: Partial<ConnectOptions> = {}): { tls: TLSSocket; writes: number[] } {
  const writes: number[] = [];
  const spy = (socket: Socket): void => {
    const write = socket.write.bind(socket) as (chunk: Uint8Array, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
      writes.push(chunk.length);
      return write(chunk, ...rest);
    }) as typeof socket.write;
  };
  const options: ConnectOptions = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, ...extra };
  if (path === 'caller socket (Readable)') {
    const socket = netConnect({ host: '127.0.0.1', port });
    spy(socket);
    const tls = connect({ ...options, socket });
    return { tls, writes };
  }
  const tls = connect(options);
  spy(tls.socket as Socket);
  return { tls, writes };
}

/** A TLS 1.2 session from a first, full handshake (Node's server resumes it by ticket). */
async function tls12Session(): Promise<Buffer> {
  const { tls } = open('own socket (onread)', { maxVersion: 'TLSv1.2' });
  let session: Buffer | undefined;
  tls.on('session', (s: Buffer) => (session = s));
  tls.on('secureConnect', () => tls.write('x\n'));
  tls.resume();
  await once(tls, 'close');
  expect(session).toBeDefined();
  return session!;
}

describe.skipIf(!engineReady || !opensslAvailable())('the handshake-completing flight leaves with the first write', () => {
  for (const path of ['own socket (onread)', 'caller socket (Readable)'] as const) {
    for (const version of ['TLSv1.3', 'TLSv1.2 resumed'] as const) {
      it(`${version}, ${path}: Finished and the first request in one socket write`, async () => {
        const extra: Partial<ConnectOptions> = version === 'TLSv1.3' ? { minVersion: 'TLSv1.3' } : { maxVersion: 'TLSv1.2', session: await tls12Session() };
        const before = seen.length;
        const { tls, writes } = open(path, extra);
        let writesAtSecure: number | undefined;
        tls.on('secureConnect', () => {
          writesAtSecure = writes.length;
          tls.write('GET / one request\n');
        });
        const reply: Buffer[] = [];
        tls.on('data', (d: Buffer) => reply.push(d));
        await once(tls, 'end');
        expect(tls.isSessionReused()).toBe(version !== 'TLSv1.3');
        expect(Buffer.concat(reply).toString()).toBe('bye\n');
        expect(seen[before]?.data).toBe('GET / one request\n');
        // Only the ClientHello had gone out at 'secureConnect' (the flight was held)...
        expect(writesAtSecure).toBe(1);
        // ...and then ONE write carried the flight and the request; the last is close_notify (our answer).
        expect(writes).toHaveLength(3);
        tls.destroy();
      });
    }

    it(`${path}: without any write the Finished still leaves (setImmediate), and the server completes`, async () => {
      const before = seen.length;
      const { tls, writes } = open(path, { minVersion: 'TLSv1.3' });
      await once(tls, 'secureConnect');
      expect(writes).toHaveLength(1);
      await waitFor(() => seen.length > before); // Node's server reports the connection only after our Finished
      expect(writes).toHaveLength(2);
      tls.end('late\n');
      tls.resume();
      await once(tls, 'close');
      expect(seen[before]!.data).toBe('late\n');
    });

    it(`${path}: end() in 'secureConnect' sends the Finished, close_notify and FIN`, async () => {
      const before = seen.length;
      const { tls, writes } = open(path, { minVersion: 'TLSv1.3' });
      tls.on('secureConnect', () => tls.end());
      tls.resume();
      await waitFor(() => seen[before]?.ended === true);
      expect(writes).toHaveLength(2); // ClientHello; Finished + close_notify
      tls.destroy();
    });

    it(`${path}: destroy() in 'secureConnect' still sends the held Finished, then closes`, async () => {
      const before = seen.length;
      const { tls, writes } = open(path, { minVersion: 'TLSv1.3' });
      tls.on('secureConnect', () => tls.destroy());
      await once(tls, 'close');
      await waitFor(() => seen.length > before); // the server completed its handshake
      expect(writes).toHaveLength(2);
    });
  }
});
