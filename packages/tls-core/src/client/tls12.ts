/**
 * The TLS 1.2 client handshake with ECDHE and AEAD suites only (RFC 5246 §7.3–§7.4, RFC 8422
 * §5.4, RFC 5288, RFC 7905), with the extended master secret (RFC 7627), the renegotiation
 * indication (RFC 5746; renegotiation itself is always refused), session-ID and ticket
 * resumption (RFC 5246 §7.3, RFC 5077), and the RFC 5705 exporter. States:
 *
 * full:        ExpectCertificate12 → ExpectServerKeyExchange → [ExpectServerKeyExchangeAfterStatus]
 *              → ExpectServerHelloDone → [ExpectNewSessionTicket12] → ExpectChangeCipherSpec12
 *              → ExpectFinished12 → ExpectTraffic12
 * abbreviated: [ExpectNewSessionTicket12] → ExpectChangeCipherSpec12 → ExpectFinished12 → ExpectTraffic12
 *
 * Each state holds what it must have at that point and nothing optional that a later message
 * fills in: the ServerHello's facts (`Tls12Hello`), then the authenticated chain, the OCSP
 * verdict (`CheckedServer`), the key exchange, and, once keyed, how the peers know each other
 * (`Tls12Established`: this handshake's authentication, or the resumed session's facts).
 * @module
 */
import { concatBytes, equalBytes } from '../codec/bytes.ts';
import { InvalidMessage, PeerIncompatible, PeerMisbehaved, UsageError } from '../errors.ts';
import { generateKeyShare, isTls12Group } from '../crypto/key-exchange.ts';
import { isSchemeCompatibleWithKey, signatureAlgorithmForScheme, verifySignature } from '../crypto/signature.ts';
import type { Tls12Suite } from '../crypto/suites.ts';
import { Tls12MasterSecret } from '../tls12/master-secret.ts';
import type { Tls12KeyBlock } from '../tls12/prf.ts';
import { requireRecordBoundary, type RecordBoundary } from '../record/handshake-reassembler.ts';
import type { Transcript, TranscriptBuffer } from '../tls13/transcript.ts';
import { checkExtensionsAllowed, findExtension, hasExtension } from '../wire/extensions.ts';
import { encodeClientHandshake, type HandshakeMessage } from '../wire/handshake.ts';
import type { ServerHello } from '../wire/server-hello.ts';
import { serverEcdhParams, type ServerKeyExchange } from '../wire/server-key-exchange.ts';
import { AlertDescription, EcPointFormat, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion } from '../wire/enums.ts';
import type { HelloContext } from './hello-context.ts';
import { applyOcspPolicy, authenticateServer, type OcspStatus, type ServerAuthentication } from './server-certificate.ts';
import { expectMessage, type HandshakeIo, type StateBase, type TrafficState } from './state.ts';
import { applyRecordSizeLimit, selectedAlpn } from './hello.ts';
import type { NegotiatedParameters, Tls12SessionData } from './events.ts';
import type { ClientConfig } from './config.ts';
import type { CertificateRequest12 } from '../wire/certificate.ts';
import { chooseClientCredential, signTls12CertificateVerify, type CertificateRequestInfo, type CredentialChoice } from './credential.ts';

/** The TLS 1.2 states after the ServerHello: a closed union, each class with a literal `kind`. */
export type Tls12State =
  | ExpectCertificate12
  | ExpectServerKeyExchange
  | ExpectServerKeyExchangeAfterStatus
  | ExpectServerHelloDone
  | ExpectNewSessionTicket12
  | ExpectChangeCipherSpec12
  | ExpectFinished12
  | ExpectTraffic12;

/** What the ServerHello fixed (RFC 5246 §7.4.1.3): the same for every later state of the handshake. */
interface Tls12Hello {
  readonly hello: HelloContext;
  readonly suite: Tls12Suite;
  readonly serverRandom: Uint8Array;
  /** The session ID the server assigned (or echoed when resuming); empty when it will not cache the session. */
  readonly sessionId: Uint8Array;
  readonly extendedMasterSecret: boolean;
  /** The server acknowledged session_ticket: it will send NewSessionTicket before its CCS (RFC 5077 §3.2). */
  readonly expectTicket: boolean;
  /** The protocol the server selected; undefined when ALPN was not negotiated (RFC 7301 §3.2). */
  readonly alpn: string | undefined;
  /** The ServerHello acknowledged status_request: a CertificateStatus may follow the Certificate (RFC 6066 §8). */
  readonly statusAcknowledged: boolean;
}

