/**
 * A scripted TLS 1.3 server (RFC 8446 §4) built from the project's own codec, key schedule and
 * transcript, for driving `ClientConnection` entirely in memory. Each message is built by its own
 * method, which lets the test `edit` the decoded message before it is encoded and hashed into the
 * server's transcript; sending is separate (`wire`), so tests can drop, reorder, duplicate, split
 * or coalesce messages and records freely.
 *
 * @example
 * const s = new Server13(pki);
 * s.sendPlain(s.serverHello());
 * s.useHandshakeKeys();
 * s.sendEncrypted(s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished());
 * expect(s.deliver()).toBeUndefined();
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { ClientConnection } from '../../../src/client/connection.ts';
import { createClientConfig, type ClientConfigOptions } from '../../../src/client/config.ts';
import { generateKeyShare, type KeyShare } from '../../../src/crypto/key-exchange.ts';
import { hybridServerShare } from './hybrid-server.ts';
import { tls13SuiteById, type Tls13Suite } from '../../../src/crypto/suites.ts';
import {
  EarlySecret,
  ResumptionPsk,
  deriveTrafficKeys,
  finishedVerifyData,
  nextApplicationTrafficSecret,
  revealSecret,
  type HandshakeSecret,
} from '../../../src/tls13/key-schedule.ts';
import { Transcript, TranscriptBuffer } from '../../../src/tls13/transcript.ts';
import type { Certificate13 } from '../../../src/wire/certificate.ts';
import type { CertificateVerify } from '../../../src/wire/certificate-verify.ts';
import type { ClientHello } from '../../../src/wire/client-hello.ts';
import type { EncryptedExtensions } from '../../../src/wire/encrypted-extensions.ts';
import {
  CipherSuite,
  ContentType,
  ExtensionType,
  HandshakeType,
  KeyUpdateRequest,
  NamedGroup,
  SignatureScheme,
} from '../../../src/wire/enums.ts';
import { extension, findExtension } from '../../../src/wire/extensions.ts';
import type { Finished } from '../../../src/wire/finished.ts';
import { decodeHandshake, encodeHandshake } from '../../../src/wire/handshake.ts';
import type { NewSessionTicket13 } from '../../../src/wire/new-session-ticket.ts';
import type { ResumptionData } from '../../../src/client/events.ts';
import { HELLO_RETRY_REQUEST_RANDOM, type ServerHello } from '../../../src/wire/server-hello.ts';
import { ScriptedServer } from './harness.ts';
import type { ServerIdentity, TestPki } from './pki.ts';
import { serverCertificateVerifyContent, signWithScheme } from './sign.ts';

export interface Server13Options {
  /** The certificate and key the server uses (default: the P-256 leaf). */
  readonly identity?: ServerIdentity;
  /** The suite the server selects (default TLS_AES_128_GCM_SHA256). */
  readonly suite?: number;
  /** The group the server's key share uses (default: the client's first key share). */
  readonly group?: number;
  /** Extra client configuration. */
  readonly client?: ClientConfigOptions;
  /** The client's host option (default 'localhost'). */
  readonly host?: string;
  /** A session the client offers. */
  readonly session?: ResumptionData;
  /** Early data the client is given (RFC 8446 §4.2.10). */
  readonly earlyData?: Uint8Array;
}

type Edit<T> = (m: T) => T;

/** Secrets the server derives; the handshake ones exist once a ServerHello was built. */
interface Secrets13 {
  schedule: HandshakeSecret;
  clientHs: Uint8Array;
  serverHs: Uint8Array;
  clientApp?: Uint8Array;
  serverApp?: Uint8Array;
}

/** A server-side hybrid share as a KeyShare whose secret is already known. */
function encapsulated(share: { publicKey: Uint8Array; sharedSecret: Uint8Array }): KeyShare {
  return { group: NamedGroup.X25519MLKEM768, publicKey: share.publicKey, computeSharedSecret: () => share.sharedSecret.slice() };
}

