/**
 * Server authentication for the handshake: chain and host name validation through
 * x509/path-validation.ts (RFC 5280 §6, RFC 9525), the caller's opt-out (`verifyCertificates:
 * false`, Node's `rejectUnauthorized: false`) and custom identity check (Node's
 * `checkServerIdentity`), and the signed-content construction of RFC 8446 §4.4.3.
 * @module
 */
import { CertificateRejected, InvalidCertificate, TlsError } from '../errors.ts';
import { AlertDescription } from '../wire/enums.ts';
import type { PublicKey } from '../crypto/keys.ts';
import { signatureAlgorithmForScheme, verifySignature, isSchemeCompatibleWithKey, isTls13CertificateVerifyScheme } from '../crypto/signature.ts';
import { parseCertificate, type Certificate } from '../x509/certificate.ts';
import { DEFAULT_PATH_LIMITS, verifyServerCertificateChain, type VerifiedPath } from '../x509/path-validation.ts';
import { cachedParseCertificate, reusableEndEntityKey } from '../x509/verification-cache.ts';
import { PeerMisbehaved } from '../errors.ts';
import { concatBytes, utf8 } from '../codec/bytes.ts';
import type { ClientConfig, ServerCertificateInfo, ServerCertificateVerifier } from './config.ts';

export type { ServerCertificateInfo, ServerCertificateVerifier } from './config.ts';

/** The outcome of authenticating the server's chain. */
export interface ServerAuthentication {
  /** The key that must sign CertificateVerify / ServerKeyExchange. */
  readonly leafKey: PublicKey;
  /** When verification was disabled and failed, why (Node's authorizationError); otherwise undefined. */
  readonly error: Error | undefined;
  /** The leaf and its issuer (from the verified path, else the second certificate sent), for OCSP. */
  readonly leaf: Certificate;
  readonly issuer: Certificate | undefined;
}

/**
 * Apply the config's OCSP policy to a staple (or its absence) for an authenticated chain.
 * @returns the status seen ('none' without a staple) and the authentication as the handshake
 *   keeps it: with verification off, an OCSP failure becomes its `error` unless the chain
 *   already failed
 * @throws InvalidCertificate Revoked / BadOcspResponse / OcspResponseRequired when verification is on
 */
export function applyOcspPolicy(config: ClientConfig, auth: ServerAuthentication, staple: Uint8Array | undefined): { status: OcspStatus; auth: ServerAuthentication } {
  if (config.ocspPolicy === 'ignore') return { status: staple === undefined ? 'none' : 'unchecked', auth };
  let failure: InvalidCertificate | undefined;
  let status: OcspStatus = 'none';
  if (staple === undefined) {
    if (config.ocspPolicy === 'require') failure = new InvalidCertificate('OcspResponseRequired');
  } else if (auth.issuer === undefined || config.ocspStapleChecker === undefined) {
    // createClientConfig refuses a staple request without a checker; an unchecked staple is never accepted.
    status = 'invalid';
    failure = new InvalidCertificate('BadOcspResponse', auth.issuer === undefined ? 'no issuer certificate to check it against' : 'no ocspStapleChecker configured');
  } else {
    const result = config.ocspStapleChecker(staple, auth.leaf, auth.issuer, config.now());
    status = result.status;
    if (result.status === 'revoked') failure = new InvalidCertificate('Revoked', `OCSP: revoked at ${new Date(result.revokedAt).toISOString()}`);
    if (result.status === 'invalid') failure = new InvalidCertificate('BadOcspResponse', result.reason);
  }
  if (failure !== undefined && config.verifyCertificates) throw failure;
  return { status, auth: auth.error === undefined && failure !== undefined ? { ...auth, error: failure } : auth };
}

/** The outcome of the OCSP check, as the API reports it. */
export type OcspStatus = 'good' | 'revoked' | 'unknown' | 'invalid' | 'none' | 'unchecked';

/**
 * Validate `chain` (DER, leaf first) for `hostname` under the config's policy: the built-in chain
 * and name validation (or, instead of it, `dangerouslyReplaceServerVerifier`), then
 * `verifyServerCertificate` when given. With `verifyCertificates: false` (Node's
 * `rejectUnauthorized: false`) a refusal is recorded, not thrown.
 * @throws InvalidCertificate / CertificateRejected when verification is on and fails, or when the leaf cannot be parsed at all
 */
