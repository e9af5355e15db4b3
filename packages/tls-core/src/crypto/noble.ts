/**
 * The only module in puretls that imports `@noble/*`: hashes (FIPS 180-4), HMAC (RFC 2104),
 * HKDF (RFC 5869), AEADs (AES-GCM per NIST SP 800-38D, ChaCha20-Poly1305 per RFC 8439),
 * X25519 (RFC 7748), NIST P-256/P-384 (FIPS 186-5) and Ed25519 (RFC 8032), plus randomness
 * from `crypto.getRandomValues`.
 *
 * Everything above this module speaks in puretls types (named hashes, typed errors). Replacing
 * the crypto backend means replacing this file only.
 * @module
 */
import { unsafe as aesUnsafe } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { p256 as nobleP256, p384 as nobleP384 } from '@noble/curves/nist.js';
import { expand as hkdfExpandRaw, extract as hkdfExtractRaw } from '@noble/hashes/hkdf.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256, sha384 as nobleSha384, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { CryptoError, DecryptError } from '../errors.ts';
import { Gcm, type AesCtr } from './gcm.ts';

/** A running hash whose state can be copied (the transcript needs hash-so-far many times). */
export interface IncrementalHash {
  update(data: Uint8Array): IncrementalHash;
  /** Digest of everything so far, without finishing this instance. */
  peek(): Uint8Array;
  /** An independent copy of the current state. */
  fork(): IncrementalHash;
}

/** A hash function as the protocol sees it. */
export interface HashAlgorithm {
  readonly name: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** Output length in bytes. */
  readonly outputLen: number;
  digest(data: Uint8Array): Uint8Array;
  create(): IncrementalHash;
}

type NobleHash = typeof nobleSha256;

function makeHash(name: HashAlgorithm['name'], h: NobleHash): HashAlgorithm & { readonly noble: NobleHash } {
  const wrap = (state: ReturnType<NobleHash['create']>): IncrementalHash => ({
    update(data) {
      state.update(data);
      return this;
    },
    peek: () => state.clone().digest(),
    fork: () => wrap(state.clone()),
  });
  return { name, outputLen: h.outputLen, noble: h, digest: (d) => h(d), create: () => wrap(h.create()) };
}

export const SHA1 = /* @__PURE__ */ makeHash('sha1', nobleSha1 as unknown as NobleHash);
export const SHA256 = /* @__PURE__ */ makeHash('sha256', nobleSha256);
export const SHA384 = /* @__PURE__ */ makeHash('sha384', nobleSha384 as unknown as NobleHash);
export const SHA512 = /* @__PURE__ */ makeHash('sha512', nobleSha512 as unknown as NobleHash);

/** Look up a hash by name. */
export function hashByName(name: HashAlgorithm['name']): HashAlgorithm {
  return { sha1: SHA1, sha256: SHA256, sha384: SHA384, sha512: SHA512 }[name];
}

function nobleOf(hash: HashAlgorithm): NobleHash {
  return (hash as HashAlgorithm & { noble: NobleHash }).noble;
}

/** HMAC (RFC 2104). */
export function hmac(hash: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return nobleHmac(nobleOf(hash), key, data);
}

/**
 * HMAC with one key for many messages (RFC 2104): the key is padded and hashed into the inner and
 * outer states once, and each call continues from a copy of them, which saves two hash blocks per
 * MAC (TLS 1.2's P_hash MACs every block with the same secret).
 */
export function hmacWithKey(hash: HashAlgorithm, key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const keyed = nobleHmac.create(nobleOf(hash), key);
  return (data) => keyed.clone().update(data).digest();
}

/** HKDF-Extract (RFC 5869 §2.2). An empty salt means HashLen zero bytes, as the RFC says. */
export function hkdfExtract(hash: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hkdfExtractRaw(nobleOf(hash), ikm, salt.length === 0 ? new Uint8Array(hash.outputLen) : salt);
}

/** HKDF-Expand (RFC 5869 §2.3). Throws {@link CryptoError} when `length` exceeds 255 * HashLen. */
export function hkdfExpand(hash: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * hash.outputLen)
    throw new CryptoError(`HKDF-Expand output length ${length}`);
  return hkdfExpandRaw(nobleOf(hash), prk, info, length);
}

/** AEAD algorithms used by TLS 1.2 and 1.3 record protection (RFC 5116). */
export type AeadAlgorithm = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';

/** Key length in bytes of an AEAD algorithm. */
export const AEAD_KEY_LENGTH: Readonly<Record<AeadAlgorithm, number>> = {
  'AES-128-GCM': 16,
  'AES-256-GCM': 32,
  'CHACHA20-POLY1305': 32,
};