/** The server's certificate as authenticated in this handshake (RFC 5246 §7.4.2), with the OCSP verdict (RFC 6066 §8). */
interface CheckedServer {
  readonly chain: readonly Uint8Array[];
  /** The authentication; with verification off, an OCSP failure is folded into its `error`. */
  readonly auth: ServerAuthentication;
  /** The stapled response; undefined when the server sent no CertificateStatus. */
  readonly ocspResponse: Uint8Array | undefined;
  readonly ocspStatus: OcspStatus;
}

/** The server's ECDHE parameters as signed in its ServerKeyExchange (RFC 8422 §5.4), and our side of the exchange. */
interface KeyExchange12 {
  readonly group: number;
  readonly signatureScheme: number;
  /** Our ephemeral public key, for the ClientKeyExchange. */
  readonly publicKey: Uint8Array;
  /** The pre-master secret; wiped once the master secret is made (RFC 5246 §8.1). */
  readonly preMaster: Uint8Array;
}

/** A full handshake (RFC 5246 §7.3): the server authenticated now, and our certificate if we sent one. */
interface FullHandshake12 {
  readonly resumed: false;
  readonly server: CheckedServer;
  readonly group: number;
  readonly signatureScheme: number;
  /** The chain and CertificateVerify scheme we authenticated with; undefined when no CertificateRequest came or nothing fitted. */
  readonly clientAuth: { readonly chain: readonly Uint8Array[]; readonly scheme: number } | undefined;
}

/** An abbreviated handshake (RFC 5246 §7.3): the session's own facts stand for the authentication. */
interface ResumedHandshake12 {
  readonly resumed: true;
  /** The offered session (the engine's own copy), whose certificates and master secret carry over. */
  readonly session: Tls12SessionData;
}

/** How the peers know each other once the key exchange is settled. */
type Tls12Established = FullHandshake12 | ResumedHandshake12;

/** A ticket received in this handshake (RFC 5077 §3.3). */
interface NewTicket12 {
  readonly ticket: Uint8Array;
  readonly lifetimeHint: number;
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
  const facts: Tls12Hello = {
    hello,
    suite,
    serverRandom: sh.random.slice(),
    sessionId: sh.legacySessionIdEcho.slice(),
    extendedMasterSecret: ems,
    expectTicket: hasExtension(sh.extensions, ExtensionType.SessionTicket),
    alpn,
    statusAcknowledged: hasExtension(sh.extensions, ExtensionType.StatusRequest),
  };
  if (session === undefined || !echoed) return new ExpectCertificate12(facts, transcript);
  // RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite. RFC 7627 §5.3: and its EMS status.
  if (session.suite !== suite.id) throw new PeerMisbehaved('SelectedUnofferedCipherSuite', 'resumed session with another suite');
  if (session.extendedMasterSecret !== ems) throw new PeerMisbehaved('MissingExtendedMasterSecret', 'resumption changed the extended master secret');
  // The handshake's own copy (the session's suite, checked above, fixes its PRF hash): the offered
  // session's bytes stay with whoever offered them.
  const secrets = deriveSecrets(facts, session.masterSecret.copy());
  io.keyLog('CLIENT_RANDOM', secrets.master);
  const established: ResumedHandshake12 = { resumed: true, session };
  return facts.expectTicket
    ? new ExpectNewSessionTicket12(facts, transcript, established, secrets)
    : new ExpectChangeCipherSpec12(facts, transcript, established, secrets, undefined);
}

/**
 * What every TLS 1.2 handshake state after the ServerHello carries: the ServerHello's facts and
 * the running transcript (the handshake hash of RFC 5246 §7.4.9 and RFC 7627 §3). Each subclass
 * is one `Expect…` state, adds the fields it must have, and says which message it takes next.
 */
abstract class Tls12HandshakeState implements StateBase {
  abstract readonly kind: string;
  readonly version = 'tls12';
  readonly isTraffic = false;
  protected readonly sh: Tls12Hello;
  protected readonly transcript: Transcript;

  constructor(sh: Tls12Hello, transcript: Transcript) {
    this.sh = sh;
    this.transcript = transcript;
  }

