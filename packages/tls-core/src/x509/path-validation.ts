/**
 * Server certificate path building and validation (RFC 5280 §6.1, RFC 4158 path building) plus host
 * name verification (RFC 9525): a pure function of (presented chain, trust anchors, host name, time).
 *
 * Path building starts at the leaf and searches, depth first with backtracking, through the presented
 * intermediates (in any order, duplicates and unrelated extras tolerated) and the trust anchors.
 * Anchors are tried before intermediates (shortest path first), candidates are matched by exact subject
 * DER and, when both sides carry one, by authorityKeyIdentifier = subjectKeyIdentifier. The work is
 * bounded by a signature-check budget and a maximum number of intermediates.
 *
 * Checked on every certificate of a path except the anchor: validity at `now`, no unknown critical
 * extension, a signature algorithm that is supported and not weak (SHA-1, MD5 refused), issuer RSA keys
 * of at least 2048 bits. On each issuer: basicConstraints cA, keyCertSign when keyUsage is present,
 * pathLenConstraint, extKeyUsage (when present) containing serverAuth or anyExtendedKeyUsage. On the leaf:
 * not a CA, extKeyUsage (when present) containing serverAuth, keyUsage (when present) containing
 * digitalSignature, the host name. Name constraints of every CA, anchor included, are applied to the
 * subjectAltNames below it. The anchor contributes its name, key, pathLenConstraint and name
 * constraints only: its validity, signature and usage bits are not checked (RFC 5280 §6.1.1 (d)).
 *
 * Error choice when no path works, in this order: problems of the leaf alone (encoding, unsupported or
 * weak key or algorithm, unknown critical extension), its validity period, the host name, its key usage;
 * then, over all candidate paths, the most specific issuer problem (expired intermediate, CA flag,
 * path length, name constraints, ...) before BadSignature (a signature that fails although the key
 * identifiers match) before UnknownIssuer. A self-signed leaf that claims to be a CA is reported as
 * UnknownIssuer, as browsers do, unless it is byte-identical to a trust anchor: a leaf that is itself
 * a configured anchor is trusted directly (validity, host name and leaf usage still checked), as
 * OpenSSL, Go and Node accept the self-signed development certificate given as `ca`. See docs/x509.md.
 * @module
 */
import { equalBytes } from '../codec/bytes.ts';
import { X509_LIMITS } from '../limits.ts';
import type { PublicKey } from '../crypto/keys.ts';
import { verifySignature } from '../crypto/signature.ts';
import { InvalidCertificate, type CertificateErrorReason } from '../errors.ts';
import { MIN_RSA_BITS, keyFitsAlgorithm } from './algorithms.ts';
import { EKU, type Certificate } from './certificate.ts';
import { verifyHostname } from './hostname.ts';
import { checkPathNameConstraints, isSelfIssued } from './name-constraints.ts';
import { bytesKey, type TrustStore } from './trust-store.ts';
import { anchorKeyForVerify, cachedParseCertificate, cachedSignatureCheck } from './verification-cache.ts';

/** Inputs of {@link verifyServerCertificateChain}. */
export interface VerifyServerCertificateOptions {
  /** DER certificates as the server sent them: leaf first, then anything (RFC 8446 §4.4.2 allows any order). */
  readonly chain: readonly Uint8Array[];
  /** Trust anchors, parsed once and shared. */
  readonly trust: TrustStore;
  /** The name the client connects to (DNS A-labels, IPv4, or IPv6 text). Omit only to skip name checks. */
  readonly hostname?: string | undefined;
  /** The time to validate at (Date or milliseconds since the epoch). */
  readonly now: Date | number;
  /** Work limits; the defaults suit the Web PKI. */
  readonly limits?: Partial<PathLimits> | undefined;
}

/** Bounds on path building. */
export interface PathLimits {
  /** Most intermediates in a path (between leaf and anchor). Default 6, as webpki. */
  readonly maxIntermediates: number;
  /** Most signature verifications in one call, across all attempted paths. Default 100. */
  readonly maxSignatureChecks: number;
  /** Most certificates accepted in the presented chain. Default 32. */
  readonly maxPresented: number;
}

/** A validated path. */
export interface VerifiedPath {
  /** The end-entity certificate. */
  readonly leaf: Certificate;
  /** The leaf's key, for CertificateVerify / ServerKeyExchange. */
  readonly publicKey: PublicKey;
  /** Leaf, intermediates, trust anchor. */
  readonly path: readonly Certificate[];
}