/** Authentication tag length: 16 for every supported AEAD. */
export const AEAD_TAG_LENGTH = 16;

/** An AEAD bound to one key (RFC 5116 §2). */
export interface Aead {
  readonly algorithm: AeadAlgorithm;
  /**
   * ciphertext || tag. With `output` (exactly `plaintext.length + 16` bytes) the result is
   * written there and `output` is returned; `plaintext` may be `output`'s own first bytes
   * (in-place sealing), any other overlap is not allowed.
   */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output?: Uint8Array): Uint8Array;
  /**
   * Throws {@link DecryptError} when the tag does not verify. With `output` (exactly
   * `ciphertext.length - 16` bytes, not overlapping `ciphertext` unless it starts at the same byte)
   * the plaintext is written there and `output` is returned; nothing is written when the tag fails.
   */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, output?: Uint8Array): Uint8Array;
}

/** noble's AES block function and 32-bit counter mode under one expanded key (FIPS 197, SP 800-38D §6.5). */
class NobleAes implements AesCtr {
  readonly #xk: Uint32Array;
  constructor(key: Uint8Array) {
    this.#xk = aesUnsafe.expandKeyLE(key);
  }
  encryptBlock(block: Uint8Array): void {
    aesUnsafe.encryptBlock(this.#xk, block);
  }
  ctr32(counter: Uint8Array, data: Uint8Array): void {
    aesUnsafe.ctr32(this.#xk, false, counter, data, data);
  }
  wipe(): void {
    this.#xk.fill(0);
  }
}

/**
 * Bind an AEAD algorithm to a key.
 *
 * ChaCha20-Poly1305: noble's AEAD is a one-shot object per (key, nonce, AAD), so one is made per
 * record; it writes straight into a caller's output buffer (noble 2.x `encrypt(data, out)`).
 * AES-GCM: crypto/gcm.ts, which keeps the AES key schedule and the GHASH table for the life of the
 * key instead of rebuilding them per record as noble's `gcm()` does, and writes into `output`.
 */
export function createAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead {
  if (key.length !== AEAD_KEY_LENGTH[algorithm]) throw new DecryptError(`${algorithm} key length ${key.length}`);
  if (algorithm !== 'CHACHA20-POLY1305') return gcmAead(algorithm, key);
  const k = key.slice();
  return {
    algorithm,
    seal(nonce, aad, plaintext, output) {
      if (output !== undefined && output.length !== plaintext.length + AEAD_TAG_LENGTH) throw new CryptoError(`${algorithm} seal output length`);
      return chacha20poly1305(k, nonce, aad).encrypt(plaintext, output);
    },
    open(nonce, aad, ciphertext, output) {
      if (ciphertext.length < AEAD_TAG_LENGTH) throw new DecryptError(`${algorithm} ciphertext shorter than the tag`);
      if (output !== undefined && output.length !== ciphertext.length - AEAD_TAG_LENGTH) throw new CryptoError(`${algorithm} open output length`);
      try {
        return chacha20poly1305(k, nonce, aad).decrypt(ciphertext, output);
      } catch {
        throw new DecryptError(algorithm);
      }
    },
  };
}

function gcmAead(algorithm: 'AES-128-GCM' | 'AES-256-GCM', key: Uint8Array): Aead {
  const gcm = new Gcm(new NobleAes(key));
  return {
    algorithm,
    seal(nonce, aad, plaintext, output) {
      if (output !== undefined && output.length !== plaintext.length + AEAD_TAG_LENGTH) throw new CryptoError(`${algorithm} seal output length`);
      if (nonce.length !== 12) throw new CryptoError(`${algorithm} nonce length ${nonce.length}`);
      return gcm.seal(nonce, aad, plaintext, output);
    },
    open(nonce, aad, ciphertext, output) {
      if (ciphertext.length < AEAD_TAG_LENGTH) throw new DecryptError(`${algorithm} ciphertext shorter than the tag`);
      if (output !== undefined && output.length !== ciphertext.length - AEAD_TAG_LENGTH) throw new CryptoError(`${algorithm} open output length`);
      if (nonce.length !== 12) throw new DecryptError(`${algorithm} nonce length ${nonce.length}`);
      try {
        return gcm.open(nonce, aad, ciphertext, output);
      } catch {
        throw new DecryptError(algorithm);
      }
    },
  };
}

/** Cryptographically secure random bytes from `crypto.getRandomValues` (Web Crypto, present in every target runtime). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}

/** Raw curve objects for the key-exchange and signature modules beside this file. Not exported from the package. */
export const curves = { x25519: nobleX25519, ed25519: nobleEd25519, p256: nobleP256, p384: nobleP384 } as const;
