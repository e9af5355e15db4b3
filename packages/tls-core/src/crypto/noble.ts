/**
 * The only module in puretls that imports `@noble/*`: hashes (FIPS 180-4) and HMAC (RFC 2104) on their states,
 * HKDF (RFC 5869), AEADs (AES-GCM per NIST SP 800-38D, ChaCha20-Poly1305 per RFC 8439),
 * X25519 (RFC 7748), NIST P-256/P-384 (FIPS 186-5, SEC 2 §2.4.2 / §2.5.1 parameters) and
 * Ed25519 (RFC 8032), plus the default randomness source. ML-KEM-768 (@noble/post-quantum) is in
 * noble-pq.ts, imported only by the opt-in X25519MLKEM768 provider (the `@puretls/tls-core/pq`
 * entry), so neither the engine nor the default bundle carries it.
 *
 * P-256/P-384 are noble `ecdh` objects (key exchange, public keys); ECDSA verification is
 * signature.ts's own (over these points), and noble's `ecdsa` (signing, with its RFC 6979 DRBG)
 * is built by {@link nistEcdsaSigner} on first use, so only client authentication pulls it in.
 *
 * No implicit globals (docs/embedding.md): every random byte the engine uses comes from a
 * {@link RandomBytes} function the caller passes (the config's `randomBytes`). That includes the
 * scalar blinding noble applies to secret scalars: P-256/P-384 are built here on noble's
 * `weierstrass`/`ecdsa`, and the X25519 fixed-base multiply on an edwards25519 point type of our
 * own, each with a blinding source that is the caller's function for the duration of one
 * {@link withRandomness} call, and that refuses (noble fails closed) outside one. Only
 * {@link defaultRandomBytes} looks at `globalThis.crypto`, and only when called.
 *
 * Everything above this module speaks in puretls types (named hashes, typed errors). Replacing
 * the crypto backend means replacing this file only.
 * @module
 */
