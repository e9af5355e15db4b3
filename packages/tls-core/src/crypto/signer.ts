/**
 * Signing for the client's own CertificateVerify (RFC 8446 §4.4.3; RFC 5246 §7.4.8 with the
 * digitally-signed struct of §4.7): ECDSA over P-256/P-384 with DER signatures (FIPS 186-5 §6.4.1,
 * RFC 3279 §2.2.3), Ed25519 (RFC 8032 §5.1.6), RSASSA-PSS and RSASSA-PKCS1-v1_5 (rsa-sign.ts).
 * Also which schemes a key can sign in each TLS version (RFC 8446 §4.2.3, RFC 5246 §7.4.1.4.1).
 *
 * - ECDSA: the message is hashed here with the scheme's hash and passed to noble as a digest
 *   (`prehash: false`), since in TLS 1.2 the scheme's hash need not be the curve's; the nonce is
 *   RFC 6979 hedged with 32 bytes from the config's randomness.
 * - Ed25519 signs the whole message (PureEdDSA).
 * @module
 */
import { CryptoError } from '../errors.ts';
import { SignatureScheme } from '../wire/enums.ts';
import { publicKeyOf, type PrivateKey } from './keys.ts';
import { curves, nistEcdsaSigner, withRandomness } from './noble.ts';
import { rsaPkcs1Sign, rsaPssSign } from './rsa-sign.ts';
import { isSchemeCompatibleWithKey, isTls13CertificateVerifyScheme, signatureAlgorithmForScheme } from './signature.ts';

/**
 * Sign `message` with `key` under TLS signature scheme `scheme`.
 * @throws CryptoError when the scheme is unknown or does not fit the key
 */
export function signWithScheme(key: PrivateKey, scheme: number, message: Uint8Array, randomBytes: (n: number) => Uint8Array): Uint8Array {
  const alg = signatureAlgorithmForScheme(scheme);
  if (alg === undefined || !isSchemeCompatibleWithKey(scheme, publicKeyOf(key), { tls12: true }))
    throw new CryptoError(`scheme 0x${scheme.toString(16)} does not fit a ${key.kind} key`);
  switch (alg.kind) {
    case 'ecdsa': {
      if (key.kind !== 'ec') break;
      const curve = nistEcdsaSigner(key.curve);
      const digest = alg.hash.digest(message);
      // noble blinds the secret scalar with the caller's randomness (noble.ts withRandomness).
      return withRandomness(randomBytes, () => curve.sign(digest, key.scalar, { prehash: false, format: 'der', extraEntropy: randomBytes(32) }));
    }
    case 'ed25519':
      if (key.kind !== 'ed25519') break;
      return curves.ed25519.sign(message, key.seed);
    case 'rsa-pkcs1':
      if (key.kind !== 'rsa') break;
      return rsaPkcs1Sign(key, alg.hash, message, randomBytes);
    case 'rsa-pss':
      if (key.kind !== 'rsa') break;
      return rsaPssSign(key, alg.hash, alg.saltLength, message, randomBytes);
  }
  throw new CryptoError(`scheme 0x${scheme.toString(16)} does not fit a ${key.kind} key`);
}

/**
 * The schemes `key` can sign in a CertificateVerify of `version`, in puretls' preference order:
 * TLS 1.3 binds ECDSA to the key's curve and forbids PKCS#1 v1.5 (RFC 8446 §4.2.3, §4.4.3);
 * TLS 1.2 allows ECDSA with any hash and PKCS#1 v1.5 (RFC 5246 §7.4.1.4.1, RFC 8422 §5.10).
 */
export function signingSchemesFor(key: PrivateKey, version: 'TLSv1.3' | 'TLSv1.2'): readonly number[] {
  const pub = publicKeyOf(key);
  const tls12 = version === 'TLSv1.2';
  return SIGNING_PREFERENCE.filter((s) => isSchemeCompatibleWithKey(s, pub, { tls12 }) && (tls12 || isTls13CertificateVerifyScheme(s)));
}

/** Our order: the key's own curve hash first for ECDSA, PSS before PKCS#1 v1.5, SHA-256 before longer hashes. */
const SIGNING_PREFERENCE: readonly number[] = [
  SignatureScheme.ed25519,
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];
