/**
 * X.509 algorithm identifiers: certificate signature algorithms (RFC 5280 §4.1.1.2, RFC 4055 §3 and
 * §5 for RSASSA-PSS and PKCS #1 v1.5, RFC 5758 §3.2 for ECDSA, RFC 8410 §3 for Ed25519) and subject
 * public keys (RFC 3279 §2.3, RFC 4055 §1.2, RFC 5480 §2, RFC 8410 §4) decoded into the
 * {@link PublicKey} and {@link SignatureAlgorithm} types the signature verifier takes.
 * @module
 */
import { InvalidCertificate } from '../errors.ts';
import type { PublicKey, SignatureAlgorithm } from '../crypto/keys.ts';
import { SHA256, SHA384, SHA512, type HashAlgorithm } from '../crypto/noble.ts';

/**
 * SHA-1 as a parsed hash: only ever a reason to call an algorithm weak, never computed here, so
 * a marker rather than the hash (code that does not check OCSP CertIDs carries no SHA-1).
 */
const SHA1 = 'sha1';
/** A hash named in an AlgorithmIdentifier. */
type ParsedHash = HashAlgorithm | typeof SHA1;
import { DerReader, Tag, bad, contextTag } from './der.ts';

/**
 * A certificate's signature algorithm as parsed. Weak and unknown algorithms are representable so
 * that a trust anchor with a SHA-1 self-signature still parses (its own signature is never checked).
 */
export type CertificateSignatureAlgorithm =
  | { readonly kind: 'supported'; readonly name: string; readonly algorithm: SignatureAlgorithm }
  | { readonly kind: 'weak'; readonly name: string }
  | { readonly kind: 'unsupported'; readonly name: string };

/**
 * Decode an AlgorithmIdentifier used as a certificate signature algorithm.
 * @param r a reader over the AlgorithmIdentifier SEQUENCE's contents
 * @returns the algorithm; never throws for an unknown OID, only for malformed encodings
 * @throws {InvalidCertificate} BadEncoding
 */
export function parseSignatureAlgorithm(r: DerReader): CertificateSignatureAlgorithm {
  const oid = r.oid('AlgorithmIdentifier.algorithm');
  const rsaHash = RSA_PKCS1_HASHES[oid];
  if (rsaHash !== undefined) {
    optionalNullParams(r, 'sha*WithRSAEncryption parameters'); // RFC 4055 §5: NULL, absent accepted
    r.expectEnd('AlgorithmIdentifier');
    return rsaHash === SHA1
      ? { kind: 'weak', name: 'sha1WithRSAEncryption' }
      : { kind: 'supported', name: `${rsaHash.name}WithRSAEncryption`, algorithm: { kind: 'rsa-pkcs1', hash: rsaHash } };
  }
  const ecHash = ECDSA_HASHES[oid];
  if (ecHash !== undefined) {
    r.expectEnd('ecdsa-with-SHA* parameters must be absent'); // RFC 5758 §3.2
    return ecHash === SHA1
      ? { kind: 'weak', name: 'ecdsa-with-SHA1' }
      : { kind: 'supported', name: `ecdsa-with-${ecHash.name.toUpperCase()}`, algorithm: { kind: 'ecdsa', hash: ecHash } };
  }
  if (oid === OID.ed25519) {
    r.expectEnd('Ed25519 parameters must be absent'); // RFC 8410 §3
    return { kind: 'supported', name: 'Ed25519', algorithm: { kind: 'ed25519' } };
  }
  if (oid === OID.rsassaPss) {
    const params = parsePssParams(r);
    r.expectEnd('RSASSA-PSS AlgorithmIdentifier');
    if (params.hash === SHA1) return { kind: 'weak', name: 'RSASSA-PSS with SHA-1' };
    return {
      kind: 'supported',
      name: `RSASSA-PSS ${params.hash.name}`,
      algorithm: { kind: 'rsa-pss', hash: params.hash, saltLength: params.saltLength },
    };
  }
  if (WEAK_OIDS[oid] !== undefined) return { kind: 'weak', name: WEAK_OIDS[oid] };
  return { kind: 'unsupported', name: oid };
}

