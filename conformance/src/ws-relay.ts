/**
 * A WebSocket-to-TCP relay for tests and examples: browsers and Workers have no TCP sockets, so
 * a page opens a WebSocket here and the relay carries the bytes to ONE target fixed when it is
 * started (the client cannot choose where it connects). Binary messages only; each message's
 * payload is written to TCP as it arrives and each TCP chunk goes back as one binary message.
 * Binds 127.0.0.1 only. Not for production: no TLS on the WebSocket, no authentication; the
 * Origin check (`allowedOrigins`) is the only thing that stops any local page from using it.
 *
 * The WebSocket server side is implemented here (RFC 6455 §4.2 opening handshake, §5 framing)
 * rather than taken from the `ws` package: the subset needed (binary, continuation, ping/pong,
 * close, masked client frames) is small, and it keeps the run-time dependency list at @noble/*
 * (docs/embedding.md). What a client controls is bounded: the handshake request (16 KiB,
 * Node's header limit), control frames (125 bytes, §5.5), and payloads are never buffered,
 * only unmasked and streamed; TCP and WebSocket backpressure are each passed to the other side
 * (pause()/'drain').
 *
 * CLI: `node conformance/dist/ws-relay.js --target 127.0.0.1:4433 [--port 8080] [--origin http://127.0.0.1:8000]`
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** RFC 6455 §1.3: appended to Sec-WebSocket-Key before hashing. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const Opcode = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;

/** RFC 6455 §7.4.1 status codes the relay sends. */
const CloseCode = { Normal: 1000, ProtocolError: 1002, UnsupportedData: 1003, InternalError: 1011 } as const;

export interface WsRelayOptions {
  /** The only place the relay connects to. */
  readonly target: { readonly host: string; readonly port: number };
  /** Port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  /** When set, the Origin header must be one of these (browsers always send it). */
  readonly allowedOrigins?: readonly string[];
}

export interface WsRelay {
  readonly port: number;
  /** `ws://127.0.0.1:PORT/` */
  readonly url: string;
  /** Connections relayed so far. */
  readonly connections: number;
  /**
   * Stop listening and close every open connection; with `graceMs`, first wait up to that long for
   * them to end on their own (a client that failed sends its alert and a close frame after its
   * caller already has the error: destroying at once could drop that alert on its way).
   */
  close(graceMs?: number): Promise<void>;
}

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2 item 5.4). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** Start the relay on 127.0.0.1. */
export async function startWsRelay(options: WsRelayOptions): Promise<WsRelay> {
  const open = new Set<Duplex>();
  let connections = 0;
  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end('WebSocket only\n');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const refusal = checkUpgrade(req, options.allowedOrigins);
    if (refusal !== undefined) {
      socket.end(`HTTP/1.1 ${refusal}\r\nconnection: close\r\n\r\n`);
      return;
    }
    connections++;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    const tcp = netConnect({ host: options.target.host, port: options.target.port });
    tcp.on('error', () => {});
    const failConnect = (): void => {
      socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\n');
    };
    tcp.once('error', failConnect);
    tcp.once('connect', () => {
      tcp.off('error', failConnect);
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n' + `sec-websocket-accept: ${acceptKey(String(req.headers['sec-websocket-key']))}\r\n\r\n`,
      );
      relay(socket, tcp, head);
    });
    socket.once('close', () => tcp.destroy());
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    get connections() {
      return connections;
    },
    close: async (graceMs = 0) => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      if (graceMs > 0 && open.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all([...open].map((s) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r()))))),
          new Promise<void>((r) => (timer = setTimeout(r, graceMs))),
        ]);
        clearTimeout(timer);
      }
      for (const s of open) s.destroy();
      await closed;
    },
  };
}

/** The HTTP status line to refuse an upgrade with, or undefined when it is a valid RFC 6455 §4.2.1 request. */
function checkUpgrade(req: IncomingMessage, allowedOrigins: readonly string[] | undefined): string | undefined {
  const key = req.headers['sec-websocket-key'];
  if (req.method !== 'GET') return '405 Method Not Allowed';
  if (String(req.headers.upgrade).toLowerCase() !== 'websocket' || !/\bupgrade\b/i.test(String(req.headers.connection))) return '400 Bad Request';
  if (req.headers['sec-websocket-version'] !== '13') return '426 Upgrade Required\r\nsec-websocket-version: 13';
  if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) return '400 Bad Request';
  if (allowedOrigins !== undefined && !allowedOrigins.includes(String(req.headers.origin))) return '403 Forbidden';
  return undefined;
}

