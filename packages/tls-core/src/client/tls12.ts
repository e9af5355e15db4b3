/**
 * The TLS 1.2 client handshake with ECDHE and AEAD suites only (RFC 5246 §7.3–§7.4, RFC 8422
 * §5.4, RFC 5288, RFC 7905), with the extended master secret (RFC 7627), the renegotiation
 * indication (RFC 5746; renegotiation itself is always refused), session-ID and ticket
 * resumption (RFC 5246 §7.3, RFC 5077), and the RFC 5705 exporter. States:
 *
 * full:        ExpectCertificate12 → ExpectServerKeyExchange → ExpectServerHelloDone
 *              → [ExpectNewSessionTicket12] → ExpectChangeCipherSpec12 → ExpectFinished12 → ExpectTraffic12
 * abbreviated: [ExpectNewSessionTicket12] → ExpectChangeCipherSpec12 → ExpectFinished12 → ExpectTraffic12
 * @module
 */
import { concatBytes, equalBytes } from '../codec/bytes.ts';
import { InvalidMessage, PeerIncompatible, PeerMisbehaved, UsageError } from '../errors.ts';
import { generateKeyShare, isTls12Group } from '../crypto/key-exchange.ts';
import { isSchemeCompatibleWithKey, signatureAlgorithmForScheme, verifySignature } from '../crypto/signature.ts';
import type { Tls12Suite } from '../crypto/suites.ts';
import { Tls12MasterSecret } from '../tls12/master-secret.ts';
import type { Tls12KeyBlock } from '../tls12/prf.ts';
import type { Transcript, TranscriptBuffer } from '../tls13/transcript.ts';
import { checkExtensionsAllowed, findExtension, hasExtension } from '../wire/extensions.ts';
import { encodeClientHandshake, type HandshakeMessage } from '../wire/handshake.ts';
import type { ServerHello } from '../wire/server-hello.ts';
import { serverEcdhParams } from '../wire/server-key-exchange.ts';
import { AlertDescription, EcPointFormat, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion } from '../wire/enums.ts';
import type { HelloContext } from './hello-context.ts';
import { applyOcspPolicy, authenticateServer, type OcspStatus, type ServerAuthentication } from './server-certificate.ts';
import { expectMessage, type HandshakeIo, type StateBase, type TrafficState } from './state.ts';
import { applyRecordSizeLimit, sctListOf, selectedAlpn } from './hello.ts';
import type { Tls12SessionData } from './events.ts';
import type { ClientConfig } from './config.ts';
import type { CertificateRequest12 } from '../wire/certificate.ts';
import { chooseClientCredential, signTls12CertificateVerify, type CertificateRequestInfo, type CredentialChoice } from './credential.ts';

/** The TLS 1.2 states after the ServerHello: a closed union, each class with a literal `kind`. */
export type Tls12State =
  | ExpectCertificate12
  | ExpectServerKeyExchange
  | ExpectServerHelloDone
  | ExpectNewSessionTicket12
  | ExpectChangeCipherSpec12
  | ExpectFinished12
  | ExpectTraffic12;

/** Facts gathered during a TLS 1.2 handshake. */
interface Tls12Progress {
  readonly hello: HelloContext;
  readonly suite: Tls12Suite;
  readonly serverRandom: Uint8Array;
  /** The session ID the server assigned (or echoed when resuming). */
  readonly sessionId: Uint8Array;
  readonly extendedMasterSecret: boolean;
  /** The server acknowledged session_ticket: it will send NewSessionTicket before its CCS. */
  readonly expectTicket: boolean;
  readonly alpn: string | undefined;
  readonly resumed: boolean;
  readonly peerCertificates: readonly Uint8Array[];
  readonly auth: ServerAuthentication | undefined;
  readonly group: number | undefined;
  readonly signatureScheme: number | undefined;
  /** The server's CertificateRequest, when it sent one (RFC 5246 §7.4.4). */
  readonly certificateRequest: CertificateRequest12 | undefined;
  /** The client chain we authenticated with (sent now, or recorded with the resumed session). */
  readonly clientCertificate: readonly Uint8Array[] | undefined;
  readonly clientSignatureScheme: number | undefined;
  readonly ocspResponse: Uint8Array | undefined;
  readonly ocspStatus: OcspStatus | undefined;
  /** The ServerHello's SCT list (RFC 6962 §3.3.1), raw. */
  readonly signedCertificateTimestamps?: Uint8Array | undefined;
  /** The ServerHello acknowledged status_request: a CertificateStatus may follow the Certificate (RFC 6066 §8). */
  readonly statusAcknowledged: boolean;
  /** A ticket received in this handshake (RFC 5077 §3.3). */
  readonly newTicket: { readonly ticket: Uint8Array; readonly lifetimeHint: number } | undefined;
}

