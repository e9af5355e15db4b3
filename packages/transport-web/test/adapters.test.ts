/**
 * The parts of transport-web that need no TLS peer: option checks, the host randomness default,
 * the WebSocket adapter's limits (driven by a scripted WebSocket object: Node 20 has no
 * WebSocket; the real one is exercised in chromium.test.ts), and transport failures surfacing
 * as typed TransportErrors.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '@puretls/tls-core';
import { connect, hostRandomBytes, TransportError, webSocketStreams, type WebSocketLike } from '../src/index.ts';

type Listener = (event: { data?: unknown; code?: number; wasClean?: boolean }) => void;

class ScriptedWebSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  sent: Uint8Array[] = [];
  closedWith: number | undefined;
  #listeners = new Map<string, Listener[]>();
  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  emit(type: string, event: Parameters<Listener>[0] = {}): void {
    for (const l of this.#listeners.get(type) ?? []) l(event);
  }
  open(): void {
    this.readyState = 1;
    this.emit('open');
  }
  send(data: ArrayBufferView | ArrayBuffer): void {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.sent.push(bytes.slice());
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
}

describe('connect() options', () => {
  it('refuses a missing host and a missing trust store with UsageError before touching the transport', async () => {
    const untouched = { readable: new ReadableStream<Uint8Array>(), writable: new WritableStream<Uint8Array>() };
    await expect(connect(untouched, { host: '' })).rejects.toBeInstanceOf(UsageError);
    await expect(connect(untouched, { host: 'example.com' })).rejects.toThrow(/trustStore is required/);
    await expect(connect(untouched, { host: 'example.com', ca: 'not a certificate' })).rejects.toBeInstanceOf(UsageError);
    expect(untouched.readable.locked).toBe(false);
    expect(untouched.writable.locked).toBe(false);
  });
});

describe('hostRandomBytes', () => {
  it('fills any length from crypto.getRandomValues (in 65536-byte calls) and says what to pass when there is none', () => {
    const bytes = hostRandomBytes()(200_000);
    expect(bytes.length).toBe(200_000);
    // 200000 random bytes: every 65536-byte block is non-zero (a missed block would stay zero).
    for (let i = 0; i < bytes.length; i += 65536) expect(bytes.subarray(i, i + 65536).some((b) => b !== 0)).toBe(true);
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
    try {
      expect(() => hostRandomBytes()).toThrow(UsageError);
      expect(() => hostRandomBytes()).toThrow(/pass connect\(\{ randomBytes \}\)/);
    } finally {
      Object.defineProperty(globalThis, 'crypto', saved);
    }
  });
});

describe('webSocketStreams', () => {
  it('passes binary messages in order, waits for open before writing, and ends the readable on a clean close', async () => {
    const ws = new ScriptedWebSocket();
    const { readable, writable } = webSocketStreams(ws);
    expect(ws.binaryType).toBe('arraybuffer');
    const writer = writable.getWriter();
    const write = writer.write(new Uint8Array([1, 2, 3]));
    await Promise.resolve();
    expect(ws.sent.length).toBe(0); // still connecting
    ws.open();
    await write;
    expect(ws.sent.map((b) => [...b])).toEqual([[1, 2, 3]]);
    ws.emit('message', { data: new Uint8Array([4, 5]).buffer });
    ws.emit('message', { data: new Uint8Array([6]).buffer });
    ws.emit('close', { code: 1000, wasClean: true });
    const reader = readable.getReader();
    expect([...(await reader.read()).value!]).toEqual([4, 5]);
    expect([...(await reader.read()).value!]).toEqual([6]);
    expect((await reader.read()).done).toBe(true);
  });

  it('fails on a text message and on more unread bytes than maxBufferedBytes, closing the socket', async () => {
    const a = new ScriptedWebSocket();
    const ra = webSocketStreams(a).readable.getReader();
    a.open();
    a.emit('message', { data: 'text' });
    await expect(ra.read()).rejects.toBeInstanceOf(TransportError);
    expect(a.closedWith).toBe(1000);

    const b = new ScriptedWebSocket();
    const rb = webSocketStreams(b, { maxBufferedBytes: 1000 }).readable.getReader();
    b.open();
    for (let i = 0; i < 2; i++) b.emit('message', { data: new ArrayBuffer(400) });
    b.emit('message', { data: new ArrayBuffer(200) });
    expect(b.closedWith).toBeUndefined(); // 1000 bytes queued: at the cap, not past it
    b.emit('message', { data: new ArrayBuffer(1) });
    expect(b.closedWith).toBe(1000);
    await expect(rb.read()).rejects.toThrow(/more than 1000 received bytes/);
  });

  it('holds a write while bufferedAmount is above the mark', async () => {
    const ws = new ScriptedWebSocket();
    const writer = webSocketStreams(ws, { writeHighWaterMark: 10, pollIntervalMs: 1 }).writable.getWriter();
    ws.open();
    ws.bufferedAmount = 100;
    let done = false;
    const w = writer.write(new Uint8Array(5)).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    ws.bufferedAmount = 0;
    await w;
    expect(done).toBe(true);
  });

  it('an abnormal close and a failed open are TransportErrors', async () => {
    const ws = new ScriptedWebSocket();
    const { readable, writable } = webSocketStreams(ws);
    ws.emit('error');
    ws.emit('close', { code: 1006, wasClean: false });
    await expect(readable.getReader().read()).rejects.toBeInstanceOf(TransportError);
    await expect(writable.getWriter().write(new Uint8Array(1))).rejects.toBeInstanceOf(TransportError);
  });
});
