/**
 * The WebSocket-to-TCP relay (conformance/src/ws-relay.ts) spoken to with hand-made RFC 6455
 * frames over a raw socket, in front of a TCP echo server. The accept key is checked against
 * RFC 6455 §1.3's worked example; a real browser's WebSocket drives it in chromium.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptKey, ClientFrameParser, startWsRelay, type WsRelay } from '../../../conformance/src/ws-relay.ts';

let echo: Server;
let echoPort: number;
let echoConnections = 0;
beforeAll(async () => {
  echo = createServer((s) => {
    echoConnections++;
    s.on('error', () => {});
    s.pipe(s);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => echo.close(() => r())));

/** A masked client frame (RFC 6455 §5.2). */
function frame(opcode: number, payload: Uint8Array, fin = true, masked = true): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0, len]) : len < 65536 ? Buffer.from([0, 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0, 127]), Buffer.from(BigInt(len).toString(16).padStart(16, '0'), 'hex')]);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (!masked) return Buffer.concat([head, payload]);
  head[1] = head[1]! | 0x80;
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!));
  return Buffer.concat([head, mask, body]);
}

/** Server frames from a byte stream (unmasked). */
class FrameReader {
  #buf = Buffer.alloc(0);
  #waiters: Array<() => void> = [];
  ended = false;
  constructor(socket: Socket) {
    socket.on('data', (b: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, b]);
      this.#waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      this.ended = true;
      this.#waiters.splice(0).forEach((w) => w());
    });
  }
  async bytes(n: number): Promise<Buffer> {
    while (this.#buf.length < n) {
      if (this.ended) throw new Error('socket closed');
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }
  async httpHead(): Promise<string> {
    while (!this.#buf.includes('\r\n\r\n')) {
      if (this.ended) return this.#buf.toString('latin1');
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    const end = this.#buf.indexOf('\r\n\r\n') + 4;
    return (await this.bytes(end)).toString('latin1');
  }
  async frame(): Promise<{ fin: boolean; opcode: number; masked: boolean; payload: Buffer }> {
    const [b0, b1] = await this.bytes(2);
    let len = b1! & 0x7f;
    if (len === 126) len = (await this.bytes(2)).readUInt16BE(0);
    else if (len === 127) len = Number((await this.bytes(8)).readBigUInt64BE(0));
    return { fin: (b0! & 0x80) !== 0, opcode: b0! & 0x0f, masked: (b1! & 0x80) !== 0, payload: Buffer.from(await this.bytes(len)) };
  }
}

async function open(relay: WsRelay, headers: Record<string, string> = {}): Promise<{ socket: Socket; frames: FrameReader; head: string }> {
  const socket = netConnect({ host: '127.0.0.1', port: relay.port });
  socket.on('error', () => {});
  const frames = new FrameReader(socket);
  await once(socket, 'connect');
  const key = randomBytes(16).toString('base64');
  const all = { host: `127.0.0.1:${relay.port}`, upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': key, 'sec-websocket-version': '13', ...headers };
  socket.write(`GET /?target=example.com:443 HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  const head = await frames.httpHead();
  if (head.startsWith('HTTP/1.1 101')) expect(head.toLowerCase()).toContain(`sec-websocket-accept: ${acceptKey(key).toLowerCase()}`);
  return { socket, frames, head };
}

describe('ws-relay', () => {
  it('computes Sec-WebSocket-Accept as RFC 6455 §1.3 shows', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('relays binary messages (also fragmented, also > 64 KiB) to the one configured target and back; answers pings; a close frame ends both sides', async () => {
    const relay = await startWsRelay({ target: { host: '127.0.0.1', port: echoPort } });
    try {
      const before = echoConnections;
      const { socket, frames, head } = await open(relay);
      expect(head).toMatch(/^HTTP\/1\.1 101/);
      socket.write(frame(2, Buffer.from('hello')));
      let f = await frames.frame();
      expect(f).toMatchObject({ fin: true, opcode: 2, masked: false });
      expect(f.payload.toString()).toBe('hello');
      expect(echoConnections).toBe(before + 1); // the query string named another target: ignored

      socket.write(Buffer.concat([frame(2, Buffer.from('frag'), false), frame(9, Buffer.from('p!')), frame(0, Buffer.from('ment'), true)]));
      const got: string[] = [];
      let pong: Buffer | undefined;
      while (got.join('') !== 'fragment') {
        f = await frames.frame();
        if (f.opcode === 0xa) pong = f.payload;
        else got.push(f.payload.toString());
      }
      if (pong === undefined) pong = (await frames.frame()).payload;
      expect(pong.toString()).toBe('p!');

      const big = randomBytes(200_000);
      // Sent in small TCP pieces: the frame parser streams payloads across reads.
      const bytes = frame(2, big);
      for (let i = 0; i < bytes.length; i += 7000) socket.write(bytes.subarray(i, i + 7000));
      const back: Buffer[] = [];
      let n = 0;
      while (n < big.length) {
        f = await frames.frame();
        expect(f.opcode).toBe(2);
        back.push(f.payload);
        n += f.payload.length;
      }
      expect(Buffer.concat(back).equals(big)).toBe(true);

      socket.write(frame(8, Buffer.from([0x03, 0xe8])));
      f = await frames.frame();
      expect(f.opcode).toBe(8);
      expect(f.payload.readUInt16BE(0)).toBe(1000);
      await once(socket, 'close');
    } finally {
      await relay.close();
    }
  });

  it('closes with 1003 on a text message and 1002 on an unmasked frame', async () => {
    const relay = await startWsRelay({ target: { host: '127.0.0.1', port: echoPort } });
    try {
      const a = await open(relay);
      a.socket.write(frame(1, Buffer.from('text')));
      const fa = await a.frames.frame();
      expect(fa.opcode).toBe(8);
      expect(fa.payload.readUInt16BE(0)).toBe(1003);
      const b = await open(relay);
      b.socket.write(frame(2, Buffer.from('plain'), true, false));
      const fb = await b.frames.frame();
      expect(fb.opcode).toBe(8);
      expect(fb.payload.readUInt16BE(0)).toBe(1002);
    } finally {
      await relay.close();
    }
  });

  it('refuses a foreign Origin (403), a bad version (426), and answers 502 when the target is down', async () => {
    const relay = await startWsRelay({ target: { host: '127.0.0.1', port: echoPort }, allowedOrigins: ['http://127.0.0.1:1'] });
    try {
      expect((await open(relay, { origin: 'http://evil.example' })).head).toMatch(/^HTTP\/1\.1 403/);
      expect((await open(relay, { origin: 'http://127.0.0.1:1', 'sec-websocket-version': '8' })).head).toMatch(/^HTTP\/1\.1 426/);
      expect((await open(relay, { origin: 'http://127.0.0.1:1' })).head).toMatch(/^HTTP\/1\.1 101/);
    } finally {
      await relay.close();
    }
    const dead = createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const relay2 = await startWsRelay({ target: { host: '127.0.0.1', port: deadPort } });
    try {
      expect((await open(relay2)).head).toMatch(/^HTTP\/1\.1 502/);
    } finally {
      await relay2.close();
    }
  });

  it('sends a 1000 close frame after the data when the target closes', async () => {
    const server = createServer((s) => s.end('bye'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const relay = await startWsRelay({ target: { host: '127.0.0.1', port: (server.address() as AddressInfo).port } });
    try {
      const { frames } = await open(relay);
      const data = await frames.frame();
      expect(data.payload.toString()).toBe('bye');
      const close = await frames.frame();
      expect(close.opcode).toBe(8);
      expect(close.payload.readUInt16BE(0)).toBe(1000);
    } finally {
      await relay.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

/** Runs the parser over `chunks`, recording what it reports. */
function parse(chunks: Uint8Array[]): { data: Buffer; pings: string[]; closes: number; errors: number[]; doneAfter: number } {
  const out = { data: [] as Buffer[], pings: [] as string[], closes: 0, errors: [] as number[], doneAfter: -1 };
  let afterDone = 0;
  const parser: ClientFrameParser = new ClientFrameParser({
    data: (c) => (parser.done ? afterDone++ : out.data.push(c)),
    ping: (p) => (parser.done ? afterDone++ : out.pings.push(p.toString('hex'))),
    close: () => out.closes++,
    error: (code) => out.errors.push(code),
  });
  for (const c of chunks) parser.push(Buffer.from(c));
  return { data: Buffer.concat(out.data), pings: out.pings, closes: out.closes, errors: out.errors, doneAfter: afterDone };
}

/** Split `bytes` at the given cut points (fractions of its length). */
function split(bytes: Buffer, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('ClientFrameParser (fast-check)', () => {
  const message = fc.record({
    // A binary message as 1-4 fragments, with an optional ping after each fragment (§5.4: control frames may be interleaved).
    fragments: fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }),
    pings: fc.array(fc.option(fc.uint8Array({ maxLength: 125 })), { minLength: 4, maxLength: 4 }),
  });

  it('any valid sequence of masked binary messages, fragments and pings, cut anywhere: payload bytes and pings come out exactly, no error', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (messages, cuts) => {
        const frames: Buffer[] = [];
        const expectedPings: string[] = [];
        for (const m of messages) {
          m.fragments.forEach((f, i) => {
            frames.push(frame(i === 0 ? 2 : 0, f, i === m.fragments.length - 1));
            const ping = m.pings[i];
            if (ping !== null && ping !== undefined) {
              frames.push(frame(9, ping));
              expectedPings.push(Buffer.from(ping).toString('hex'));
            }
          });
        }
        frames.push(frame(8, Buffer.from([0x03, 0xe8])));
        const result = parse(split(Buffer.concat(frames), cuts));
        expect(result.errors).toEqual([]);
        expect(result.closes).toBe(1);
        expect(result.data.equals(Buffer.concat(messages.flatMap((m) => m.fragments.map((f) => Buffer.from(f)))))).toBe(true);
        expect(result.pings).toEqual(expectedPings);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes never throw; after an error or a close nothing more is reported', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const result = parse(chunks);
        expect(result.errors.length + result.closes).toBeLessThanOrEqual(1);
        expect(result.doneAfter).toBe(0);
        for (const code of result.errors) expect([1002, 1003]).toContain(code);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses each RFC 6455 violation with its status code', () => {
    const refused = (bytes: Buffer): number[] => parse([bytes]).errors;
    expect(refused(frame(2, Buffer.from('x'), true, false))).toEqual([1002]); // unmasked
    expect(refused(frame(1, Buffer.from('x')))).toEqual([1003]); // text
    expect(refused(frame(0, Buffer.from('x')))).toEqual([1002]); // continuation without a message
    expect(refused(Buffer.concat([frame(2, Buffer.from('x'), false), frame(2, Buffer.from('y'))]))).toEqual([1002]); // new message inside one
    expect(refused(frame(9, Buffer.alloc(126)))).toEqual([1002]); // control frame > 125 bytes
    expect(refused(frame(9, Buffer.from('x'), false))).toEqual([1002]); // fragmented control frame
    expect(refused(frame(3, Buffer.from('x')))).toEqual([1002]); // reserved opcode
    const rsv = frame(2, Buffer.from('x'));
    rsv[0] = rsv[0]! | 0x40;
    expect(refused(rsv)).toEqual([1002]); // RSV1 without an extension
    const huge = Buffer.from([0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]);
    expect(refused(huge)).toEqual([1002]); // 64-bit length above 2^53
  });
});