  abstract handle(msg: HandshakeMessage, io: HandshakeIo, boundary: RecordBoundary | undefined): Tls12State;
}

/** A TLS 1.2 state once the key exchange is settled and the master secret and key block exist (RFC 5246 §8.1, §6.3). */
abstract class Tls12KeyedState extends Tls12HandshakeState {
  protected readonly established: Tls12Established;
  protected readonly secrets: Tls12Secrets;

  constructor(sh: Tls12Hello, transcript: Transcript, established: Tls12Established, secrets: Tls12Secrets) {
    super(sh, transcript);
    this.established = established;
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
    const config = this.sh.hello.config;
    const auth = authenticateServer(config, this.sh.hello.verifyHostname, chain);
    // RFC 8422 §5.1: the server must respect the curves we offered, for its certificate too
    // (in TLS 1.2 the signature scheme does not bind the curve, unlike TLS 1.3 §4.2.3).
    const key = auth.leafKey;
    if (key.kind === 'ec' && !config.groups.includes(CURVE_GROUP[key.curve])) throw new PeerMisbehaved('CertificateCurveNotOffered', key.curve);
    this.transcript.add(msg.raw);
    return new ExpectServerKeyExchange(this.sh, this.transcript, chain, auth);
  }
}

/** Waiting for ServerKeyExchange, or a CertificateStatus before it (RFC 6066 §8). */
export class ExpectServerKeyExchange extends Tls12HandshakeState {
  readonly kind = 'ExpectServerKeyExchange';
  readonly #chain: readonly Uint8Array[];
  /** The server's authenticated certificate (the OCSP verdict is not known yet): its key checks the signature. */
  readonly #auth: ServerAuthentication;

  constructor(sh: Tls12Hello, transcript: Transcript, chain: readonly Uint8Array[], auth: ServerAuthentication) {
    super(sh, transcript);
    this.#chain = chain;
    this.#auth = auth;
  }

