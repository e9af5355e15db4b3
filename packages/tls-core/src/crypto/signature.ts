/**
 * Signature verification for CertificateVerify (RFC 8446 §4.4.3), TLS 1.2 ServerKeyExchange
 * (RFC 5246 §7.4.3, RFC 8422 §5.4) and X.509 certificate signatures (RFC 5280 §4.1.1.3):
 * ECDSA over P-256/P-384 with DER signatures (FIPS 186-5 §6.4.2, RFC 3279 §2.2.3), Ed25519
 * (RFC 8032 §5.1.7, strict), RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017, see rsa.ts).
 * Also the TLS SignatureScheme → algorithm mapping (RFC 8446 §4.2.3) and the scheme/key
 * compatibility rules.
 *
 * Policy:
 * - `message` is the signed content; hashing happens here, with the hash the algorithm names
 *   (X.509 may pair P-256 with SHA-384: that is legal and supported).
 * - ECDSA accepts high-S signatures (TLS and X.509 signers do not normalise S) but requires
 *   strict DER (decodeDerSignature refuses BER, extra bytes and non-minimal integers).
 * - Ed25519 follows RFC 8032 strictly (canonical encodings, S < L; no ZIP-215 leniency).
 * - A key/algorithm mismatch (RSA key with an ECDSA algorithm, ...) or a malformed key returns
 *   false like any signature that does not verify: a certificate whose signature algorithm does
 *   not fit its issuer's key is simply a bad signature. Callers that must distinguish the case
 *   check {@link isSchemeCompatibleWithKey} (TLS) first.
 * - Verification never throws for bad input; it returns false.
 * @module
 */
import { SignatureScheme } from '../wire/enums.ts';
import type { PublicKey, SignatureAlgorithm } from './keys.ts';
import { curves, SHA256, SHA384, SHA512 } from './noble.ts';
import { rsaPkcs1Verify, rsaPssVerify } from './rsa.ts';

/**
 * Verify `signature` over `message` with `key` under `alg`.
 * @returns true only when the signature is valid for this key, algorithm and message
 */
export function verifySignature(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    switch (alg.kind) {
      case 'ecdsa':
        return key.kind === 'ec' && verifyEcdsa(key, alg.hash.digest(message), signature);
      case 'ed25519':
        return (
          key.kind === 'ed25519' &&
          key.key.length === 32 &&
          signature.length === 64 &&
          curves.ed25519.verify(signature, message, key.key, { zip215: false })
        );
      case 'rsa-pkcs1':
        return key.kind === 'rsa' && !key.pssOnly && rsaPkcs1Verify(key, alg.hash, message, signature);
      case 'rsa-pss':
        return key.kind === 'rsa' && rsaPssVerify(key, alg.hash, alg.saltLength, message, signature);
    }
  } catch {
    return false;
  }
}

/**
 * Precompute multiplication tables for an ECDSA public key that will verify many signatures
 * (trust anchors, intermediates). Later {@link verifySignature} calls with the *same key object*
 * use the tables (see the module notes for the measured gain). The table lives as long as the key
 * object (WeakMap). Costs ~40 ms (P-256) / ~75 ms (P-384) once with the default 6-bit window and
 * makes each verify ~3.5-4x faster; a no-op for non-EC keys.
 * @returns the same key, for chaining
 * @throws nothing: an invalid point is simply not prepared (verification will then return false)
 */
export function prepareVerificationKey<K extends PublicKey>(key: K, options?: { windowBits?: number }): K {
  if (key.kind !== 'ec' || PREPARED_EC_KEYS.has(key)) return key;
  try {
    const point = curveOf(key).Point.fromBytes(key.point);
    point.assertValidity();
    // Public scalars only: set the window lazily and build the table with the variable-time
    // multiply that verification uses (noble's eager precompute runs a blinded secret multiply).
    point.precompute(options?.windowBits ?? PREPARED_WINDOW_BITS, true).multiplyUnsafe(3n);
    PREPARED_EC_KEYS.set(key, point);
  } catch {
    // invalid key: leave it unprepared
  }
  return key;
}

/** True when {@link prepareVerificationKey} has built tables for this key object. */
export function isPreparedVerificationKey(key: PublicKey): boolean {
  return key.kind === 'ec' && PREPARED_EC_KEYS.has(key);
}

/**
 * The algorithm a TLS SignatureScheme stands for (RFC 8446 §4.2.3; PSS salt = hash length),
 * or undefined for schemes puretls does not verify (SHA-1, P-521, Ed448, unknown values).
 * rsa_pkcs1_* are returned too: they are valid in TLS 1.2 and in certificates, while TLS 1.3
 * CertificateVerify must refuse them (use {@link isTls13CertificateVerifyScheme}).
 */
