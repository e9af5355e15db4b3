/**
 * The TLS 1.3 client handshake after the ServerHello (RFC 8446 §4.1.3–§4.4, §4.6, §7), as typed
 * states: ExpectEncryptedExtensions → ExpectCertificateOrCertificateRequest → ExpectCertificate →
 * ExpectCertificateVerify → ExpectFinished → ExpectTraffic. A resumed (PSK) handshake skips the
 * certificate states (RFC 8446 §2.2). With 0-RTT (§2.3, §4.2.10) our write side stays on the
 * early traffic keys until the server's EncryptedExtensions rejects the early data, or until our
 * EndOfEarlyData (§4.5) after the server's Finished when it accepted it.
 *
 * Each state holds what it must have at that point, with no optional fact a later message fills
 * in: the ServerHello's facts (`Tls13Hello`, with the accepted PSK), then what EncryptedExtensions
 * settled (`Tls13Extensions`, with whether it accepted our early data), the CertificateRequest if one came, the checked server
 * (`CheckedServer13`), and at the Finished how the server is known (`Tls13Established`: its
 * certificate and signature, or the PSK).
 * @module
 */
import { equalBytes, toHex } from '../codec/bytes.ts';
import { InvalidMessage, PeerMisbehaved, UsageError } from '../errors.ts';
import type { KeyShare } from '../crypto/key-exchange.ts';
import { tls13SuiteById, type Tls13Suite } from '../crypto/suites.ts';
import { EarlySecret, type ExporterSecret, type HandshakeSecret, type ResumptionMasterSecret, type TrafficSecret } from '../tls13/key-schedule.ts';
import type { Transcript } from '../tls13/transcript.ts';
import { requireRecordBoundary, type RecordBoundary } from '../record/handshake-reassembler.ts';
import { checkExtensionsAllowed, findExtension } from '../wire/extensions.ts';
import { encodeClientHandshake, type HandshakeMessage } from '../wire/handshake.ts';
import type { ServerHello } from '../wire/server-hello.ts';
import type { CertificateRequest13 } from '../wire/certificate.ts';
import { ExtensionType, HandshakeType, KeyUpdateRequest, ProtocolVersion } from '../wire/enums.ts';
import { MAX_TICKET_LIFETIME_S, type HelloContext } from './hello-context.ts';
import { applyOcspPolicy, authenticateServer, verifyTls13CertificateVerify, type OcspStatus, type ServerAuthentication } from './server-certificate.ts';
import { LIMITS } from '../limits.ts';
import { expectMessage, type HandshakeIo, type StateBase, type TrafficState } from './state.ts';
import { applyRecordSizeLimit, sctListOf, selectedAlpn } from './hello.ts';
import { checkEarlyDataAcceptance, sendEndOfEarlyData } from './early-data.ts';
import type { ClientConfig } from './config.ts';
import type { NegotiatedParameters, Tls13TicketData } from './events.ts';
import { chooseClientCredential, decodeCertificateAuthorities, signTls13ClientCertificateVerify, type CertificateRequestInfo } from './credential.ts';

/** The TLS 1.3 states after the ServerHello: a closed union, each class with a literal `kind`. */
export type Tls13State = ExpectEncryptedExtensions | ExpectCertificateOrCertificateRequest | ExpectCertificate | ExpectCertificateVerify | ExpectFinished | ExpectTraffic;

/** What the ServerHello fixed (RFC 8446 §4.1.3): the same for every later state. */
interface Tls13Hello {
  readonly hello: HelloContext;
  readonly suite: Tls13Suite;
  /** The (EC)DHE group; undefined for a psk_ke resumption (RFC 8446 §4.2.9). */
  readonly group: number | undefined;
  /** The offered PSK the server accepted (RFC 8446 §4.2.11): a ticket, or the external PSK's stand-in; undefined for a full handshake. */
  readonly acceptedPsk: Tls13TicketData | undefined;
  /**
   * Our write side is still on client_early_traffic_secret: we sent early data and the server took
   * its PSK, so it may still be reading it until its EncryptedExtensions say (RFC 8446 §4.2.10).
   */
  readonly earlyWriteKeys: boolean;
}

