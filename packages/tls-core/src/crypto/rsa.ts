/**
 * RSA signature verification in pure BigInt (no @noble RSA exists):
 * RSAVP1 (RFC 8017 §5.2.2), RSASSA-PKCS1-v1_5 verify (RFC 8017 §8.2.2, EMSA-PKCS1-v1_5 §9.2) and
 * RSASSA-PSS verify (RFC 8017 §8.1.2, EMSA-PSS-VERIFY §9.1.2, MGF1 §B.2.1).
 *
 * Policy:
 * - The signature must be exactly k bytes (k = modulus length) and its integer s < n (§5.2.2).
 * - PKCS#1 v1.5 is checked by re-encoding the expected EM and comparing every byte: there is no
 *   parser to fool (BER lengths, garbage after the digest, short padding). The DigestInfo is the
 *   DER form with an explicit NULL parameter (RFC 8017 §9.2 Note 1). The form without the NULL,
 *   which Wycheproof rates "acceptable" (flag MissingNull), is REFUSED, as ring/rustls, Go and
 *   BoringSSL do: no mainstream signer emits it.
 * - PSS uses MGF1 with the same hash as the message (RFC 8446 §4.2.3) and an explicit salt length
 *   that must match exactly.
 * - Verification returns false on any mismatch and never throws for bad signatures.
 * @module
 */
import { equalBytes, toHex } from '../codec/bytes.ts';
import type { HashAlgorithm } from './noble.ts';

/** The parts of an RSA public key verification needs (compatible with the `rsa` {@link PublicKey}). */
export interface RsaPublicKeyParts {
  readonly n: bigint;
  readonly e: bigint;
}

/** RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2). `message` is the signed content (hashed here). */
export function rsaPkcs1Verify(key: RsaPublicKeyParts, hash: HashAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
  const prefix = DIGEST_INFO_PREFIX[hash.name];
  const k = modulusLength(key.n);
  const em = rsavp1(key, signature, k);
  if (em === undefined) return false;
  // EM = 0x00 || 0x01 || PS (0xff, at least 8 bytes) || 0x00 || DigestInfo  (§9.2 steps 3-5)
  const tLen = prefix.length + hash.outputLen;
  if (k < tLen + 11) return false;
  const expected = new Uint8Array(k);
  expected[1] = 0x01;
  expected.fill(0xff, 2, k - tLen - 1);
  expected.set(prefix, k - tLen);
  expected.set(hash.digest(message), k - hash.outputLen);
  return equalBytes(em, expected);
}

/**
 * RSASSA-PSS verification (RFC 8017 §8.1.2 / §9.1.2) with MGF1 over the same hash and an exact
 * salt length (`saltLength`, in bytes; TLS 1.3 uses the hash length, RFC 8446 §4.2.3).
 */
export function rsaPssVerify(
  key: RsaPublicKeyParts,
  hash: HashAlgorithm,
  saltLength: number,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const modBits = bitLength(key.n);
  const k = (modBits + 7) >> 3;
  const m = rsavp1Integer(key, signature, k);
  if (m === undefined) return false;
  // §8.1.2 step 2c: EM = I2OSP(m, emLen) with emLen = ceil((modBits - 1) / 8); m must fit.
  const emBits = modBits - 1;
  const emLen = (emBits + 7) >> 3;
  if (m >> BigInt(8 * emLen) !== 0n) return false;
  const em = integerToBytes(m, emLen);
  return emsaPssVerify(hash, saltLength, hash.digest(message), em, emBits);
}

