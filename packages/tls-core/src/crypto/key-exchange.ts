/**
 * Ephemeral (EC)DHE key shares for TLS 1.3 key_share (RFC 8446 §4.2.8, §4.2.8.2, §7.4.2) and
 * TLS 1.2 ECDHE (RFC 8422 §5.4, §5.10): X25519 (RFC 7748 §5, §6.1), secp256r1 and secp384r1
 * (SEC 1 v2 §2.3.3 uncompressed points, §3.3.1 ECDH), and the TLS 1.3-only hybrid
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem §3-§4, ML-KEM-768 per FIPS 203).
 *
 * - Public values: X25519 is the 32-byte u-coordinate; NIST curves are `04 || X || Y`.
 * - Shared secrets: X25519 is the 32-byte output; NIST curves are the x-coordinate only
 *   (RFC 8446 §7.4.2), fixed length (32 / 48 bytes).
 * - Peer validation: NIST points must be uncompressed, of the exact length and on the curve
 *   (RFC 8446 §4.2.8.2); an X25519 value must be 32 bytes, and an all-zero shared secret (a
 *   low-order peer point) is refused (RFC 8446 §7.4.2, RFC 7748 §6.1). Every peer-side failure
 *   throws `PeerMisbehaved('InvalidKeyShare')` (illegal_parameter).
 * - X25519MLKEM768 (0x11EC), ML-KEM part first in every field (the draft's exception to its
 *   "ECDH first" rule, also what OpenSSL 3.5 and rustls send): client share = ML-KEM-768
 *   encapsulation key (1184) ‖ X25519 public (32); server share = ML-KEM-768 ciphertext (1088) ‖
 *   X25519 public (32), exactly 1120 bytes or illegal_parameter; shared secret = ML-KEM secret (32)
 *   ‖ X25519 secret (32), the X25519 half refused when all zero as above. The ML-KEM keygen seed
 *   (64 bytes) and the X25519 key come from the caller's `randomBytes`.
 * @module
 */
import { PeerMisbehaved, UsageError } from '../errors.ts';
import { NamedGroup } from '../wire/enums.ts';
import { concatBytes } from '../codec/bytes.ts';
import { curves, defaultRandomBytes, ML_KEM_768, mlKem768Decapsulate, mlKem768KeyPair, withRandomness, x25519PublicKey, type RandomBytes } from './noble.ts';

/** One side of an ephemeral key exchange: our public value plus the ability to finish the exchange. */
export interface KeyShare {
  /** The named group (RFC 8446 §4.2.7 code point). */
  readonly group: NamedGroup;
  /** Our public value as sent in KeyShareEntry.key_exchange / ECPoint. */
  readonly publicKey: Uint8Array;
  /**
   * Combine our private key with the peer's public value.
   * @throws PeerMisbehaved('InvalidKeyShare') if the peer's value is malformed, off the curve or low-order
   */
  computeSharedSecret(peerPublic: Uint8Array): Uint8Array;
}

/**
 * The groups offered by default, in the client's preference order. X25519MLKEM768 is supported
 * but not a default (docs/design.md: opt in with `groups`).
 */
export const SUPPORTED_KEY_EXCHANGE_GROUPS: readonly NamedGroup[] = [
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
];

/** Every group this module implements: the defaults plus the opt-in hybrid. */
export const ALL_KEY_EXCHANGE_GROUPS: readonly NamedGroup[] = [...SUPPORTED_KEY_EXCHANGE_GROUPS, NamedGroup.X25519MLKEM768];

/** True when {@link generateKeyShare} can make a share for `group`. */
export function isSupportedKeyExchangeGroup(group: NamedGroup): boolean {
  return ALL_KEY_EXCHANGE_GROUPS.includes(group);
}

/** True for groups TLS 1.2 ECDHE may use (RFC 8422): not the TLS 1.3-only hybrid (draft-ietf-tls-ecdhe-mlkem §3). */
export function isTls12Group(group: NamedGroup): boolean {
  return group === NamedGroup.x25519 || group === NamedGroup.secp256r1 || group === NamedGroup.secp384r1;
}