/** The master secret and the key block made from it (RFC 5246 §8.1, §6.3). */
interface Tls12Secrets {
  readonly master: Tls12MasterSecret;
  readonly keys: Tls12KeyBlock;
}

/**
 * Continue a handshake in which the server chose TLS 1.2 (the downgrade sentinel was already checked).
 * @throws PeerMisbehaved / PeerIncompatible on a ServerHello we cannot accept
 */
export function startTls12(io: HandshakeIo, hello: HelloContext, suite: Tls12Suite, sh: ServerHello & { readonly raw: Uint8Array }, buffer: TranscriptBuffer): Tls12State {
  if (sh.legacyCompressionMethod !== 0) throw new PeerMisbehaved('NonZeroCompression');
  checkExtensionsAllowed(sh.extensions, 'SH12', hello.offeredExtensions);
  // RFC 5746 §3.4: on an initial handshake the server's renegotiated_connection must be empty.
  const ri = findExtension(sh.extensions, ExtensionType.RenegotiationInfo);
  if (ri !== undefined && ri.renegotiatedConnection.length !== 0) throw new PeerMisbehaved('BadRenegotiationInfo');
  const ems = hasExtension(sh.extensions, ExtensionType.ExtendedMasterSecret);
  if (!ems && hello.config.requireExtendedMasterSecret) throw new PeerIncompatible('ExtendedMasterSecretRequired');
  // RFC 8422 §5.2: if the server sends ec_point_formats it must include uncompressed.
  const formats = findExtension(sh.extensions, ExtensionType.EcPointFormats);
  if (formats !== undefined && !formats.formats.includes(EcPointFormat.uncompressed)) throw new PeerIncompatible('UnsupportedPointFormat');
  const alpn = selectedAlpn(hello.config, sh.extensions);
  applyRecordSizeLimit(io, sh.extensions, 'tls12');
  // A client CertificateVerify signs the handshake messages whole (RFC 5246 §7.4.8): keep them only when we may send one.
  const mayAuthenticate = hello.config.clientCredentials.length > 0 || hello.config.selectClientCredential !== undefined;
  const transcript = buffer.startHash(suite.prfHash, mayAuthenticate).add(sh.raw);
  const session = hello.offeredTls12Session;
  const echoed = sh.legacySessionIdEcho.length > 0 && equalBytes(sh.legacySessionIdEcho, hello.sessionId);
  // Our session ID without a TLS 1.2 session offered is the TLS 1.3 compatibility ID (RFC 8446
  // Appendix D.4): a server "resuming" it resumes a session that never existed.
  if (echoed && session === undefined) throw new PeerMisbehaved('ServerEchoedCompatibilitySessionId');
  const resumed = session !== undefined && echoed;
  const p: Tls12Progress = {
    hello,
    suite,
    serverRandom: sh.random.slice(),
    sessionId: sh.legacySessionIdEcho.slice(),
    extendedMasterSecret: ems,
    expectTicket: hasExtension(sh.extensions, ExtensionType.SessionTicket),
    alpn,
    resumed,
    peerCertificates: resumed ? session.peerCertificates : [],
    auth: undefined,
    group: undefined,
    signatureScheme: undefined,
    certificateRequest: undefined,
    clientCertificate: resumed && session.clientCertificate !== undefined ? [session.clientCertificate] : undefined,
    clientSignatureScheme: undefined,
    ocspResponse: undefined,
    ocspStatus: undefined,
    statusAcknowledged: hasExtension(sh.extensions, ExtensionType.StatusRequest),
    signedCertificateTimestamps: sctListOf(sh.extensions),
    newTicket: undefined,
  };
  if (!resumed) return new ExpectCertificate12(p, transcript);
  // RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite. RFC 7627 §5.3: and its EMS status.
  if (session.suite !== suite.id) throw new PeerMisbehaved('SelectedUnofferedCipherSuite', 'resumed session with another suite');
  if (session.extendedMasterSecret !== ems) throw new PeerMisbehaved('MissingExtendedMasterSecret', 'resumption changed the extended master secret');
  // The handshake's own copy: the offered session's bytes stay with whoever offered them.
  const secrets = deriveSecrets(p, Tls12MasterSecret.fromSession(suite.prfHash, session.masterSecret));
  io.keyLog('CLIENT_RANDOM', secrets.master);
  return p.expectTicket ? new ExpectNewSessionTicket12(p, transcript, secrets) : new ExpectChangeCipherSpec12(p, transcript, secrets);
}