/** The defaults, from limits.ts. */
export const DEFAULT_PATH_LIMITS: PathLimits = {
  maxIntermediates: X509_LIMITS.maxIntermediates,
  maxSignatureChecks: X509_LIMITS.maxSignatureChecks,
  maxPresented: X509_LIMITS.maxPresented,
};

/** Largest RSA modulus verified (bounds the cost of one signature check; limits.ts). */
export const MAX_RSA_BITS = X509_LIMITS.maxRsaBits;

/**
 * Validate a server's certificate chain and (when given) its host name.
 * @returns the path found and the leaf's public key
 * @throws {InvalidCertificate} with the most relevant reason when no valid path exists
 * @example
 * const trust = TrustStore.fromPem(rootsPem);          // once
 * const { leaf, publicKey } = verifyServerCertificateChain({ chain, trust, hostname: 'example.com', now: Date.now() });
 */
export function verifyServerCertificateChain(options: VerifyServerCertificateOptions): VerifiedPath {
  const limits: PathLimits = { ...DEFAULT_PATH_LIMITS, ...options.limits };
  const now = typeof options.now === 'number' ? options.now : options.now.getTime();
  if (options.chain.length === 0) throw new InvalidCertificate('EmptyChain');
  if (options.chain.length > limits.maxPresented) throw new InvalidCertificate('ChainTooLong', `${options.chain.length} certificates presented`);

  const leaf = cachedParseCertificate(options.chain[0]!);
  checkIntrinsic(leaf, 'end-entity');
  checkValidity(leaf, now);
  if (options.hostname !== undefined) verifyHostname(leaf, options.hostname);
  checkLeafUsage(leaf);
  // A leaf byte-identical to a configured anchor is trusted directly, as OpenSSL (so Node) and Go's
  // Certificate.Verify (`opts.Roots.contains(c)`) do: this is the `openssl req -x509` development
  // certificate given as `ca`, which carries CA:TRUE. Its validity, host name and usage were checked above.
  if (options.trust.contains(leaf)) return { leaf, publicKey: leaf.publicKey, path: [leaf] };

  const intermediates: Certificate[] = [];
  for (const der of options.chain.slice(1)) {
    try {
      const cert = cachedParseCertificate(der);
      // Duplicates dropped (at most maxPresented certificates: comparing bytes is cheaper than keying them).
      if (![leaf, ...intermediates].some((c) => equalBytes(c.der, cert.der))) intermediates.push(cert);
    } catch (e) {
      // An unparsable extra certificate cannot be part of any path: ignore it, as browsers do.
      if (!(e instanceof InvalidCertificate)) throw e;
    }
  }

  const builder = new PathBuilder(options.trust, intermediates, now, limits);
  const path = builder.build(leaf);
  if (path === undefined) throw builder.bestError();
  // RFC 5280 §4.2.1.9 / CA/B BR: a CA certificate must not be used as a server's end-entity certificate.
  if (leaf.basicConstraints?.ca === true) throw new InvalidCertificate('CaUsedAsEndEntity', leaf.subject.text);
  return { leaf, publicKey: leaf.publicKey, path };
}

/** Depth-first path search with a shared work budget and the best failure seen so far. */
class PathBuilder {
  readonly #trust: TrustStore;
  readonly #bySubject = new Map<string, Certificate[]>();
  readonly #now: number;
  readonly #limits: PathLimits;
  #signatureChecks = 0;
  /** The most relevant failure so far; none until a path fails (an error is made only when one is needed). */
  #best: { rank: number; error: InvalidCertificate | undefined } = { rank: -1, error: undefined };

  constructor(trust: TrustStore, intermediates: readonly Certificate[], now: number, limits: PathLimits) {
    this.#trust = trust;
    this.#now = now;
    this.#limits = limits;
    for (const c of intermediates) {
      const k = bytesKey(c.subject.der);
      const list = this.#bySubject.get(k);
      if (list === undefined) this.#bySubject.set(k, [c]);
      else list.push(c);
    }
  }

  build(leaf: Certificate): Certificate[] | undefined {
    try {
      return this.#extend([leaf]);
    } catch (e) {
      if (e instanceof BudgetExhausted) {
        this.#record(new InvalidCertificate('ChainTooLong', 'path building work limit reached'));
        return undefined;
      }
      throw e;
    }
  }

  bestError(): InvalidCertificate {
    return this.#best.error ?? new InvalidCertificate('UnknownIssuer');
  }

