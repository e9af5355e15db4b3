/**
 * The pump and TLSSocket over a real TCP socket pair (127.0.0.1, port 0), driven by the fake
 * null-cipher engine of helpers/fake-engine.ts: handshake gating, backpressure in both
 * directions, half-close, close_notify versus EOF truncation, and alert-then-destroy. Every
 * test runs over both input paths: a caller's socket read as a Readable, and a TCP connection
 * of puretls' own read through net's onread (tcp-input.ts; the fake engine gets copies).
 */
import { connect as netConnect } from 'node:net';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertReceived, InvalidMessage, UnexpectedEof, UsageError } from '@puretls/tls-core';
import { TLSSocket } from '../src/tls-socket.ts';
import { TcpInput } from '../src/tcp-input.ts';
import { FakeEngine, RecordType, startFakeServer } from './helpers/fake-engine.ts';

type Fixture = Awaited<ReturnType<typeof startFakeServer>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

type InputPath = 'readable' | 'onread';
let inputPath: InputPath = 'readable';

/** A TLSSocket over a new TCP connection, read as the current `inputPath` says. */
function open(port: number, engine = new FakeEngine()): { tls: TLSSocket; engine: FakeEngine; raw: ReturnType<typeof netConnect>; input: TcpInput | undefined } {
  if (inputPath === 'onread') {
    const input = new TcpInput('127.0.0.1', port);
    return { tls: new TLSSocket(input.socket, engine, { tcpInput: input }), engine, raw: input.socket, input };
  }
  const raw = netConnect({ host: '127.0.0.1', port });
  return { tls: new TLSSocket(raw, engine), engine, raw, input: undefined };
}

function collect(tls: TLSSocket): { data: () => Buffer; ended: Promise<void>; closed: Promise<Error | undefined> } {
  const chunks: Buffer[] = [];
  let error: Error | undefined;
  tls.on('data', (c: Buffer) => chunks.push(c));
  tls.on('error', (e) => (error = e));
  return {
    data: () => Buffer.concat(chunks),
    ended: new Promise((r) => tls.once('end', () => r())),
    closed: new Promise((r) => tls.once('close', () => r(error))),
  };
}