import { unsafe as aesUnsafe } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { edwards } from '@noble/curves/abstract/edwards.js';
import { ecdh, ecdsa, weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256, sha384 as nobleSha384, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { CryptoError, DecryptError, UsageError } from '../errors.ts';
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
type NobleState = ReturnType<NobleHash['create']>;

/**
 * A hash's reusable states: a blank one to copy from, and scratch states that one-shot digests and
 * HMACs are computed in. `_cloneInto` overwrites a scratch state with another state's (no allocation),
 * and noble's `digest()` wipes the state it finishes, so a scratch state holds nothing between calls.
 * Every use is synchronous and none calls another, so one set per hash serves the whole process.
 * Made on the first use, not at import.
 */
interface HashScratch {
  readonly blank: NobleState;
  /** HMAC's padded key, `blockLen` bytes; zeroed after every use. */
  readonly pad: Uint8Array;
  digest: NobleState | undefined;
  inner: NobleState | undefined;
  outer: NobleState | undefined;
}

function makeHash(name: HashAlgorithm['name'], h: NobleHash): HashAlgorithm & { readonly noble: NobleHash } {
  const wrap = (state: NobleState): IncrementalHash => {
    // peek() finishes a copy of the state in one scratch instance, made on the first peek.
    let scratch: NobleState | undefined;
    return {
      update(data) {
        state.update(data);
        return this;
      },
      peek: () => (scratch = state._cloneInto(scratch)).digest(),
      fork: () => wrap(state.clone()),
    };
  };
  let states: HashScratch | undefined;
  const scratch = (): HashScratch => {
    if (states === undefined) {
      const blank = h.create();
      states = { blank, pad: new Uint8Array(blank.blockLen), digest: undefined, inner: undefined, outer: undefined };
    }
    return states;
  };
  return {
    name,
    outputLen: h.outputLen,
    noble: h,
    scratch,
    digest(data) {
      const s = scratch();
      return (s.digest = s.blank._cloneInto(s.digest)).update(data).digest();
    },
    create: () => wrap(h.create()),
  } as HashAlgorithm & { readonly noble: NobleHash; readonly scratch: () => HashScratch };
}

export const SHA1: HashAlgorithm = /* @__PURE__ */ makeHash('sha1', nobleSha1 as unknown as NobleHash);
export const SHA256: HashAlgorithm = /* @__PURE__ */ makeHash('sha256', nobleSha256);
export const SHA384: HashAlgorithm = /* @__PURE__ */ makeHash('sha384', nobleSha384 as unknown as NobleHash);
export const SHA512: HashAlgorithm = /* @__PURE__ */ makeHash('sha512', nobleSha512 as unknown as NobleHash);

/** Look up a hash by name. */
export function hashByName(name: HashAlgorithm['name']): HashAlgorithm {
  return { sha1: SHA1, sha256: SHA256, sha384: SHA384, sha512: SHA512 }[name];
}

function scratchOf(hash: HashAlgorithm): HashScratch {
  return (hash as HashAlgorithm & { scratch: () => HashScratch }).scratch();
}

/**
 * The key padded to the block (hashed first when longer, RFC 2104 §2) and XOR-ed with ipad, in the
 * scratch pad; {@link toOuterPad} turns it into the opad block. The caller zeroes the pad.
 */
function innerPad(hash: HashAlgorithm, s: HashScratch, key: Uint8Array): Uint8Array {
  const pad = s.pad;
  pad.fill(0);
  if (key.length > pad.length) {
    const hashed = hash.digest(key);
    pad.set(hashed);
    hashed.fill(0);
  } else pad.set(key);
  for (let i = 0; i < pad.length; i++) pad[i]! ^= 0x36;
  return pad;
}

function toOuterPad(pad: Uint8Array): Uint8Array {
  for (let i = 0; i < pad.length; i++) pad[i]! ^= 0x36 ^ 0x5c;
  return pad;
}

/**
 * `H(K ⊕ opad ‖ H(K ⊕ ipad ‖ data))` (RFC 2104) from the keyed inner and outer states, each
 * continued in a scratch state: no hash instance is made per MAC.
 */
function finishHmac(s: HashScratch, keyedInner: NobleState, keyedOuter: NobleState, data: Uint8Array): Uint8Array {
  const inner = (s.inner = keyedInner._cloneInto(s.inner)).update(data).digest();
  const tag = (s.outer = keyedOuter._cloneInto(s.outer)).update(inner).digest();
  inner.fill(0);
  return tag;
}

/** HMAC (RFC 2104), computed in the hash's scratch states (about a third of the time of noble's `hmac()` here, for short inputs). */
export function hmac(hash: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = scratchOf(hash);
  const pad = innerPad(hash, s, key);
  const inner = (s.inner = s.blank._cloneInto(s.inner)).update(pad).update(data).digest();
  const tag = (s.outer = s.blank._cloneInto(s.outer)).update(toOuterPad(pad)).update(inner).digest();
  pad.fill(0);
  inner.fill(0);
  return tag;
}

/**
 * HMAC with one key for many messages (RFC 2104): the key is padded and hashed into an inner and an
 * outer state once, and each call continues from copies of them in the hash's scratch states (no
 * allocation but the output), which saves two hash blocks per MAC (TLS 1.2's P_hash MACs every
 * block with the same secret; a TLS 1.3 schedule secret expands several labels). The keyed states
 * are as secret as the key: they live as long as the returned function; the scratch states are
 * wiped by noble's `digest()` after every MAC.
 */
export function hmacWithKey(hash: HashAlgorithm, key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const s = scratchOf(hash);
  const pad = innerPad(hash, s, key);
  const keyedInner = s.blank.clone().update(pad);
  const keyedOuter = s.blank.clone().update(toOuterPad(pad));
  pad.fill(0);
  return (data) => finishHmac(s, keyedInner, keyedOuter, data);
}

/** HKDF-Extract (RFC 5869 §2.2): `HMAC(salt, IKM)`. An empty salt means HashLen zero bytes, as the RFC says. */
export function hkdfExtract(hash: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(hash, salt.length === 0 ? new Uint8Array(hash.outputLen) : salt, ikm);
}

/** HKDF-Expand (RFC 5869 §2.3). Throws {@link CryptoError} when `length` exceeds 255 * HashLen. */
export function hkdfExpand(hash: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdfExpandWith(hmacWithKey(hash, prk), hash, info, length);
}

/**
 * HKDF-Expand (RFC 5869 §2.3) with `HMAC(PRK, ·)` given as a keyed function ({@link hmacWithKey}),
 * so that one PRK expanded many times is keyed once: `T(i) = HMAC(PRK, T(i-1) || info || i)`.
 * Throws {@link CryptoError} when `length` exceeds 255 * HashLen.
 */
export function hkdfExpandWith(mac: (data: Uint8Array) => Uint8Array, hash: HashAlgorithm, info: Uint8Array, length: number): Uint8Array {
  const hashLen = hash.outputLen;
  if (!Number.isInteger(length) || length < 0 || length > 255 * hashLen) throw new CryptoError(`HKDF-Expand output length ${length}`);
  const okm = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let i = 1, done = 0; done < length; i++, done += hashLen) {
    const input = new Uint8Array(block.length + info.length + 1);
    input.set(block);
    input.set(info, block.length);
    input[input.length - 1] = i;
    block.fill(0);
    block = mac(input);
    input.fill(0);
    okm.set(length - done < hashLen ? block.subarray(0, length - done) : block, done);
  }
  block.fill(0);
  return okm;
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
  /** Overwrite the key and everything derived from it; `seal` and `open` throw {@link UsageError} afterwards. */
  wipe(): void;
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
  let wiped = false;
  return {
    algorithm,
    seal(nonce, aad, plaintext, output) {
      if (wiped) throw new UsageError(`${algorithm} key wiped`);
      if (output !== undefined && output.length !== plaintext.length + AEAD_TAG_LENGTH) throw new CryptoError(`${algorithm} seal output length`);
      return chacha20poly1305(k, nonce, aad).encrypt(plaintext, output);
    },
    open(nonce, aad, ciphertext, output) {
      if (wiped) throw new UsageError(`${algorithm} key wiped`);
      if (ciphertext.length < AEAD_TAG_LENGTH) throw new DecryptError(`${algorithm} ciphertext shorter than the tag`);
      if (output !== undefined && output.length !== ciphertext.length - AEAD_TAG_LENGTH) throw new CryptoError(`${algorithm} open output length`);
      try {
        return chacha20poly1305(k, nonce, aad).decrypt(ciphertext, output);
      } catch {
        throw new DecryptError(algorithm);
      }
    },
    wipe() {
      wiped = true;
      k.fill(0);
    },
  };
}