  /** Try to complete `path` (leaf first; last element is the certificate whose issuer we look for). */
  #extend(path: Certificate[]): Certificate[] | undefined {
    const child = path[path.length - 1]!;
    const alg = child.signatureAlgorithm;
    if (alg.kind !== 'supported') {
      this.#record(new InvalidCertificate(alg.kind === 'weak' ? 'WeakSignatureAlgorithm' : 'UnsupportedSignatureAlgorithm', `${alg.name} on ${child.subject.text}`));
      return undefined;
    }
    const anchors = this.#trust.bySubject(child.issuer.der);
    const presented = this.#bySubject.get(bytesKey(child.issuer.der)) ?? [];
    if (anchors.length + presented.length === 0) {
      this.#record(new InvalidCertificate('UnknownIssuer', `no issuer named ${child.issuer.text || '(empty)'}`));
      return undefined;
    }
    for (const [candidates, isAnchor] of [[anchors, true], [presented, false]] as const) {
      for (const issuer of candidates) {
        if (!keyIdsMayMatch(child, issuer) || inPath(path, issuer)) continue;
        const problem = this.#issuerProblem(issuer, path, isAnchor);
        if (problem !== undefined) {
          this.#record(problem);
          continue;
        }
        if (!this.#signatureValid(child, issuer, isAnchor)) {
          const identified = child.authorityKeyIdentifier !== undefined && issuer.subjectKeyIdentifier !== undefined;
          this.#record(new InvalidCertificate(identified ? 'BadSignature' : 'UnknownIssuer', `signature of ${child.subject.text} by ${issuer.subject.text}`));
          continue;
        }
        const next = [...path, issuer];
        if (isAnchor) {
          try {
            checkPathNameConstraints(next);
            return next;
          } catch (e) {
            if (!(e instanceof InvalidCertificate)) throw e;
            this.#record(e);
            continue;
          }
        }
        const found = this.#extend(next);
        if (found !== undefined) return found;
      }
    }
    if (this.#best.rank < 0) this.#record(new InvalidCertificate('UnknownIssuer', `no valid issuer for ${child.subject.text}`));
    return undefined;
  }