/** One WebSocket frame header for a server-to-client (unmasked) frame. */
function frameHeader(opcode: number, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 0x10000) {
    const h = Buffer.alloc(4);
    h[0] = 0x80 | opcode;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.alloc(10);
  h[0] = 0x80 | opcode;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
}

function closePayload(code: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
}

/** What {@link ClientFrameParser} reports. */
export interface FrameHandlers {
  /** Unmasked bytes of a binary message (any fragment, any part of one), in order. */
  data(chunk: Buffer): void;
  /** A complete ping's payload. */
  ping(payload: Buffer): void;
  /** A complete close frame's payload; nothing is parsed after it. */
  close(payload: Buffer): void;
  /** The client broke RFC 6455: close with this status code; nothing is parsed after it. */
  error(code: number): void;
}

/**
 * RFC 6455 §5.2 client-to-server frames as a streaming state machine: the header (at most 14
 * bytes) is collected, then the payload is unmasked and handed on chunk by chunk as it arrives
 * (work linear in the input; nothing buffered but a control frame's ≤ 125 bytes). Refused with
 * 1002: unmasked frames, RSV bits, reserved opcodes, fragmented or oversized control frames,
 * continuation without a message, a new message inside a fragmented one, lengths above 2^53;
 * text messages with 1003 (the relay carries bytes).
 */
export class ClientFrameParser {
  readonly #handlers: FrameHandlers;
  #header = Buffer.alloc(0);
  #opcode = 0;
  #remaining = 0;
  #mask = Buffer.alloc(4);
  #maskOffset = 0;
  #control: Buffer[] = [];
  #inPayload = false;
  #done = false;
  /** Whether a fragmented binary message is in progress (continuations allowed). */
  #inMessage = false;

  constructor(handlers: FrameHandlers) {
    this.#handlers = handlers;
  }

  /** True once a close frame or an error ended parsing. */
  get done(): boolean {
    return this.#done;
  }