function gcmAead(algorithm: 'AES-128-GCM' | 'AES-256-GCM', key: Uint8Array): Aead {
  const gcm = new Gcm(new NobleAes(key));
  let wiped = false;
  return {
    algorithm,
    seal(nonce, aad, plaintext, output) {
      if (wiped) throw new UsageError(`${algorithm} key wiped`);
      if (output !== undefined && output.length !== plaintext.length + AEAD_TAG_LENGTH) throw new CryptoError(`${algorithm} seal output length`);
      if (nonce.length !== 12) throw new CryptoError(`${algorithm} nonce length ${nonce.length}`);
      return gcm.seal(nonce, aad, plaintext, output);
    },
    open(nonce, aad, ciphertext, output) {
      if (wiped) throw new UsageError(`${algorithm} key wiped`);
      if (ciphertext.length < AEAD_TAG_LENGTH) throw new DecryptError(`${algorithm} ciphertext shorter than the tag`);
      if (output !== undefined && output.length !== ciphertext.length - AEAD_TAG_LENGTH) throw new CryptoError(`${algorithm} open output length`);
      if (nonce.length !== 12) throw new DecryptError(`${algorithm} nonce length ${nonce.length}`);
      try {
        return gcm.open(nonce, aad, ciphertext, output);
      } catch {
        throw new DecryptError(algorithm);
      }
    },
    wipe() {
      wiped = true;
      gcm.wipe();
    },
  };
}

/** A source of cryptographically secure random bytes: returns exactly `n` fresh bytes. */
export type RandomBytes = (n: number) => Uint8Array;

/**
 * The default {@link RandomBytes}: `globalThis.crypto.getRandomValues` (Web Crypto), looked up at
 * each call, so importing puretls never touches it.
 * @throws UsageError when the host has no `crypto.getRandomValues` (QuickJS, some sandboxes):
 *   such hosts pass `randomBytes` to `createClientConfig` / `new Context`
 */
export function defaultRandomBytes(n: number): Uint8Array {
  const webCrypto = (globalThis as { crypto?: { getRandomValues?: unknown } }).crypto;
  const getRandomValues = webCrypto?.getRandomValues;
  if (typeof getRandomValues !== 'function')
    throw new UsageError(
      'this runtime has no globalThis.crypto.getRandomValues: pass randomBytes: (n) => Uint8Array (n cryptographically secure random bytes) to createClientConfig() or new Context()',
    );
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) getRandomValues.call(webCrypto, out.subarray(off, Math.min(n, off + 65536)));
  return out;
}

