/**
 * A scripted TLS 1.2 ECDHE server (RFC 5246 §7.3, RFC 8422 §5.4, RFC 7627, RFC 5746) built from
 * the project's codec, PRF and record protectors, for driving `ClientConnection` in memory. Like
 * {@link Server13}: each message can be edited before it is encoded and hashed, and sending is
 * separate, so tests control every byte and record.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { concatBytes, equalBytes } from '../../../src/codec/bytes.ts';
import { ClientConnection } from '../../../src/client/connection.ts';
import { createClientConfig, type ClientConfigOptions } from '../../../src/client/config.ts';
import { generateKeyShare, type KeyShare } from '../../../src/crypto/key-exchange.ts';
import { tls12SuiteById, type Tls12Suite } from '../../../src/crypto/suites.ts';
import { extendedMasterSecret, keyBlock, masterSecret, tls12FinishedVerifyData, type Tls12KeyBlock } from '../../../src/tls12/prf.ts';
import { Transcript, TranscriptBuffer } from '../../../src/tls13/transcript.ts';
import type { Certificate12 } from '../../../src/wire/certificate.ts';
import type { ClientHello } from '../../../src/wire/client-hello.ts';
import { CipherSuite, ContentType, EcCurveType, ExtensionType, HandshakeType, NamedGroup, SignatureScheme } from '../../../src/wire/enums.ts';
import { extension } from '../../../src/wire/extensions.ts';
import type { Finished } from '../../../src/wire/finished.ts';
import { decodeHandshake, encodeHandshake } from '../../../src/wire/handshake.ts';
import type { ServerHello } from '../../../src/wire/server-hello.ts';
import type { ResumptionData } from '../../../src/client/events.ts';
import { serverEcdhParams, type ServerKeyExchange } from '../../../src/wire/server-key-exchange.ts';
import { ScriptedServer } from './harness.ts';
import type { ServerIdentity, TestPki } from './pki.ts';
import { signWithScheme } from './sign.ts';

export interface Server12Options {
  readonly identity?: ServerIdentity;
  /** Default TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256. */
  readonly suite?: number;
  /** The ECDHE group (default x25519). */
  readonly group?: number;
  /** Negotiate extended_master_secret (default true). */
  readonly ems?: boolean;
  readonly client?: ClientConfigOptions;
  readonly host?: string;
  /** A session the client offers for resumption. */
  readonly session?: ResumptionData;
  /** The session ID the ServerHello carries (default empty: not resumable by ID). */
  readonly sessionId?: Uint8Array;
}

type Edit<T> = (m: T) => T;

export class Server12 extends ScriptedServer {
  readonly conn: ClientConnection;
  readonly suite: Tls12Suite;
  readonly identity: ServerIdentity;
  readonly group: number;
  ems: boolean;
  sessionId: Uint8Array;
  clientHello!: ClientHello & { readonly raw: Uint8Array };
  serverRandom: Uint8Array = new Uint8Array(randomBytes(32));
  readonly clientMessages: Uint8Array[] = [];
  keys: (Tls12KeyBlock & { master: Uint8Array }) | undefined;
  /** True once the client's Finished verified (harness self-check). */
  clientFinishedOk = false;
  #transcript: TranscriptBuffer | Transcript = new TranscriptBuffer();
  #share: KeyShare | undefined;

  constructor(pki: TestPki, options: Server12Options = {}) {
    super();
    this.identity = options.identity ?? pki.ecdsa;
    this.suite = tls12SuiteById(options.suite ?? CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)!;
    this.group = options.group ?? NamedGroup.x25519;
    this.ems = options.ems ?? true;
    this.sessionId = options.sessionId ?? new Uint8Array(0);
    const config = createClientConfig({ trustStore: pki.trust, now: () => pki.validAt, ...options.client });
    this.conn = new ClientConnection(config, { host: options.host ?? 'localhost', ...(options.session === undefined ? {} : { session: options.session }) });
    this.conn.start();
    this.pump();
  }