/**
 * What every TLS 1.2 handshake state after the ServerHello carries: the negotiated progress and
 * the running transcript (the handshake hash of RFC 5246 §7.4.9 and RFC 7627 §3). Each subclass is
 * one `Expect…` state and only says which message it takes and what comes next.
 */
abstract class Tls12HandshakeState implements StateBase {
  abstract readonly kind: string;
  readonly version = 'tls12';
  readonly isTraffic = false;
  protected readonly p: Tls12Progress;
  protected readonly transcript: Transcript;

  constructor(p: Tls12Progress, transcript: Transcript) {
    this.p = p;
    this.transcript = transcript;
  }

  abstract handle(msg: HandshakeMessage, io: HandshakeIo): Tls12State;
}

/** A TLS 1.2 state once the master secret and key block exist (RFC 5246 §8.1, §6.3). */
abstract class Tls12KeyedState extends Tls12HandshakeState {
  protected readonly secrets: Tls12Secrets;

  constructor(p: Tls12Progress, transcript: Transcript, secrets: Tls12Secrets) {
    super(p, transcript);
    this.secrets = secrets;
  }
}

/** Waiting for the server's Certificate (RFC 5246 §7.4.2). */
export class ExpectCertificate12 extends Tls12HandshakeState {
  readonly kind = 'ExpectCertificate12';

  handle(msg: HandshakeMessage, _io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.Certificate);
    if (msg.version !== 'tls12') throw new InvalidMessage('BadValue', 'Certificate form');
    if (msg.certificates.length === 0) throw new PeerMisbehaved('EmptyCertificateChain');
    const chain = msg.certificates.map((c) => c.slice());
    const config = this.p.hello.config;
    const auth = authenticateServer(config, this.p.hello.verifyHostname, chain);
    // RFC 8422 §5.1: the server must respect the curves we offered, for its certificate too
    // (in TLS 1.2 the signature scheme does not bind the curve, unlike TLS 1.3 §4.2.3).
    const key = auth.leafKey;
    if (key.kind === 'ec' && !config.groups.includes(CURVE_GROUP[key.curve])) throw new PeerMisbehaved('CertificateCurveNotOffered', key.curve);
    this.transcript.add(msg.raw);
    return new ExpectServerKeyExchange({ ...this.p, peerCertificates: chain, auth }, this.transcript, auth);
  }
}

/** Waiting for ServerKeyExchange, or a CertificateStatus before it (RFC 6066 §8). */
export class ExpectServerKeyExchange extends Tls12HandshakeState {
  readonly kind = 'ExpectServerKeyExchange';
  /** The server's authenticated certificate (with the OCSP verdict, once known): its key checks the signature. */
  readonly #auth: ServerAuthentication;

  constructor(p: Tls12Progress, transcript: Transcript, auth: ServerAuthentication) {
    super(p, transcript);
    this.#auth = auth;
  }