/**
 * Run `fn` with `randomBytes` as the source of noble's scalar blinding for P-256/P-384 (the only
 * noble code that draws randomness on its own). Synchronous, so no other call can interleave.
 */
export function withRandomness<T>(randomBytes: RandomBytes, fn: () => T): T {
  const previous = blindingSource;
  blindingSource = randomBytes;
  try {
    return fn();
  } finally {
    blindingSource = previous;
  }
}

let blindingSource: RandomBytes | undefined;

function blindingBytes(n = 32): Uint8Array<ArrayBuffer> {
  // noble validates the result and throws on anything but n bytes: a secret multiply outside
  // withRandomness() fails closed instead of reaching for a global.
  if (blindingSource === undefined) throw new CryptoError('P-256/P-384 secret scalar used outside withRandomness()');
  return blindingSource(n) as Uint8Array<ArrayBuffer>;
}

/**
 * Run a noble constructor that probes its randomness source once (to decide whether blinding is
 * possible at all): the probe gets zeros, which are never used for anything; later multiplies
 * and signatures get the caller's bytes through {@link blindingBytes}.
 */
function probed<T>(make: () => T): T {
  blindingSource = (n) => new Uint8Array(n);
  try {
    return make();
  } finally {
    blindingSource = undefined;
  }
}

/** A NIST curve (ECDH, public keys, points) whose scalar blinding draws from {@link blindingBytes}. */
function nistCurve(params: NistParams) {
  return probed(() => ecdh(weierstrass(params, { randomBytes: blindingBytes }), { randomBytes: blindingBytes }));
}

let ecdsaSigners: { 'P-256': NistSigner; 'P-384': NistSigner } | undefined;
type NistSigner = ReturnType<typeof ecdsa>;

/**
 * noble's ECDSA (FIPS 186-5 §6.4.1, RFC 6979 hedged nonces) over {@link curves}' P-256/P-384
 * points, built on first use: client authentication (signer.ts) is its only user, so an
 * embedding that never signs does not carry it.
 * @internal
 */
export function nistEcdsaSigner(curve: 'P-256' | 'P-384'): NistSigner {
  ecdsaSigners ??= probed(() => ({
    'P-256': ecdsa(nobleP256.Point, nobleSha256, { randomBytes: blindingBytes }),
    'P-384': ecdsa(nobleP384.Point as unknown as NistSigner['Point'], nobleSha384 as unknown as NobleHash, { randomBytes: blindingBytes }),
  }));
  return ecdsaSigners[curve];
}

interface NistParams {
  readonly p: bigint;
  readonly n: bigint;
  readonly h: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly Gx: bigint;
  readonly Gy: bigint;
}

/** secp256r1 (SEC 2 v2 §2.4.2, FIPS 186-5 / SP 800-186 §3.2.1.3). */
const P256_PARAMS: NistParams = {
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  h: 1n,
  a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
  b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  Gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  Gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};

/** secp384r1 (SEC 2 v2 §2.5.1, FIPS 186-5 / SP 800-186 §3.2.1.4). */
const P384_PARAMS: NistParams = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  h: 1n,
  a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
  b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  Gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
  Gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
};

/**
 * The X25519 public key of `privateKey` (RFC 7748 §5, §6.1: X25519(k, 9)).
 *
 * The first {@link X25519_LADDER_KEYGENS} key generations of a process run noble's Montgomery
 * ladder on u = 9, as shared secrets do. After that they use the fixed-base multiply on the
 * birationally equivalent edwards25519 (u = (Z+Y)/(Z-Y)), as noble's own x25519 does, with the
 * scalar blinding drawn from `randomBytes` (noble's exported x25519 would draw it from
 * `globalThis.crypto`). The fixed-base path needs a table of 2048 points, built on its first use:
 * ~60 ms of CPU on the 2-core machine of docs/performance.md (and it checks [n]B = O first, ~5 ms
 * cold), against ~3 ms for a process's first ladder. A key generation then costs ~0.47 ms instead
 * of ~1.1-1.5 ms, so the table pays back after some 60 key generations; it is built only once a
 * process has made {@link X25519_LADDER_KEYGENS} of them (issue 16: no eager work the first
 * handshake does not need; trust anchors are prepared the same way, x509/verification-cache.ts).
 *
 * Both paths take the same bytes from `randomBytes` (the ladder path draws the 16 blinding bytes
 * it does not need and wipes them), so a seeded `randomBytes` gives the same handshake bytes
 * whichever path ran.
 */