/** What EncryptedExtensions settled (RFC 8446 §4.3.1). */
interface Tls13Extensions {
  /** The protocol the server selected; undefined when ALPN was not negotiated (RFC 7301 §3.2). */
  readonly alpn: string | undefined;
  /** The server accepted our early data (RFC 8446 §4.2.10): EndOfEarlyData follows its Finished (§4.5). */
  readonly earlyDataAccepted: boolean;
}

/** The server's certificate as authenticated in this handshake (RFC 8446 §4.4.2), with the OCSP verdict (§4.4.2.1). */
interface CheckedServer13 {
  readonly chain: readonly Uint8Array[];
  /** The authentication; with verification off, an OCSP failure is folded into its `error`. */
  readonly auth: ServerAuthentication;
  /** The stapled response; undefined when the leaf's entry carried none. */
  readonly ocspResponse: Uint8Array | undefined;
  readonly ocspStatus: OcspStatus;
  /** The leaf entry's SCT list (RFC 6962 §3.3.1), raw; undefined when none came (or SCTs are left out of the bundle). */
  readonly signedCertificateTimestamps: Uint8Array | undefined;
}

/** How the server is known by the Finished: a certificate and its signature now, or the accepted PSK (RFC 8446 §2.2). */
type Tls13Established =
  | {
      readonly resumed: false;
      readonly server: CheckedServer13;
      readonly signatureScheme: number;
      /** The server's CertificateRequest; undefined unless it sent one (RFC 8446 §4.3.2). */
      readonly certificateRequest: CertificateRequest13 | undefined;
    }
  | { readonly resumed: true; readonly psk: Tls13TicketData };

/**
 * What a session made from this connection records besides its ticket (RFC 8446 §4.6.1), as the
 * negotiated parameters say it: the ALPN, the server's chain and our client chain (authenticated
 * now, or carried over from the resumed session).
 */
type SessionFacts = Pick<NegotiatedParameters, 'alpn' | 'peerCertificates' | 'clientCertificate'>;

/** The handshake secret phase and the handshake traffic secrets of both directions (RFC 8446 §7.1). */
interface HandshakeSecrets {
  readonly schedule: HandshakeSecret;
  readonly client: TrafficSecret;
  readonly server: TrafficSecret;
}

/**
 * Process a TLS 1.3 ServerHello (already in `transcript`; its version, suite and session ID
 * checked): its extensions, key exchange, PSK acceptance, and the switch to handshake traffic keys.
 */