  handle(msg: HandshakeMessage, _io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.ServerKeyExchange, HandshakeType.CertificateStatus);
    if (msg.type === HandshakeType.CertificateStatus) {
      // RFC 6066 §8: one CertificateStatus, right after Certificate; after it only ServerKeyExchange.
      if (this.p.ocspResponse !== undefined) expectMessage(msg, this.kind, HandshakeType.ServerKeyExchange);
      // Only after we asked for it (the server acknowledged status_request in its ServerHello).
      if (!this.p.statusAcknowledged) throw new PeerMisbehaved('UnsolicitedExtension', 'CertificateStatus without an acknowledged status_request');
      const ocspResponse = msg.response.slice();
      const ocsp = applyOcspPolicy(this.p.hello.config, this.#auth, ocspResponse);
      const auth = this.#auth.error === undefined && ocsp.error !== undefined ? { ...this.#auth, error: ocsp.error } : this.#auth;
      this.transcript.add(msg.raw);
      return new ExpectServerKeyExchange({ ...this.p, auth, ocspResponse, ocspStatus: ocsp.status }, this.transcript, auth);
    }
    if (this.p.ocspStatus === undefined) {
      // No CertificateStatus came: the policy decides whether that is acceptable (RFC 6066 §8).
      const ocsp = applyOcspPolicy(this.p.hello.config, this.#auth, undefined);
      const auth = this.#auth.error === undefined && ocsp.error !== undefined ? { ...this.#auth, error: ocsp.error } : this.#auth;
      return new ExpectServerKeyExchange({ ...this.p, auth, ocspStatus: ocsp.status }, this.transcript, auth).handle(msg, _io);
    }
    const { hello, suite } = this.p;
    const config = hello.config;
    // RFC 8422 §5.4: the group must be one we offered.
    // draft-ietf-tls-ecdhe-mlkem §3: the hybrid group is TLS 1.3 only.
    if (!config.groups.includes(msg.group) || !isTls12Group(msg.group)) throw new PeerMisbehaved('SelectedUnofferedGroup', `0x${msg.group.toString(16)}`);
    const key = this.#auth.leafKey;
    // RFC 5246 §7.4.1.4.1: the scheme must be one we offered and fit the certificate key and suite.
    const alg = signatureAlgorithmForScheme(msg.scheme);
    const suiteFitsKey = suite.auth === 'RSA' ? key.kind === 'rsa' : key.kind === 'ec' || key.kind === 'ed25519';
    if (!suiteFitsKey) throw new PeerIncompatible('UnsupportedCertificateKey', `${suite.auth} suite with a ${key.kind} certificate`);
    if (alg === undefined || !config.signatureSchemes.includes(msg.scheme) || !isSchemeCompatibleWithKey(msg.scheme, key, { tls12: true }))
      throw new PeerMisbehaved('SelectedUnofferedSignatureScheme', `0x${msg.scheme.toString(16)}`);
    const signed = concatBytes(hello.clientRandom, this.p.serverRandom, serverEcdhParams(msg));
    if (!verifySignature(alg, key, signed, msg.signature)) throw new PeerMisbehaved('BadServerKeyExchangeSignature');
    const share = generateKeyShare(msg.group, config.randomBytes);
    const preMaster = share.computeSharedSecret(msg.publicPoint);
    this.transcript.add(msg.raw);
    return new ExpectServerHelloDone({ ...this.p, group: msg.group, signatureScheme: msg.scheme }, this.transcript, share.publicKey, preMaster);
  }
}

/** Waiting for ServerHelloDone, or a CertificateRequest before it (RFC 5246 §7.4.4, §7.4.5). */
export class ExpectServerHelloDone extends Tls12HandshakeState {
  readonly kind = 'ExpectServerHelloDone';
  readonly #publicKey: Uint8Array;
  readonly #preMaster: Uint8Array;

  constructor(p: Tls12Progress, transcript: Transcript, publicKey: Uint8Array, preMaster: Uint8Array) {
    super(p, transcript);
    this.#publicKey = publicKey;
    this.#preMaster = preMaster;
  }

  handle(msg: HandshakeMessage, io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.ServerHelloDone, HandshakeType.CertificateRequest);
    this.transcript.add(msg.raw);
    if (msg.type === HandshakeType.CertificateRequest) {
      if (this.p.certificateRequest !== undefined) throw new PeerMisbehaved('IllegalCertificateRequestContext', 'second CertificateRequest');
      if (msg.version !== 'tls12') throw new InvalidMessage('BadValue', 'CertificateRequest form');
      return new ExpectServerHelloDone({ ...this.p, certificateRequest: msg }, this.transcript, this.#publicKey, this.#preMaster);
    }
    let p = this.p;
    // Our flight: [Certificate], ClientKeyExchange, [CertificateVerify], CCS, Finished (RFC 5246 §7.3).
    const choice = p.certificateRequest === undefined ? undefined : chooseTls12Credential(p.hello.config, p.certificateRequest);
    if (p.certificateRequest !== undefined)
      this.#send(io, encodeClientHandshake({ type: HandshakeType.Certificate, version: 'tls12', certificates: choice?.credential.chain ?? [] }));
    this.#send(io, encodeClientHandshake({ type: HandshakeType.ClientKeyExchange, publicPoint: this.#publicKey }));
    const hash = p.suite.prfHash;
    // RFC 7627 §4: session_hash covers the handshake up to and including ClientKeyExchange.
    const master = p.extendedMasterSecret
      ? Tls12MasterSecret.extended(hash, this.#preMaster, this.transcript.currentHash())
      : Tls12MasterSecret.fromPreMaster(hash, this.#preMaster, p.hello.clientRandom, p.serverRandom);
    this.#preMaster.fill(0);
    io.keyLog('CLIENT_RANDOM', master);
    if (choice !== undefined) {
      // RFC 5246 §7.4.8: the signature covers every handshake message up to (not including) this one.
      const signature = signTls12CertificateVerify(choice, this.transcript.messages(), p.hello.config.randomBytes);
      this.#send(io, encodeClientHandshake({ type: HandshakeType.CertificateVerify, scheme: choice.scheme, signature }));
      p = { ...p, clientCertificate: choice.credential.chain, clientSignatureScheme: choice.scheme };
    }
    const secrets = deriveSecrets(p, master);
    sendChangeCipherSpecAndFinished(io, p, this.transcript, secrets);
    return p.expectTicket ? new ExpectNewSessionTicket12(p, this.transcript, secrets) : new ExpectChangeCipherSpec12(p, this.transcript, secrets);
  }

  #send(io: HandshakeIo, raw: Uint8Array): void {
    io.sendHandshake(raw);
    this.transcript.add(raw);
  }
}

/** Waiting for the server's NewSessionTicket (RFC 5077 §3.3), sent because it acknowledged session_ticket. */
export class ExpectNewSessionTicket12 extends Tls12KeyedState {
  readonly kind = 'ExpectNewSessionTicket12';