  push(data: Buffer): void {
    let i = 0;
    while (i < data.length && !this.#done) {
      if (!this.#inPayload) {
        const need = Math.min(data.length - i, 14 - this.#header.length);
        this.#header = Buffer.concat([this.#header, data.subarray(i, i + need)]);
        const used = this.#parseHeader();
        if (used < 0) {
          this.#done = true;
          this.#handlers.error(used === -2 ? CloseCode.UnsupportedData : CloseCode.ProtocolError);
          return;
        }
        if (used === 0) {
          i += need;
          continue;
        }
        // Bytes after the header in `data` belong to the payload.
        i += need - (this.#header.length - used);
        this.#header = Buffer.alloc(0);
        this.#inPayload = true;
        if (this.#remaining === 0) this.#endOfFrame();
        continue;
      }
      const take = Math.min(this.#remaining, data.length - i);
      const chunk = Buffer.from(data.subarray(i, i + take));
      for (let k = 0; k < chunk.length; k++) chunk[k] = chunk[k]! ^ this.#mask[(this.#maskOffset + k) & 3]!;
      this.#maskOffset += take;
      this.#remaining -= take;
      i += take;
      if ((this.#opcode & 0x8) !== 0) this.#control.push(chunk);
      else if (chunk.length > 0) this.#handlers.data(chunk);
      if (this.#remaining === 0) this.#endOfFrame();
    }
  }

  /** Parse the frame header in #header: its length, 0 while incomplete, -1 protocol error, -2 text. */
  #parseHeader(): number {
    const h = this.#header;
    if (h.length < 2) return 0;
    const b0 = h[0]!;
    const b1 = h[1]!;
    if ((b1 & 0x80) === 0) return -1; // §5.1: a client frame must be masked (known from byte 2 on)
    if ((b0 & 0x70) !== 0) return -1; // no extension was negotiated: RSV bits must be 0
    let offset = 2;
    let length = b1 & 0x7f;
    if (length === 126) {
      if (h.length < 4) return 0;
      length = h.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (h.length < 10) return 0;
      const big = h.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return -1;
      length = Number(big);
      offset = 10;
    }
    if (h.length < offset + 4) return 0;
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    const isControl = (opcode & 0x8) !== 0;
    if (isControl && (!fin || length > 125)) return -1; // §5.5
    if (opcode === Opcode.Text) return -2;
    if (opcode === Opcode.Binary) {
      if (this.#inMessage) return -1; // a new message inside an unfinished one
      this.#inMessage = !fin;
    } else if (opcode === Opcode.Continuation) {
      if (!this.#inMessage) return -1;
      this.#inMessage = !fin;
    } else if (opcode !== Opcode.Close && opcode !== Opcode.Ping && opcode !== Opcode.Pong) {
      return -1; // reserved opcodes
    }
    this.#opcode = opcode;
    this.#mask = Buffer.from(h.subarray(offset, offset + 4));
    this.#maskOffset = 0;
    this.#remaining = length;
    this.#control = [];
    return offset + 4;
  }

  #endOfFrame(): void {
    this.#inPayload = false;
    if (this.#opcode === Opcode.Close) {
      this.#done = true;
      this.#handlers.close(Buffer.concat(this.#control));
    } else if (this.#opcode === Opcode.Ping) this.#handlers.ping(Buffer.concat(this.#control));
  }
}

/** Carry bytes both ways between the upgraded socket and the TCP connection, with backpressure each way. */
function relay(ws: Duplex, tcp: Socket, head: Buffer): void {
  let closing = false;
  /** The WebSocket is paused until the TCP side drains (one 'drain' listener at a time). */
  let wsPaused = false;
  const sendFrame = (op: number, payload: Buffer): void => {
    if (ws.destroyed || ws.writableEnded) return;
    ws.write(Buffer.concat([frameHeader(op, payload.length), payload]));
  };
  const sendClose = (code: number): void => {
    if (closing) return;
    closing = true;
    sendFrame(Opcode.Close, closePayload(code));
    ws.end();
    tcp.end();
  };
  const parser = new ClientFrameParser({
    data: (chunk) => {
      if (!tcp.write(chunk) && !wsPaused) {
        wsPaused = true;
        ws.pause();
        tcp.once('drain', () => {
          wsPaused = false;
          ws.resume();
        });
      }
    },
    ping: (payload) => sendFrame(Opcode.Pong, payload),
    close: (payload) => {
      if (!closing) {
        // Echo the status code back (§5.5.1) and end the TCP side.
        closing = true;
        sendFrame(Opcode.Close, payload.length >= 2 ? payload.subarray(0, 2) : Buffer.alloc(0));
        ws.end();
      }
      tcp.end();
    },
    error: (code) => sendClose(code),
  });

  ws.on('data', (data: Buffer) => {
    if (!closing) parser.push(data);
  });
  ws.on('end', () => tcp.end());
  ws.on('close', () => tcp.destroy());
  tcp.on('data', (chunk: Buffer) => {
    if (closing || ws.destroyed) return;
    const ok = ws.write(Buffer.concat([frameHeader(Opcode.Binary, chunk.length), chunk]));
    if (!ok) {
      tcp.pause();
      ws.once('drain', () => tcp.resume());
    }
  });
  tcp.on('end', () => sendClose(CloseCode.Normal));
  tcp.on('error', () => sendClose(CloseCode.InternalError));
  tcp.on('close', () => sendClose(CloseCode.Normal));
  if (head.length > 0 && !closing) parser.push(head);
}

/** The CLI: `--target host:port [--port N] [--origin URL]...` */
async function main(argv: readonly string[]): Promise<void> {
  let target: { host: string; port: number } | undefined;
  let port = 0;
  const origins: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--target' && value !== undefined) {
      const m = /^(.+):(\d+)$/.exec(value);
      if (m === null) throw new Error('--target wants host:port');
      target = { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
      i++;
    } else if (arg === '--port' && value !== undefined) {
      port = Number(value);
      i++;
    } else if (arg === '--origin' && value !== undefined) {
      origins.push(value);
      i++;
    } else throw new Error(`unknown argument ${String(arg)}\nusage: ws-relay --target host:port [--port N] [--origin URL]...`);
  }
  if (target === undefined) throw new Error('usage: ws-relay --target host:port [--port N] [--origin URL]...');
  const relayServer = await startWsRelay({ target, port, ...(origins.length > 0 ? { allowedOrigins: origins } : {}) });
  console.log(`relaying ${relayServer.url} -> ${target.host}:${target.port}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  });
}