export function startTls13(
  io: HandshakeIo,
  hello: HelloContext,
  suite: Tls13Suite,
  sh: ServerHello,
  shares: readonly KeyShare[],
  transcript: Transcript,
  boundary: RecordBoundary | undefined,
  offeredEarly: EarlySecret | undefined,
): Tls13State {
  checkExtensionsAllowed(sh.extensions, 'SH', hello.offeredExtensions);
  const pskExt = findExtension(sh.extensions, ExtensionType.PreSharedKey);
  let acceptedPsk: Tls13TicketData | undefined;
  if (pskExt !== undefined) {
    const ticket = hello.offeredTicket;
    // RFC 8446 §4.2.11: the server's choice must be an identity we offered, with a suite of the same hash.
    if (pskExt.form !== 'SH' || ticket === undefined || pskExt.selectedIdentity !== 0) throw new PeerMisbehaved('SelectedUnofferedPsk');
    if (tls13SuiteById(ticket.suite)?.hash !== suite.hash) throw new PeerMisbehaved('SelectedUnofferedPsk', 'suite hash differs');
    acceptedPsk = ticket;
  }
  const keyShare = findExtension(sh.extensions, ExtensionType.KeyShare);
  let sharedSecret: Uint8Array;
  let group: number | undefined;
  if (keyShare === undefined) {
    // psk_ke only (RFC 8446 §4.2.9): allowed when we offered that mode and a PSK was accepted.
    if (acceptedPsk === undefined || !hello.config.pskModes.includes('psk_ke')) throw new PeerMisbehaved('MissingKeyShare');
    sharedSecret = new Uint8Array(suite.hash.outputLen);
  } else {
    if (keyShare.form !== 'SH') throw new PeerMisbehaved('WrongGroupForKeyShare');
    const mine = shares.find((k) => k.group === keyShare.entry.group);
    if (mine === undefined) throw new PeerMisbehaved('WrongGroupForKeyShare', `0x${keyShare.entry.group.toString(16)}`);
    if (acceptedPsk !== undefined && !hello.config.pskModes.includes('psk_dhe_ke')) throw new PeerMisbehaved('SelectedUnofferedPsk', 'psk_dhe_ke not offered');
    sharedSecret = mine.computeSharedSecret(keyShare.entry.keyExchange);
    group = mine.group;
  }
  // The Early Secret the binder was made with (same PSK, same hash: checked above), not a second HKDF-Extract.
  const early = acceptedPsk === undefined ? EarlySecret.withoutPsk(suite) : (offeredEarly ?? EarlySecret.withPsk(suite, acceptedPsk.psk));
  const schedule = early.intoHandshake(sharedSecret, suite);
  const helloHash = transcript.currentHash();
  const secrets: HandshakeSecrets = { schedule, client: schedule.clientTrafficSecret(helloHash), server: schedule.serverTrafficSecret(helloHash) };
  io.keyLog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', secrets.client);
  io.keyLog('SERVER_HANDSHAKE_TRAFFIC_SECRET', secrets.server);
  io.installTls13ReadKeys(secrets.server.trafficKeys(), requireRecordBoundary(boundary));
  // Our write side moves to the client handshake keys now, so that an alert we send while the
  // server's flight is processed is readable by the server (which already expects them). The
  // middlebox-compatibility CCS (RFC 8446 Appendix D.4) must precede the first encrypted record.
  if (hello.config.middleboxCompatibility && !hello.sentCompatCcs) io.sendChangeCipherSpec();
  // Early data offered with the PSK the server took may be accepted: the early keys stay until
  // EncryptedExtensions says (RFC 8446 §4.2.10); without the PSK it cannot be, and is rejected.
  // (`EARLY_DATA:` statements are dropped from the default embedding bundle, early-data.ts.)
  let earlyWriteKeys = false;
  EARLY_DATA: earlyWriteKeys = hello.offeredEarlyData === true && acceptedPsk !== undefined;
  if (!earlyWriteKeys) io.installTls13WriteKeys(secrets.client.trafficKeys());
  return new ExpectEncryptedExtensions({ hello, suite, group, acceptedPsk, earlyWriteKeys }, secrets, transcript);
}

/**
 * What every TLS 1.3 handshake state after the ServerHello carries: the ServerHello's facts, the
 * handshake traffic secrets and the running transcript (RFC 8446 §4.4.1). Each subclass is one
 * `Expect…` state, adds the fields it must have, and says which message it takes next.
 */
abstract class Tls13HandshakeState implements StateBase {
  abstract readonly kind: string;
  readonly version = 'tls13';
  readonly isTraffic = false;
  protected readonly sh: Tls13Hello;
  protected readonly secrets: HandshakeSecrets;
  protected readonly transcript: Transcript;

  constructor(sh: Tls13Hello, secrets: HandshakeSecrets, transcript: Transcript) {
    this.sh = sh;
    this.secrets = secrets;
    this.transcript = transcript;
  }

  abstract handle(msg: HandshakeMessage, io: HandshakeIo, boundary: RecordBoundary | undefined): Tls13State;
}

/** A TLS 1.3 state after EncryptedExtensions: it also holds what they settled. */
abstract class Tls13AfterExtensionsState extends Tls13HandshakeState {
  protected readonly ee: Tls13Extensions;

  constructor(sh: Tls13Hello, ee: Tls13Extensions, secrets: HandshakeSecrets, transcript: Transcript) {
    super(sh, secrets, transcript);
    this.ee = ee;
  }
}

/** Waiting for EncryptedExtensions (RFC 8446 §4.3.1). */
export class ExpectEncryptedExtensions extends Tls13HandshakeState {
  readonly kind = 'ExpectEncryptedExtensions';