  handle(msg: HandshakeMessage, _io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.NewSessionTicket);
    if (msg.version !== 'tls12') throw new InvalidMessage('BadValue', 'NewSessionTicket form');
    this.transcript.add(msg.raw);
    // An empty ticket means "no new ticket" (RFC 5077 §3.3).
    const newTicket = msg.ticket.length > 0 ? { ticket: msg.ticket.slice(), lifetimeHint: msg.lifetimeHint } : undefined;
    return new ExpectChangeCipherSpec12({ ...this.p, newTicket }, this.transcript, this.secrets);
  }
}

/** Waiting for the server's ChangeCipherSpec (RFC 5246 §7.1). */
export class ExpectChangeCipherSpec12 extends Tls12KeyedState {
  readonly kind = 'ExpectChangeCipherSpec12';

  handle(msg: HandshakeMessage, _io: HandshakeIo): Tls12State {
    // Nothing but the CCS may come now (a Finished here would be unprotected).
    expectMessage(msg, this.kind);
    return this;
  }

  handleChangeCipherSpec(io: HandshakeIo): Tls12State {
    io.installTls12ReadKeys(this.p.suite, this.secrets.keys.serverWriteKey, this.secrets.keys.serverWriteIv);
    return new ExpectFinished12(this.p, this.transcript, this.secrets);
  }
}

/** Waiting for the server's Finished (RFC 5246 §7.4.9). */
export class ExpectFinished12 extends Tls12KeyedState {
  readonly kind = 'ExpectFinished12';

  handle(msg: HandshakeMessage, io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.Finished);
    const p = this.p;
    const expected = this.secrets.master.finishedVerifyData('server', this.transcript.currentHash());
    if (!equalBytes(expected, msg.verifyData)) throw new PeerMisbehaved('IncorrectFinished');
    this.transcript.add(msg.raw);
    // In an abbreviated handshake the server finishes first; our CCS and Finished follow (RFC 5246 §7.3).
    if (p.resumed) sendChangeCipherSpecAndFinished(io, p, this.transcript, this.secrets);
    io.setNegotiated({
      version: ProtocolVersion.TLSv1_2,
      versionName: 'TLSv1.2',
      suite: p.suite.id,
      group: p.group,
      signatureScheme: p.signatureScheme,
      alpn: p.alpn,
      serverName: p.hello.serverName,
      sessionReused: p.resumed,
      helloRetryRequest: false,
      extendedMasterSecret: p.extendedMasterSecret,
      peerCertificates: p.peerCertificates,
      ocspResponse: p.ocspResponse,
      ocspStatus: p.ocspStatus,
      signedCertificateTimestamps: p.signedCertificateTimestamps,
      certificateError: p.auth?.error,
      clientCertificate: p.clientCertificate,
      clientSignatureScheme: p.clientSignatureScheme,
    });
    io.emit({ type: 'handshakeDone' });
    const session = resumableSession(p, this.secrets.master);
    if (session !== undefined) io.emit({ type: 'session', session });
    return new ExpectTraffic12(p, this.secrets);
  }
}

/** The connection is up. Renegotiation is never done (RFC 5746 is only used to signal that). */
export class ExpectTraffic12 implements TrafficState {
  readonly kind = 'ExpectTraffic12';
  readonly version = 'tls12';
  readonly isTraffic = true;
  readonly #p: Tls12Progress;
  readonly #secrets: Tls12Secrets;