/**
 * Decode a SubjectPublicKeyInfo into a {@link PublicKey}. EC points and Ed25519 keys are views of
 * `spki`'s bytes (parseCertificate parses a private copy, so every byte of a Certificate lives in its `der`).
 * @throws {InvalidCertificate} BadEncoding when malformed, UnsupportedPublicKey for other key types or curves
 */
export function parseSubjectPublicKeyInfo(spki: DerReader): PublicKey {
  const alg = spki.sequence('SubjectPublicKeyInfo.algorithm');
  const oid = alg.oid('SubjectPublicKeyInfo.algorithm.algorithm');
  const keyBits = spki.bitStringBytes('SubjectPublicKeyInfo.subjectPublicKey');
  spki.expectEnd('SubjectPublicKeyInfo');
  switch (oid) {
    case OID.rsaEncryption:
    case OID.rsassaPss: {
      if (oid === OID.rsaEncryption) alg.null('rsaEncryption parameters'); // RFC 3279 §2.3.1
      else if (!alg.atEnd) parsePssParams(alg); // RFC 4055 §1.2: restrictions parsed, not enforced
      alg.expectEnd('RSA key AlgorithmIdentifier');
      const top = new DerReader(keyBits, 1);
      const rsa = top.sequence('RSAPublicKey');
      top.expectEnd('RSAPublicKey');
      const n = rsa.unsignedBigInt('RSAPublicKey.modulus');
      const e = rsa.unsignedBigInt('RSAPublicKey.publicExponent');
      rsa.expectEnd('RSAPublicKey');
      if (n === 0n || (n & 1n) === 0n) throw bad('RSA modulus must be odd and positive');
      if (e < 3n || (e & 1n) === 0n || e >= n) throw bad('RSA public exponent out of range');
      return { kind: 'rsa', n, e, bits: n.toString(2).length, pssOnly: oid === OID.rsassaPss };
    }
    case OID.ecPublicKey: {
      if (alg.peekTag() !== Tag.Oid) throw new InvalidCertificate('UnsupportedPublicKey', 'EC parameters must be a namedCurve'); // RFC 5480 §2.1.1
      const curveOid = alg.oid('ECParameters.namedCurve');
      alg.expectEnd('EC key AlgorithmIdentifier');
      const curve = curveOid === OID.p256 ? 'P-256' : curveOid === OID.p384 ? 'P-384' : undefined;
      if (curve === undefined) throw new InvalidCertificate('UnsupportedPublicKey', `EC curve ${curveOid}`);
      const expected = curve === 'P-256' ? 65 : 97;
      if (keyBits.length !== expected || keyBits[0] !== 0x04) {
        throw new InvalidCertificate('UnsupportedPublicKey', `${curve} point must be uncompressed (${expected} bytes)`);
      }
      return { kind: 'ec', curve, point: keyBits };
    }
    case OID.ed25519:
      alg.expectEnd('Ed25519 parameters must be absent'); // RFC 8410 §3
      if (keyBits.length !== 32) throw bad('Ed25519 public key must be 32 bytes');
      return { kind: 'ed25519', key: keyBits };
    default:
      throw new InvalidCertificate('UnsupportedPublicKey', KEY_NAMES[oid] ?? oid);
  }
}

/** Whether a signature algorithm can be used with a key (RFC 4055 §1.2: PSS-only keys sign PSS only). */
export function keyFitsAlgorithm(key: PublicKey, alg: SignatureAlgorithm): boolean {
  switch (alg.kind) {
    case 'rsa-pkcs1':
      return key.kind === 'rsa' && !key.pssOnly;
    case 'rsa-pss':
      return key.kind === 'rsa';
    case 'ecdsa':
      return key.kind === 'ec';
    case 'ed25519':
      return key.kind === 'ed25519';
  }
}

/** Smallest RSA modulus accepted in a path (CA/B Forum Baseline Requirements §6.1.5). */
export const MIN_RSA_BITS = 2048;

/**
 * RSASSA-PSS-params (RFC 4055 §3.1). Absent fields take their SHA-1 defaults, which the caller then
 * refuses as weak. The MGF must be MGF1 with the same hash as the message digest, and the trailer 1.
 */