  handle(msg: HandshakeMessage, io: HandshakeIo): Tls13State {
    expectMessage(msg, this.kind, HandshakeType.EncryptedExtensions);
    const hello = this.sh.hello;
    checkExtensionsAllowed(msg.extensions, 'EE', hello.offeredExtensions);
    const alpn = selectedAlpn(hello.config, msg.extensions);
    applyRecordSizeLimit(io, msg.extensions, 'tls13');
    let ee: Tls13Extensions = { alpn, earlyDataAccepted: false };
    // `EARLY_DATA:` statements are dropped from the default embedding bundle (early-data.ts).
    EARLY_DATA: ee = { alpn, earlyDataAccepted: checkEarlyDataAcceptance(io, this.sh, msg.extensions, alpn, this.secrets.client) };
    this.transcript.add(msg.raw);
    const psk = this.sh.acceptedPsk;
    if (psk !== undefined) return new ExpectFinished(this.sh, ee, this.secrets, this.transcript, { resumed: true, psk });
    return new ExpectCertificateOrCertificateRequest(this.sh, ee, this.secrets, this.transcript);
  }
}

/** Waiting for CertificateRequest or Certificate (RFC 8446 §4.3.2, §4.4.2). */
export class ExpectCertificateOrCertificateRequest extends Tls13AfterExtensionsState {
  readonly kind = 'ExpectCertificateOrCertificateRequest';

  handle(msg: HandshakeMessage, io: HandshakeIo): Tls13State {
    expectMessage(msg, this.kind, HandshakeType.Certificate, HandshakeType.CertificateRequest);
    if (msg.type === HandshakeType.CertificateRequest) {
      if (msg.version !== 'tls13') throw new InvalidMessage('BadValue', 'CertificateRequest form');
      const cr = msg;
      // RFC 8446 §4.3.2: the context is empty during the handshake; signature_algorithms is mandatory.
      if (cr.context.length !== 0) throw new PeerMisbehaved('IllegalCertificateRequestContext');
      checkExtensionsAllowed(cr.extensions, 'CR');
      if (findExtension(cr.extensions, ExtensionType.SignatureAlgorithms) === undefined) throw new PeerMisbehaved('MissingSignatureAlgorithms');
      this.transcript.add(msg.raw);
      return new ExpectCertificate(this.sh, this.ee, this.secrets, this.transcript, cr);
    }
    return new ExpectCertificate(this.sh, this.ee, this.secrets, this.transcript, undefined).handle(msg, io);
  }
}

/** Waiting for the server's Certificate (RFC 8446 §4.4.2). */
export class ExpectCertificate extends Tls13AfterExtensionsState {
  readonly kind = 'ExpectCertificate';
  /** The server's CertificateRequest; undefined unless it sent one (RFC 8446 §4.3.2). */
  readonly #certificateRequest: CertificateRequest13 | undefined;

  constructor(sh: Tls13Hello, ee: Tls13Extensions, secrets: HandshakeSecrets, transcript: Transcript, certificateRequest: CertificateRequest13 | undefined) {
    super(sh, ee, secrets, transcript);
    this.#certificateRequest = certificateRequest;
  }

