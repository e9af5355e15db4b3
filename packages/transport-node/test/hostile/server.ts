/**
 * The hostile server: a scriptable, misbehaving TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246, RFC 8422,
 * RFC 7627, RFC 5746) server for tests, on node:net and node:crypto only (see crypto.ts, wire.ts):
 * it shares no code with puretls, so it is an independent implementation of the other side.
 *
 * A test gives {@link HostileServer.run} a script (an async function of a {@link Peer}) and the
 * client's connect() options. The script is in full control of the bytes:
 * - every handshake message is built by a method of `Tls13` (server13.ts) / `Tls12` (server12.ts) taking an `edit`
 *   callback over its decoded fields and a `raw` callback over its encoding (mutate, truncate, add
 *   trailing data);
 * - messages are framed by {@link Peer.sendHandshake} (any fragment size, several per record) or
 *   written as raw bytes; records can be split, reordered, duplicated, dropped or delayed through
 *   {@link Peer.hook} (applied to every outgoing record) and {@link Peer.sleep};
 * - everything the client writes is read back and DECRYPTED with the keys the server derived
 *   ({@link Peer.readRecord} tries each client key it knows and names the one that authenticated),
 *   so a test asserts the alert on the wire, and under which key it was sent.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { KeyObject } from 'node:crypto';
import { connect, type ConnectOptions } from '../../src/connect.ts';
import type { TLSSocket } from '../../src/tls-socket.ts';
import { CT, cat, parseClientHello, record, type ClientHello } from './wire.ts';
import type { Protection } from './crypto.ts';

/** A record the client wrote, with its protection removed. */
export interface ClientRecord {
  type: number;
  content: Buffer;
  /** 'plaintext', or the label of the client key that authenticated it, or 'undecryptable'. */
  key: string;
}

/** A certificate chain and its private key. */
export interface Identity {
  chain: Buffer[];
  key: KeyObject;
  /** The CertificateVerify / ServerKeyExchange scheme this key signs with by default. */
  scheme: number;
}

/** Outgoing record hook: return the bytes to write instead (several, none, altered). */
export type RecordHook = (rec: Buffer, info: { type: number; index: number }) => Buffer | Buffer[];