export class Server13 extends ScriptedServer {
  readonly conn: ClientConnection;
  readonly suite: Tls13Suite;
  readonly identity: ServerIdentity;
  group: number;
  /** The latest ClientHello. */
  clientHello!: ClientHello & { readonly raw: Uint8Array };
  readonly clientHellos: (ClientHello & { readonly raw: Uint8Array })[] = [];
  /** Handshake messages the client sent after its ClientHello(s), decoded. */
  readonly clientMessages: Uint8Array[] = [];
  secrets: Secrets13 | undefined;
  /** Accept the client's (first) PSK identity with this key in the next ServerHello (RFC 8446 §4.2.11). */
  acceptPsk: Uint8Array | undefined;
  #transcript: TranscriptBuffer | Transcript = new TranscriptBuffer();
  #share: KeyShare | undefined;

  constructor(pki: TestPki, options: Server13Options = {}) {
    super();
    this.identity = options.identity ?? pki.ecdsa;
    this.suite = tls13SuiteById(options.suite ?? CipherSuite.TLS_AES_128_GCM_SHA256)!;
    const config = createClientConfig({ trustStore: pki.trust, now: () => pki.validAt, ...options.client });
    this.conn = new ClientConnection(config, {
      host: options.host ?? 'localhost',
      ...(options.session === undefined ? {} : { session: options.session }),
      ...(options.earlyData === undefined ? {} : { earlyData: options.earlyData }),
    });
    this.conn.start();
    this.pump();
    this.group = options.group ?? this.clientKeyShares()[0]?.group ?? NamedGroup.x25519;
  }

  /** The key shares of the latest ClientHello. */
  clientKeyShares(): readonly { group: number; keyExchange: Uint8Array }[] {
    const ks = findExtension(this.clientHello.extensions, ExtensionType.KeyShare);
    return ks?.form === 'CH' ? ks.entries : [];
  }

  // ---- messages --------------------------------------------------------------------------------

  /** A HelloRetryRequest selecting `group` (default secp256r1); the server will use that group afterwards. */
  helloRetryRequest(opts: { group?: number | undefined; cookie?: Uint8Array; edit?: Edit<ServerHello> } = {}): Uint8Array {
    const group = 'group' in opts ? opts.group : NamedGroup.secp256r1;
    const exts = [extension(ExtensionType.SupportedVersions, { form: 'SH', selectedVersion: 0x0304 })];
    if (group !== undefined) exts.push(extension(ExtensionType.KeyShare, { form: 'HRR', selectedGroup: group }));
    if (opts.cookie !== undefined) exts.push(extension(ExtensionType.Cookie, { cookie: opts.cookie }));
    let m: ServerHello = {
      type: HandshakeType.ServerHello,
      isHelloRetryRequest: true,
      legacyVersion: 0x0303,
      random: HELLO_RETRY_REQUEST_RANDOM,
      legacySessionIdEcho: this.clientHello.legacySessionId,
      cipherSuite: this.suite.id,
      legacyCompressionMethod: 0,
      extensions: exts,
    };
    if (opts.edit) m = opts.edit(m);
    const raw = encodeHandshake(m);
    const t = this.#transcript instanceof TranscriptBuffer ? this.#transcript.startHash(this.suite.hash) : this.#transcript;
    this.#transcript = t.rollupForHelloRetryRequest().add(raw);
    if (group !== undefined) this.group = group;
    return raw;
  }