  handle(msg: HandshakeMessage, _io: HandshakeIo): Tls13State {
    expectMessage(msg, this.kind, HandshakeType.Certificate);
    if (msg.version !== 'tls13') throw new InvalidMessage('BadValue', 'Certificate form');
    const cert = msg;
    if (cert.context.length !== 0) throw new PeerMisbehaved('IllegalCertificateRequestContext');
    // RFC 8446 §4.4.2.4: an empty server Certificate is a decode_error.
    const leaf = cert.entries[0];
    if (leaf === undefined) throw new PeerMisbehaved('EmptyCertificateChain');
    const hello = this.sh.hello;
    for (const entry of cert.entries) checkExtensionsAllowed(entry.extensions, 'CT', hello.offeredExtensions);
    const chain = cert.entries.map((e) => e.certData.slice());
    const authenticated = authenticateServer(hello.config, hello.verifyHostname, chain);
    // RFC 8446 §4.4.2.1: a stapled OCSP response rides in the leaf's entry.
    const staple = findExtension(leaf.extensions, ExtensionType.StatusRequest);
    const ocspResponse = staple?.form === 'response' ? staple.response.slice() : undefined;
    const { status, auth } = applyOcspPolicy(hello.config, authenticated, ocspResponse);
    this.transcript.add(msg.raw);
    let scts: Uint8Array | undefined;
    // Left out of the default embedding bundle (packages/bundle/build.js dropLabels), like EARLY_DATA.
    SCT: scts = sctListOf(leaf.extensions);
    const server: CheckedServer13 = { chain, auth, ocspResponse, ocspStatus: status, signedCertificateTimestamps: scts };
    return new ExpectCertificateVerify(this.sh, this.ee, this.secrets, this.transcript, this.#certificateRequest, server);
  }
}

/** Waiting for the server's CertificateVerify (RFC 8446 §4.4.3). */
export class ExpectCertificateVerify extends Tls13AfterExtensionsState {
  readonly kind = 'ExpectCertificateVerify';
  readonly #certificateRequest: CertificateRequest13 | undefined;
  /** The server's authenticated certificate: its leaf key checks the signature. */
  readonly #server: CheckedServer13;

  constructor(sh: Tls13Hello, ee: Tls13Extensions, secrets: HandshakeSecrets, transcript: Transcript, certificateRequest: CertificateRequest13 | undefined, server: CheckedServer13) {
    super(sh, ee, secrets, transcript);
    this.#certificateRequest = certificateRequest;
    this.#server = server;
  }