/**
 * Length of a peer's public value for `group` (X25519: 32; P-256: 65; P-384: 97), or undefined.
 * Useful to reject a KeyShareEntry early. X25519MLKEM768: the server's share, 1088 + 32 = 1120.
 */
export function keyShareLength(group: NamedGroup): number | undefined {
  if (group === NamedGroup.x25519) return X25519_LENGTH;
  if (group === NamedGroup.X25519MLKEM768) return HYBRID_SERVER_SHARE_LENGTH;
  const nist = NIST[group];
  return nist === undefined ? undefined : 1 + 2 * nist.fieldLength;
}

/**
 * Generate a fresh ephemeral key share. Every random byte (the private key, and the scalar
 * blinding of the NIST multiplications, now and in {@link KeyShare.computeSharedSecret}) comes
 * from `randomBytes`: the engine passes its config's.
 * @param randomBytes the randomness source (default: Web Crypto, see noble.ts `defaultRandomBytes`)
 * @throws UsageError for a group this module does not implement, or no randomness in this runtime
 */
export function generateKeyShare(group: NamedGroup, randomBytes: RandomBytes = defaultRandomBytes): KeyShare {
  if (group === NamedGroup.x25519) return x25519Share(randomBytes(X25519_LENGTH), randomBytes);
  if (group === NamedGroup.X25519MLKEM768) return hybridShare(randomBytes(ML_KEM_768.seed), randomBytes(X25519_LENGTH), randomBytes);
  const nist = NIST[group];
  if (nist === undefined) throw new UsageError(`unsupported key exchange group 0x${group.toString(16)}`);
  // FIPS 186-5 A.4.1-style: reduce a seed at least 64 bits longer than n (noble's mapHashToField).
  const seed = randomBytes(nist.curve.lengths.seed ?? nist.fieldLength + 16);
  return nistShare(group, nist, nist.curve.utils.randomSecretKey(seed), randomBytes);
}

/**
 * Build a key share from a known private key (known-answer tests, e.g. the fixed X25519 keys of
 * RFC 8448). X25519: any 32 bytes (clamped per RFC 7748 §5). NIST: a big-endian scalar of exactly
 * the field length (32 / 48 bytes) in [1, n-1]; `randomBytes` feeds the scalar blinding only.
 * @throws UsageError for an unsupported group or an invalid private key
 */
export function keyShareFromPrivateKey(group: NamedGroup, privateKey: Uint8Array, randomBytes: RandomBytes = defaultRandomBytes): KeyShare {
  if (group === NamedGroup.x25519) {
    if (privateKey.length !== X25519_LENGTH) throw new UsageError('X25519 private key must be 32 bytes');
    return x25519Share(privateKey.slice(), randomBytes);
  }
  const nist = NIST[group];
  if (nist === undefined) throw new UsageError(`unsupported key exchange group 0x${group.toString(16)}`);
  if (privateKey.length !== nist.fieldLength || !nist.curve.utils.isValidSecretKey(privateKey))
    throw new UsageError(`invalid ${nist.name} private key`);
  return nistShare(group, nist, privateKey.slice(), randomBytes);
}

function x25519Share(privateKey: Uint8Array, randomBytes: RandomBytes): KeyShare {
  const x25519 = curves.x25519;
  return {
    group: NamedGroup.x25519,
    publicKey: x25519PublicKey(privateKey, randomBytes),
    computeSharedSecret(peerPublic) {
      if (peerPublic.length !== X25519_LENGTH) throw invalidShare(`X25519 public value of ${peerPublic.length} bytes`);
      let shared: Uint8Array;
      try {
        // noble refuses the low-order inputs (whose output is all zero) before running the ladder.
        shared = x25519.getSharedSecret(privateKey, peerPublic);
      } catch {
        throw invalidShare('X25519 low-order public value');
      }
      // RFC 8446 §7.4.2 / RFC 7748 §6.1: check the output too, whatever the backend does.
      if (isAllZero(shared)) throw invalidShare('X25519 all-zero shared secret');
      return shared;
    },
  };
}

/**
 * X25519MLKEM768 from an ML-KEM-768 keygen seed (d ‖ z, 64 bytes) and an X25519 private key
 * (known-answer tests use this through {@link hybridKeyShareFromSeeds}).
 */