export function signatureAlgorithmForScheme(scheme: SignatureScheme): SignatureAlgorithm | undefined {
  return SCHEME_TABLE[scheme]?.algorithm;
}

/**
 * Whether `scheme` may be used with `key` (RFC 8446 §4.2.3):
 * - ecdsa_secp256r1_sha256 / ecdsa_secp384r1_sha384 need an EC key on that very curve (TLS 1.3
 *   binds the curve; for TLS 1.2 pass `tls12: true` to accept any supported curve, RFC 8422 §5.10);
 * - rsa_pss_pss_* only with id-RSASSA-PSS keys (`pssOnly`);
 * - rsa_pss_rsae_* and rsa_pkcs1_* only with rsaEncryption keys;
 * - ed25519 only with Ed25519 keys.
 */
export function isSchemeCompatibleWithKey(scheme: SignatureScheme, key: PublicKey, options?: { tls12?: boolean }): boolean {
  const entry = SCHEME_TABLE[scheme];
  if (entry === undefined) return false;
  switch (entry.keyType) {
    case 'ec':
      return key.kind === 'ec' && (options?.tls12 === true || key.curve === entry.curve);
    case 'ed25519':
      return key.kind === 'ed25519';
    case 'rsaEncryption':
      return key.kind === 'rsa' && !key.pssOnly;
    case 'rsaPss':
      return key.kind === 'rsa' && key.pssOnly;
  }
}

/** Schemes allowed in a TLS 1.3 CertificateVerify: everything supported except rsa_pkcs1_* (RFC 8446 §4.4.3). */
export function isTls13CertificateVerifyScheme(scheme: SignatureScheme): boolean {
  const entry = SCHEME_TABLE[scheme];
  return entry !== undefined && entry.algorithm.kind !== 'rsa-pkcs1';
}

/** The schemes puretls verifies, in a sensible default signature_algorithms order. */
export const SUPPORTED_SIGNATURE_SCHEMES: readonly SignatureScheme[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

type EcKey = Extract<PublicKey, { kind: 'ec' }>;
type WeierstrassCurve = typeof curves.p256;
type WeierstrassPoint = ReturnType<WeierstrassCurve['Point']['fromBytes']>;

function curveOf(key: EcKey): WeierstrassCurve {
  return key.curve === 'P-256' ? curves.p256 : (curves.p384 as unknown as WeierstrassCurve);
}

/**
 * ECDSA verify over a precomputed digest (FIPS 186-5 §6.4.2), high-S accepted. Not noble's
 * `ecdsa().verify` (which would pull noble's signing code into every embedding): the same steps
 * over noble's points. A key with prepared tables computes u1·G and u2·Q apart so both use window
 * tables; otherwise one joint Strauss-Shamir walk (noble's `mulAddUnsafe`, what noble's own
 * verify does).
 */
function verifyEcdsa(key: EcKey, digest: Uint8Array, signature: Uint8Array): boolean {
  const { Point } = curveOf(key);
  const Fn = Point.Fn;
  const rs = decodeDerSignature(signature, Fn.BYTES);
  if (rs === undefined) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= Fn.ORDER || s <= 0n || s >= Fn.ORDER) return false; // §6.4.2 step 1
  const prepared = PREPARED_EC_KEYS.get(key);
  const q = prepared ?? Point.fromBytes(key.point); // decoding checks the point is on the curve
  if (q.is0()) return false;
  const e = Fn.create(bits2int(digest, Fn.BITS)); // steps 2-3 (leftmost bits of the hash)
  const w = Fn.inv(s);
  const u1 = Fn.mul(e, w);
  const u2 = Fn.mul(r, w);
  const R = prepared !== undefined ? Point.BASE.multiplyUnsafe(u1).add(q.multiplyUnsafe(u2)) : Point.BASE.mulAddUnsafe(u1, q, u2);
  if (R.is0()) return false;
  return Fn.create(R.toAffine().x) === r;
}

/**
 * The (r, s) of an ECDSA-Sig-Value (RFC 3279 §2.2.3: SEQUENCE { r INTEGER, s INTEGER }), strict
 * DER: short or minimal long-form lengths, minimal non-negative INTEGERs, nothing after the
 * SEQUENCE; undefined for anything else. `fieldBytes` caps each integer (n fits in it).
 */
