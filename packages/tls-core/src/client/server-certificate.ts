/**
 * Server authentication for the handshake: chain and host name validation through
 * x509/path-validation.ts (RFC 5280 §6, RFC 9525), the caller's opt-out (`verifyCertificates:
 * false`, Node's `rejectUnauthorized: false`) and custom identity check (Node's
 * `checkServerIdentity`), and the signed-content construction of RFC 8446 §4.4.3.
 * @module
 */
import { InvalidCertificate, TlsError } from '../errors.ts';
import type { PublicKey } from '../crypto/keys.ts';
import { signatureAlgorithmForScheme, verifySignature, isSchemeCompatibleWithKey, isTls13CertificateVerifyScheme } from '../crypto/signature.ts';
import { parseCertificate, type Certificate } from '../x509/certificate.ts';
import { verifyServerCertificateChain } from '../x509/path-validation.ts';
import { reusableEndEntityKey } from '../x509/verification-cache.ts';
import { PeerMisbehaved } from '../errors.ts';
import { concatBytes, utf8 } from '../codec/bytes.ts';
import type { ClientConfig } from './config.ts';

/** The outcome of authenticating the server's chain. */
export interface ServerAuthentication {
  /** The key that must sign CertificateVerify / ServerKeyExchange. */
  readonly leafKey: PublicKey;
  /** When verification was disabled and failed, why (Node's authorizationError); otherwise undefined. */
  readonly error: Error | undefined;
}

/**
 * Validate `chain` (DER, leaf first) for `hostname` under the config's policy.
 * @throws InvalidCertificate when verification is on and fails, or when the leaf cannot be parsed at all
 */
export function authenticateServer(config: ClientConfig, hostname: string | undefined, chain: readonly Uint8Array[]): ServerAuthentication {
  if (chain.length === 0) throw new InvalidCertificate('EmptyChain');
  let error: Error | undefined;
  let verifiedLeaf: Certificate | undefined;
  try {
    if (config.trustStore === undefined) throw new InvalidCertificate('UnknownIssuer', 'no trust anchors configured');
    const custom = config.checkServerIdentity;
    const verified = verifyServerCertificateChain({
      chain,
      trust: config.trustStore,
      hostname: custom === undefined ? hostname : undefined,
      now: config.now(),
    });
    if (custom !== undefined && hostname !== undefined) {
      const refusal = custom(hostname, chain[0]!);
      if (refusal !== undefined) throw new InvalidCertificate('NotValidForName', refusal.message, refusal);
    }
    verifiedLeaf = verified.leaf;
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    if (e instanceof InvalidCertificate) e.peerCertificates ??= chain;
    if (config.verifyCertificates) throw e;
    error = e;
  }
  // Even unverified, the leaf must parse: its key authenticates the handshake itself. A verified
  // chain already parsed it (chain[0]), so it is not parsed twice.
  const leaf = verifiedLeaf ?? parseCertificate(chain[0]!);
  // The leaf's keyUsage governs what its key may sign, whether or not the chain was trusted
  // (RFC 5280 §4.2.1.3): every key exchange puretls negotiates is signed.
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.digitalSignature) throw new InvalidCertificate('WrongKeyUsage', 'keyUsage lacks digitalSignature');
  return { leafKey: reusableEndEntityKey(leaf.subjectPublicKeyInfo, leaf.publicKey), error };
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
