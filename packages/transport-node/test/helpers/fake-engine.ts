/**
 * A loopback "null cipher" engine and its server side, for testing the pump and TLSSocket
 * over real sockets without the real TLS engine. Framing: [type u8][length u16][payload].
 * The fake completes a one-round-trip "handshake" (HELLO -> HELLO_DONE), carries data in the
 * clear in records of at most 16 KiB, and models close_notify, fatal alerts, sticky errors and
 * EOF truncation exactly as the engine contract (tls-core's `ClientEngine`, src/engine.ts) describes them.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { AlertReceived, InvalidMessage, UnexpectedEof, UsageError, type ClientEngine, type NegotiatedParameters } from '@puretls/tls-core';
import type { ConnectionEvent } from '@puretls/session';

export const RecordType = { Hello: 1, HelloDone: 2, Data: 3, CloseNotify: 4, Alert: 5 } as const;
export const MAX_FRAGMENT = 16384;

export function frame(type: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(3 + payload.length);
  out[0] = type;
  out.writeUInt16BE(payload.length, 1);
  out.set(payload, 3);
  return out;
}

/** Incremental parser of the fake framing. */
export class Deframer {
  #buf = Buffer.alloc(0);
  push(bytes: Uint8Array): Array<{ type: number; payload: Buffer }> {
    this.#buf = Buffer.concat([this.#buf, bytes]);
    const out: Array<{ type: number; payload: Buffer }> = [];
    while (this.#buf.length >= 3) {
      const len = this.#buf.readUInt16BE(1);
      if (this.#buf.length < 3 + len) break;
      out.push({ type: this.#buf[0]!, payload: Buffer.from(this.#buf.subarray(3, 3 + len)) });
      this.#buf = this.#buf.subarray(3 + len);
    }
    return out;
  }
}

export class FakeEngine implements ClientEngine<ConnectionEvent> {
  isHandshaking = true;
  isClosed = false;
  error: Error | undefined;
  /** Bytes handed to receive(): lets tests see how far the pump read ahead. */
  bytesReceived = 0;
  /** Plaintext bytes accepted by write(). */
  bytesWritten = 0;
  #out: Buffer[] = [];
  #plain: Buffer[] = [];
  #events: ConnectionEvent[] = [];
  #deframer = new Deframer();
  #closeSent = false;

  readonly finishedVerifyData: Uint8Array | undefined = undefined;
  readonly peerFinishedVerifyData: Uint8Array | undefined = undefined;

  get isWriteClosed(): boolean {
    return this.#closeSent;
  }

  get negotiated(): NegotiatedParameters | undefined {
    if (this.isHandshaking) return undefined;
    return {
      version: 0x0304,
      versionName: 'TLSv1.3',
      suite: 0x1302,
      group: 0x001d,
      signatureScheme: 0x0804,
      alpn: 'fake/1',
      serverName: 'localhost',
      sessionReused: false,
      helloRetryRequest: false,
      extendedMasterSecret: true,
      peerCertificates: [],
      ocspResponse: undefined,
      certificateError: undefined,
      earlyData: 'not-offered',
    };
  }

  start(): void {
    this.#out.push(frame(RecordType.Hello));
  }

  receive(bytes: Uint8Array): void {
    if (this.error !== undefined) throw this.error;
    this.bytesReceived += bytes.length;
    for (const record of this.#deframer.push(bytes)) {
      switch (record.type) {
        case RecordType.HelloDone:
          this.isHandshaking = false;
          this.#events.push({ type: 'handshakeDone' });
          break;
        case RecordType.Data:
          if (this.isHandshaking || this.isClosed) this.#die(new InvalidMessage('BadValue', 'data out of order'), true);
          this.#plain.push(record.payload);
          break;
        case RecordType.CloseNotify:
          this.isClosed = true;
          this.#events.push({ type: 'peerClosed' });
          break;
        case RecordType.Alert:
          this.#die(new AlertReceived(record.payload[0] ?? 0), false);
          break;
        default:
          this.#die(new InvalidMessage('BadValue', 'fake record type'), true);
      }
    }
  }

  receiveEof(): void {
    if (this.error !== undefined) throw this.error;
    if (!this.isClosed) this.#die(new UnexpectedEof(), false);
  }

  takeOutgoing(): Uint8Array | undefined {
    if (this.#out.length === 0) return undefined;
    const out = Buffer.concat(this.#out);
    this.#out = [];
    return out;
  }

  write(plaintext: Uint8Array): void {
    if (this.error !== undefined) throw this.error;
    if (this.isHandshaking) throw new UsageError('write before the handshake completed');
    for (let i = 0; i < plaintext.length; i += MAX_FRAGMENT) this.#out.push(frame(RecordType.Data, plaintext.subarray(i, i + MAX_FRAGMENT)));
    this.bytesWritten += plaintext.length;
  }

  readPlaintext(): Uint8Array | undefined {
    return this.#plain.shift();
  }

  close(): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#out.push(frame(RecordType.CloseNotify));
  }

  /** destroy() calls, and how many records were still queued (not taken) at the first one. */
  destroyCalls = 0;
  queuedAtDestroy: number | undefined;

  destroy(): void {
    if (this.destroyCalls++ === 0) this.queuedAtDestroy = this.#out.length;
  }

  requestKeyUpdate(): void {}

  exportKeyingMaterial(label: string, _context: Uint8Array | undefined, length: number): Uint8Array {
    return Buffer.alloc(length, label.length);
  }

  takeEvents(): ConnectionEvent[] {
    return this.#events.splice(0);
  }

  #die(err: Error, sendAlert: boolean): never {
    this.error = err;
    if (sendAlert) this.#out.push(frame(RecordType.Alert, Uint8Array.of(50)));
    throw err;
  }
}

/** What the fake server saw from one client. */
export interface ServerConnection {
  readonly socket: Socket;
  readonly records: Array<{ type: number; payload: Buffer }>;
  /** Resolves once the client's FIN arrived. */
  readonly ended: Promise<void>;
  /** Resolves once the client's hello arrived and HELLO_DONE was sent. */
  readonly handshaken: Promise<void>;
  send(type: number, payload?: Uint8Array): boolean;
  sendData(data: Uint8Array): boolean;
}

/**
 * A fake server on 127.0.0.1:0. `onConnection` gets each connection after HELLO_DONE is sent
 * (unless `handshake: false`). Data records are not echoed unless `echo` is set.
 */
export async function startFakeServer(opts: {
  echo?: boolean;
  handshake?: boolean;
  onConnection?: (c: ServerConnection) => void;
}): Promise<{ server: Server; port: number; connections: ServerConnection[]; close: () => Promise<void> }> {
  const connections: ServerConnection[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const deframer = new Deframer();
    const records: Array<{ type: number; payload: Buffer }> = [];
    let resolveEnded!: () => void;
    let resolveHandshaken!: () => void;
    const conn: ServerConnection = {
      socket,
      records,
      ended: new Promise((r) => (resolveEnded = r)),
      handshaken: new Promise((r) => (resolveHandshaken = r)),
      send: (type, payload) => socket.write(frame(type, payload)),
      sendData: (data) => {
        let ok = true;
        for (let i = 0; i < data.length; i += MAX_FRAGMENT) ok = socket.write(frame(RecordType.Data, data.subarray(i, i + MAX_FRAGMENT)));
        return ok;
      },
    };
    connections.push(conn);
    socket.on('error', () => {});
    socket.on('end', () => resolveEnded());
    socket.on('data', (bytes) => {
      for (const record of deframer.push(bytes)) {
        records.push(record);
        if (record.type === RecordType.Hello && opts.handshake !== false) {
          conn.send(RecordType.HelloDone);
          resolveHandshaken();
          opts.onConnection?.(conn);
        }
        if (record.type === RecordType.Data && opts.echo === true) conn.send(RecordType.Data, record.payload);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const port = (server.address() as AddressInfo).port;
  const close = (): Promise<void> =>
    new Promise((r) => {
      for (const c of connections) c.socket.destroy();
      server.close(() => r());
    });
  return { server, port, connections, close };
}