function decodeDerSignature(der: Uint8Array, fieldBytes: number): [bigint, bigint] | undefined {
  let pos = 0;
  const length = (): number | undefined => {
    const first = der[pos++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first !== 0x81) return undefined; // an ECDSA-Sig-Value for P-256/P-384 is under 256 bytes
    const n = der[pos++];
    return n === undefined || n < 0x80 ? undefined : n; // long form only where short cannot
  };
  const integer = (): bigint | undefined => {
    if (der[pos++] !== 0x02) return undefined;
    const len = length();
    if (len === undefined || len === 0 || len > fieldBytes + 1 || pos + len > der.length) return undefined;
    const body = der.subarray(pos, pos + len);
    pos += len;
    if (body[0]! & 0x80) return undefined; // negative
    if (len > 1 && body[0] === 0 && !(body[1]! & 0x80)) return undefined; // non-minimal
    let x = 0n;
    for (const b of body) x = (x << 8n) | BigInt(b);
    return x;
  };
  if (der[pos++] !== 0x30) return undefined;
  const seqLen = length();
  if (seqLen === undefined || pos + seqLen !== der.length) return undefined;
  const r = integer();
  const s = r === undefined ? undefined : integer();
  return s === undefined || pos !== der.length ? undefined : [r!, s];
}

function bits2int(digest: Uint8Array, orderBits: number): bigint {
  let x = 0n;
  for (const b of digest) x = (x << 8n) | BigInt(b);
  const excess = digest.length * 8 - orderBits;
  return excess > 0 ? x >> BigInt(excess) : x;
}

// Measured (2-core box, noble 2.4.0, ms per verify plain → prepared; table cost):
//   P-256: w=4 3.6 → 1.35 (18 ms), w=6 3.6 → 0.95 (42 ms), w=8 3.6 → 0.74 (125 ms)
//   P-384: w=4 8.8 → 3.9 (22 ms),  w=6 8.8 → 2.5 (75 ms),  w=8 8.8 → 1.4 (220 ms)
// w=6 pays for itself after ~15 verifies; callers with very hot keys may pass windowBits: 8.
const PREPARED_WINDOW_BITS = 6;
const PREPARED_EC_KEYS = /* @__PURE__ */ new WeakMap<PublicKey, WeierstrassPoint>();

interface SchemeEntry {
  readonly algorithm: SignatureAlgorithm;
  readonly keyType: 'ec' | 'ed25519' | 'rsaEncryption' | 'rsaPss';
  readonly curve?: 'P-256' | 'P-384';
}

const SCHEME_TABLE: Readonly<Record<number, SchemeEntry | undefined>> = /* @__PURE__ */ (() => ({
  [SignatureScheme.ecdsa_secp256r1_sha256]: { algorithm: { kind: 'ecdsa', hash: SHA256 }, keyType: 'ec', curve: 'P-256' },
  [SignatureScheme.ecdsa_secp384r1_sha384]: { algorithm: { kind: 'ecdsa', hash: SHA384 }, keyType: 'ec', curve: 'P-384' },
  [SignatureScheme.ed25519]: { algorithm: { kind: 'ed25519' }, keyType: 'ed25519' },
  [SignatureScheme.rsa_pss_rsae_sha256]: { algorithm: { kind: 'rsa-pss', hash: SHA256, saltLength: 32 }, keyType: 'rsaEncryption' },
  [SignatureScheme.rsa_pss_rsae_sha384]: { algorithm: { kind: 'rsa-pss', hash: SHA384, saltLength: 48 }, keyType: 'rsaEncryption' },
  [SignatureScheme.rsa_pss_rsae_sha512]: { algorithm: { kind: 'rsa-pss', hash: SHA512, saltLength: 64 }, keyType: 'rsaEncryption' },
  [SignatureScheme.rsa_pss_pss_sha256]: { algorithm: { kind: 'rsa-pss', hash: SHA256, saltLength: 32 }, keyType: 'rsaPss' },
  [SignatureScheme.rsa_pss_pss_sha384]: { algorithm: { kind: 'rsa-pss', hash: SHA384, saltLength: 48 }, keyType: 'rsaPss' },
  [SignatureScheme.rsa_pss_pss_sha512]: { algorithm: { kind: 'rsa-pss', hash: SHA512, saltLength: 64 }, keyType: 'rsaPss' },
  [SignatureScheme.rsa_pkcs1_sha256]: { algorithm: { kind: 'rsa-pkcs1', hash: SHA256 }, keyType: 'rsaEncryption' },
  [SignatureScheme.rsa_pkcs1_sha384]: { algorithm: { kind: 'rsa-pkcs1', hash: SHA384 }, keyType: 'rsaEncryption' },
  [SignatureScheme.rsa_pkcs1_sha512]: { algorithm: { kind: 'rsa-pkcs1', hash: SHA512 }, keyType: 'rsaEncryption' },
}))();
