/**
 * The hostile server's TLS 1.3 side (RFC 8446 §4): a transcript (with the HelloRetryRequest
 * message_hash rule of §4.4.1), the key schedule of crypto.ts, and one builder per server message,
 * each with an `edit` hook over its fields and a `raw` hook over its encoding.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { SUITES13, Schedule13, digest, expandLabel, finished13, hashLength, makeShare, nextTrafficSecret, protect13, signScheme, type ServerShare, type Suite13 } from './crypto.ts';
import type { Identity, Peer } from './server.ts';
import { CT, EXT, GROUP, HRR_RANDOM, HS, SUITE, cat, encodeExts, ext, handshake, u16, u32, u8, vec16, vec24, vec8, type ClientHello, type Ext } from './wire.ts';

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