  constructor(p: Tls12Progress, secrets: Tls12Secrets) {
    this.#p = p;
    this.#secrets = secrets;
  }

  handle(msg: HandshakeMessage, io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.HelloRequest);
    // RFC 5246 §7.4.1.1 / RFC 5746 §4.2: decline with a no_renegotiation warning and carry on.
    io.sendWarningAlert(AlertDescription.NoRenegotiation);
    return this;
  }

  /** RFC 5705: PRF(master_secret, label, client_random || server_random [|| uint16 length || context]). */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new UsageError('exporter length out of range');
    if (RESERVED_EXPORTER_LABELS.has(label)) throw new UsageError(`exporter label "${label}" is reserved (RFC 5705 §4)`);
    const randoms = concatBytes(this.#p.hello.clientRandom, this.#p.serverRandom);
    let seed = randoms;
    if (context !== undefined) {
      if (context.length > 0xffff) throw new UsageError('exporter context too long');
      seed = concatBytes(randoms, new Uint8Array([context.length >> 8, context.length & 0xff]), context);
    }
    return this.#secrets.master.exportKeyingMaterial(label, seed, length);
  }
}

function sendChangeCipherSpecAndFinished(io: HandshakeIo, p: Tls12Progress, transcript: Transcript, secrets: Tls12Secrets): void {
  io.sendChangeCipherSpec();
  io.installTls12WriteKeys(p.suite, secrets.keys.clientWriteKey, secrets.keys.clientWriteIv);
  const finished = encodeClientHandshake({
    type: HandshakeType.Finished,
    verifyData: secrets.master.finishedVerifyData('client', transcript.currentHash()),
  });
  io.sendHandshake(finished);
  transcript.add(finished);
}

function deriveSecrets(p: Tls12Progress, master: Tls12MasterSecret): Tls12Secrets {
  return { master, keys: master.keyBlock(p.hello.clientRandom, p.serverRandom, p.suite.keyLength, p.suite.fixedIvLength) };
}

/** The resumable state after a completed handshake, if the server offered any way to resume. */
function resumableSession(p: Tls12Progress, master: Tls12MasterSecret): Tls12SessionData | undefined {
  const previous = p.resumed ? p.hello.offeredTls12Session : undefined;
  const ticket = p.newTicket?.ticket ?? previous?.ticket?.slice();
  if (ticket === undefined && p.sessionId.length === 0) return undefined;
  return {
    version: 'TLSv1.2',
    suite: p.suite.id,
    masterSecret: master.copyForSession(),
    sessionId: p.sessionId,
    ticket,
    lifetimeSeconds: p.newTicket?.lifetimeHint ?? previous?.lifetimeSeconds ?? DEFAULT_TLS12_SESSION_LIFETIME_S,
    receivedAtMs: p.hello.config.now(),
    extendedMasterSecret: p.extendedMasterSecret,
    alpn: p.alpn,
    serverName: p.hello.serverName,
    peerCertificates: p.peerCertificates,
    clientCertificate: p.clientCertificate?.[0],
  };
}

/** The credential for a TLS 1.2 CertificateRequest (RFC 5246 §7.4.4), or undefined for an empty Certificate. */
function chooseTls12Credential(config: ClientConfig, cr: CertificateRequest12): CredentialChoice | undefined {
  if (config.clientCredentials.length === 0 && config.selectClientCredential === undefined) return undefined;
  const request: CertificateRequestInfo = {
    version: 'TLSv1.2',
    signatureSchemes: cr.signatureSchemes,
    signatureSchemesCert: undefined,
    certificateAuthorities: cr.certificateAuthorities,
    certificateTypes: cr.certificateTypes,
  };
  return chooseClientCredential(request, config.clientCredentials, config.selectClientCredential);
}

/** OpenSSL's default for sessions without a lifetime hint (SSL_CTX default timeout, 300 s for TLS 1.2 in s_client terms is 7200 in 3.0). */
const DEFAULT_TLS12_SESSION_LIFETIME_S = 7200;
/** The supported_groups entry naming each certificate curve (RFC 8422 §5.1.1). */
const CURVE_GROUP = { 'P-256': NamedGroup.secp256r1, 'P-384': NamedGroup.secp384r1 } as const;
/** RFC 5705 §4: labels the TLS 1.2 handshake itself uses. */
const RESERVED_EXPORTER_LABELS = new Set(['client finished', 'server finished', 'master secret', 'key expansion', 'extended master secret']);
