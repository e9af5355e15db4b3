/**
 * Certificate facts for `puretls probe`: the chain as the server sent it (RFC 8446 §4.4.2,
 * RFC 5246 §7.4.2: leaf first, each certificate certifying the one before it), each certificate's
 * names, validity (RFC 5280 §4.1.2.5), key type and size, and signature algorithm; whether a path
 * to the trust store exists (puretls's own path validation, RFC 5280 §6), checked both now and at
 * a time inside every certificate's validity so that "expired" and "untrusted" are separate facts;
 * the host name check (RFC 9525); the number of SCTs each certificate embeds (RFC 6962 §3.3,
 * scts.ts). Key facts come from node:crypto, names and algorithms from puretls's X.509 parser, so
 * that one parser's gap does not hide a certificate.
 * @module
 */
import { X509Certificate, createHash } from 'node:crypto';
import { parseCertificate, verifyHostname, verifyServerCertificateChain, type Certificate, type TrustStore } from '@puretls/tls-core';
import type { CertificateFacts, ChainCertificate } from './report.ts';
import { embeddedSctCount } from './scts.ts';

/**
 * Analyse a chain as sent.
 * @param chain DER certificates, leaf first, as the server sent them
 * @param trust the anchors (system roots or a CA file)
 * @param trustSource how the report names the anchors (`system`, or `file:<path>`)
 * @param hostname the name the leaf must match
 * @param now the time to judge validity at (ms since the epoch)
 */
export function certificateFacts(chain: readonly Uint8Array[], trust: TrustStore, trustSource: string, hostname: string, now: number): CertificateFacts {
  const parsed = chain.map((der) => tryParse(der));
  const certificates = chain.map((der, i) => describe(der, parsed[i], now));
  const inOrder = chain.length > 0 && chain.slice(1).every((_, i) => issuedBy(parsed[i], parsed[i + 1]));
  const leaf = parsed[0];
  const hostnameFact = ((): CertificateFacts['hostname'] => {
    if (leaf === undefined) return { name: hostname, matches: false, error: 'the leaf certificate could not be parsed by puretls' };
    try {
      verifyHostname(leaf, hostname);
      return { name: hostname, matches: true, error: null };
    } catch (e) {
      return { name: hostname, matches: false, error: (e as Error).message.replace(/^tls: /, '') };
    }
  })();
  return {
    chain: certificates,
    order: {
      leafFirstEachIssuedByNext: inOrder,
      evidence: inOrder ? 'each certificate names the next one as issuer subject (issuer DN = next subject DN)' : 'a certificate is not followed by its issuer (RFC 8446 §4.4.2 allows this, TLS 1.2 peers may refuse it)',
    },
    trust: trustFact(chain, parsed, trust, trustSource, now),
    hostname: hostnameFact,
    expiry: {
      expired: certificates.some((c) => c.expired),
      notYetValid: certificates.some((c) => c.notYetValid),
      leafNotAfter: certificates[0]?.notAfter ?? null,
      leafDaysLeft: certificates[0] === undefined ? null : Math.floor((Date.parse(certificates[0].notAfter) - now) / 86_400_000),
    },
  };
}

function trustFact(chain: readonly Uint8Array[], parsed: ReadonlyArray<Certificate | undefined>, trust: TrustStore, source: string, now: number): CertificateFacts['trust'] {
  const attempt = (at: number): { path: string[] } | { error: string } => {
    try {
      const verified = verifyServerCertificateChain({ chain, trust, now: at });
      return { path: verified.path.map((c) => c.subject.text) };
    } catch (e) {
      return { error: (e as Error).message.replace(/^tls: /, '') };
    }
  };
  const current = attempt(now);
  if ('path' in current) return { store: source, trusted: true, validNow: true, path: current.path, error: null };
  // puretls refused the chain now. Is there still a signature path to an anchor (checked by
  // node:crypto, validity ignored)? Then only the validity period failed: trusted, not valid now.
  const path = signaturePath(chain, trust);
  const outOfValidity = path !== undefined && path.some((c) => now < Date.parse(c.validFrom) || now > Date.parse(c.validTo));
  if (path !== undefined && outOfValidity) return { store: source, trusted: true, validNow: false, path: path.map((c) => subjectOf(c)), error: current.error };
  void parsed;
  return { store: source, trusted: false, validNow: false, path: [], error: current.error };
}

/** Leaf to anchor by issuer name and signature (node:crypto), through the certificates sent; undefined when none. */
function signaturePath(chain: readonly Uint8Array[], trust: TrustStore): X509Certificate[] | undefined {
  let sent: X509Certificate[];
  let anchors: X509Certificate[];
  try {
    sent = chain.map((der) => new X509Certificate(der));
    anchors = trust.anchors.map((a) => new X509Certificate(a.der));
  } catch {
    return undefined;
  }
  const leaf = sent[0];
  if (leaf === undefined) return undefined;
  const path = [leaf];
  for (let depth = 0; depth < 8; depth++) {
    const cur = path[path.length - 1]!;
    const anchor = anchors.find((a) => cur.checkIssued(a) && cur.verify(a.publicKey));
    if (anchor !== undefined) return cur.fingerprint256 === anchor.fingerprint256 ? path : [...path, anchor];
    const next = sent.find((c) => c !== cur && !path.includes(c) && cur.checkIssued(c) && cur.verify(c.publicKey));
    if (next === undefined) return undefined;
    path.push(next);
  }
  return undefined;
}

function subjectOf(c: X509Certificate): string {
  return c.subject.split('\n').join(', ');
}

function describe(der: Uint8Array, cert: Certificate | undefined, now: number): ChainCertificate {
  const x = new X509Certificate(der);
  const key = x.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const type = key.asymmetricKeyType ?? 'unknown';
  const keyBits = details.modulusLength ?? (type === 'ed25519' ? 256 : type === 'ed448' ? 456 : curveBits(details.namedCurve));
  const notBefore = Date.parse(x.validFrom);
  const notAfter = Date.parse(x.validTo);
  return {
    subject: cert?.subject.text ?? x.subject.replace(/\n/g, ', '),
    issuer: cert?.issuer.text ?? x.issuer.replace(/\n/g, ', '),
    serialNumber: x.serialNumber.toLowerCase(),
    sha256: createHash('sha256').update(der).digest('hex'),
    notBefore: new Date(notBefore).toISOString(),
    notAfter: new Date(notAfter).toISOString(),
    expired: now > notAfter,
    notYetValid: now < notBefore,
    keyType: type,
    keyBits: keyBits ?? null,
    curve: details.namedCurve ?? null,
    signatureAlgorithm: cert?.signatureAlgorithm.name ?? null,
    selfSigned: x.checkIssued(x),
    embeddedScts: embeddedSctCount(der),
  };
}

function tryParse(der: Uint8Array): Certificate | undefined {
  try {
    return parseCertificate(der);
  } catch {
    return undefined; // e.g. a P-521 or Ed448 key: described from node:crypto alone
  }
}

function issuedBy(cert: Certificate | undefined, issuer: Certificate | undefined): boolean {
  if (cert === undefined || issuer === undefined) return false;
  return cert.issuer.text === issuer.subject.text;
}

function curveBits(curve: string | undefined): number | undefined {
  if (curve === undefined) return undefined;
  return CURVE_BITS[curve];
}

const CURVE_BITS: Readonly<Record<string, number>> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp256k1: 256 };
