/**
 * The hostile server's TLS 1.2 side: a full ECDHE handshake (RFC 5246 §7.3, RFC 8422 §5.4) with
 * extended master secret (RFC 7627) and renegotiation_info (RFC 5746), the abbreviated handshake
 * (§7.3) and the RFC 5705 exporter, each message with `edit` / `raw` hooks.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { SUITES12, digest, keyBlock12, makeShare, prf12, protect12, signScheme, type ServerShare, type Suite12 } from './crypto.ts';
import type { Identity, Peer } from './server.ts';
import { encodeServerHello, type HelloFields, type MessageEdit } from './server13.ts';
import { EXT, GROUP, HS, SCHEME, SUITE, cat, ext, handshake, u16, u8, vec16, vec24, vec8, type ClientHello, type Ext } from './wire.ts';

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
