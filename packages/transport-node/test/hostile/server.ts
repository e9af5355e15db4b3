/**
 * The hostile server: a scriptable, misbehaving TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246, RFC 8422,
 * RFC 7627, RFC 5746) server for tests, on node:net and node:crypto only (see crypto.ts, wire.ts):
 * it shares no code with puretls, so it is an independent implementation of the other side.
 *
 * A test gives {@link HostileServer.run} a script (an async function of a {@link Peer}) and the
 * client's connect() options. The script is in full control of the bytes:
 * - every handshake message is built by a method of {@link Tls13} / {@link Tls12} taking an `edit`
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
import { randomBytes, type KeyObject } from 'node:crypto';
import { connect, type ConnectOptions } from '../../src/connect.ts';
import type { TLSSocket } from '../../src/tls-socket.ts';
import {
  SUITES12,
  SUITES13,
  Schedule13,
  digest,
  expandLabel,
  finished13,
  hashLength,
  keyBlock12,
  makeShare,
  nextTrafficSecret,
  prf12,
  protect12,
  protect13,
  signScheme,
  type Protection,
  type ServerShare,
  type Suite12,
  type Suite13,
} from './crypto.ts';
import {
  CT,
  EXT,
  GROUP,
  HRR_RANDOM,
  HS,
  SCHEME,
  SUITE,
  cat,
  encodeExts,
  ext,
  handshake,
  parseClientHello,
  record,
  u16,
  u32,
  u8,
  vec16,
  vec24,
  vec8,
  type ClientHello,
  type Ext,
} from './wire.ts';

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

// ---- TLS 1.3 -------------------------------------------------------------------------------

/** The fields of a ServerHello / HelloRetryRequest the script may edit before encoding. */
export interface HelloFields {
  legacyVersion: number;
  random: Buffer;
  sessionId: Buffer;
  suite: number;
  compression: number;
  extensions: Ext[];
}

/** Per-message edit hooks: `edit` changes fields, `raw` the encoded message. */
export interface MessageEdit<F> {
  edit?: (f: F) => void;
  raw?: (encoded: Buffer) => Buffer;
}

export const encodeServerHello = (f: HelloFields): Buffer =>
  handshake(HS.ServerHello, cat(u16(f.legacyVersion), f.random, vec8(f.sessionId), u16(f.suite), u8(f.compression), encodeExts(f.extensions)));

export interface Tls13Options {
  suite?: number;
  /** The group of the server's share (default: the group of the client's first key share). */
  group?: number;
  identity: Identity;
  /** CertificateVerify scheme (default: the identity's). */
  scheme?: number;
}

/** The server side of a TLS 1.3 handshake: a transcript, a key schedule and message builders. */
export class Tls13 {
  readonly peer: Peer;
  ch: ClientHello;
  readonly chs: ClientHello[] = [];
  suite: Suite13;
  group: number;
  identity: Identity;
  scheme: number;
  schedule: Schedule13;
  share: ServerShare | undefined;
  #transcript: Buffer[] = [];
  #psk: Buffer | undefined;

  constructor(peer: Peer, ch: ClientHello, opts: Tls13Options) {
    this.peer = peer;
    this.ch = ch;
    this.chs.push(ch);
    this.#transcript.push(ch.raw);
    this.suite = SUITES13[opts.suite ?? SUITE.TLS_AES_128_GCM_SHA256]!;
    this.group = opts.group ?? ch.keyShares[0]?.group ?? GROUP.x25519;
    this.identity = opts.identity;
    this.scheme = opts.scheme ?? opts.identity.scheme;
    this.schedule = new Schedule13(this.suite);
    // Follow the client's KeyUpdates (RFC 8446 §4.6.3) so its later records stay readable.
    peer.onClientHandshake = (content) => {
      for (let off = 0; off + 4 <= content.length; off += 4 + content.readUIntBE(off + 1, 3)) {
        if (content[off] === HS.KeyUpdate && this.schedule.clientApp !== undefined) {
          this.clientKeyUpdates++;
          this.clientKeyUpdated();
        }
      }
    };
  }

  /** The (EC)DHE shared secret and the transcript hash through ServerHello, once derived. */
  sharedSecret: Buffer | undefined;
  helloHash: Buffer | undefined;

  /** How many KeyUpdate messages the client sent. */
  clientKeyUpdates = 0;