  /** The ServerHello; derives the handshake secrets when the key exchange is possible. */
  serverHello(edit?: Edit<ServerHello>): Uint8Array {
    const peer = this.clientKeyShares().find((k) => k.group === this.group);
    // X25519MLKEM768 is a KEM: the server's share answers the client's (hybrid-server.ts).
    this.#share = this.group === NamedGroup.X25519MLKEM768 && peer !== undefined ? encapsulated(hybridServerShare(peer.keyExchange)) : generateKeyShare(this.group);
    let m: ServerHello = {
      type: HandshakeType.ServerHello,
      isHelloRetryRequest: false,
      legacyVersion: 0x0303,
      random: new Uint8Array(randomBytes(32)),
      legacySessionIdEcho: this.clientHello.legacySessionId,
      cipherSuite: this.suite.id,
      legacyCompressionMethod: 0,
      extensions: [
        extension(ExtensionType.SupportedVersions, { form: 'SH', selectedVersion: 0x0304 }),
        extension(ExtensionType.KeyShare, { form: 'SH', entry: { group: this.group, keyExchange: this.#share.publicKey } }),
      ],
    };
    if (this.acceptPsk !== undefined) m = { ...m, extensions: [...m.extensions, extension(ExtensionType.PreSharedKey, { form: 'SH', selectedIdentity: 0 })] };
    if (edit) m = edit(m);
    const raw = encodeHandshake(m);
    const t = this.#transcript instanceof TranscriptBuffer ? this.#transcript.startHash(this.suite.hash) : this.#transcript;
    this.#transcript = t.add(raw);
    if (peer !== undefined) {
      const early = this.acceptPsk === undefined ? EarlySecret.withoutPsk(this.suite) : EarlySecret.withPsk(this.suite, ResumptionPsk.fromBytes(this.acceptPsk));
      const schedule = early.intoHandshake(this.#share.computeSharedSecret(peer.keyExchange));
      const h = t.currentHash();
      this.secrets = { schedule, clientHs: revealSecret(schedule.clientTrafficSecret(h)), serverHs: revealSecret(schedule.serverTrafficSecret(h)) };
    }
    return raw;
  }

  /** Switch the server's writes to the server handshake key, and the reader to the client's. */
  useHandshakeKeys(): void {
    const s = this.#requireSecrets();
    this.wire.tls13(deriveTrafficKeys(this.suite, s.serverHs));
    this.reader.setTls13Key(deriveTrafficKeys(this.suite, s.clientHs));
  }

  /** Switch the server's writes to the server application key (after `finished()`). */
  useApplicationKeys(): void {
    this.wire.tls13(deriveTrafficKeys(this.suite, this.#requireSecrets().serverApp!));
  }

  encryptedExtensions(edit?: Edit<EncryptedExtensions>): Uint8Array {
    let m: EncryptedExtensions = { type: HandshakeType.EncryptedExtensions, extensions: [] };
    if (edit) m = edit(m);
    return this.#add(encodeHandshake(m));
  }

  certificate(edit?: Edit<Certificate13>): Uint8Array {
    let m: Certificate13 = {
      type: HandshakeType.Certificate,
      version: 'tls13',
      context: new Uint8Array(0),
      entries: this.identity.chain.map((certData) => ({ certData, extensions: [] })),
    };
    if (edit) m = edit(m);
    return this.#add(encodeHandshake(m));
  }

  /** CertificateVerify signed with `scheme` (default: ECDSA P-256 or RSA-PSS by key type) over the transcript so far. */
  certificateVerify(opts: { scheme?: number; edit?: Edit<CertificateVerify> } = {}): Uint8Array {
    const scheme = opts.scheme ?? (this.identity.kind === 'rsa' ? SignatureScheme.rsa_pss_rsae_sha256 : SignatureScheme.ecdsa_secp256r1_sha256);
    const content = serverCertificateVerifyContent(this.#hash().currentHash());
    let m: CertificateVerify = { type: HandshakeType.CertificateVerify, scheme, signature: signWithScheme(scheme, this.identity.key, content) };
    if (opts.edit) m = opts.edit(m);
    return this.#add(encodeHandshake(m));
  }

  /** The server Finished; derives the application secrets. */
  finished(edit?: Edit<Finished>): Uint8Array {
    const s = this.#requireSecrets();
    let m: Finished = { type: HandshakeType.Finished, verifyData: finishedVerifyData(this.suite.hash, s.serverHs, this.#hash().currentHash()) };
    if (edit) m = edit(m);
    const raw = this.#add(encodeHandshake(m));
    const h = this.#hash().currentHash();
    const master = s.schedule.intoMaster();
    s.clientApp = revealSecret(master.clientApplicationTrafficSecret(h));
    s.serverApp = revealSecret(master.serverApplicationTrafficSecret(h));
    return raw;
  }

  /** A handshake message built by the test: hashed into the transcript as is, and returned. */
  message(raw: Uint8Array): Uint8Array {
    return this.#add(raw);
  }

  newSessionTicket(edit?: Edit<NewSessionTicket13>): Uint8Array {
    let m: NewSessionTicket13 = {
      type: HandshakeType.NewSessionTicket,
      version: 'tls13',
      lifetime: 3600,
      ageAdd: 0x01020304,
      nonce: new Uint8Array([0]),
      ticket: new Uint8Array(randomBytes(48)),
      extensions: [],
    };
    if (edit) m = edit(m);
    return encodeHandshake(m);
  }

  /** Send a KeyUpdate under the current key, then move the server's write key forward (RFC 8446 §4.6.3). */
  sendKeyUpdate(request: number = KeyUpdateRequest.UpdateNotRequested): void {
    const s = this.#requireSecrets();
    this.wire.handshake([encodeHandshake({ type: HandshakeType.KeyUpdate, request })]);
    s.serverApp = nextApplicationTrafficSecret(this.suite.hash, s.serverApp!);
    this.wire.tls13(deriveTrafficKeys(this.suite, s.serverApp));
  }

  // ---- sending ---------------------------------------------------------------------------------

  /** Handshake messages in plaintext record(s). */
  sendPlain(...messages: Uint8Array[]): void {
    if (this.wire.protected) throw new Error('harness: sendPlain under protection');
    this.wire.handshake(messages);
  }

  /** Handshake messages in protected record(s) (at most `fragment` bytes of handshake data per record). */
  sendEncrypted(messages: Uint8Array[], fragment?: number): void {
    if (!this.wire.protected) throw new Error('harness: sendEncrypted without keys');
    this.wire.handshake(messages, fragment);
  }

  /** Application data under the current key. */
  sendData(data: Uint8Array): void {
    this.wire.record(ContentType.ApplicationData, data);
  }

  /**
   * The normal path up to a connected client: ServerHello, middlebox CCS, the encrypted flight in
   * one record, then the application keys. Asserts that the client accepted it.
   */
  handshake(): void {
    this.sendPlain(this.serverHello());
    this.wire.ccs();
    this.useHandshakeKeys();
    this.sendEncrypted([this.encryptedExtensions(), this.certificate(), this.certificateVerify(), this.finished()]);
    expect(this.deliver()).toBeUndefined();
    this.useApplicationKeys();
    expect(this.conn.isHandshaking).toBe(false);
  }

  protected onClientHandshake(raw: Uint8Array): void {
    if (raw[0] === HandshakeType.ClientHello) {
      const ch = decodeHandshake(raw, 'tls13') as ClientHello & { raw: Uint8Array };
      this.clientHello = ch;
      this.clientHellos.push(ch);
      this.#transcript.add(raw);
      return;
    }
    this.clientMessages.push(raw);
    const s = this.secrets;
    if (s === undefined) return;
    if (raw[0] === HandshakeType.EndOfEarlyData) {
      // RFC 8446 §4.5: the client's next records are under its handshake keys.
      this.#add(raw);
      this.reader.setTls13Key(deriveTrafficKeys(this.suite, s.clientHs));
    } else if (raw[0] === HandshakeType.Finished) {
      this.#add(raw);
      this.reader.setTls13Key(deriveTrafficKeys(this.suite, s.clientApp!));
    } else if (raw[0] === HandshakeType.KeyUpdate) {
      s.clientApp = nextApplicationTrafficSecret(this.suite.hash, s.clientApp!);
      this.reader.setTls13Key(deriveTrafficKeys(this.suite, s.clientApp));
    }
  }

  #add(raw: Uint8Array): Uint8Array {
    this.#hash().add(raw);
    return raw;
  }

  #hash(): Transcript {
    if (this.#transcript instanceof TranscriptBuffer) this.#transcript = this.#transcript.startHash(this.suite.hash);
    return this.#transcript;
  }

  #requireSecrets(): Secrets13 {
    if (this.secrets === undefined) throw new Error('harness: no handshake secrets (the ServerHello had no usable key share)');
    return this.secrets;
  }
}