  handle(msg: HandshakeMessage, _io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.ServerKeyExchange, HandshakeType.CertificateStatus);
    const config = this.sh.hello.config;
    if (msg.type === HandshakeType.CertificateStatus) {
      // RFC 6066 §8: only after we asked for it (the server acknowledged status_request in its ServerHello).
      if (!this.sh.statusAcknowledged) throw new PeerMisbehaved('UnsolicitedExtension', 'CertificateStatus without an acknowledged status_request');
      const server = checkStaple(config, this.#chain, this.#auth, msg.response.slice());
      this.transcript.add(msg.raw);
      return new ExpectServerKeyExchangeAfterStatus(this.sh, this.transcript, server);
    }
    // No CertificateStatus came: the policy decides whether that is acceptable (RFC 6066 §8).
    return acceptServerKeyExchange(this.sh, this.transcript, checkStaple(config, this.#chain, this.#auth, undefined), msg);
  }
}

/** Waiting for ServerKeyExchange after the one CertificateStatus (RFC 6066 §8: right after Certificate, at most once). */
export class ExpectServerKeyExchangeAfterStatus extends Tls12HandshakeState {
  readonly kind = 'ExpectServerKeyExchangeAfterStatus';
  readonly #server: CheckedServer;

  constructor(sh: Tls12Hello, transcript: Transcript, server: CheckedServer) {
    super(sh, transcript);
    this.#server = server;
  }

  handle(msg: HandshakeMessage, _io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.ServerKeyExchange);
    return acceptServerKeyExchange(this.sh, this.transcript, this.#server, msg);
  }
}

/** Apply the OCSP policy to the staple (or its absence): the server as the rest of the handshake knows it. */
function checkStaple(config: ClientConfig, chain: readonly Uint8Array[], auth: ServerAuthentication, staple: Uint8Array | undefined): CheckedServer {
  const ocsp = applyOcspPolicy(config, auth, staple);
  return { chain, auth: ocsp.auth, ocspResponse: staple, ocspStatus: ocsp.status };
}

/** Check a ServerKeyExchange (RFC 8422 §5.4, RFC 5246 §7.4.3) against the checked server and compute our share of the exchange. */
function acceptServerKeyExchange(sh: Tls12Hello, transcript: Transcript, server: CheckedServer, msg: ServerKeyExchange & { readonly raw: Uint8Array }): ExpectServerHelloDone {
  const { hello, suite } = sh;
  const config = hello.config;
  // RFC 8422 §5.4: the group must be one we offered.
  // draft-ietf-tls-ecdhe-mlkem §3: the hybrid group is TLS 1.3 only.
  if (!config.groups.includes(msg.group) || !isTls12Group(msg.group)) throw new PeerMisbehaved('SelectedUnofferedGroup', `0x${msg.group.toString(16)}`);
  const key = server.auth.leafKey;
  // RFC 5246 §7.4.1.4.1: the scheme must be one we offered and fit the certificate key and suite.
  const alg = signatureAlgorithmForScheme(msg.scheme);
  const suiteFitsKey = suite.auth === 'RSA' ? key.kind === 'rsa' : key.kind === 'ec' || key.kind === 'ed25519';
  if (!suiteFitsKey) throw new PeerIncompatible('UnsupportedCertificateKey', `${suite.auth} suite with a ${key.kind} certificate`);
  if (alg === undefined || !config.signatureSchemes.includes(msg.scheme) || !isSchemeCompatibleWithKey(msg.scheme, key, { tls12: true }))
    throw new PeerMisbehaved('SelectedUnofferedSignatureScheme', `0x${msg.scheme.toString(16)}`);
  const signed = concatBytes(hello.clientRandom, sh.serverRandom, serverEcdhParams(msg));
  if (!verifySignature(alg, key, signed, msg.signature)) throw new PeerMisbehaved('BadServerKeyExchangeSignature');
  const share = generateKeyShare(msg.group, config.randomBytes);
  const preMaster = share.computeSharedSecret(msg.publicPoint);
  transcript.add(msg.raw);
  return new ExpectServerHelloDone(sh, transcript, server, { group: msg.group, signatureScheme: msg.scheme, publicKey: share.publicKey, preMaster }, undefined);
}

/** Waiting for ServerHelloDone, or a CertificateRequest before it (RFC 5246 §7.4.4, §7.4.5). */
export class ExpectServerHelloDone extends Tls12HandshakeState {
  readonly kind = 'ExpectServerHelloDone';
  readonly #server: CheckedServer;
  readonly #kx: KeyExchange12;
  /** The server's CertificateRequest; undefined unless it sent one (RFC 5246 §7.4.4: optional). */
  readonly #certificateRequest: CertificateRequest12 | undefined;

  constructor(sh: Tls12Hello, transcript: Transcript, server: CheckedServer, kx: KeyExchange12, certificateRequest: CertificateRequest12 | undefined) {
    super(sh, transcript);
    this.#server = server;
    this.#kx = kx;
    this.#certificateRequest = certificateRequest;
  }

  handle(msg: HandshakeMessage, io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.ServerHelloDone, HandshakeType.CertificateRequest);
    this.transcript.add(msg.raw);
    if (msg.type === HandshakeType.CertificateRequest) {
      if (this.#certificateRequest !== undefined) throw new PeerMisbehaved('IllegalCertificateRequestContext', 'second CertificateRequest');
      if (msg.version !== 'tls12') throw new InvalidMessage('BadValue', 'CertificateRequest form');
      return new ExpectServerHelloDone(this.sh, this.transcript, this.#server, this.#kx, msg);
    }
    const { hello, suite } = this.sh;
    const kx = this.#kx;
    const request = this.#certificateRequest;
    // Our flight: [Certificate], ClientKeyExchange, [CertificateVerify], CCS, Finished (RFC 5246 §7.3).
    const choice = request === undefined ? undefined : chooseTls12Credential(hello.config, request);
    if (request !== undefined)
      this.#send(io, encodeClientHandshake({ type: HandshakeType.Certificate, version: 'tls12', certificates: choice?.credential.chain ?? [] }));
    this.#send(io, encodeClientHandshake({ type: HandshakeType.ClientKeyExchange, publicPoint: kx.publicKey }));
    const hash = suite.prfHash;
    // RFC 7627 §4: session_hash covers the handshake up to and including ClientKeyExchange.
    const master = this.sh.extendedMasterSecret
      ? Tls12MasterSecret.extended(hash, kx.preMaster, this.transcript.currentHash())
      : Tls12MasterSecret.fromPreMaster(hash, kx.preMaster, hello.clientRandom, this.sh.serverRandom);
    kx.preMaster.fill(0);
    io.keyLog('CLIENT_RANDOM', master);
    if (choice !== undefined) {
      // RFC 5246 §7.4.8: the signature covers every handshake message up to (not including) this one.
      const signature = signTls12CertificateVerify(choice, this.transcript.messages(), hello.config.randomBytes);
      this.#send(io, encodeClientHandshake({ type: HandshakeType.CertificateVerify, scheme: choice.scheme, signature }));
    }
    const established: FullHandshake12 = {
      resumed: false,
      server: this.#server,
      group: kx.group,
      signatureScheme: kx.signatureScheme,
      clientAuth: choice === undefined ? undefined : { chain: choice.credential.chain, scheme: choice.scheme },
    };
    const secrets = deriveSecrets(this.sh, master);
    sendChangeCipherSpecAndFinished(io, suite, this.transcript, secrets);
    return this.sh.expectTicket
      ? new ExpectNewSessionTicket12(this.sh, this.transcript, established, secrets)
      : new ExpectChangeCipherSpec12(this.sh, this.transcript, established, secrets, undefined);
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
    return new ExpectChangeCipherSpec12(this.sh, this.transcript, this.established, this.secrets, newTicket);
  }
}

/** Waiting for the server's ChangeCipherSpec (RFC 5246 §7.1). */
export class ExpectChangeCipherSpec12 extends Tls12KeyedState {
  readonly kind = 'ExpectChangeCipherSpec12';
  /** The ticket received in this handshake; undefined when none was (RFC 5077 §3.3). */
  readonly #newTicket: NewTicket12 | undefined;

  constructor(sh: Tls12Hello, transcript: Transcript, established: Tls12Established, secrets: Tls12Secrets, newTicket: NewTicket12 | undefined) {
    super(sh, transcript, established, secrets);
    this.#newTicket = newTicket;
  }

  handle(msg: HandshakeMessage, _io: HandshakeIo): Tls12State {
    // Nothing but the CCS may come now (a Finished here would be unprotected).
    expectMessage(msg, this.kind);
    return this;
  }

  /** The server's ChangeCipherSpec record: read keys change at `boundary` (RFC 5246 §7.1, RFC 8446 §5.1). */
  handleChangeCipherSpec(io: HandshakeIo, boundary: RecordBoundary | undefined): Tls12State {
    io.installTls12ReadKeys(this.sh.suite, this.secrets.keys.serverWriteKey, this.secrets.keys.serverWriteIv, requireRecordBoundary(boundary));
    return new ExpectFinished12(this.sh, this.transcript, this.established, this.secrets, this.#newTicket);
  }
}

/** Waiting for the server's Finished (RFC 5246 §7.4.9). */
export class ExpectFinished12 extends Tls12KeyedState {
  readonly kind = 'ExpectFinished12';
  /** The ticket received in this handshake; undefined when none was (RFC 5077 §3.3). */
  readonly #newTicket: NewTicket12 | undefined;

  constructor(sh: Tls12Hello, transcript: Transcript, established: Tls12Established, secrets: Tls12Secrets, newTicket: NewTicket12 | undefined) {
    super(sh, transcript, established, secrets);
    this.#newTicket = newTicket;
  }

  handle(msg: HandshakeMessage, io: HandshakeIo): Tls12State {
    expectMessage(msg, this.kind, HandshakeType.Finished);
    const expected = this.secrets.master.finishedVerifyData('server', this.transcript.currentHash());
    if (!equalBytes(expected, msg.verifyData)) throw new PeerMisbehaved('IncorrectFinished');
    this.transcript.add(msg.raw);
    // In an abbreviated handshake the server finishes first; our CCS and Finished follow (RFC 5246 §7.3).
    if (this.established.resumed) sendChangeCipherSpecAndFinished(io, this.sh.suite, this.transcript, this.secrets);
    io.setNegotiated(negotiated12(this.sh, this.established));
    io.emit({ type: 'handshakeDone' });
    const session = resumableSession(this.sh, this.established, this.#newTicket, this.secrets.master);
    if (session !== undefined) io.emit({ type: 'session', session });
    return new ExpectTraffic12(this.sh, this.secrets.master);
  }
}

/** The connection is up. Renegotiation is never done (RFC 5746 is only used to signal that). */
export class ExpectTraffic12 implements TrafficState {
  readonly kind = 'ExpectTraffic12';
  readonly version = 'tls12';
  readonly isTraffic = true;
  readonly #sh: Tls12Hello;
  readonly #master: Tls12MasterSecret;

  constructor(sh: Tls12Hello, master: Tls12MasterSecret) {
    this.#sh = sh;
    this.#master = master;
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
    const randoms = concatBytes(this.#sh.hello.clientRandom, this.#sh.serverRandom);
    let seed = randoms;
    if (context !== undefined) {
      if (context.length > 0xffff) throw new UsageError('exporter context too long');
      seed = concatBytes(randoms, new Uint8Array([context.length >> 8, context.length & 0xff]), context);
    }
    return this.#master.exportKeyingMaterial(label, seed, length);
  }
}

function sendChangeCipherSpecAndFinished(io: HandshakeIo, suite: Tls12Suite, transcript: Transcript, secrets: Tls12Secrets): void {
  io.sendChangeCipherSpec();
  io.installTls12WriteKeys(suite, secrets.keys.clientWriteKey, secrets.keys.clientWriteIv);
  const finished = encodeClientHandshake({
    type: HandshakeType.Finished,
    verifyData: secrets.master.finishedVerifyData('client', transcript.currentHash()),
  });
  io.sendHandshake(finished);
  transcript.add(finished);
}

function deriveSecrets(sh: Tls12Hello, master: Tls12MasterSecret): Tls12Secrets {
  return { master, keys: master.keyBlock(sh.hello.clientRandom, sh.serverRandom, sh.suite.keyLength, sh.suite.fixedIvLength) };
}

/** What a completed handshake negotiated: from this handshake's authentication, or the resumed session's. */
function negotiated12(sh: Tls12Hello, established: Tls12Established): NegotiatedParameters {
  const full = established.resumed ? undefined : established;
  const server = full?.server;
  const peers = peersOf(established);
  const leaf = peers.clientCertificate;
  return {
    version: ProtocolVersion.TLSv1_2,
    versionName: 'TLSv1.2',
    suite: sh.suite.id,
    group: full?.group,
    signatureScheme: full?.signatureScheme,
    alpn: sh.alpn,
    serverName: sh.hello.serverName,
    sessionReused: established.resumed,
    helloRetryRequest: false,
    extendedMasterSecret: sh.extendedMasterSecret,
    peerCertificates: peers.peerCertificates,
    ocspResponse: server?.ocspResponse,
    ocspStatus: server?.ocspStatus,
    certificateError: server?.auth.error,
    // Sent in this handshake, or (resumed) the leaf recorded with the session.
    clientCertificate: full?.clientAuth?.chain ?? (leaf === undefined ? undefined : [leaf]),
    clientSignatureScheme: full?.clientAuth?.scheme,
  };
}

/** The server's chain and our client leaf as a session records them: from this handshake, or carried over from the resumed session. */
function peersOf(established: Tls12Established): { readonly peerCertificates: readonly Uint8Array[]; readonly clientCertificate?: Uint8Array | undefined } {
  if (established.resumed) return established.session;
  return { peerCertificates: established.server.chain, clientCertificate: established.clientAuth?.chain[0] };
}

/** The resumable state after a completed handshake, if the server offered any way to resume. */
function resumableSession(sh: Tls12Hello, established: Tls12Established, newTicket: NewTicket12 | undefined, master: Tls12MasterSecret): Tls12SessionData | undefined {
  const previous = established.resumed ? established.session : undefined;
  const ticket = newTicket?.ticket ?? previous?.ticket?.slice();
  if (ticket === undefined && sh.sessionId.length === 0) return undefined;
  const peers = peersOf(established);
  return {
    version: 'TLSv1.2',
    suite: sh.suite.id,
    masterSecret: master.copy(),
    sessionId: sh.sessionId,
    ticket,
    lifetimeSeconds: newTicket?.lifetimeHint ?? previous?.lifetimeSeconds ?? DEFAULT_TLS12_SESSION_LIFETIME_S,
    receivedAtMs: sh.hello.config.now(),
    extendedMasterSecret: sh.extendedMasterSecret,
    alpn: sh.alpn,
    serverName: sh.hello.serverName,
    peerCertificates: peers.peerCertificates,
    clientCertificate: peers.clientCertificate,
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