/** Left-to-right square-and-multiply modular exponentiation (public exponents only: not constant time). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  const b = base % modulus;
  for (const bit of exponent.toString(2)) {
    result = (result * result) % modulus;
    if (bit === '1') result = (result * b) % modulus;
  }
  return result;
}

/** Number of significant bits of a non-negative integer. */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Big-endian bytes to a non-negative integer (OS2IP, RFC 8017 §4.2). */
export function bytesToInteger(bytes: Uint8Array): bigint {
  const hex = toHex(bytes);
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

/** A non-negative integer to exactly `length` big-endian bytes (I2OSP, RFC 8017 §4.1). Caller ensures it fits. */
export function integerToBytes(x: bigint, length: number): Uint8Array {
  const hex = x.toString(16).padStart(2 * length, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function modulusLength(n: bigint): number {
  return (bitLength(n) + 7) >> 3;
}

/** RSAVP1 with the length checks of §8.x.2 step 1 and §5.2.2 step 1; undefined when invalid. */
function rsavp1Integer(key: RsaPublicKeyParts, signature: Uint8Array, k: number): bigint | undefined {
  if (key.n <= 0n || key.e <= 0n) return undefined;
  if (signature.length !== k) return undefined;
  const s = bytesToInteger(signature);
  if (s >= key.n) return undefined;
  return modPow(s, key.e, key.n);
}

function rsavp1(key: RsaPublicKeyParts, signature: Uint8Array, k: number): Uint8Array | undefined {
  const m = rsavp1Integer(key, signature, k);
  return m === undefined ? undefined : integerToBytes(m, k);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2 steps 3-14). */
function emsaPssVerify(hash: HashAlgorithm, sLen: number, mHash: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const hLen = hash.outputLen;
  const emLen = em.length;
  if (!Number.isInteger(sLen) || sLen < 0) return false;
  if (emLen < hLen + sLen + 2) return false; // step 3
  if (em[emLen - 1] !== 0xbc) return false; // step 4
  const dbLen = emLen - hLen - 1;
  const maskedDb = em.subarray(0, dbLen); // step 5
  const h = em.subarray(dbLen, dbLen + hLen);
  const unusedBits = 8 * emLen - emBits;
  const topMask = 0xff >> unusedBits;
  if ((maskedDb[0]! & ~topMask & 0xff) !== 0) return false; // step 6
  const db = mgf1(hash, h, dbLen); // step 7
  for (let i = 0; i < dbLen; i++) db[i]! ^= maskedDb[i]!; // step 8
  db[0]! &= topMask; // step 9
  const psLen = emLen - hLen - sLen - 2;
  let bad = 0;
  for (let i = 0; i < psLen; i++) bad |= db[i]!; // step 10
  if (bad !== 0 || db[psLen] !== 0x01) return false;
  const salt = db.subarray(dbLen - sLen); // step 11
  const mPrime = new Uint8Array(8 + hLen + sLen); // step 12
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + hLen);
  return equalBytes(hash.digest(mPrime), h); // steps 13-14
}

/** MGF1 (RFC 8017 §B.2.1). */
export function mgf1(hash: HashAlgorithm, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const block = new Uint8Array(seed.length + 4);
  block.set(seed);
  for (let counter = 0, off = 0; off < length; counter++, off += hash.outputLen) {
    block[seed.length] = counter >>> 24;
    block[seed.length + 1] = (counter >>> 16) & 0xff;
    block[seed.length + 2] = (counter >>> 8) & 0xff;
    block[seed.length + 3] = counter & 0xff;
    const d = hash.digest(block);
    out.set(d.subarray(0, Math.min(d.length, length - off)), off);
  }
  return out;
}


/** DER DigestInfo prefixes with the NULL parameter (RFC 8017 §9.2 Note 1). */
export const DIGEST_INFO_PREFIX: Readonly<Record<HashAlgorithm['name'], Uint8Array>> = {
  sha1: /* @__PURE__ */ Uint8Array.of(0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14),
  sha256: /* @__PURE__ */ Uint8Array.of(
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
  ),
  sha384: /* @__PURE__ */ Uint8Array.of(
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30,
  ),
  sha512: /* @__PURE__ */ Uint8Array.of(
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40,
  ),
};