function hybridShare(mlKemSeed: Uint8Array, x25519Private: Uint8Array, randomBytes: RandomBytes): KeyShare {
  const { encapsulationKey, decapsulationKey } = mlKem768KeyPair(mlKemSeed);
  mlKemSeed.fill(0);
  const classical = x25519Share(x25519Private, randomBytes);
  return {
    group: NamedGroup.X25519MLKEM768,
    publicKey: concatBytes(encapsulationKey, classical.publicKey),
    computeSharedSecret(peerPublic) {
      if (peerPublic.length !== HYBRID_SERVER_SHARE_LENGTH)
        throw invalidShare(`X25519MLKEM768 server share of ${peerPublic.length} bytes, expected ${ML_KEM_768.ciphertext} + ${X25519_LENGTH}`);
      const classicalSecret = classical.computeSharedSecret(peerPublic.subarray(ML_KEM_768.ciphertext));
      const mlKemSecret = mlKem768Decapsulate(peerPublic.subarray(0, ML_KEM_768.ciphertext), decapsulationKey);
      const shared = concatBytes(mlKemSecret, classicalSecret);
      mlKemSecret.fill(0);
      classicalSecret.fill(0);
      return shared;
    },
  };
}

/**
 * An X25519MLKEM768 share from known key material: a 64-byte ML-KEM-768 seed (FIPS 203 d ‖ z)
 * and a 32-byte X25519 private key (tests and known-answer checks).
 * @throws UsageError for wrong lengths
 */
export function hybridKeyShareFromSeeds(mlKemSeed: Uint8Array, x25519Private: Uint8Array, randomBytes: RandomBytes = defaultRandomBytes): KeyShare {
  if (mlKemSeed.length !== ML_KEM_768.seed) throw new UsageError('ML-KEM-768 seed must be 64 bytes');
  if (x25519Private.length !== X25519_LENGTH) throw new UsageError('X25519 private key must be 32 bytes');
  return hybridShare(mlKemSeed.slice(), x25519Private.slice(), randomBytes);
}

function nistShare(group: NamedGroup, nist: NistGroup, privateKey: Uint8Array, randomBytes: RandomBytes): KeyShare {
  const { curve, fieldLength, name } = nist;
  const pointLength = 1 + 2 * fieldLength;
  let publicKey: Uint8Array | undefined;
  return {
    group,
    get publicKey() {
      return (publicKey ??= withRandomness(randomBytes, () => curve.getPublicKey(privateKey, false)));
    },
    computeSharedSecret(peerPublic) {
      // RFC 8446 §4.2.8.2: UncompressedPointRepresentation only; legacy_form 4.
      if (peerPublic.length !== pointLength || peerPublic[0] !== 0x04)
        throw invalidShare(`${name} public value is not an uncompressed point of ${pointLength} bytes`);
      let shared: Uint8Array;
      try {
        // Point decoding checks the coordinates are field elements and that the point is on the curve
        // (cofactor 1, so on-curve means in the prime-order group; the identity has no 04 encoding).
        shared = withRandomness(randomBytes, () => curve.getSharedSecret(privateKey, peerPublic, true));
      } catch {
        throw invalidShare(`${name} public value is not on the curve`);
      }
      // Compressed output is prefix byte || x: TLS uses x only (RFC 8446 §7.4.2).
      return shared.slice(1);
    },
  };
}

function invalidShare(detail: string): PeerMisbehaved {
  return new PeerMisbehaved('InvalidKeyShare', detail);
}

function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}

type NistCurve = typeof curves.p256;
interface NistGroup {
  readonly name: string;
  readonly curve: NistCurve;
  readonly fieldLength: number;
}

const X25519_LENGTH = 32;
const HYBRID_SERVER_SHARE_LENGTH = ML_KEM_768.ciphertext + X25519_LENGTH;

const NIST: Readonly<Record<number, NistGroup | undefined>> = {
  [NamedGroup.secp256r1]: { name: 'P-256', curve: curves.p256, fieldLength: 32 },
  [NamedGroup.secp384r1]: { name: 'P-384', curve: curves.p384 as unknown as NistCurve, fieldLength: 48 },
};