/** One accepted connection, seen from the server. */
export class Peer {
  readonly socket: Socket;
  /** Applied to every record {@link sendRecord} produces (not to {@link write}). */
  hook: RecordHook | undefined;
  /** Server write protection (undefined: plaintext records). */
  writeKey: Protection | undefined;
  /** Client keys the reader tries, newest first. */
  readKeys: Protection[] = [];
  /** TLS 1.2: the client key that applies once its ChangeCipherSpec is read. */
  pendingReadKey12: Protection | undefined;
  /** TLS 1.2 framing for reads: after CCS every record type is protected. */
  tls12 = false;
  readonly fromClient: ClientRecord[] = [];
  /**
   * Resolves when the client (same process) emitted 'secureConnect': a script that must act
   * strictly after the client finished its handshake awaits this (TLS 1.2 gives no wire signal).
   */
  clientConnected: Promise<void> = new Promise(() => {});
  /** Sees the content of each protected handshake record the client sends (TLS 1.3 uses it to follow KeyUpdate). */
  onClientHandshake: ((content: Buffer) => void) | undefined;
  #batch: Buffer[] | undefined;
  #in = Buffer.alloc(0);
  #eof = false;
  #wake: (() => void) | undefined;
  #outIndex = 0;
  #hs = Buffer.alloc(0);

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#in = Buffer.concat([this.#in, d]);
      this.#wake?.();
    });
    const end = (): void => {
      this.#eof = true;
      this.#wake?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  get eof(): boolean {
    return this.#eof && this.#in.length === 0;
  }

  async #waitFor(n: number): Promise<boolean> {
    while (this.#in.length < n) {
      if (this.#eof) return false;
      await new Promise<void>((r) => (this.#wake = r));
      this.#wake = undefined;
    }
    return true;
  }

  /** The next record the client wrote, decrypted where a known key authenticates it; undefined at EOF. */
  async readRecord(): Promise<ClientRecord | undefined> {
    if (!(await this.#waitFor(5))) return undefined;
    const len = this.#in.readUInt16BE(3);
    if (!(await this.#waitFor(5 + len))) return undefined;
    const header = this.#in.subarray(0, 5);
    const body = this.#in.subarray(5, 5 + len);
    this.#in = this.#in.subarray(5 + len);
    const type = header[0]!;
    let rec: ClientRecord;
    if (type === CT.ChangeCipherSpec) {
      rec = { type, content: Buffer.from(body), key: 'plaintext' };
      if (this.pendingReadKey12 !== undefined) {
        this.readKeys = [this.pendingReadKey12];
        this.pendingReadKey12 = undefined;
      }
    } else if ((type === CT.ApplicationData || this.tls12) && this.readKeys.length > 0) {
      rec = { type, content: Buffer.from(body), key: 'undecryptable' };
      for (const k of this.readKeys) {
        const opened = k.open(Buffer.from(header), Buffer.from(body));
        if (opened !== undefined) {
          rec = { type: opened.type, content: Buffer.from(opened.content), key: k.label };
          break;
        }
      }
    } else {
      rec = { type, content: Buffer.from(body), key: 'plaintext' };
    }
    this.fromClient.push(rec);
    if (rec.type === CT.Handshake && rec.key !== 'plaintext') this.onClientHandshake?.(rec.content);
    return rec;
  }

  /**
   * The next whole handshake message from the client (reassembled across records; TLS 1.3
   * compatibility CCS records are skipped). `onRecord` sees each record read meanwhile.
   * Throws if the client sends an alert or closes instead.
   */
  async readHandshake(): Promise<Buffer> {
    for (;;) {
      if (this.#hs.length >= 4) {
        const len = this.#hs.readUIntBE(1, 3);
        if (this.#hs.length >= 4 + len) {
          const msg = this.#hs.subarray(0, 4 + len);
          this.#hs = this.#hs.subarray(4 + len);
          return Buffer.from(msg);
        }
      }
      const rec = await this.readRecord();
      if (rec === undefined) throw new Error('hostile: client closed while the server waited for a handshake message');
      if (rec.type === CT.ChangeCipherSpec) continue;
      if (rec.type !== CT.Handshake) throw new Error(`hostile: client sent record type ${rec.type} (${rec.content.toString('hex')}) while the server waited for a handshake message`);
      this.#hs = Buffer.concat([this.#hs, rec.content]);
    }
  }

  async readClientHello(): Promise<ClientHello> {
    return parseClientHello(await this.readHandshake());
  }

  /** Every record until the client closes the connection. */
  async readUntilClose(): Promise<ClientRecord[]> {
    const out: ClientRecord[] = [];
    for (let r = await this.readRecord(); r !== undefined; r = await this.readRecord()) out.push(r);
    return out;
  }

  /** Bytes exactly as given (no hook, no protection). */
  write(bytes: Uint8Array): void {
    if (this.#batch !== undefined) this.#batch.push(Buffer.from(bytes));
    else if (!this.socket.destroyed && !this.socket.writableEnded) {
      // Everything written in one synchronous stretch of the script leaves in one TCP write. A
      // client that fails part-way through a flight then has nothing left unread in its kernel
      // buffer when it closes; unread data would turn its FIN into a RST, which can discard its
      // alert in our receive queue before we read it.
      if (!this.#corked) {
        this.#corked = true;
        this.socket.cork();
        process.nextTick(() => {
          this.#corked = false;
          this.socket.uncork();
        });
      }
      this.socket.write(bytes);
    }
  }
  #corked = false;

  /** Everything `fn` writes goes out in one socket write (so the client sees it in one read). */
  batch(fn: () => void): void {
    this.#batch = [];
    try {
      fn();
    } finally {
      const all = Buffer.concat(this.#batch);
      this.#batch = undefined;
      this.write(all);
    }
  }

  /** One record of `type` under the current write key (or plaintext), through the hook. */
  sendRecord(type: number, content: Uint8Array, opts: { padding?: number; outerType?: number; version?: number } = {}): void {
    const rec = this.writeKey !== undefined ? this.writeKey.seal(type, content, opts) : record(type, content, opts.version ?? 0x0303);
    const out = this.hook === undefined ? rec : this.hook(rec, { type, index: this.#outIndex });
    this.#outIndex++;
    for (const b of Array.isArray(out) ? out : [out]) this.write(b);
  }

  /** Handshake messages concatenated and cut into records of at most `fragment` bytes. */
  sendHandshake(messages: readonly Uint8Array[], fragment = 16384): void {
    const all = cat(...messages);
    for (let off = 0; off < all.length; off += fragment) this.sendRecord(CT.Handshake, all.subarray(off, off + fragment));
  }

  /** A ChangeCipherSpec record (always plaintext: TLS 1.3 never protects it, TLS 1.2 sends it before the key change). */
  ccs(body: Uint8Array = Buffer.from([1])): void {
    this.write(record(CT.ChangeCipherSpec, body));
  }

  /** An alert under the current write key. */
  alert(level: number, description: number): void {
    this.sendRecord(CT.Alert, Buffer.from([level, description]));
  }

  /** Application data under the current write key. */
  data(bytes: Uint8Array): void {
    this.sendRecord(CT.ApplicationData, bytes);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  /** Half-close (FIN). */
  end(): void {
    if (!this.socket.destroyed) this.socket.end();
  }
}

/** What happened on the client side of one run. */
export interface ClientOutcome {
  socket: TLSSocket;
  /** 'secureConnect' fired. */
  connected: boolean;
  /** The 'error' event's error, if any. */
  error: Error | undefined;
  /** Number of 'error' events (must be at most one). */
  errorCount: number;
  /** Application data received, concatenated. */
  data: Buffer;
  /** 'end' fired (the peer's close_notify, then EOF). */
  ended: boolean;
  /** The client was still open when the run's deadline passed (then it was destroyed). */
  hung: boolean;
}

export interface RunResult<T> {
  client: ClientOutcome;
  /** What the script returned. */
  value: T;
  peer: Peer;
}

/** A TCP listener on 127.0.0.1 that hands each connection to the next queued script. */
export class HostileServer {
  readonly #server: Server;
  readonly #queue: Array<(socket: Socket) => void> = [];
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      const next = this.#queue.shift();
      if (next === undefined) socket.destroy();
      else next(socket);
    });
  }

  static async start(): Promise<HostileServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HostileServer(server);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /**
   * Run `script` against one connect() with `options` (host 127.0.0.1 and this port are filled in).
   * Resolves when both sides are done: the script returned (or threw: rejected) and the client
   * closed, or `deadlineMs` passed (the client is then destroyed and reported as hung).
   */
  async run<T>(script: (peer: Peer) => Promise<T>, options: ConnectOptions = {}, deadlineMs = 3000, onClient?: (s: TLSSocket) => void): Promise<RunResult<T>> {
    const peerReady = new Promise<Peer>((resolve) => this.#queue.push((socket) => resolve(new Peer(socket))));
    const socket = connect({ host: '127.0.0.1', ...options, port: this.port });
    const client: ClientOutcome = { socket, connected: false, error: undefined, errorCount: 0, data: Buffer.alloc(0), ended: false, hung: false };
    const chunks: Buffer[] = [];
    socket.on('secureConnect', () => (client.connected = true));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => (client.ended = true));
    socket.on('error', (e) => {
      client.errorCount++;
      client.error ??= e;
    });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    onClient?.(socket);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    const peer = await peerReady;
    peer.clientConnected = client.connected ? Promise.resolve() : new Promise((resolve) => socket.once('secureConnect', () => resolve()));
    let scriptError: unknown;
    let value: T | undefined;
    const scriptDone = script(peer).then(
      (v) => void (value = v),
      (e: unknown) => void (scriptError = e),
    );
    await Promise.race([Promise.all([scriptDone, closed]), deadline]);
    clearTimeout(timer);
    if (!socket.destroyed) {
      client.hung = true;
      socket.destroy();
    }
    peer.socket.destroy();
    await scriptDone;
    client.data = Buffer.concat(chunks);
    if (scriptError !== undefined) throw scriptError;
    return { client, value: value as T, peer };
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

export * from './server13.ts';
export * from './server12.ts';
