/**
 * The client configuration: validated once, frozen, shared by every connection made from it.
 * Secure defaults (RFC 8446 §9.1, RFC 7525 §4.2): TLS 1.2 and 1.3 only, AEAD suites with ECDHE
 * only, certificate and host name verification on, no renegotiation, no compression.
 * @module
 */
import { utf8 } from '../codec/bytes.ts';
import { UsageError } from '../errors.ts';
import { CipherSuite, ProtocolVersion } from '../wire/enums.ts';
import { ALL_KEY_EXCHANGE_GROUPS, isTls12Group, SUPPORTED_KEY_EXCHANGE_GROUPS, type KeyExchange } from '../crypto/key-exchange.ts';
import { defaultRandomBytes, type RandomBytes } from '../crypto/noble.ts';
import { SUPPORTED_SIGNATURE_SCHEMES } from '../crypto/signature.ts';
import { tls13SuiteById } from '../crypto/suites.ts';
import type { TrustStore } from '../x509/trust-store.ts';
import type { ClientCredential, ClientCredentialSelector } from './credential.ts';
import type { Certificate } from '../x509/certificate.ts';
import type { OcspCheck } from '../x509/ocsp.ts';

export type VersionName = 'TLSv1.2' | 'TLSv1.3';

/** What a server certificate verifier sees (the rustls ServerCertVerifier / OpenSSL verify callback inputs). */
export interface ServerCertificateInfo {
  /** DER certificates as the server sent them, leaf first. */
  readonly chain: readonly Uint8Array[];
  /** The name the connection is verified against (SNI or IP), when there is one. */
  readonly hostname: string | undefined;
  /** The leaf's SubjectPublicKeyInfo, DER (for SPKI pinning, RFC 7469 §2.4). */
  readonly leafSpki: Uint8Array;
  /** The config's clock, ms since the epoch. */
  readonly now: number;
}

/**
 * A server certificate check. Return to accept; throw to refuse: a CertificateRejected
 * carries the alert to send, any other TlsError its own alert, and anything else is refused with
 * bad_certificate. The handshake signature (CertificateVerify / ServerKeyExchange) is checked
 * with the leaf's key whatever a verifier decides.
 */
export type ServerCertificateVerifier = (info: ServerCertificateInfo) => void;

/**
 * Checks a DER OCSPResponse for `leaf`, issued by `issuer`, at `now` (ms since the epoch); never
 * throws for bad input (a malformed response is `{ status: 'invalid' }`). The built-in one is
 * `ocspStapleChecker` from `@puretls/tls-core/ocsp`.
 */
export type OcspStapleChecker = (response: Uint8Array, leaf: Certificate, issuer: Certificate, now: number) => OcspCheck;

