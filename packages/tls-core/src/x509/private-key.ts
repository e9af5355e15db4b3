/**
 * Private keys from PEM or DER (the client's credential for CertificateRequest, RFC 8446 §4.3.2):
 * PKCS#8 `PRIVATE KEY` (RFC 5208 §5, RFC 5958 §2), SEC1 `EC PRIVATE KEY` (RFC 5915 §3) and PKCS#1
 * `RSA PRIVATE KEY` (RFC 8017 Appendix A.1.2); key types RSA (rsaEncryption and id-RSASSA-PSS,
 * RFC 4055), ECDSA on P-256 / P-384 (RFC 5480) and Ed25519 (RFC 8410 §7).
 *
 * Every failure is an {@link InvalidPrivateKey} with a reason: `Encrypted` for an `ENCRYPTED
 * PRIVATE KEY` block or a legacy `Proc-Type: 4,ENCRYPTED` block, `UnsupportedKeyType` for other
 * algorithms and curves (Ed448, X25519, DSA, P-521, multi-prime RSA), `BadEncoding` for malformed
 * PEM/DER, `InconsistentKey` when the key's parts disagree (p·q ≠ n, a wrong public point).
 * @module
 */
import { equalBytes } from '../codec/bytes.ts';
import { InvalidPrivateKey, TlsError } from '../errors.ts';
import type { PrivateKey } from '../crypto/keys.ts';
import { curves, defaultRandomBytes, withRandomness, type RandomBytes } from '../crypto/noble.ts';
import { bitLength } from '../crypto/rsa.ts';
import { DerReader, Tag, contextTag } from './der.ts';
import { OID } from './algorithms.ts';
import { decodePemBlocks } from './pem.ts';

/**
 * Parse the first private key block of a PEM text (other blocks, such as certificates or
 * `EC PARAMETERS`, are skipped).
 * @throws {InvalidPrivateKey}
 * @example const key = parsePrivateKeyPem(readFileSync('client.key', 'utf8'));
 */
export function parsePrivateKeyPem(text: string, randomBytes: RandomBytes = defaultRandomBytes): PrivateKey {
  // RFC 1421 legacy encryption puts headers inside the block, which are not base64.
  if (/Proc-Type:\s*4,\s*ENCRYPTED/.test(text)) throw new InvalidPrivateKey('Encrypted', 'legacy PEM encryption (Proc-Type: 4,ENCRYPTED)');
  let blocks: { label: string; der: Uint8Array }[];
  try {
    blocks = decodePemBlocks(text);
  } catch (e) {
    throw new InvalidPrivateKey('BadEncoding', e instanceof Error ? e.message : 'PEM');
  }
  for (const block of blocks) {
    switch (block.label) {
      case 'PRIVATE KEY':
        return parsePrivateKeyDer(block.der, 'pkcs8', randomBytes);
      case 'EC PRIVATE KEY':
        return parsePrivateKeyDer(block.der, 'sec1', randomBytes);
      case 'RSA PRIVATE KEY':
        return parsePrivateKeyDer(block.der, 'pkcs1', randomBytes);
      case 'ENCRYPTED PRIVATE KEY':
        throw new InvalidPrivateKey('Encrypted', 'PKCS#8 EncryptedPrivateKeyInfo');
      case 'DSA PRIVATE KEY':
        throw new InvalidPrivateKey('UnsupportedKeyType', 'DSA');
      default:
        continue;
    }
  }
  throw new InvalidPrivateKey('NoKey', 'no PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block');
}

/**
 * Parse a DER private key of a known container format. `randomBytes` blinds the scalar
 * multiplication that derives an EC key's public point (noble.ts withRandomness; default: the
 * config's default source).
 * @throws {InvalidPrivateKey}
 */
export function parsePrivateKeyDer(der: Uint8Array, format: 'pkcs8' | 'sec1' | 'pkcs1', randomBytes: RandomBytes = defaultRandomBytes): PrivateKey {
  return withRandomness(randomBytes, () => parseDer(der, format));
}