  handle(msg: HandshakeMessage, _io: HandshakeIo): Tls13State {
    expectMessage(msg, this.kind, HandshakeType.CertificateVerify);
    verifyTls13CertificateVerify(this.sh.hello.config.signatureSchemes, this.#server.auth.leafKey, msg.scheme, msg.signature, this.transcript.currentHash());
    this.transcript.add(msg.raw);
    const established: Tls13Established = { resumed: false, server: this.#server, signatureScheme: msg.scheme, certificateRequest: this.#certificateRequest };
    return new ExpectFinished(this.sh, this.ee, this.secrets, this.transcript, established);
  }
}

/** Waiting for the server's Finished (RFC 8446 §4.4.4); then our flight and the application keys. */
export class ExpectFinished extends Tls13AfterExtensionsState {
  readonly kind = 'ExpectFinished';
  readonly #established: Tls13Established;

  constructor(sh: Tls13Hello, ee: Tls13Extensions, secrets: HandshakeSecrets, transcript: Transcript, established: Tls13Established) {
    super(sh, ee, secrets, transcript);
    this.#established = established;
  }

  handle(msg: HandshakeMessage, io: HandshakeIo, boundary: RecordBoundary | undefined): Tls13State {
    expectMessage(msg, this.kind, HandshakeType.Finished);
    const { hello } = this.sh;
    const established = this.#established;
    const expected = this.secrets.server.finishedVerifyData(this.transcript.currentHash());
    if (!equalBytes(expected, msg.verifyData)) throw new PeerMisbehaved('IncorrectFinished');
    this.transcript.add(msg.raw);

    const master = this.secrets.schedule.intoMaster();
    const serverFinishedHash = this.transcript.currentHash();
    const clientApp = master.clientApplicationTrafficSecret(serverFinishedHash);
    const serverApp = master.serverApplicationTrafficSecret(serverFinishedHash);
    const exporter = master.exporterMasterSecret(serverFinishedHash);
    io.keyLog('CLIENT_TRAFFIC_SECRET_0', clientApp);
    io.keyLog('SERVER_TRAFFIC_SECRET_0', serverApp);
    io.keyLog('EXPORTER_SECRET', exporter);
    io.installTls13ReadKeys(serverApp.trafficKeys(), requireRecordBoundary(boundary));

    // RFC 8446 §4.5: after the server's Finished, EndOfEarlyData under the early keys ends our
    // 0-RTT data; it is in the transcript of our Finished (not of the application secrets above).
    EARLY_DATA: if (this.ee.earlyDataAccepted) sendEndOfEarlyData(io, this.transcript, this.secrets.client);
    // Our second flight, [Certificate [CertificateVerify]] Finished, under the client handshake keys (installed in startTls13, at EncryptedExtensions, or just above).
    let clientAuth: { readonly chain: readonly Uint8Array[]; readonly scheme: number } | undefined;
    if (!established.resumed && established.certificateRequest !== undefined) clientAuth = sendClientCertificate13(io, hello.config, established.certificateRequest, this.transcript);
    const finished = encodeClientHandshake({ type: HandshakeType.Finished, verifyData: this.secrets.client.finishedVerifyData(this.transcript.currentHash()) });
    io.sendHandshake(finished);
    this.transcript.add(finished);
    io.installTls13WriteKeys(clientApp.trafficKeys());

    const resumptionMaster = master.resumptionMasterSecret(this.transcript.currentHash());
    const negotiated = negotiated13(this.sh, this.ee, established, clientAuth);
    io.setNegotiated(negotiated);
    io.emit({ type: 'handshakeDone' });
    // Post-handshake authentication signs over the handshake through our Finished (RFC 8446 §4.4, §4.6.2).
    const handshakeTranscript = hello.config.postHandshakeAuth ? this.transcript.fork() : undefined;
    return new ExpectTraffic(this.sh, negotiated, handshakeTranscript, { client: clientApp, server: serverApp, exporter, resumptionMaster });
  }
}

/** What a completed handshake negotiated: from this handshake's authentication, or the accepted PSK's. */
function negotiated13(
  sh: Tls13Hello,
  ee: Tls13Extensions,
  established: Tls13Established,
  clientAuth: { readonly chain: readonly Uint8Array[]; readonly scheme: number } | undefined,
): Omit<NegotiatedParameters, 'earlyData'> {
  const hello = sh.hello;
  const full = established.resumed ? undefined : established;
  const server = full?.server;
  const psk = established.resumed ? established.psk : undefined;
  const leaf = psk?.clientCertificate;
  return {
    version: ProtocolVersion.TLSv1_3,
    versionName: 'TLSv1.3',
    suite: sh.suite.id,
    group: sh.group,
    signatureScheme: full?.signatureScheme,
    alpn: ee.alpn,
    serverName: hello.serverName,
    sessionReused: psk !== undefined && !hello.offeredExternalPsk,
    externalPskIdentity: hello.offeredExternalPsk ? psk?.ticket : undefined,
    helloRetryRequest: hello.helloRetried,
    extendedMasterSecret: true,
    // A resumed handshake authenticates no one: the session's peers carry over.
    peerCertificates: established.resumed ? established.psk.peerCertificates : established.server.chain,
    ocspResponse: server?.ocspResponse,
    ocspStatus: server?.ocspStatus,
    signedCertificateTimestamps: server?.signedCertificateTimestamps,
    certificateError: server?.auth.error,
    // Sent in this handshake, or (resumed) the leaf recorded with the session.
    clientCertificate: clientAuth?.chain ?? (leaf === undefined ? undefined : [leaf]),
    clientSignatureScheme: clientAuth?.scheme,
  };
}

/**
 * Answer a CertificateRequest (RFC 8446 §4.4.2, §4.4.3): Certificate with the chosen credential's
 * chain and a CertificateVerify with the chosen scheme, or an empty Certificate when nothing fits.
 * @returns the chain and scheme used, or undefined when the Certificate was empty
 */
function sendClientCertificate13(io: HandshakeIo, config: ClientConfig, cr: CertificateRequest13, transcript: Transcript): { chain: readonly Uint8Array[]; scheme: number } | undefined {
  const ca = cr.extensions.find((e) => e.type === ExtensionType.CertificateAuthorities);
  const request: CertificateRequestInfo = {
    version: 'TLSv1.3',
    signatureSchemes: findExtension(cr.extensions, ExtensionType.SignatureAlgorithms)?.schemes ?? [],
    signatureSchemesCert: findExtension(cr.extensions, ExtensionType.SignatureAlgorithmsCert)?.schemes,
    certificateAuthorities: ca !== undefined && 'data' in ca ? decodeCertificateAuthorities(ca.data) : [],
    certificateTypes: undefined,
  };
  const choice = config.clientCredentials.length > 0 || config.selectClientCredential !== undefined ? chooseClientCredential(request, config.clientCredentials, config.selectClientCredential) : undefined;
  const certificate = encodeClientHandshake({
    type: HandshakeType.Certificate,
    version: 'tls13',
    context: cr.context,
    entries: choice === undefined ? [] : choice.credential.chain.map((certData) => ({ certData, extensions: [] })),
  });
  io.sendHandshake(certificate);
  transcript.add(certificate);
  if (choice === undefined) return undefined;
  const signature = signTls13ClientCertificateVerify(choice, transcript.currentHash(), config.randomBytes);
  const verify = encodeClientHandshake({ type: HandshakeType.CertificateVerify, scheme: choice.scheme, signature });
  io.sendHandshake(verify);
  transcript.add(verify);
  return { chain: choice.credential.chain, scheme: choice.scheme };
}

/** Bounds the post-handshake CertificateRequests a server can make us answer (each costs a signature). */
const MAX_POST_HANDSHAKE_AUTHS = 64;

/** Application traffic secrets and what derives from the master secret (RFC 8446 §7.1). */
interface TrafficSecrets {
  readonly client: TrafficSecret;
  readonly server: TrafficSecret;
  readonly exporter: ExporterSecret;
  readonly resumptionMaster: ResumptionMasterSecret;
}

/** The connection is up: post-handshake messages only (RFC 8446 §4.6). */
export class ExpectTraffic implements TrafficState {
  readonly kind = 'ExpectTraffic';
  readonly version = 'tls13';
  readonly isTraffic = true;
  readonly #sh: Tls13Hello;
  readonly #facts: SessionFacts;
  /** The transcript through our Finished, when post_handshake_auth was offered. */
  readonly #handshakeTranscript: Transcript | undefined;
  #secrets: TrafficSecrets;
  readonly #usedContexts = new Set<string>();
  /** NewSessionTickets turned into sessions so far (at most LIMITS.sessionTickets). */
  #tickets = 0;

  constructor(sh: Tls13Hello, facts: SessionFacts, handshakeTranscript: Transcript | undefined, secrets: TrafficSecrets) {
    this.#sh = sh;
    this.#facts = facts;
    this.#handshakeTranscript = handshakeTranscript;
    this.#secrets = secrets;
  }

  handle(msg: HandshakeMessage, io: HandshakeIo, boundary: RecordBoundary | undefined): Tls13State {
    if (msg.type === HandshakeType.CertificateRequest && msg.version === 'tls13' && this.#handshakeTranscript !== undefined) return this.#postHandshakeAuth(msg, this.#handshakeTranscript, io);
    expectMessage(msg, this.kind, HandshakeType.NewSessionTicket, HandshakeType.KeyUpdate);
    if (msg.type === HandshakeType.KeyUpdate) {
      if (msg.request !== KeyUpdateRequest.UpdateNotRequested && msg.request !== KeyUpdateRequest.UpdateRequested)
        throw new PeerMisbehaved('IllegalKeyUpdateRequest');
      // RFC 8446 §4.6.3: switch our read keys; if asked, answer with our own KeyUpdate, unless we
      // already sent one and no data since ("multiple KeyUpdates while it is silent" get one update).
      const server = this.#secrets.server.next();
      this.#secrets = { ...this.#secrets, server };
      io.installTls13ReadKeys(server.trafficKeys(), requireRecordBoundary(boundary));
      io.emit({ type: 'keyUpdate', direction: 'received', updateRequested: msg.request === KeyUpdateRequest.UpdateRequested });
      if (msg.request === KeyUpdateRequest.UpdateRequested && !io.silentSinceKeyUpdate()) this.sendKeyUpdate(io, false);
      return this;
    }
    if (msg.version !== 'tls13') throw new InvalidMessage('BadValue', 'NewSessionTicket form');
    // RFC 8446 §4.6.1: lifetime at most 7 days; a zero lifetime means "do not cache".
    if (msg.lifetime > MAX_TICKET_LIFETIME_S) throw new PeerMisbehaved('IllegalTicketLifetime');
    checkExtensionsAllowed(msg.extensions, 'NST');
    if (msg.lifetime === 0) return this;
    // A client may ignore tickets (§4.6.1): past the cap they are checked and dropped, so a ticket
    // flood costs decoding only, not a PSK derivation and a session each.
    if (this.#tickets >= LIMITS.sessionTickets) return this;
    this.#tickets++;
    const early = findExtension(msg.extensions, ExtensionType.EarlyData);
    const hello = this.#sh.hello;
    io.emit({
      type: 'session',
      session: {
        version: 'TLSv1.3',
        suite: this.#sh.suite.id,
        psk: this.#secrets.resumptionMaster.psk(msg.nonce),
        ticket: msg.ticket.slice(),
        lifetimeSeconds: msg.lifetime,
        ageAdd: msg.ageAdd,
        receivedAtMs: hello.config.now(),
        maxEarlyData: early?.form === 'NST' ? early.maxEarlyDataSize : 0,
        alpn: this.#facts.alpn,
        serverName: hello.serverName,
        peerCertificates: this.#facts.peerCertificates,
        clientCertificate: this.#facts.clientCertificate?.[0],
      },
    });
    return this;
  }

  /**
   * Post-handshake authentication (RFC 8446 §4.6.2): Certificate (echoing the request context),
   * CertificateVerify and Finished, each over the handshake transcript through our Finished plus
   * this request (§4.4: each post-handshake authentication starts from that context), with the
   * current client application traffic secret as the Finished base key.
   */
  #postHandshakeAuth(cr: CertificateRequest13 & { raw: Uint8Array }, handshakeTranscript: Transcript, io: HandshakeIo): Tls13State {
    // §4.3.2: the context is non-empty after the handshake and unique within the connection.
    if (cr.context.length === 0) throw new PeerMisbehaved('IllegalCertificateRequestContext', 'empty after the handshake');
    const key = toHex(cr.context);
    if (this.#usedContexts.has(key)) throw new PeerMisbehaved('IllegalCertificateRequestContext', 'repeated');
    if (this.#usedContexts.size >= MAX_POST_HANDSHAKE_AUTHS) throw new PeerMisbehaved('IllegalCertificateRequestContext', 'too many post-handshake requests');
    this.#usedContexts.add(key);
    checkExtensionsAllowed(cr.extensions, 'CR');
    if (findExtension(cr.extensions, ExtensionType.SignatureAlgorithms) === undefined) throw new PeerMisbehaved('MissingSignatureAlgorithms');
    const transcript = handshakeTranscript.fork().add(cr.raw);
    sendClientCertificate13(io, this.#sh.hello.config, cr, transcript);
    const finished = encodeClientHandshake({ type: HandshakeType.Finished, verifyData: this.#secrets.client.finishedVerifyData(transcript.currentHash()) });
    io.sendHandshake(finished);
    return this;
  }

  /** Send a KeyUpdate and switch our write keys (RFC 8446 §4.6.3). */
  sendKeyUpdate(io: HandshakeIo, requestPeerUpdate: boolean): void {
    io.sendHandshake(
      encodeClientHandshake({
        type: HandshakeType.KeyUpdate,
        request: requestPeerUpdate ? KeyUpdateRequest.UpdateRequested : KeyUpdateRequest.UpdateNotRequested,
      }),
    );
    const client = this.#secrets.client.next();
    this.#secrets = { ...this.#secrets, client };
    io.installTls13WriteKeys(client.trafficKeys());
    io.noteKeyUpdateSent();
    io.emit({ type: 'keyUpdate', direction: 'sent', updateRequested: requestPeerUpdate });
  }

  /** RFC 8446 §7.5 exporter over exporter_master_secret. */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0 || length > 255 * this.#sh.suite.hash.outputLen) throw new UsageError('exporter length out of range');
    return this.#secrets.exporter.exportKeyingMaterial(label, context, length);
  }
}