/** What a caller may set. Everything is optional; see {@link createClientConfig} for defaults. */
export interface ClientConfigOptions {
  /** Lowest version to negotiate (default TLSv1.2). */
  minVersion?: VersionName;
  /** Highest version to negotiate (default TLSv1.3). */
  maxVersion?: VersionName;
  /** TLS 1.3 and TLS 1.2 cipher suites in preference order (IANA values). Unsupported values are refused. */
  cipherSuites?: readonly number[];
  /**
   * Named groups offered in supported_groups, in preference order: code points of the built-in
   * groups (X25519, P-256, P-384), or {@link KeyExchange} providers for others (TLS 1.3 only),
   * e.g. `x25519MLKEM768` from `@puretls/tls-core/pq`.
   */
  groups?: readonly (number | KeyExchange)[];
  /** Groups for which a key share is sent in the first ClientHello (default: the first group). */
  keyShareGroups?: readonly number[];
  /** Signature schemes offered in signature_algorithms. */
  signatureSchemes?: readonly number[];
  /** ALPN protocol names offered, in preference order. */
  alpnProtocols?: readonly string[];
  /** Trust anchors for chain validation. Required unless verifyCertificates is false. */
  trustStore?: TrustStore;
  /** Verify the certificate chain and host name (default true). When false, the failure is recorded, not thrown. */
  verifyCertificates?: boolean;
  /** Replaces the built-in host name check: return an Error to refuse. */
  checkServerIdentity?: (hostname: string, leafDer: Uint8Array) => Error | undefined;
  /**
   * An extra check after the built-in chain and name validation succeeded (SPKI pinning, policy):
   * throw to refuse (CertificateRejected names the alert). See ServerCertificateVerifier.
   */
  verifyServerCertificate?: ServerCertificateVerifier;
  /**
   * REPLACES the built-in chain and host name validation (a private PKI with its own rules, a test
   * harness accepting one certificate). No trust store is needed then. The handshake signature is
   * still checked with the leaf's key. Named so that nobody turns verification off by accident.
   */
  dangerouslyReplaceServerVerifier?: ServerCertificateVerifier;
  /**
   * Client certificates offered when a server sends CertificateRequest (RFC 8446 §4.3.2, RFC 5246
   * §7.4.4). Build each with createClientCredential. Default: none (an empty Certificate is sent).
   */
  clientCredentials?: readonly ClientCredential[];
  /** Picks the credential for a request (Node's / OpenSSL's client certificate callback); undefined: an empty Certificate. */
  selectClientCredential?: ClientCredentialSelector;
  /** Send the dummy ChangeCipherSpec of RFC 8446 Appendix D.4 (default true, as OpenSSL does). */
  middleboxCompatibility?: boolean;
  /** Refuse TLS 1.2 servers that do not negotiate extended_master_secret (RFC 7627). Default false. */
  requireExtendedMasterSecret?: boolean;
  /** Ask for an OCSP staple (status_request). Default false. */
  statusRequest?: boolean;
  /**
   * What to do with a stapled OCSP response (RFC 6066 §8, RFC 6960): 'check' (default) verifies a
   * staple when one comes (revoked: certificate_revoked; invalid or expired:
   * bad_certificate_status_response); 'require' also refuses a handshake without one (and asks
   * for it); 'ignore' leaves it unread.
   */
  ocspPolicy?: 'ignore' | 'check' | 'require';
  /**
   * Checks a stapled OCSP response: `ocspStapleChecker` from `@puretls/tls-core/ocsp` (a provider,
   * so that code which never asks for a staple carries no OCSP parser or SHA-1). Required when a
   * staple is asked for (`statusRequest: true` or `ocspPolicy: 'require'`) unless ocspPolicy is
   * 'ignore'; createClientConfig throws a UsageError otherwise.
   */
  ocspStapleChecker?: OcspStapleChecker;
  /**
   * Ask for signed certificate timestamps (RFC 6962 §3.3.1: an empty signed_certificate_timestamp
   * extension); the server's list (TLS 1.2 ServerHello, TLS 1.3 leaf CertificateEntry) is exposed
   * unverified as NegotiatedParameters.signedCertificateTimestamps. Default false.
   */
  signedCertificateTimestamps?: boolean;
  /** Largest plaintext per outgoing record (default 16384). A local cap: nothing is negotiated. */
  maxFragmentLength?: number;
  /**
   * Offer record_size_limit (RFC 8449) with this value, 64..16385: the largest protected record
   * plaintext we accept (TLS 1.3 counts the inner content type byte and padding; a TLS 1.2
   * connection uses min(value, 16384)). When the server answers with its own limit, records the
   * server sends beyond ours are refused with record_overflow, and our records respect its limit.
   * Default: not offered (as rustls, OpenSSL and Node; Firefox offers 16385). See docs/design.md.
   */
  recordSizeLimit?: number;
  /**
   * An external PSK (RFC 8446 §4.2.11, RFC 9257) offered in every TLS 1.3 ClientHello that does
   * not resume a ticket: the identity the server knows it by, the key, and the hash it is bound
   * to (default SHA-256; only suites with that hash can use it). The server then authenticates
   * with the PSK instead of a certificate. Key exchange per `pskModes` (psk_dhe_ke by default).
   */
  externalPsk?: { readonly identity: Uint8Array | string; readonly key: Uint8Array; readonly hash?: 'sha256' | 'sha384' };
  /**
   * Offer TLS 1.3 post-handshake client authentication (RFC 8446 §4.2.6, §4.6.2): the server may
   * then send a CertificateRequest at any time after the handshake, answered with Certificate,
   * CertificateVerify and Finished from `clientCredentials` (or an empty Certificate). Default false.
   */
  postHandshakeAuth?: boolean;
  /** Offer TLS 1.3 PSK key exchange modes when resuming (default ['psk_dhe_ke']). */
  pskModes?: readonly ('psk_ke' | 'psk_dhe_ke')[];
  /**
   * When offering a TLS 1.2 session, send TLS 1.3's key_share with no entries (RFC 8446 §4.2.8:
   * "MAY be empty"), still offering TLS 1.3 (default true). The server that issued the session
   * most likely answers with TLS 1.2, which uses no share, so the ephemeral key generation is
   * skipped; a server that moved to TLS 1.3 asks for a share with a HelloRetryRequest (one more
   * round trip, then a full handshake, which a TLS 1.2 session would need anyway).
   * false: send the usual shares, as OpenSSL does.
   */
  emptyKeyShareWhenResumingTls12?: boolean;
  /**
   * When offering a TLS 1.3 PSK (a ticket or an external PSK) with `pskModes` psk_ke only, send
   * key_share with no entries (RFC 8446 §4.2.8: "MAY be empty"; default true): a psk_ke
   * resumption uses no share, so the ephemeral key generation is skipped. A server that refuses
   * the PSK (or psk_ke) asks for a share with a HelloRetryRequest: one more round trip before its
   * full handshake. false: send the usual shares, as OpenSSL does.
   */
  emptyKeyShareWithPskKeOnly?: boolean;
  /** Emit keyLog events with the NSS key log lines. Default false. */
  keyLog?: boolean;
  /**
   * Emit a `message` event for every handshake message, alert and ChangeCipherSpec sent or
   * received, as plaintext (what `openssl s_client -msg` prints). Default false.
   */
  traceMessages?: boolean;
  /**
   * TLS 1.2: send the session_ticket extension (RFC 5077), default true; false is OpenSSL's
   * `SSL_OP_NO_TICKET` (`-no_ticket`): the server then issues no ticket (session ID resumption only).
   */
  sessionTickets?: boolean;
  /**
   * Most intermediate certificates allowed between the leaf and the trust anchor (OpenSSL's
   * verify depth, `-verify N`). Default 6 (webpki's limit); at most 6.
   */
  verifyDepth?: number;
  /** The clock, in ms since the epoch (default Date.now). */
  now?: () => number;
  /**
   * The source of every random byte the engine uses (client random, session IDs, every key share
   * and the NIST scalar blinding): `(n) => n` cryptographically secure random bytes. Default:
   * `globalThis.crypto.getRandomValues`, looked up when first needed; hosts without Web Crypto
   * (QuickJS, sandboxes) must pass one. A seeded function makes the engine deterministic.
   */
  randomBytes?: (n: number) => Uint8Array;
}