function pattern(n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

const waitFor = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe.each(['readable', 'onread'] as const)('TLSSocket over the pump (fake engine), %s input', (path) => {
  beforeEach(() => {
    inputPath = path;
  });

  it('emits secureConnect after the handshake and echoes data written before it completed', async () => {
    fixture = await startFakeServer({ echo: true });
    const { tls, engine } = open(fixture.port);
    const sink = collect(tls);
    let secureAtWrite: boolean | undefined;
    tls.write('early bytes', () => (secureAtWrite = !engine.isHandshaking));
    await once(tls, 'secureConnect');
    expect(tls.getProtocol()).toBe('TLSv1.3');
    expect(tls.getCipher()).toEqual({ name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' });
    expect(tls.alpnProtocol).toBe('fake/1');
    expect(tls.getNegotiatedGroup()).toBe('X25519');
    expect(tls.getPeerSignatureScheme()).toBe('rsa_pss_rsae_sha256');
    await waitFor(() => sink.data().toString() === 'early bytes');
    expect(secureAtWrite).toBe(true);
    // The server saw HELLO first, then the data: nothing left before the handshake finished.
    expect(fixture.connections[0]!.records.map((r) => r.type)).toEqual([RecordType.Hello, RecordType.Data]);
    expect(engine.destroyCalls).toBe(0);
    tls.destroy();
    await sink.closed;
    expect(engine.destroyCalls, 'the engine is told the transport is gone (it wipes its record keys)').toBe(1);
  });

  it('a slow consumer stops socket reads: TCP backpressure reaches the server, then all data arrives in order', async () => {
    const total = 16 * 1024 * 1024;
    const payload = pattern(total);
    let serverBlocked = false;
    fixture = await startFakeServer({
      onConnection: (c) => {
        serverBlocked = !c.sendData(payload);
        c.send(RecordType.CloseNotify);
        c.socket.end();
      },
    });
    const { tls, engine, raw, input } = open(fixture.port);
    await once(tls, 'secureConnect');
    tls.read(0); // ask once, then stop reading: the consumer is "slow"
    await new Promise((r) => setTimeout(r, 300));
    // onread: the read callback said false and the socket stays paused until the consumer reads.
    if (input !== undefined) expect(input.paused).toBe(true);
    const server = fixture.connections[0]!.socket;
    expect(serverBlocked).toBe(true);
    // The server still holds most of the data: it could not hand it to the kernel.
    expect(server.writableLength).toBeGreaterThan(total / 4);
    // We fed the engine at most a readable buffer's worth plus one socket chunk, not the stream.
    expect(engine.bytesReceived).toBeLessThan(tls.readableHighWaterMark + raw.readableHighWaterMark + 128 * 1024);
    expect(tls.readableLength).toBeLessThan(tls.readableHighWaterMark + raw.readableHighWaterMark + 128 * 1024);

    const sink = collect(tls);
    await sink.ended;
    expect(sink.data().equals(payload)).toBe(true);
    expect(await sink.closed).toBeUndefined();
  });

  it('respects socket.write backpressure: the raw socket buffer stays bounded while the server does not read', async () => {
    let serverSocket: import('node:net').Socket | undefined;
    fixture = await startFakeServer({ onConnection: (c) => ((serverSocket = c.socket), c.socket.pause()) });
    const { tls, engine, raw } = open(fixture.port);
    await once(tls, 'secureConnect');
    const chunk = pattern(64 * 1024);
    let written = 0;
    let sawFalse = false;
    const deadline = Date.now() + 5000;
    // Write until the kernel buffers and our buffers are full (write() returns false and no drain comes).
    while (Date.now() < deadline) {
      if (!tls.write(chunk)) {
        sawFalse = true;
        const drained = await Promise.race([once(tls, 'drain').then(() => true), new Promise((r) => setTimeout(() => r(false), 200))]);
        if (!drained) break;
      }
      written += chunk.length;
    }
    expect(sawFalse).toBe(true);
    // Data waits in the TLS socket's own buffer; the raw socket holds at most a few records beyond its mark.
    expect(tls.writableLength).toBeGreaterThan(0);
    expect(raw.writableLength).toBeLessThanOrEqual(raw.writableHighWaterMark + 4 * (16384 + 3) + chunk.length);
    expect(engine.bytesWritten).toBeLessThan(written + tls.writableLength + 1);

    // Let the server read: everything arrives, in order.
    const received: Buffer[] = [];
    const { Deframer } = await import('./helpers/fake-engine.ts');
    const deframer = new Deframer();
    const expected = written + tls.writableLength;
    let got = 0;
    serverSocket!.removeAllListeners('data');
    serverSocket!.on('data', (b: Buffer) => {
      for (const r of deframer.push(b)) {
        if (r.type !== RecordType.Data) continue;
        received.push(r.payload);
        got += r.payload.length;
      }
    });
    serverSocket!.resume();
    await waitFor(() => got >= expected, 10000);
    const all = Buffer.concat(received);
    for (let off = 0; off < all.length; off += chunk.length) expect(all.subarray(off, off + chunk.length).equals(chunk.subarray(0, Math.min(chunk.length, all.length - off)))).toBe(true);
    tls.destroy();
  });

  it('end() sends close_notify then FIN, and reading continues until the peer closes (half-close)', async () => {
    fixture = await startFakeServer({});
    const { tls } = open(fixture.port);
    const sink = collect(tls);
    await once(tls, 'secureConnect');
    const conn = fixture.connections[0]!;
    tls.end('last words');
    await conn.ended; // the FIN arrived
    expect(conn.records.map((r) => r.type)).toEqual([RecordType.Hello, RecordType.Data, RecordType.CloseNotify]);
    expect(conn.records[1]!.payload.toString()).toBe('last words');
    // The server keeps talking after our close_notify; we keep reading.
    conn.sendData(Buffer.from('still here'));
    await waitFor(() => sink.data().toString() === 'still here');
    conn.send(RecordType.CloseNotify);
    conn.socket.end();
    await sink.ended;
    expect(await sink.closed).toBeUndefined();
  });

  it('answers the peer close_notify with its own and ends cleanly (allowHalfOpen false)', async () => {
    fixture = await startFakeServer({ onConnection: (c) => (c.sendData(Buffer.from('bye')), c.send(RecordType.CloseNotify)) });
    const { tls } = open(fixture.port);
    const sink = collect(tls);
    await sink.ended;
    expect(sink.data().toString()).toBe('bye');
    const conn = fixture.connections[0]!;
    await conn.ended;
    expect(conn.records.at(-1)?.type).toBe(RecordType.CloseNotify);
    expect(await sink.closed).toBeUndefined();
  });

  it('reports EOF without close_notify as UnexpectedEof, never as a clean end', async () => {
    fixture = await startFakeServer({ onConnection: (c) => (c.sendData(Buffer.from('truncated?')), c.socket.end()) });
    const { tls } = open(fixture.port);
    let ended = false;
    tls.on('end', () => (ended = true));
    const sink = collect(tls);
    const err = await sink.closed;
    expect(err).toBeInstanceOf(UnexpectedEof);
    expect(ended).toBe(false);
    expect(sink.data().toString()).toBe('truncated?'); // authenticated data before the EOF is still delivered
  });

  it('on an engine error sends the queued alert, then FIN, and destroys with that error', async () => {
    fixture = await startFakeServer({ onConnection: (c) => c.send(9) });
    const { tls, engine } = open(fixture.port);
    const sink = collect(tls);
    const err = await sink.closed;
    expect(err).toBeInstanceOf(InvalidMessage);
    const conn = fixture.connections[0]!;
    await conn.ended;
    const last = conn.records.at(-1);
    expect(last?.type).toBe(RecordType.Alert);
    expect([...last!.payload]).toEqual([50]);
    expect(engine.destroyCalls).toBe(1);
    expect(engine.queuedAtDestroy, 'the alert was taken before the engine was destroyed').toBe(0);
  });

  it('surfaces a fatal alert from the peer during the handshake as AlertReceived', async () => {
    fixture = await startFakeServer({ handshake: false });
    fixture.server.on('connection', (s) => s.once('data', () => s.end(Buffer.from([RecordType.Alert, 0, 1, 40]))));
    const { tls } = open(fixture.port);
    let secure = false;
    tls.on('secureConnect', () => (secure = true));
    const err = await collect(tls).closed;
    expect(err).toBeInstanceOf(AlertReceived);
    expect((err as AlertReceived).alert).toBe(40);
    expect(secure).toBe(false);
  });

  it('throws the engine UsageError for exportKeyingMaterial before start and works after the handshake', async () => {
    fixture = await startFakeServer({});
    const { tls } = open(fixture.port);
    expect(() => tls.exportKeyingMaterial(8, 'label')).toThrow(UsageError);
    await once(tls, 'secureConnect');
    expect(tls.exportKeyingMaterial(8, 'abc')).toEqual(Buffer.alloc(8, 3));
    tls.destroy();
  });
});