function parsePssParams(r: DerReader): { hash: ParsedHash; saltLength: number } {
  if (r.atEnd) return { hash: SHA1, saltLength: 20 };
  const p = r.sequence('RSASSA-PSS-params');
  let hash: ParsedHash = SHA1;
  let mgfHash: ParsedHash = SHA1;
  let saltLength = 20;
  const h = p.optional(contextTag(0, true), 'RSASSA-PSS-params.hashAlgorithm');
  if (h !== undefined) hash = explicitHash(p.child(h), 'RSASSA-PSS-params.hashAlgorithm');
  const m = p.optional(contextTag(1, true), 'RSASSA-PSS-params.maskGenAlgorithm');
  if (m !== undefined) {
    const outer = p.child(m);
    const mgf = outer.sequence('MaskGenAlgorithm');
    outer.expectEnd('maskGenAlgorithm');
    if (mgf.oid('MaskGenAlgorithm.algorithm') !== OID.mgf1) throw new InvalidCertificate('UnsupportedSignatureAlgorithm', 'PSS mask generation is not MGF1');
    mgfHash = hashAlgorithmIdentifier(mgf, 'MGF1 hash');
    mgf.expectEnd('MaskGenAlgorithm');
  }
  const s = p.optional(contextTag(2, true), 'RSASSA-PSS-params.saltLength');
  if (s !== undefined) {
    const sr = p.child(s);
    saltLength = sr.smallUnsigned('saltLength');
    sr.expectEnd('saltLength');
  }
  const t = p.optional(contextTag(3, true), 'RSASSA-PSS-params.trailerField');
  if (t !== undefined) {
    const tr = p.child(t);
    if (tr.smallUnsigned('trailerField') !== 1) throw new InvalidCertificate('UnsupportedSignatureAlgorithm', 'PSS trailer field must be 1');
    tr.expectEnd('trailerField');
  }
  p.expectEnd('RSASSA-PSS-params');
  if (mgfHash !== hash) throw new InvalidCertificate('UnsupportedSignatureAlgorithm', 'PSS MGF1 hash differs from the message hash');
  return { hash, saltLength };
}

function explicitHash(r: DerReader, what: string): ParsedHash {
  const hash = hashAlgorithmIdentifier(r, what);
  r.expectEnd(what);
  return hash;
}

/** A hash AlgorithmIdentifier (RFC 4055 §2.1: parameters NULL or absent). */
function hashAlgorithmIdentifier(r: DerReader, what: string): ParsedHash {
  const a = r.sequence(what);
  const oid = a.oid(`${what}.algorithm`);
  optionalNullParams(a, `${what}.parameters`);
  a.expectEnd(what);
  const hash = HASHES[oid];
  if (hash === undefined) throw new InvalidCertificate('UnsupportedSignatureAlgorithm', `hash ${oid}`);
  return hash;
}

function optionalNullParams(r: DerReader, what: string): void {
  if (!r.atEnd) r.null(what);
}

/** Object identifiers used by this module and by certificate.ts. */
export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  ed25519: '1.3.101.112',
} as const;

const RSA_PKCS1_HASHES: Readonly<Record<string, ParsedHash>> = {
  '1.2.840.113549.1.1.5': SHA1,
  '1.2.840.113549.1.1.11': SHA256,
  '1.2.840.113549.1.1.12': SHA384,
  '1.2.840.113549.1.1.13': SHA512,
};

const ECDSA_HASHES: Readonly<Record<string, ParsedHash>> = {
  '1.2.840.10045.4.1': SHA1,
  '1.2.840.10045.4.3.2': SHA256,
  '1.2.840.10045.4.3.3': SHA384,
  '1.2.840.10045.4.3.4': SHA512,
};

const HASHES: Readonly<Record<string, ParsedHash>> = {
  '1.3.14.3.2.26': SHA1,
  '2.16.840.1.101.3.4.2.1': SHA256,
  '2.16.840.1.101.3.4.2.2': SHA384,
  '2.16.840.1.101.3.4.2.3': SHA512,
};

/** Algorithms recognised only to be refused as weak. */
const WEAK_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.3.14.3.2.29': 'sha1WithRSASignature (OIW)',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
};

const KEY_NAMES: Readonly<Record<string, string>> = {
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.2.840.10040.4.1': 'DSA',
};