/** A validated, frozen configuration. */
export interface ClientConfig {
  readonly minVersion: ProtocolVersion;
  readonly maxVersion: ProtocolVersion;
  readonly tls13Suites: readonly number[];
  readonly tls12Suites: readonly number[];
  readonly groups: readonly number[];
  /** The providers among `groups` (the groups the engine does not implement itself). */
  readonly keyExchanges: readonly KeyExchange[];
  readonly keyShareGroups: readonly number[];
  readonly signatureSchemes: readonly number[];
  readonly alpnProtocols: readonly string[];
  readonly trustStore: TrustStore | undefined;
  readonly verifyCertificates: boolean;
  readonly checkServerIdentity: ((hostname: string, leafDer: Uint8Array) => Error | undefined) | undefined;
  readonly verifyServerCertificate: ServerCertificateVerifier | undefined;
  readonly dangerouslyReplaceServerVerifier: ServerCertificateVerifier | undefined;
  readonly clientCredentials: readonly ClientCredential[];
  readonly selectClientCredential: ClientCredentialSelector | undefined;
  readonly middleboxCompatibility: boolean;
  readonly requireExtendedMasterSecret: boolean;
  readonly statusRequest: boolean;
  readonly ocspPolicy: 'ignore' | 'check' | 'require';
  readonly ocspStapleChecker: OcspStapleChecker | undefined;
  readonly signedCertificateTimestamps: boolean;
  readonly maxFragmentLength: number;
  readonly recordSizeLimit: number | undefined;
  readonly pskModes: readonly ('psk_ke' | 'psk_dhe_ke')[];
  readonly externalPsk: ExternalPsk | undefined;
  readonly postHandshakeAuth: boolean;
  readonly emptyKeyShareWhenResumingTls12: boolean;
  readonly emptyKeyShareWithPskKeOnly: boolean;
  readonly keyLog: boolean;
  readonly traceMessages: boolean;
  readonly sessionTickets: boolean;
  readonly verifyDepth: number | undefined;
  readonly now: () => number;
  readonly randomBytes: (n: number) => Uint8Array;
}

