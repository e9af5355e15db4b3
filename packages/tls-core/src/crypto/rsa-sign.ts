/**
 * RSA signing in pure BigInt (no @noble or noble-family RSA with blinding exists; see
 * docs/client-auth.md): RSASP1 (RFC 8017 §5.2.1) with the CRT (§3.2, second representation),
 * RSASSA-PKCS1-v1_5 sign (§8.2.1, EMSA-PKCS1-v1_5 §9.2) and RSASSA-PSS sign (§8.1.1,
 * EMSA-PSS-ENCODE §9.1.1, MGF1 §B.2.1).
 *
 * Side channels (JavaScript BigInt arithmetic is not constant time, so the secret is hidden from
 * what timing can see rather than computed in constant time):
 * - base blinding: the representative m is replaced by m·r^e mod n for a fresh random r, and the
 *   result multiplied by r^-1 (Kocher 1996; OpenSSL's RSA_blinding_on), so the operands of the
 *   private exponentiation are unrelated to the (server-chosen) transcript;
 * - exponent blinding: each CRT half uses dp + k·(p-1) with a fresh 64-bit k, so the exponent's bit
 *   pattern changes on every signature;
 * - a fixed 4-bit window exponentiation: the sequence of squarings and multiplications does not
 *   depend on the exponent's bits (the table entry chosen does);
 * - the result is checked with the public exponent before it leaves (a CRT fault would otherwise
 *   leak a factor of n: Boneh-DeMillo-Lipton).
 * @module
 */
import { CryptoError } from '../errors.ts';
import type { PrivateKey } from './keys.ts';
import type { HashAlgorithm } from './noble.ts';
import { bitLength, bytesToInteger, DIGEST_INFO_PREFIX, integerToBytes, mgf1, modPow } from './rsa.ts';

type RsaPrivateKey = Extract<PrivateKey, { kind: 'rsa' }>;

/** RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.1) of `message` (hashed here). */
export function rsaPkcs1Sign(key: RsaPrivateKey, hash: HashAlgorithm, message: Uint8Array, randomBytes: (n: number) => Uint8Array): Uint8Array {
  const k = (bitLength(key.n) + 7) >> 3;
  const prefix = DIGEST_INFO_PREFIX[hash.name];
  const tLen = prefix.length + hash.outputLen;
  if (k < tLen + 11) throw new CryptoError('RSA modulus too short for PKCS#1 v1.5 with this hash');
  // EM = 0x00 || 0x01 || PS (0xff...) || 0x00 || DigestInfo (§9.2 step 5)
  const em = new Uint8Array(k);
  em[1] = 0x01;
  em.fill(0xff, 2, k - tLen - 1);
  em.set(prefix, k - tLen);
  em.set(hash.digest(message), k - hash.outputLen);
  return integerToBytes(rsasp1(key, bytesToInteger(em), randomBytes), k);
}

/** RSASSA-PSS signature (RFC 8017 §8.1.1) with MGF1 over `hash` and a random salt of `saltLength` bytes. */
export function rsaPssSign(
  key: RsaPrivateKey,
  hash: HashAlgorithm,
  saltLength: number,
  message: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  const modBits = bitLength(key.n);
  const k = (modBits + 7) >> 3;
  const emBits = modBits - 1;
  const emLen = (emBits + 7) >> 3;
  const hLen = hash.outputLen;
  if (emLen < hLen + saltLength + 2) throw new CryptoError('RSA modulus too short for PSS with this hash'); // §9.1.1 step 3
  const mHash = hash.digest(message);
  const salt = randomBytes(saltLength);
  const mPrime = new Uint8Array(8 + hLen + saltLength); // step 5
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + hLen);
  const h = hash.digest(mPrime); // step 6
  const dbLen = emLen - hLen - 1;
  const db = new Uint8Array(dbLen); // steps 7-8: PS || 0x01 || salt
  db[dbLen - saltLength - 1] = 0x01;
  db.set(salt, dbLen - saltLength);
  const mask = mgf1(hash, h, dbLen); // step 9
  for (let i = 0; i < dbLen; i++) db[i]! ^= mask[i]!; // step 10
  db[0]! &= 0xff >> (8 * emLen - emBits); // step 11
  const em = new Uint8Array(emLen); // step 12
  em.set(db);
  em.set(h, dbLen);
  em[emLen - 1] = 0xbc;
  return integerToBytes(rsasp1(key, bytesToInteger(em), randomBytes), k);
}

/**
 * RSASP1 (RFC 8017 §5.2.1) with the CRT, base and exponent blinding, and a check of the result.
 * @throws CryptoError when m is out of range or the result does not verify (a fault)
 */
export function rsasp1(key: RsaPrivateKey, m: bigint, randomBytes: (n: number) => Uint8Array): bigint {
  const { n, e, p, q, dp, dq, qInv } = key;
  if (m < 0n || m >= n) throw new CryptoError('RSA message representative out of range');
  const r = randomUnit(n, randomBytes);
  const blinded = (m * modPow(r, e, n)) % n;
  const s1 = modPowWindowed(blinded % p, dp + randomBlinder(randomBytes) * (p - 1n), p);
  const s2 = modPowWindowed(blinded % q, dq + randomBlinder(randomBytes) * (q - 1n), q);
  const h = (((s1 - s2) % p) + p) % p;
  const sBlinded = s2 + q * ((qInv * h) % p);
  const s = (sBlinded * modInverse(r, n)) % n;
  if (modPow(s, e, n) !== m) throw new CryptoError('RSA private-key operation failed its check');
  return s;
}

/** a^-1 mod m by the extended Euclidean algorithm. @throws CryptoError when gcd(a, m) ≠ 1 */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new CryptoError('not invertible');
  return ((oldS % m) + m) % m;
}

/**
 * base^exponent mod modulus with a fixed 4-bit window: every window costs four squarings and one
 * multiplication (by table[0] = 1 when the window is zero), whatever the exponent's bits.
 */
function modPowWindowed(base: bigint, exponent: bigint, modulus: bigint): bigint {
  const table: bigint[] = [1n % modulus];
  for (let i = 1; i < 16; i++) table.push((table[i - 1]! * base) % modulus);
  let result = 1n;
  for (const digit of exponent.toString(16)) {
    for (let i = 0; i < 4; i++) result = (result * result) % modulus;
    result = (result * table[parseInt(digit, 16)]!) % modulus;
  }
  return result;
}

/** A uniformly random unit in [2, n-1] (64 extra bits make the modular bias negligible). */
function randomUnit(n: bigint, randomBytes: (n: number) => Uint8Array): bigint {
  const k = (bitLength(n) + 7) >> 3;
  // gcd(r, n) ≠ 1 would mean r shares a factor with n: with random r that does not happen in
  // practice, and modInverse would refuse it.
  return (bytesToInteger(randomBytes(k + 8)) % (n - 2n)) + 2n;
}

function randomBlinder(randomBytes: (n: number) => Uint8Array): bigint {
  return bytesToInteger(randomBytes(8)) | 1n;
}
