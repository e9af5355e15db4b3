/**
 * Issue 10 defect 9: connect()'s handshake deadline. A silent server and one that trickles a
 * ServerHello one byte at a time (so the connection is never idle) both end in a HandshakeTimeout
 * with code ERR_TLS_HANDSHAKE_TIMEOUT and a destroyed socket (the server sees the close);
 * `handshakeTimeout: 0` turns the deadline off. Short deadlines keep the test quick.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../src/connect.ts';
import { HandshakeTimeout } from '../src/node-errors.ts';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../src/tls-socket.ts';

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A TCP server; resolves its port and a promise of the first accepted socket's 'close'. */
async function start(onSocket: (s: Socket) => void): Promise<{ port: number; serverSawClose: Promise<void> }> {
  let resolveClose!: () => void;
  const serverSawClose = new Promise<void>((r) => (resolveClose = r));
  server = createServer((s) => {
    s.on('error', () => {});
    s.on('close', () => resolveClose());
    onSocket(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, serverSawClose };
}

describe('connect(): handshake deadline', () => {
  it('is 30 s by default', () => {
    expect(DEFAULT_HANDSHAKE_TIMEOUT_MS).toBe(30_000);
  });

  it('a silent server: HandshakeTimeout (ERR_TLS_HANDSHAKE_TIMEOUT), the socket destroyed', async () => {
    const { port, serverSawClose } = await start((s) => s.resume()); // reads the ClientHello, answers nothing
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port, handshakeTimeout: 300 });
    const [err] = (await once(socket, 'error')) as [HandshakeTimeout];
    expect(Date.now() - started).toBeGreaterThanOrEqual(295); // not before the deadline
    expect(err).toBeInstanceOf(HandshakeTimeout);
    expect(err.code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    expect(err.timeoutMs).toBe(300);
    expect(socket.destroyed).toBe(true);
    await serverSawClose;
  });

  it('a server trickling a ServerHello byte by byte (never idle): HandshakeTimeout', async () => {
    // A TLS record header announcing 16 KiB of handshake data, then one byte every 50 ms.
    const bytes = Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x3f, 0xfc]), Buffer.alloc(16380, 0x03)]);
    let sent = 0;
    const { port, serverSawClose } = await start((s) => {
      const timer = setInterval(() => {
        if (s.destroyed || sent >= bytes.length) return;
        s.write(bytes.subarray(sent, sent + 1));
        sent++;
      }, 50);
      s.on('close', () => clearInterval(timer));
    });
    const socket = connect({ host: '127.0.0.1', port, handshakeTimeout: 500, timeout: 200 });
    let idle = 0;
    socket.on('timeout', () => idle++);
    const [err] = (await once(socket, 'error')) as [HandshakeTimeout];
    expect(err.code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    expect(sent).toBeGreaterThan(3); // bytes kept coming
    expect(idle).toBe(0); // so an idle timeout alone would never have fired
    await serverSawClose;
  });

  it('handshakeTimeout: 0 turns the deadline off', async () => {
    const { port } = await start(() => {});
    const socket = connect({ host: '127.0.0.1', port, handshakeTimeout: 0 });
    let failed: Error | undefined;
    socket.on('error', (e) => (failed = e));
    await new Promise((r) => setTimeout(r, 400));
    expect(failed).toBeUndefined();
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });

  it('refuses a negative deadline synchronously', () => {
    expect(() => connect({ host: '127.0.0.1', port: 1, handshakeTimeout: -1 })).toThrow(/handshakeTimeout/);
  });
});