/** TLS 1.3 suites, ChaCha20 first: it is ~2.5x faster than AES-GCM in pure JS (docs/performance.md). */
export const DEFAULT_TLS13_SUITES: readonly number[] = [
  CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_AES_128_GCM_SHA256,
  CipherSuite.TLS_AES_256_GCM_SHA384,
];

/** TLS 1.2: ECDHE with AEAD only (RFC 7525 §4.2). */
export const DEFAULT_TLS12_SUITES: readonly number[] = [
  CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
];

/** Groups offered by default: every group the key exchange module implements, X25519 first. */
const DEFAULT_GROUPS: readonly number[] = SUPPORTED_KEY_EXCHANGE_GROUPS;

/**
 * Schemes offered by default: every scheme the signature module verifies, in its order
 * (PKCS#1 v1.5 is dropped from TLS 1.3-only offers, RFC 8446 §4.2.3).
 */
const DEFAULT_SIGNATURE_SCHEMES: readonly number[] = SUPPORTED_SIGNATURE_SCHEMES;

const SUPPORTED_TLS13 = new Set(DEFAULT_TLS13_SUITES);
const SUPPORTED_TLS12 = new Set(DEFAULT_TLS12_SUITES);
const SUPPORTED_GROUPS = new Set(ALL_KEY_EXCHANGE_GROUPS);
const SUPPORTED_SCHEMES = new Set(DEFAULT_SIGNATURE_SCHEMES);
const VERSIONS: Record<VersionName, ProtocolVersion> = { 'TLSv1.2': ProtocolVersion.TLSv1_2, 'TLSv1.3': ProtocolVersion.TLSv1_3 };

/**
 * Validate options and build a frozen config.
 * @throws UsageError for unsupported versions, suites, groups or schemes, or an empty effective list
 * @example const config = createClientConfig({ trustStore: TrustStore.fromPem(pem), alpnProtocols: ['h2'] });
 */