function parseDer(der: Uint8Array, format: 'pkcs8' | 'sec1' | 'pkcs1'): PrivateKey {
  try {
    const top = new DerReader(der);
    const body = top.sequence(format);
    top.expectEnd(format);
    switch (format) {
      case 'pkcs8':
        return pkcs8(body);
      case 'sec1':
        return sec1(body, undefined);
      case 'pkcs1':
        return pkcs1(body, false);
    }
  } catch (e) {
    if (e instanceof InvalidPrivateKey) throw e;
    if (e instanceof TlsError) throw new InvalidPrivateKey('BadEncoding', e.message);
    throw e;
  }
}

/** PrivateKeyInfo / OneAsymmetricKey (RFC 5958 §2); attributes and the optional public key are skipped. */
function pkcs8(r: DerReader): PrivateKey {
  const version = r.smallUnsigned('PrivateKeyInfo.version');
  if (version > 1) throw new InvalidPrivateKey('BadEncoding', `PrivateKeyInfo version ${version}`);
  const alg = r.sequence('PrivateKeyInfo.privateKeyAlgorithm');
  const oid = alg.oid('privateKeyAlgorithm.algorithm');
  const inner = r.expect(Tag.OctetString, 'PrivateKeyInfo.privateKey').contents;
  r.optional(contextTag(0, true), 'PrivateKeyInfo.attributes');
  r.optional(contextTag(1, false), 'OneAsymmetricKey.publicKey');
  r.expectEnd('PrivateKeyInfo');
  switch (oid) {
    case OID.rsaEncryption:
    case OID.rsassaPss: {
      if (oid === OID.rsaEncryption) alg.null('rsaEncryption parameters');
      else if (!alg.atEnd) alg.sequence('RSASSA-PSS-params'); // restrictions parsed, not enforced (as for certificates)
      alg.expectEnd('RSA privateKeyAlgorithm');
      return pkcs1(innerSequence(inner, 'RSAPrivateKey'), oid === OID.rsassaPss);
    }
    case OID.ecPublicKey: {
      if (alg.peekTag() !== Tag.Oid) throw new InvalidPrivateKey('UnsupportedKeyType', 'EC parameters must be a namedCurve');
      const curve = curveOf(alg.oid('ECParameters.namedCurve'));
      alg.expectEnd('EC privateKeyAlgorithm');
      return sec1(innerSequence(inner, 'ECPrivateKey'), curve);
    }
    case OID.ed25519: {
      alg.expectEnd('Ed25519 parameters must be absent'); // RFC 8410 §3
      const ir = new DerReader(inner, 1);
      const seed = ir.expect(Tag.OctetString, 'CurvePrivateKey').contents; // RFC 8410 §7
      ir.expectEnd('CurvePrivateKey');
      if (seed.length !== 32) throw new InvalidPrivateKey('BadEncoding', 'Ed25519 private key must be 32 bytes');
      return { kind: 'ed25519', seed: seed.slice(), key: curves.ed25519.getPublicKey(seed) };
    }
    default:
      throw new InvalidPrivateKey('UnsupportedKeyType', KEY_NAMES[oid] ?? oid);
  }
}

