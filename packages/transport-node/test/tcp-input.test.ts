/**
 * tcp-input.ts against a real peer (Node's TLS server on 127.0.0.1, TLS 1.3 ChaCha20-Poly1305):
 * connections puretls opens itself read through net's onread into ONE buffer shared by all of
 * them, fed to the engine without a copy. Concurrent large downloads interleave their reads in
 * that buffer and must each arrive byte for byte; a slow consumer pauses the socket (the read
 * callback returns false), so the bytes taken from the kernel stay bounded while the server's
 * own buffer fills, and everything arrives once it reads again.
 */
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { createServer, type Server, type TLSSocket as NodeTLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '@puretls/session';
import { connect } from '../src/connect.ts';
import type { TLSSocket } from '../src/tls-socket.ts';
import { TCP_INPUT_BUFFER_SIZE } from '../src/tcp-input.ts';
import { engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
let server: Server;
let port: number;
const serverSockets: NodeTLSSocket[] = [];

/** `n` bytes of a pattern that differs per `seed`. */
function pattern(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8) + seed * 101) & 0xff;
  return out;
}

beforeAll(async () => {
  if (!engineReady || !opensslAvailable()) return;
  pki = makePki();
  // The request "SIZE SEED\n" is answered with pattern(SIZE, SEED), then close_notify.
  server = createServer({ key: pki.ecdsa.key, cert: pki.ecdsa.cert }, (s: NodeTLSSocket) => {
    serverSockets.push(s);
    s.on('error', () => {});
    let request = '';
    s.on('data', (d: Buffer) => {
      request += d.toString();
      if (!request.endsWith('\n')) return;
      const [size, seed] = request.trim().split(' ').map(Number);
      s.end(pattern(size!, seed!));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  if (server !== undefined) await new Promise((r) => server.close(r));
  pki?.cleanup();
});

function download(size: number, seed: number): { tls: TLSSocket; body: Promise<Buffer> } {
  const tls = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, minVersion: 'TLSv1.3', suites: 'TLS_CHACHA20_POLY1305_SHA256' });
  tls.on('secureConnect', () => tls.write(`${size} ${seed}\n`));
  const body = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    tls.on('data', (d: Buffer) => chunks.push(d));
    tls.on('error', reject);
    tls.on('end', () => resolve(Buffer.concat(chunks)));
  });
  return { tls, body };
}

describe.skipIf(!engineReady || !opensslAvailable())('TCP input through onread (tcp-input.ts)', () => {
  it('three concurrent 1.5 MB downloads share one read buffer, fed without a copy, and arrive byte for byte', async () => {
    const buffers = new Set<ArrayBufferLike>();
    /** The connections in the order their reads came, one entry per switch. */
    const order: Connection[] = [];
    const original = Connection.prototype.receive;
    Connection.prototype.receive = function (this: Connection, bytes: Uint8Array): void {
      buffers.add(bytes.buffer);
      if (order.at(-1) !== this) order.push(this);
      original.call(this, bytes);
    };
    try {
      const size = 1_500_000;
      const runs = [1, 2, 3].map((seed) => download(size, seed));
      const bodies = await Promise.all(runs.map((r) => r.body));
      bodies.forEach((body, i) => {
        expect(body.length).toBe(size);
        expect(body.equals(pattern(size, i + 1))).toBe(true);
      });
      for (const r of runs) expect(r.tls.getCipher()?.name).toBe('TLS_CHACHA20_POLY1305_SHA256');
    } finally {
      Connection.prototype.receive = original;
    }
    // Every chunk the engines got was a view of the one shared 64 KiB read buffer.
    expect(buffers.size).toBe(1);
    expect([...buffers][0]!.byteLength).toBe(TCP_INPUT_BUFFER_SIZE);
    // The downloads did interleave in it (not one after the other).
    expect(order.length).toBeGreaterThan(6);
  });

  it("a 'data' listener on the raw TCP socket still sees every byte read (copies), as the s_client command relies on", async () => {
    const engineBuffers = new Set<ArrayBufferLike>();
    const original = Connection.prototype.receive;
    Connection.prototype.receive = function (this: Connection, bytes: Uint8Array): void {
      engineBuffers.add(bytes.buffer);
      original.call(this, bytes);
    };
    const { tls, body } = download(200_000, 5);
    const raw = tls.socket as Socket;
    const seen: Buffer[] = [];
    raw.on('data', (d: Buffer) => seen.push(d));
    let got: Buffer;
    try {
      got = await body;
    } finally {
      Connection.prototype.receive = original;
    }
    expect(got.equals(pattern(200_000, 5))).toBe(true);
    const all = Buffer.concat(seen);
    // Everything the socket read, from the ServerHello record (handshake, TLS 1.2 legacy version) on.
    expect(all.length).toBe(raw.bytesRead);
    expect([...all.subarray(0, 3)]).toEqual([0x16, 0x03, 0x03]);
    // Copies, not views of the shared read buffer the engine was fed from.
    expect(engineBuffers.size).toBe(1);
    for (const d of seen) expect(engineBuffers.has(d.buffer)).toBe(false);
  });

  it('a slow consumer pauses the socket: bytes read stay bounded, then all 16 MB arrive in order', async () => {
    const size = 16 * 1024 * 1024;
    const serverCount = serverSockets.length;
    const { tls, body } = download(size, 7);
    tls.pause();
    await once(tls, 'secureConnect');
    // Wait until the server is blocked on TCP flow control, then a little longer.
    const start = Date.now();
    while ((serverSockets[serverCount]?.writableLength ?? 0) < size / 4 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const serverSocket = serverSockets[serverCount]!;
    const raw = tls.socket as Socket;
    const bytesRead = raw.bytesRead;
    // The server holds most of the stream; we took about a readable buffer's worth plus one read.
    expect(serverSocket.writableLength).toBeGreaterThan(size / 4);
    expect(tls.readableLength).toBeLessThanOrEqual(tls.readableHighWaterMark + TCP_INPUT_BUFFER_SIZE);
    await new Promise((r) => setTimeout(r, 200));
    expect(raw.bytesRead).toBe(bytesRead); // paused: nothing more is read from the kernel
    tls.resume();
    const got = await body;
    expect(got.length).toBe(size);
    expect(got.equals(pattern(size, 7))).toBe(true);
  });
});