export function authenticateServer(config: ClientConfig, hostname: string | undefined, chain: readonly Uint8Array[]): ServerAuthentication {
  if (chain.length === 0) throw new InvalidCertificate('EmptyChain');
  let error: Error | undefined;
  let verifiedLeaf: Certificate | undefined;
  let issuer: Certificate | undefined;
  try {
    const replace = config.dangerouslyReplaceServerVerifier;
    if (replace !== undefined) {
      verifiedLeaf = parseCertificate(chain[0]!);
      runVerifier(replace, { chain, hostname, leafSpki: verifiedLeaf.subjectPublicKeyInfo, now: config.now() });
    } else {
      const path = builtInVerification(config, hostname, chain);
      verifiedLeaf = path.leaf;
      issuer = path.path[1];
    }
    const extend = config.verifyServerCertificate;
    if (extend !== undefined) runVerifier(extend, { chain, hostname, leafSpki: verifiedLeaf.subjectPublicKeyInfo, now: config.now() });
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    if (e instanceof InvalidCertificate) e.peerCertificates ??= chain;
    if (config.verifyCertificates) throw e;
    error = e;
    const extend = config.verifyServerCertificate;
    // Node's rejectUnauthorized: false records the first refusal; an extending verifier still
    // runs on a chain the built-in check refused, and its refusal is what is recorded then.
    if (extend !== undefined && verifiedLeaf === undefined) {
      try {
        const leaf = parseCertificate(chain[0]!);
        runVerifier(extend, { chain, hostname, leafSpki: leaf.subjectPublicKeyInfo, now: config.now() });
      } catch (e2) {
        if (e2 instanceof TlsError) error = e2;
      }
    }
  }
  // Even unverified, the leaf must parse: its key authenticates the handshake itself. A verified
  // chain already parsed it (chain[0]), so it is not parsed twice.
  const leaf = verifiedLeaf ?? cachedParseCertificate(chain[0]!);
  if (issuer === undefined && chain.length > 1) {
    try {
      issuer = cachedParseCertificate(chain[1]!);
    } catch {
      issuer = undefined;
    }
  }
  // The leaf's keyUsage governs what its key may sign, whether or not the chain was trusted
  // (RFC 5280 §4.2.1.3): every key exchange puretls negotiates is signed.
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.digitalSignature) throw new InvalidCertificate('WrongKeyUsage', 'keyUsage lacks digitalSignature');
  return { leafKey: reusableEndEntityKey(leaf.subjectPublicKeyInfo, leaf.publicKey), error, leaf, issuer };
}

/** The built-in path validation and host name check (RFC 5280 §6, RFC 9525), or the caller's checkServerIdentity. */
function builtInVerification(config: ClientConfig, hostname: string | undefined, chain: readonly Uint8Array[]): VerifiedPath {
  if (config.trustStore === undefined) throw new InvalidCertificate('UnknownIssuer', 'no trust anchors configured');
  const custom = config.checkServerIdentity;
  const verified = verifyServerCertificateChain({
    chain,
    trust: config.trustStore,
    hostname: custom === undefined ? hostname : undefined,
    now: config.now(),
    limits: config.verifyDepth === undefined ? undefined : { maxIntermediates: Math.min(config.verifyDepth, DEFAULT_PATH_LIMITS.maxIntermediates) },
  });
  if (custom !== undefined && hostname !== undefined) {
    const refusal = custom(hostname, chain[0]!);
    if (refusal !== undefined) throw new InvalidCertificate('NotValidForName', refusal.message, refusal);
  }
  return verified;
}

/** Call a verifier; anything it throws that is not a TlsError becomes bad_certificate. */
function runVerifier(verifier: ServerCertificateVerifier, info: ServerCertificateInfo): void {
  try {
    verifier(info);
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw new CertificateRejected(AlertDescription.BadCertificate, e instanceof Error ? e.message : String(e));
  }
}

/**
 * Verify a TLS 1.3 server CertificateVerify (RFC 8446 §4.4.3).
 * @throws PeerMisbehaved 'SelectedUnofferedSignatureScheme' (illegal_parameter) or 'BadCertificateVerify' (decrypt_error)
 */
export function verifyTls13CertificateVerify(
  offeredSchemes: readonly number[],
  key: PublicKey,
  scheme: number,
  signature: Uint8Array,
  transcriptHash: Uint8Array,
): void {
  if (!offeredSchemes.includes(scheme) || !isTls13CertificateVerifyScheme(scheme))
    throw new PeerMisbehaved('SelectedUnofferedSignatureScheme', `0x${scheme.toString(16)}`);
  const alg = signatureAlgorithmForScheme(scheme);
  if (alg === undefined || !isSchemeCompatibleWithKey(scheme, key))
    throw new PeerMisbehaved('SelectedUnofferedSignatureScheme', 'scheme does not match the certificate key');
  const content = concatBytes(SERVER_CV_PREFIX, transcriptHash);
  if (!verifySignature(alg, key, content, signature)) throw new PeerMisbehaved('BadCertificateVerify');
}

// RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, then the transcript hash.
const SERVER_CV_PREFIX = /* @__PURE__ */ concatBytes(new Uint8Array(64).fill(0x20), utf8('TLS 1.3, server CertificateVerify'), new Uint8Array(1));