/** ECPrivateKey (RFC 5915 §3). `known` is the curve from a PKCS#8 wrapper; otherwise [0] parameters are required. */
function sec1(r: DerReader, known: 'P-256' | 'P-384' | undefined): PrivateKey {
  if (r.smallUnsigned('ECPrivateKey.version') !== 1) throw new InvalidPrivateKey('BadEncoding', 'ECPrivateKey version must be 1');
  const scalar = r.expect(Tag.OctetString, 'ECPrivateKey.privateKey').contents;
  const params = r.optional(contextTag(0, true), 'ECPrivateKey.parameters');
  const publicKey = r.optional(contextTag(1, true), 'ECPrivateKey.publicKey');
  r.expectEnd('ECPrivateKey');
  let curve = known;
  if (params !== undefined) {
    const pr = r.child(params);
    if (pr.peekTag() !== Tag.Oid) throw new InvalidPrivateKey('UnsupportedKeyType', 'EC parameters must be a namedCurve');
    const named = curveOf(pr.oid('ECParameters.namedCurve'));
    pr.expectEnd('ECPrivateKey.parameters');
    if (curve !== undefined && curve !== named) throw new InvalidPrivateKey('InconsistentKey', 'ECPrivateKey curve differs from the PKCS#8 algorithm');
    curve = named;
  }
  if (curve === undefined) throw new InvalidPrivateKey('BadEncoding', 'ECPrivateKey without a curve');
  const size = curve === 'P-256' ? 32 : 48;
  if (scalar.length !== size) throw new InvalidPrivateKey('BadEncoding', `${curve} private key must be ${size} bytes`);
  let point: Uint8Array;
  try {
    point = (curve === 'P-256' ? curves.p256 : curves.p384).getPublicKey(scalar, false);
  } catch {
    throw new InvalidPrivateKey('InconsistentKey', `${curve} scalar out of range`);
  }
  if (publicKey !== undefined) {
    const given = r.child(publicKey).bitStringBytes('ECPrivateKey.publicKey');
    if (!equalBytes(given, point)) throw new InvalidPrivateKey('InconsistentKey', 'ECPrivateKey public key does not match the scalar');
  }
  return { kind: 'ec', curve, scalar: scalar.slice(), point };
}

/** RSAPrivateKey (RFC 8017 Appendix A.1.2), two-prime only, with its parts checked against each other. */
function pkcs1(r: DerReader, pssOnly: boolean): PrivateKey {
  const version = r.smallUnsigned('RSAPrivateKey.version');
  if (version !== 0) throw new InvalidPrivateKey('UnsupportedKeyType', 'multi-prime RSA');
  const n = r.unsignedBigInt('RSAPrivateKey.modulus');
  const e = r.unsignedBigInt('RSAPrivateKey.publicExponent');
  const d = r.unsignedBigInt('RSAPrivateKey.privateExponent');
  const p = r.unsignedBigInt('RSAPrivateKey.prime1');
  const q = r.unsignedBigInt('RSAPrivateKey.prime2');
  const dp = r.unsignedBigInt('RSAPrivateKey.exponent1');
  const dq = r.unsignedBigInt('RSAPrivateKey.exponent2');
  const qInv = r.unsignedBigInt('RSAPrivateKey.coefficient');
  r.expectEnd('RSAPrivateKey');
  if (n < 3n || (n & 1n) === 0n || e < 3n || (e & 1n) === 0n || p < 3n || q < 3n) throw new InvalidPrivateKey('InconsistentKey', 'RSA parameters out of range');
  if (p * q !== n) throw new InvalidPrivateKey('InconsistentKey', 'p·q ≠ n');
  if (dp !== d % (p - 1n) || dq !== d % (q - 1n) || (qInv * q) % p !== 1n) throw new InvalidPrivateKey('InconsistentKey', 'CRT parameters do not match');
  // e·d ≡ 1 on both CRT halves (checked by multiplication: no exponentiation with a secret exponent here).
  if ((e * dp) % (p - 1n) !== 1n || (e * dq) % (q - 1n) !== 1n) throw new InvalidPrivateKey('InconsistentKey', 'd does not invert e');
  return { kind: 'rsa', n, e, d, p, q, dp, dq, qInv, bits: bitLength(n), pssOnly };
}

function innerSequence(bytes: Uint8Array, what: string): DerReader {
  const r = new DerReader(bytes, 1);
  const s = r.sequence(what);
  r.expectEnd(what);
  return s;
}

function curveOf(oid: string): 'P-256' | 'P-384' {
  if (oid === OID.p256) return 'P-256';
  if (oid === OID.p384) return 'P-384';
  throw new InvalidPrivateKey('UnsupportedKeyType', CURVE_NAMES[oid] ?? `EC curve ${oid}`);
}

const KEY_NAMES: Readonly<Record<string, string>> = {
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.10046.2.1': 'DH',
};

const CURVE_NAMES: Readonly<Record<string, string>> = {
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.10': 'secp256k1',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
};