  /** Why `issuer` cannot sign for the top of `path`, or undefined. */
  #issuerProblem(issuer: Certificate, path: readonly Certificate[], isAnchor: boolean): InvalidCertificate | undefined {
    const who = issuer.subject.text;
    // Intermediates below this issuer, not counting self-issued ones (RFC 5280 §6.1.4 (l)).
    let below = 0;
    for (let i = 1; i < path.length; i++) if (!isSelfIssued(path[i]!)) below++;
    const pathLength = issuer.basicConstraints?.pathLength;
    if (pathLength !== undefined && below > pathLength) {
      return new InvalidCertificate('PathLengthExceeded', `${who} allows ${pathLength} intermediate(s) below it, path has ${below}`);
    }
    const keyProblem = keyStrengthProblem(issuer.publicKey, who);
    if (keyProblem !== undefined) return keyProblem;
    if (isAnchor) return undefined;
    if (path.length > this.#limits.maxIntermediates) return new InvalidCertificate('ChainTooLong', `more than ${this.#limits.maxIntermediates} intermediates`);
    if (issuer.unhandledCriticalExtensions.length > 0) {
      return new InvalidCertificate('UnknownCriticalExtension', `${issuer.unhandledCriticalExtensions.join(', ')} in ${who}`);
    }
    // RFC 5280 §6.1.4 (k): an issuer must be a CA by basicConstraints (v1/v2 intermediates are refused).
    if (issuer.basicConstraints?.ca !== true) return new InvalidCertificate('EndEntityUsedAsCa', who);
    // RFC 5280 §6.1.4 (n): keyCertSign when keyUsage is present.
    if (issuer.keyUsage !== undefined && !issuer.keyUsage.keyCertSign) return new InvalidCertificate('WrongKeyUsage', `${who} lacks keyCertSign`);
    // EKU chaining (CA/B BR §7.1.2.2, Mozilla and Chrome policy): a CA's EKU bounds its leaves.
    const eku = issuer.extendedKeyUsage;
    if (eku !== undefined && !eku.includes(EKU.serverAuth) && !eku.includes(EKU.any)) {
      return new InvalidCertificate('WrongKeyUsage', `${who} is not allowed to issue serverAuth certificates`);
    }
    try {
      checkValidity(issuer, this.#now);
    } catch (e) {
      if (e instanceof InvalidCertificate) return e;
      throw e;
    }
    return undefined;
  }

  #signatureValid(child: Certificate, issuer: Certificate, isAnchor: boolean): boolean {
    const alg = child.signatureAlgorithm;
    if (alg.kind !== 'supported' || !keyFitsAlgorithm(issuer.publicKey, alg.algorithm)) return false;
    if (++this.#signatureChecks > this.#limits.maxSignatureChecks) throw new BudgetExhausted();
    // Anchors live as long as the store: their EC tables are built once they have verified often
    // enough to pay the build back (verification-cache.ts). A presented intermediate's key verifies
    // one child, whose positive answer is remembered, so preparing it would only cost time.
    return cachedSignatureCheck(issuer.subjectPublicKeyInfo, child.der, () =>
      verifySignature(alg.algorithm, isAnchor ? anchorKeyForVerify(issuer.publicKey) : issuer.publicKey, child.tbs, child.signature),
    );
  }

  #record(error: InvalidCertificate): void {
    const rank = RANK[error.reason] ?? 2;
    if (rank > this.#best.rank) this.#best = { rank, error };
  }
}

class BudgetExhausted extends Error {}

/** Checks on a certificate alone: unknown critical extensions, weak or unsupported algorithm and key. */
function checkIntrinsic(cert: Certificate, role: string): void {
  if (cert.unhandledCriticalExtensions.length > 0) {
    throw new InvalidCertificate('UnknownCriticalExtension', `${cert.unhandledCriticalExtensions.join(', ')} in ${role} ${cert.subject.text}`);
  }
  const alg = cert.signatureAlgorithm;
  if (alg.kind === 'weak') throw new InvalidCertificate('WeakSignatureAlgorithm', `${alg.name} on ${role} ${cert.subject.text}`);
  if (alg.kind === 'unsupported') throw new InvalidCertificate('UnsupportedSignatureAlgorithm', `${alg.name} on ${role} ${cert.subject.text}`);
  const keyProblem = keyStrengthProblem(cert.publicKey, `${role} ${cert.subject.text}`);
  if (keyProblem !== undefined) throw keyProblem;
}

function keyStrengthProblem(key: PublicKey, who: string): InvalidCertificate | undefined {
  if (key.kind !== 'rsa') return undefined;
  if (key.bits < MIN_RSA_BITS) return new InvalidCertificate('WeakKey', `${key.bits}-bit RSA key of ${who}`);
  if (key.bits > MAX_RSA_BITS) return new InvalidCertificate('UnsupportedPublicKey', `${key.bits}-bit RSA key of ${who}`);
  return undefined;
}

/** RFC 5280 §4.1.2.5: valid from notBefore through notAfter, inclusive. */
function checkValidity(cert: Certificate, now: number): void {
  if (now < cert.notBefore) throw new InvalidCertificate('NotYetValid', `${cert.subject.text} is valid from ${new Date(cert.notBefore).toISOString()}`);
  if (now > cert.notAfter) throw new InvalidCertificate('Expired', `${cert.subject.text} expired ${new Date(cert.notAfter).toISOString()}`);
}

/**
 * Leaf usage: extKeyUsage, when present, must include serverAuth (absent means any purpose, as in
 * browsers and RFC 5280 §4.2.1.12; anyExtendedKeyUsage alone is not enough, as in OpenSSL and Chrome).
 * keyUsage, when present, must include digitalSignature: puretls only negotiates signed key exchange.
 */
function checkLeafUsage(leaf: Certificate): void {
  const eku = leaf.extendedKeyUsage;
  if (eku !== undefined && !eku.includes(EKU.serverAuth)) throw new InvalidCertificate('WrongKeyUsage', 'extKeyUsage lacks serverAuth');
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.digitalSignature) throw new InvalidCertificate('WrongKeyUsage', 'keyUsage lacks digitalSignature');
}

/** When both key identifiers are present they must agree (RFC 5280 §4.2.1.1); otherwise anything goes. */
function keyIdsMayMatch(child: Certificate, issuer: Certificate): boolean {
  const a = child.authorityKeyIdentifier;
  const b = issuer.subjectKeyIdentifier;
  if (a === undefined || b === undefined) return true;
  return equalBytes(a, b);
}

/** Loop detection (RFC 4158 §2.4.2): same subject and same key as a certificate already in the path. */
function inPath(path: readonly Certificate[], cert: Certificate): boolean {
  return path.some((p) => equalBytes(p.subject.der, cert.subject.der) && equalBytes(p.subjectPublicKeyInfo, cert.subjectPublicKeyInfo));
}

/** Relevance of a failure when several paths fail: higher wins, ties keep the first seen. */
const RANK: Partial<Record<CertificateErrorReason, number>> = {
  UnknownIssuer: 0,
  BadSignature: 1,
  ChainTooLong: 3,
};