export function createClientConfig(options: ClientConfigOptions = {}): ClientConfig {
  const minVersion = versionOf(options.minVersion ?? 'TLSv1.2', 'minVersion');
  const maxVersion = versionOf(options.maxVersion ?? 'TLSv1.3', 'maxVersion');
  if (minVersion > maxVersion) throw new UsageError('minVersion is above maxVersion');
  const suites = options.cipherSuites ?? [...DEFAULT_TLS13_SUITES, ...DEFAULT_TLS12_SUITES];
  for (const s of suites)
    if (!SUPPORTED_TLS13.has(s) && !SUPPORTED_TLS12.has(s)) throw new UsageError(`unsupported cipher suite 0x${s.toString(16)}`);
  const tls13Suites = maxVersion >= ProtocolVersion.TLSv1_3 ? suites.filter((s) => SUPPORTED_TLS13.has(s)) : [];
  const tls12Suites = minVersion <= ProtocolVersion.TLSv1_2 ? suites.filter((s) => SUPPORTED_TLS12.has(s)) : [];
  if (tls13Suites.length === 0 && tls12Suites.length === 0) throw new UsageError('no cipher suite left for the enabled versions');
  const keyExchanges: KeyExchange[] = [];
  const groups = unique((options.groups ?? DEFAULT_GROUPS).map((g) => (typeof g === 'number' ? g : keyExchangeOf(g, keyExchanges))));
  for (const g of groups)
    if (!SUPPORTED_GROUPS.has(g) && !keyExchanges.some((k) => k.group === g))
      throw new UsageError(
        g === 0x11ec
          ? 'X25519MLKEM768 is a provider: import { x25519MLKEM768 } from "@puretls/tls-core/pq" and put it in groups'
          : `unsupported group 0x${g.toString(16)}`,
      );
  if (groups.length === 0) throw new UsageError('groups must not be empty');
  if (tls13Suites.length === 0 && !groups.some(isTls12Group)) throw new UsageError('TLS 1.2 needs an ECDHE group (X25519MLKEM768 is TLS 1.3 only)');
  const keyShareGroups = unique(options.keyShareGroups ?? [groups[0]!]);
  for (const g of keyShareGroups) if (!groups.includes(g)) throw new UsageError('keyShareGroups must be a subset of groups');
  const signatureSchemes = unique(options.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES);
  for (const s of signatureSchemes) if (!SUPPORTED_SCHEMES.has(s)) throw new UsageError(`unsupported signature scheme 0x${s.toString(16)}`);
  const alpnProtocols = [...(options.alpnProtocols ?? [])];
  for (const p of alpnProtocols) if (p.length === 0 || p.length > 255) throw new UsageError('ALPN names must be 1..255 bytes');
  const verifyCertificates = options.verifyCertificates ?? true;
  if (verifyCertificates && options.trustStore === undefined && options.checkServerIdentity === undefined && options.dangerouslyReplaceServerVerifier === undefined)
    throw new UsageError('a trustStore is required when verifyCertificates is on');
  const maxFragmentLength = options.maxFragmentLength ?? 16384;
  if (!Number.isInteger(maxFragmentLength) || maxFragmentLength < 64 || maxFragmentLength > 16384)
    throw new UsageError('maxFragmentLength must be an integer in 64..16384');
  const recordSizeLimit = options.recordSizeLimit;
  if (recordSizeLimit !== undefined && (!Number.isInteger(recordSizeLimit) || recordSizeLimit < 64 || recordSizeLimit > 16385))
    throw new UsageError('recordSizeLimit must be an integer in 64..16385 (RFC 8449 §4)');
  const verifyDepth = options.verifyDepth;
  if (verifyDepth !== undefined && (!Number.isInteger(verifyDepth) || verifyDepth < 0)) throw new UsageError('verifyDepth must be a non-negative integer');
  const pskModes = unique<'psk_ke' | 'psk_dhe_ke'>(options.pskModes ?? ['psk_dhe_ke']);
  if (pskModes.length === 0) throw new UsageError('pskModes must not be empty');
  const externalPsk = externalPskOf(options.externalPsk, tls13Suites);
  const statusRequest = (options.statusRequest ?? false) || options.ocspPolicy === 'require';
  const ocspPolicy = options.ocspPolicy ?? 'check';
  // Never accept a staple nobody can check: asking for one needs the checker (or 'ignore').
  if (statusRequest && ocspPolicy !== 'ignore' && options.ocspStapleChecker === undefined)
    throw new UsageError('a staple needs import { ocspStapleChecker } from "@puretls/tls-core/ocsp" (or ocspPolicy \'ignore\')');
  return Object.freeze({
    minVersion,
    maxVersion,
    tls13Suites: Object.freeze(tls13Suites),
    tls12Suites: Object.freeze(tls12Suites),
    groups: Object.freeze(groups),
    keyExchanges: Object.freeze(keyExchanges),
    keyShareGroups: Object.freeze(keyShareGroups),
    signatureSchemes: Object.freeze(signatureSchemes),
    alpnProtocols: Object.freeze(alpnProtocols),
    trustStore: options.trustStore,
    verifyCertificates,
    checkServerIdentity: options.checkServerIdentity,
    verifyServerCertificate: options.verifyServerCertificate,
    dangerouslyReplaceServerVerifier: options.dangerouslyReplaceServerVerifier,
    clientCredentials: Object.freeze([...(options.clientCredentials ?? [])]),
    selectClientCredential: options.selectClientCredential,
    middleboxCompatibility: options.middleboxCompatibility ?? true,
    requireExtendedMasterSecret: options.requireExtendedMasterSecret ?? false,
    statusRequest,
    ocspPolicy,
    ocspStapleChecker: options.ocspStapleChecker,
    signedCertificateTimestamps: options.signedCertificateTimestamps === true,
    maxFragmentLength,
    recordSizeLimit,
    pskModes: Object.freeze(pskModes),
    externalPsk,
    postHandshakeAuth: options.postHandshakeAuth ?? false,
    emptyKeyShareWhenResumingTls12: options.emptyKeyShareWhenResumingTls12 ?? true,
    emptyKeyShareWithPskKeOnly: options.emptyKeyShareWithPskKeOnly ?? true,
    keyLog: options.keyLog ?? false,
    traceMessages: options.traceMessages ?? false,
    sessionTickets: options.sessionTickets ?? true,
    verifyDepth,
    now: options.now ?? Date.now,
    randomBytes: options.randomBytes === undefined ? defaultRandomBytes : checkedRandomBytes(options.randomBytes),
  });
}