export function x25519PublicKey(privateKey: Uint8Array, randomBytes: RandomBytes): Uint8Array {
  if (keygens.ladder < X25519_LADDER_KEYGENS) {
    keygens.ladder++;
    return x25519PublicKeyByLadder(privateKey, randomBytes);
  }
  keygens.table++;
  return x25519PublicKeyByTable(privateKey, randomBytes);
}

/** Key generations by the Montgomery ladder before the fixed-base table is built ({@link x25519PublicKey}). */
export const X25519_LADDER_KEYGENS = 32;
const keygens = { ladder: 0, table: 0 };

/**
 * How many key generations {@link x25519PublicKey} has run on each path in this module instance.
 * For tests.
 * @internal
 */
export function x25519KeygenCounts(): { readonly ladder: number; readonly table: number } {
  return { ...keygens };
}

/** The bytes noble's blinded fixed-base multiply draws per call (`BLIND_BYTES` in noble's abstract/curve.js). */
const X25519_BLINDING_BYTES = 16;
const X25519_BASE_POINT_U = /* @__PURE__ */ (() => {
  const u = new Uint8Array(32);
  u[0] = 9;
  return u;
})();

/**
 * X25519(k, 9) by noble's Montgomery ladder (RFC 7748 §5), drawing the bytes the fixed-base path
 * would draw. Exported for tests; use {@link x25519PublicKey}.
 * @internal
 */
export function x25519PublicKeyByLadder(privateKey: Uint8Array, randomBytes: RandomBytes): Uint8Array {
  randomBytes(X25519_BLINDING_BYTES).fill(0);
  try {
    return nobleX25519.scalarMult(privateKey, X25519_BASE_POINT_U);
  } catch {
    // noble refuses an all-zero result: the clamped key is a multiple of the group order.
    throw new CryptoError('X25519 private key is a multiple of the group order');
  }
}

/**
 * X25519(k, 9) by the blinded fixed-base multiply on edwards25519 (its table is built on the first
 * call). Exported for tests; use {@link x25519PublicKey}.
 * @internal
 */
export function x25519PublicKeyByTable(privateKey: Uint8Array, randomBytes: RandomBytes): Uint8Array {
  const { Fp, Fn, BASE } = (ed25519Blinded ??= probed(() => edwards(nobleEd25519.Point.CURVE(), { randomBytes: blindingBytes })));
  // RFC 7748 §5 decodeScalar25519: clear bits 0-2 and 255, set bit 254; little-endian.
  const k = privateKey.slice(0, 32);
  k[0]! &= 248;
  k[31]! &= 127;
  k[31]! |= 64;
  let scalar = 0n;
  for (let i = 31; i >= 0; i--) scalar = (scalar << 8n) | BigInt(k[i]!);
  k.fill(0);
  // B has prime order n, so [k]B = [k mod n]B; k mod n = 0 (never for a clamped key in practice)
  // would be the identity, whose u-coordinate X25519 maps to 0: refuse it like the ladder does.
  const reduced = Fn.create(scalar);
  if (reduced === 0n) throw new CryptoError('X25519 private key is a multiple of the group order');
  const p = withRandomness(randomBytes, () => BASE.multiply(reduced));
  return Fp.toBytes(Fp.div(Fp.add(p.Z, p.Y), Fp.sub(p.Z, p.Y)));
}

/** edwards25519 (RFC 7748 §4.1), our instance, made on the first fixed-base key generation: only its base point is ever multiplied. */
let ed25519Blinded: ReturnType<typeof edwards> | undefined;

const nobleP256 = /* @__PURE__ */ nistCurve(P256_PARAMS);
const nobleP384 = /* @__PURE__ */ nistCurve(P384_PARAMS);

/**
 * Raw curve objects for the key-exchange and signature modules beside this file. Not exported
 * from the package, and left out of the declarations (`stripInternal`): noble's own types need
 * TypeScript 5.7+ (generic Uint8Array), and published declarations must work from 5.0.
 * @internal
 */
export const curves = { x25519: nobleX25519, ed25519: nobleEd25519, p256: nobleP256, p384: nobleP384 } as const;