  serverHello(edit?: Edit<ServerHello>): Uint8Array {
    const exts = [extension(ExtensionType.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(0) })];
    if (this.ems) exts.push(extension(ExtensionType.ExtendedMasterSecret, {}));
    let m: ServerHello = {
      type: HandshakeType.ServerHello,
      isHelloRetryRequest: false,
      legacyVersion: 0x0303,
      random: this.serverRandom,
      legacySessionIdEcho: this.sessionId,
      cipherSuite: this.suite.id,
      legacyCompressionMethod: 0,
      extensions: exts,
    };
    if (edit) m = edit(m);
    this.serverRandom = m.random;
    return this.#add(encodeHandshake(m));
  }

  certificate(edit?: Edit<Certificate12>): Uint8Array {
    let m: Certificate12 = { type: HandshakeType.Certificate, version: 'tls12', certificates: this.identity.chain };
    if (edit) m = edit(m);
    return this.#add(encodeHandshake(m));
  }

  /** ECDHE ServerKeyExchange signed over client_random || server_random || params (RFC 8422 §5.4). */
  serverKeyExchange(opts: { group?: number; scheme?: number; publicPoint?: Uint8Array; edit?: Edit<ServerKeyExchange> } = {}): Uint8Array {
    const group = opts.group ?? this.group;
    const scheme = opts.scheme ?? (this.identity.kind === 'rsa' ? SignatureScheme.rsa_pss_rsae_sha256 : SignatureScheme.ecdsa_secp256r1_sha256);
    let publicPoint: Uint8Array;
    try {
      this.#share = generateKeyShare(group);
      publicPoint = this.#share.publicKey;
    } catch {
      publicPoint = new Uint8Array(32).fill(9); // a group the harness cannot do: the client must refuse it anyway
    }
    if (opts.publicPoint !== undefined) publicPoint = opts.publicPoint;
    const params = serverEcdhParams({ group, publicPoint });
    const signature = signWithScheme(scheme, this.identity.key, concatBytes(this.clientHello.random, this.serverRandom, params));
    let m: ServerKeyExchange = { type: HandshakeType.ServerKeyExchange, curveType: EcCurveType.named_curve, group, publicPoint, scheme, signature };
    if (opts.edit) m = opts.edit(m);
    return this.#add(encodeHandshake(m));
  }

  /** A handshake message built by the test: hashed into the transcript as is, and returned. */
  message(raw: Uint8Array): Uint8Array {
    return this.#add(raw);
  }

  serverHelloDone(): Uint8Array {
    return this.#add(encodeHandshake({ type: HandshakeType.ServerHelloDone }));
  }

  /**
   * Abbreviated handshake (RFC 5246 §7.3): take the keys from a master secret the server kept
   * from an earlier connection (call after the ServerHello, which must echo the session ID).
   */
  resume(master: Uint8Array): void {
    const kb = keyBlock(this.suite.prfHash, master, this.clientHello.random, this.serverRandom, this.suite.keyLength, this.suite.fixedIvLength);
    this.keys = { ...kb, master: master.slice() };
    this.reader.setTls12Key(this.suite, kb.clientWriteKey, kb.clientWriteIv);
  }

  /** The server's ChangeCipherSpec, then its writes switch to the server key. */
  sendCcs(): void {
    const k = this.#requireKeys();
    this.wire.ccs();
    this.wire.tls12(this.suite, k.serverWriteKey, k.serverWriteIv);
  }

  /** The server Finished message over the transcript so far (RFC 5246 §7.4.9). */
  finished(edit?: Edit<Finished>): Uint8Array {
    const k = this.#requireKeys();
    let m: Finished = { type: HandshakeType.Finished, verifyData: tls12FinishedVerifyData(this.suite.prfHash, k.master, 'server', this.#hash().currentHash()) };
    if (edit) m = edit(m);
    return this.#add(encodeHandshake(m));
  }

  /** The server's ChangeCipherSpec and Finished (after the client's flight was pumped). */
  sendCcsAndFinished(edit?: Edit<Finished>): void {
    this.sendCcs();
    this.wire.handshake([this.finished(edit)]);
  }

  sendPlain(...messages: Uint8Array[]): void {
    this.wire.handshake(messages);
  }

  sendData(data: Uint8Array): void {
    this.wire.record(ContentType.ApplicationData, data);
  }

  /** The full handshake; asserts the client accepted it. */
  handshake(): void {
    this.sendPlain(this.serverHello(), this.certificate(), this.serverKeyExchange(), this.serverHelloDone());
    expect(this.deliver()).toBeUndefined();
    expect(this.clientFinishedOk).toBe(true);
    this.sendCcsAndFinished();
    expect(this.deliver()).toBeUndefined();
    expect(this.conn.isHandshaking).toBe(false);
  }

  protected onClientHandshake(raw: Uint8Array): void {
    if (raw[0] === HandshakeType.ClientHello) {
      this.clientHello = decodeHandshake(raw, 'tls13') as ClientHello & { raw: Uint8Array };
      this.#transcript.add(raw);
      return;
    }
    this.clientMessages.push(raw);
    if (raw[0] === HandshakeType.ClientKeyExchange) {
      this.#add(raw);
      const cke = decodeHandshake(raw, 'tls12');
      if (cke.type !== HandshakeType.ClientKeyExchange || this.#share === undefined) return;
      const pre = this.#share.computeSharedSecret(cke.publicPoint);
      const hash = this.suite.prfHash;
      const master = this.ems
        ? extendedMasterSecret(hash, pre, this.#hash().currentHash())
        : masterSecret(hash, pre, this.clientHello.random, this.serverRandom);
      const kb = keyBlock(hash, master, this.clientHello.random, this.serverRandom, this.suite.keyLength, this.suite.fixedIvLength);
      this.keys = { ...kb, master };
      this.reader.setTls12Key(this.suite, kb.clientWriteKey, kb.clientWriteIv);
    } else if (raw[0] === HandshakeType.Finished && this.keys !== undefined) {
      const expected = tls12FinishedVerifyData(this.suite.prfHash, this.keys.master, 'client', this.#hash().currentHash());
      this.clientFinishedOk = equalBytes(raw.subarray(4), expected);
      this.#add(raw);
    } else {
      this.#add(raw);
    }
  }

  #add(raw: Uint8Array): Uint8Array {
    this.#hash().add(raw);
    return raw;
  }

  #hash(): Transcript {
    if (this.#transcript instanceof TranscriptBuffer) this.#transcript = this.#transcript.startHash(this.suite.prfHash);
    return this.#transcript;
  }

  #requireKeys(): Tls12KeyBlock & { master: Uint8Array } {
    if (this.keys === undefined) throw new Error('harness: no TLS 1.2 keys (no ClientKeyExchange yet)');
    return this.keys;
  }
}