/** Record a provider from `groups` (one per group) and return its code point. */
function keyExchangeOf(provider: KeyExchange, into: KeyExchange[]): number {
  if (typeof provider !== 'object' || provider === null || typeof provider.generate !== 'function' || !Number.isInteger(provider.group) || provider.group < 0 || provider.group > 0xffff)
    throw new UsageError('groups: each entry is a code point or a KeyExchange provider');
  if (SUPPORTED_GROUPS.has(provider.group)) throw new UsageError(`groups: 0x${provider.group.toString(16)} is built in; list its code point`);
  if (!into.some((k) => k.group === provider.group)) into.push(provider);
  return provider.group;
}

/** A validated external PSK: identity bytes, a copy of the key, and the first enabled TLS 1.3 suite with its hash. */
export interface ExternalPsk {
  readonly identity: Uint8Array;
  readonly key: Uint8Array;
  /** The TLS 1.3 suite whose hash the PSK is bound to (the binder is computed with it, RFC 8446 §4.2.11.2). */
  readonly suite: number;
}

function externalPskOf(option: ClientConfigOptions['externalPsk'], tls13Suites: readonly number[]): ExternalPsk | undefined {
  if (option === undefined) return undefined;
  const identity = typeof option.identity === 'string' ? utf8(option.identity) : option.identity.slice();
  if (identity.length === 0 || identity.length > 0xffff) throw new UsageError('externalPsk.identity must be 1..65535 bytes');
  if (!(option.key instanceof Uint8Array) || option.key.length === 0) throw new UsageError('externalPsk.key must be non-empty bytes');
  const hash = option.hash ?? 'sha256';
  const suite = tls13Suites.find((s) => tls13SuiteById(s)?.hash.name === hash);
  if (suite === undefined) throw new UsageError(`externalPsk: no enabled TLS 1.3 suite uses ${hash}`);
  return Object.freeze({ identity, key: option.key.slice(), suite });
}

/** A caller's randomness source, held to its contract: a Uint8Array of exactly the length asked for. */
function checkedRandomBytes(source: RandomBytes): RandomBytes {
  if (typeof source !== 'function') throw new UsageError('randomBytes must be a function (n) => Uint8Array');
  return (n) => {
    const bytes: unknown = source(n);
    if (!(bytes instanceof Uint8Array) || bytes.length !== n) throw new UsageError(`randomBytes(${n}) must return a Uint8Array of ${n} bytes`);
    return bytes;
  };
}

function versionOf(name: string, what: string): ProtocolVersion {
  const v = VERSIONS[name as VersionName];
  if (v === undefined) throw new UsageError(`${what} must be TLSv1.2 or TLSv1.3, got ${name}`);
  return v;
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}