  /** Read the first ClientHello and set up the handshake. */
  static async accept(peer: Peer, opts: Tls13Options): Promise<Tls13> {
    return new Tls13(peer, await peer.readClientHello(), opts);
  }

  transcriptHash(): Buffer {
    return digest(this.suite.hash, cat(...this.#transcript));
  }

  add(raw: Buffer): Buffer {
    this.#transcript.push(raw);
    return raw;
  }

  /** Resume with this PSK (the schedule starts from it); the ServerHello must then select the identity. */
  usePsk(psk: Buffer): void {
    this.#psk = psk;
    this.schedule = new Schedule13(this.suite, psk);
  }

  helloRetryRequest(opts: { group?: number | null; cookie?: Buffer } & MessageEdit<HelloFields> = {}): Buffer {
    const group = opts.group === null ? undefined : (opts.group ?? GROUP.secp256r1);
    const extensions = [ext(EXT.supported_versions, u16(0x0304))];
    if (group !== undefined) extensions.push(ext(EXT.key_share, u16(group)));
    if (opts.cookie !== undefined) extensions.push(ext(EXT.cookie, vec16(opts.cookie)));
    const f: HelloFields = { legacyVersion: 0x0303, random: HRR_RANDOM, sessionId: this.ch.sessionId, suite: this.suite.id, compression: 0, extensions };
    opts.edit?.(f);
    let raw = encodeServerHello(f);
    if (opts.raw) raw = opts.raw(raw);
    // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash(Hash(ClientHello1)).
    const ch1Hash = digest(this.suite.hash, cat(...this.#transcript));
    this.#transcript = [handshake(HS.MessageHash, ch1Hash), raw];
    if (group !== undefined) this.group = group;
    return raw;
  }

  /** Read the second ClientHello (after a HelloRetryRequest). */
  async readSecondClientHello(): Promise<ClientHello> {
    const ch = await this.peer.readClientHello();
    this.ch = ch;
    this.chs.push(ch);
    this.add(ch.raw);
    return ch;
  }

  /** The ServerHello; derives the handshake secrets when the client sent a share for `group`. */
  serverHello(opts: MessageEdit<HelloFields> & { share?: Buffer; pskIndex?: number } = {}): Buffer {
    this.share = makeShare(this.group);
    const extensions = [ext(EXT.supported_versions, u16(0x0304)), ext(EXT.key_share, cat(u16(this.group), vec16(opts.share ?? this.share.publicKey)))];
    if (opts.pskIndex !== undefined) extensions.push(ext(EXT.pre_shared_key, u16(opts.pskIndex)));
    const f: HelloFields = { legacyVersion: 0x0303, random: randomBytes(32), sessionId: this.ch.sessionId, suite: this.suite.id, compression: 0, extensions };
    opts.edit?.(f);
    let raw = encodeServerHello(f);
    if (opts.raw) raw = opts.raw(raw);
    this.add(raw);
    const peerShare = this.ch.keyShares.find((k) => k.group === this.group);
    if (peerShare !== undefined) {
      this.sharedSecret = this.share.shared(peerShare.key);
      this.helloHash = this.transcriptHash();
      this.schedule.handshake(this.sharedSecret, this.helloHash);
      // The client writes under its handshake key from here on: the reader can open it at once.
      this.peer.readKeys = [protect13('client hs', this.suite, this.schedule.clientHs!), ...this.peer.readKeys];
    }
    return raw;
  }

  /** Server writes under the server handshake key (the reader learned the client's with the ServerHello). */
  useHandshakeKeys(): void {
    this.peer.writeKey = protect13('server hs', this.suite, this.schedule.serverHs!);
  }

  /** Server writes under the server application key (the reader learned the client's with the Finished). */
  useApplicationKeys(): void {
    this.peer.writeKey = protect13('server app', this.suite, this.schedule.serverApp!);
  }

  encryptedExtensions(opts: MessageEdit<{ extensions: Ext[] }> = {}): Buffer {
    const f = { extensions: [] as Ext[] };
    opts.edit?.(f);
    let raw = handshake(HS.EncryptedExtensions, encodeExts(f.extensions));
    if (opts.raw) raw = opts.raw(raw);
    return this.add(raw);
  }

  certificate(opts: MessageEdit<{ context: Buffer; entries: { cert: Buffer; extensions: Ext[] }[] }> = {}): Buffer {
    const f = { context: Buffer.alloc(0), entries: this.identity.chain.map((cert) => ({ cert, extensions: [] as Ext[] })) };
    opts.edit?.(f);
    let raw = handshake(HS.Certificate, cat(vec8(f.context), vec24(cat(...f.entries.map((e) => cat(vec24(e.cert), encodeExts(e.extensions)))))));
    if (opts.raw) raw = opts.raw(raw);
    return this.add(raw);
  }

  /** CertificateVerify over the transcript so far (RFC 8446 §4.4.3). `signWith` overrides the key. */
  certificateVerify(opts: MessageEdit<{ scheme: number; signature: Buffer }> & { signWith?: KeyObject; content?: (c: Buffer) => Buffer } = {}): Buffer {
    let content = cat(Buffer.alloc(64, 0x20), Buffer.from('TLS 1.3, server CertificateVerify', 'latin1'), u8(0), this.transcriptHash());
    if (opts.content) content = opts.content(content);
    const f = { scheme: this.scheme, signature: signScheme(this.scheme, opts.signWith ?? this.identity.key, content) };
    opts.edit?.(f);
    let raw = handshake(HS.CertificateVerify, cat(u16(f.scheme), vec16(f.signature)));
    if (opts.raw) raw = opts.raw(raw);
    return this.add(raw);
  }

  /** The server Finished; derives the application secrets from the transcript through it. */
  finished(opts: MessageEdit<{ verifyData: Buffer }> = {}): Buffer {
    const f = { verifyData: finished13(this.suite.hash, this.schedule.serverHs!, this.transcriptHash()) };
    opts.edit?.(f);
    let raw = handshake(HS.Finished, f.verifyData);
    if (opts.raw) raw = opts.raw(raw);
    this.add(raw);
    this.schedule.application(this.transcriptHash());
    this.peer.readKeys = [protect13('client app', this.suite, this.schedule.clientApp!), ...this.peer.readKeys];
    return raw;
  }

  /**
   * The whole server flight with each message editable: ServerHello, a middlebox CCS, then
   * EncryptedExtensions, Certificate, CertificateVerify and Finished in one record (or as
   * `frame` arranges them), then the application keys.
   */
  flight(opts: FlightOptions13 = {}): void {
    const sh = this.serverHello(opts.serverHello);
    this.peer.sendHandshake([sh]);
    if (opts.ccs !== false) this.peer.ccs();
    this.useHandshakeKeys();
    const msgs: Buffer[] = [this.encryptedExtensions(opts.encryptedExtensions)];
    if (opts.psk !== true) msgs.push(this.certificate(opts.certificate), this.certificateVerify(opts.certificateVerify));
    msgs.push(this.finished(opts.finished));
    if (opts.frame) opts.frame(msgs);
    else this.peer.sendHandshake(msgs);
    this.useApplicationKeys();
  }

  /** Read and check the client's Finished (under its handshake key); the reader then uses the client application key. */
  async readClientFinished(): Promise<void> {
    const expected = handshake(HS.Finished, finished13(this.suite.hash, this.schedule.clientHs!, this.transcriptHash()));
    const fin = await this.peer.readHandshake();
    if (!fin.equals(expected)) throw new Error('hostile: the client Finished does not verify');
    this.add(fin);
    this.schedule.resumption(this.transcriptHash());
    // The client's records are now under its application key only.
    this.peer.readKeys = this.peer.readKeys.filter((k) => k.label !== 'client hs');
  }

  /** The full handshake up to a connected client whose Finished was checked. */
  async handshake(opts: FlightOptions13 = {}): Promise<void> {
    this.flight(opts);
    await this.readClientFinished();
  }

  /** A NewSessionTicket (RFC 8446 §4.6.1). */
  newSessionTicket(opts: { lifetime?: number; ageAdd?: number; nonce?: Buffer; ticket?: Buffer; extensions?: Ext[] } = {}): Buffer {
    return handshake(
      HS.NewSessionTicket,
      cat(u32(opts.lifetime ?? 7200), u32(opts.ageAdd ?? 0x01020304), vec8(opts.nonce ?? Buffer.from([0])), vec16(opts.ticket ?? randomBytes(32)), encodeExts(opts.extensions ?? [])),
    );
  }

  /** RFC 8446 §4.6.1: the PSK of a ticket with this nonce. */
  ticketPsk(nonce: Buffer): Buffer {
    return hkdfResumption(this.suite, this.schedule.resumptionMaster!, nonce);
  }

  /** Send KeyUpdate under the current key and move the server's write key forward. */
  sendKeyUpdate(requestUpdate: boolean): void {
    this.peer.sendRecord(CT.Handshake, handshake(HS.KeyUpdate, u8(requestUpdate ? 1 : 0)));
    this.schedule.serverApp = nextTrafficSecret(this.suite.hash, this.schedule.serverApp!);
    this.peer.writeKey = protect13('server app', this.suite, this.schedule.serverApp);
  }

  /** The client moved its write key (after its KeyUpdate): the reader learns the next key. */
  clientKeyUpdated(): void {
    this.schedule.clientApp = nextTrafficSecret(this.suite.hash, this.schedule.clientApp!);
    this.peer.readKeys = [protect13(`client app+${++this.#clientUpdates}`, this.suite, this.schedule.clientApp), ...this.peer.readKeys];
  }
  #clientUpdates = 0;

  /** The PSK-mode binder check is the client's business; exposed for PSK cases. */
  get psk(): Buffer | undefined {
    return this.#psk;
  }
}

function hkdfResumption(suite: Suite13, resumptionMaster: Buffer, nonce: Buffer): Buffer {
  return expandLabel(suite.hash, resumptionMaster, 'resumption', nonce, hashLength(suite.hash));
}

export interface FlightOptions13 {
  serverHello?: MessageEdit<HelloFields> & { share?: Buffer; pskIndex?: number };
  /** false: no middlebox-compatibility CCS after the ServerHello. */
  ccs?: boolean;
  encryptedExtensions?: MessageEdit<{ extensions: Ext[] }>;
  certificate?: MessageEdit<{ context: Buffer; entries: { cert: Buffer; extensions: Ext[] }[] }>;
  certificateVerify?: MessageEdit<{ scheme: number; signature: Buffer }> & { signWith?: KeyObject; content?: (c: Buffer) => Buffer };
  finished?: MessageEdit<{ verifyData: Buffer }>;
  /** A PSK handshake: no Certificate / CertificateVerify. */
  psk?: boolean;
  /** Send the encrypted messages yourself (reorder, split, duplicate); the default is one record. */
  frame?: (messages: Buffer[]) => void;
}

// ---- TLS 1.2 -------------------------------------------------------------------------------

export interface Tls12Options {
  suite?: number;
  group?: number;
  identity: Identity;
  /** ServerKeyExchange scheme (default: the identity's). */
  scheme?: number;
  /** Answer extended_master_secret (default: when offered). */
  ems?: boolean;
  /** Answer renegotiation_info (default: when offered, by extension or SCSV). */
  renegotiationInfo?: boolean;
}

/** ServerKeyExchange hooks: `point` replaces the public value before signing, `signed` the signed bytes, `signWith` the key. */
export type SkeOptions = MessageEdit<SkeFields> & { point?: Buffer; signWith?: KeyObject; signed?: (data: Buffer) => Buffer };

export interface SkeFields {
  curveType: number;
  group: number;
  point: Buffer;
  scheme: number;
  signature: Buffer;
}

/** The server side of a TLS 1.2 ECDHE handshake (RFC 5246 §7.3, RFC 8422 §5.4, RFC 7627). */
export class Tls12 {
  readonly peer: Peer;
  readonly ch: ClientHello;
  readonly suite: Suite12;
  readonly group: number;
  readonly identity: Identity;
  readonly scheme: number;
  readonly ems: boolean;
  readonly renegotiationInfo: boolean;
  serverRandom: Buffer = randomBytes(32);
  /** The session ID of the last ServerHello built. */
  sessionId: Buffer = Buffer.alloc(0);
  share: ServerShare | undefined;
  master: Buffer | undefined;
  #transcript: Buffer[] = [];

  constructor(peer: Peer, ch: ClientHello, opts: Tls12Options) {
    this.peer = peer;
    peer.tls12 = true;
    this.ch = ch;
    this.#transcript.push(ch.raw);
    this.suite = SUITES12[opts.suite ?? (opts.identity.scheme === SCHEME.rsa_pss_rsae_sha256 ? SUITE.ECDHE_RSA_AES_128_GCM_SHA256 : SUITE.ECDHE_ECDSA_AES_128_GCM_SHA256)]!;
    this.group = opts.group ?? GROUP.x25519;
    this.identity = opts.identity;
    this.scheme = opts.scheme ?? opts.identity.scheme;
    this.ems = opts.ems ?? ch.has(EXT.extended_master_secret);
    this.renegotiationInfo = opts.renegotiationInfo ?? (ch.has(EXT.renegotiation_info) || ch.suites.includes(0x00ff));
  }

  static async accept(peer: Peer, opts: Tls12Options): Promise<Tls12> {
    return new Tls12(peer, await peer.readClientHello(), opts);
  }

  add(raw: Buffer): Buffer {
    this.#transcript.push(raw);
    return raw;
  }

  transcriptHash(): Buffer {
    return digest(this.suite.hash, cat(...this.#transcript));
  }

  serverHello(opts: MessageEdit<HelloFields> = {}): Buffer {
    const extensions: Ext[] = [];
    if (this.renegotiationInfo) extensions.push(ext(EXT.renegotiation_info, u8(0)));
    if (this.ems) extensions.push(ext(EXT.extended_master_secret));
    extensions.push(ext(EXT.ec_point_formats, vec8(u8(0))));
    const f: HelloFields = { legacyVersion: 0x0303, random: this.serverRandom, sessionId: randomBytes(32), suite: this.suite.id, compression: 0, extensions };
    opts.edit?.(f);
    this.serverRandom = f.random;
    this.sessionId = f.sessionId;
    let raw = encodeServerHello(f);
    if (opts.raw) raw = opts.raw(raw);
    return this.add(raw);
  }

  certificate(opts: MessageEdit<{ certs: Buffer[] }> = {}): Buffer {
    const f = { certs: [...this.identity.chain] };
    opts.edit?.(f);
    let raw = handshake(HS.Certificate, vec24(cat(...f.certs.map((c) => vec24(c)))));
    if (opts.raw) raw = opts.raw(raw);
    return this.add(raw);
  }

  /** ServerKeyExchange (RFC 8422 §5.4): named curve, our point, signed over client_random ‖ server_random ‖ params. */
  serverKeyExchange(opts: SkeOptions = {}): Buffer {
    this.share = makeShare(this.group);
    const f: SkeFields = { curveType: 3, group: this.group, point: opts.point ?? this.share.publicKey, scheme: this.scheme, signature: Buffer.alloc(0) };
    const params = (): Buffer => cat(u8(f.curveType), u16(f.group), vec8(f.point));
    let signed = cat(this.ch.random, this.serverRandom, params());
    if (opts.signed) signed = opts.signed(signed);
    f.signature = signScheme(f.scheme, opts.signWith ?? this.identity.key, signed);
    opts.edit?.(f);
    let raw = handshake(HS.ServerKeyExchange, cat(params(), u16(f.scheme), vec16(f.signature)));
    if (opts.raw) raw = opts.raw(raw);
    return this.add(raw);
  }

  serverHelloDone(opts: MessageEdit<{ body: Buffer }> = {}): Buffer {
    const f = { body: Buffer.alloc(0) };
    opts.edit?.(f);
    let raw = handshake(HS.ServerHelloDone, f.body);
    if (opts.raw) raw = opts.raw(raw);
    return this.add(raw);
  }

  /**
   * Read ClientKeyExchange, derive the master secret and keys (the reader switches to the client
   * key at its CCS), read and check the client Finished.
   */
  async readClientFlight(): Promise<void> {
    const cke = await this.peer.readHandshake();
    if (cke[0] !== HS.ClientKeyExchange) throw new Error(`hostile: expected ClientKeyExchange, got ${cke[0]}`);
    this.add(cke);
    const point = cke.subarray(5, 5 + cke[4]!);
    const pre = this.share!.shared(point);
    this.master = this.ems
      ? prf12(this.suite.hash, pre, 'extended master secret', this.transcriptHash(), 48)
      : prf12(this.suite.hash, pre, 'master secret', cat(this.ch.random, this.serverRandom), 48);
    const kb = keyBlock12(this.suite, this.master, this.ch.random, this.serverRandom);
    this.#keys = kb;
    this.peer.pendingReadKey12 = protect12('client', this.suite, kb.clientKey, kb.clientIv);
    const fin = await this.peer.readHandshake();
    const expected = handshake(HS.Finished, prf12(this.suite.hash, this.master, 'client finished', this.transcriptHash(), 12));
    if (!fin.equals(expected)) throw new Error('hostile: the client Finished does not verify');
    this.add(fin);
  }
  #keys: ReturnType<typeof keyBlock12> | undefined;

  /** Derive the key block from `master` and the randoms (the reader takes the client key at its CCS). */
  useKeyBlock(): void {
    this.#keys = keyBlock12(this.suite, this.master!, this.ch.random, this.serverRandom);
    this.peer.pendingReadKey12 = protect12('client', this.suite, this.#keys.clientKey, this.#keys.clientIv);
  }

  /** Switch server writes to the server key (call right after sending the CCS). */
  useServerKeys(): void {
    const kb = this.#keys!;
    this.peer.writeKey = protect12('server', this.suite, kb.serverKey, kb.serverIv);
  }

  /** PRF(master, "<label> finished", Hash(transcript so far))[12] (RFC 5246 §7.4.9). */
  finishedData(label: 'client' | 'server'): Buffer {
    return prf12(this.suite.hash, this.master!, `${label} finished`, this.transcriptHash(), 12);
  }

  finished(opts: MessageEdit<{ verifyData: Buffer }> = {}): Buffer {
    const f = { verifyData: this.finishedData('server') };
    opts.edit?.(f);
    let raw = handshake(HS.Finished, f.verifyData);
    if (opts.raw) raw = opts.raw(raw);
    return this.add(raw);
  }

  /** ServerHello, Certificate, ServerKeyExchange, ServerHelloDone (one record unless `frame` says otherwise). */
  firstFlight(opts: FlightOptions12 = {}): void {
    const msgs = [this.serverHello(opts.serverHello), this.certificate(opts.certificate), this.serverKeyExchange(opts.serverKeyExchange), this.serverHelloDone(opts.serverHelloDone)];
    if (opts.frame) opts.frame(msgs);
    else this.peer.sendHandshake(msgs);
  }

  /** CCS and Finished, after the client's flight. */
  finalFlight(opts: { finished?: MessageEdit<{ verifyData: Buffer }> } = {}): void {
    this.peer.ccs();
    this.useServerKeys();
    this.peer.sendHandshake([this.finished(opts.finished)]);
  }

  /**
   * The abbreviated handshake (RFC 5246 §7.3): ServerHello echoing `sessionId`, CCS and Finished
   * under keys from `master`, then the client's CCS and Finished (read and checked).
   */
  async resume(master: Buffer, sessionId: Buffer): Promise<void> {
    this.peer.sendHandshake([this.serverHello({ edit: (f) => (f.sessionId = sessionId) })]);
    this.master = master;
    this.#keys = keyBlock12(this.suite, master, this.ch.random, this.serverRandom);
    this.peer.pendingReadKey12 = protect12('client', this.suite, this.#keys.clientKey, this.#keys.clientIv);
    this.peer.ccs();
    this.useServerKeys();
    this.peer.sendHandshake([this.finished()]);
    const expected = handshake(HS.Finished, this.finishedData('client'));
    const fin = await this.peer.readHandshake();
    if (!fin.equals(expected)) throw new Error('hostile: the client Finished (abbreviated handshake) does not verify');
    this.add(fin);
  }

  /** RFC 5705 exporter: PRF(master, label, client_random ‖ server_random ‖ uint16 length ‖ context). */
  exporter(label: string, context: Buffer, length: number): Buffer {
    return prf12(this.suite.hash, this.master!, label, cat(this.ch.random, this.serverRandom, u16(context.length), context), length);
  }

  /** The whole full handshake to a connected client. */
  async handshake(opts: FlightOptions12 = {}): Promise<void> {
    this.firstFlight(opts);
    await this.readClientFlight();
    this.finalFlight();
  }
}

export interface FlightOptions12 {
  serverHello?: MessageEdit<HelloFields>;
  certificate?: MessageEdit<{ certs: Buffer[] }>;
  serverKeyExchange?: SkeOptions;
  serverHelloDone?: MessageEdit<{ body: Buffer }>;
  frame?: (messages: Buffer[]) => void;
}

