/**
 * Ephemeral (EC)DHE key shares for TLS 1.3 key_share (RFC 8446 §4.2.8, §4.2.8.2, §7.4.2) and
 * TLS 1.2 ECDHE (RFC 8422 §5.4, §5.10): X25519 (RFC 7748 §5, §6.1), secp256r1 and secp384r1
 * (SEC 1 v2 §2.3.3 uncompressed points, §3.3.1 ECDH), and the {@link KeyExchange} interface
 * through which further TLS 1.3 groups plug in (the X25519MLKEM768 hybrid is one, in
 * x25519-mlkem768.ts, exported from `@puretls/tls-core/pq`: the engine never imports it, so a
 * bundle without it carries no ML-KEM or SHA-3).
 *
 * - Public values: X25519 is the 32-byte u-coordinate; NIST curves are `04 || X || Y`.
 * - Shared secrets: X25519 is the 32-byte output; NIST curves are the x-coordinate only
 *   (RFC 8446 §7.4.2), fixed length (32 / 48 bytes).
 * - Peer validation: NIST points must be uncompressed, of the exact length and on the curve
 *   (RFC 8446 §4.2.8.2); an X25519 value must be 32 bytes, and an all-zero shared secret (a
 *   low-order peer point) is refused (RFC 8446 §7.4.2, RFC 7748 §6.1). Every peer-side failure
 *   throws `PeerMisbehaved('InvalidKeyShare')` (illegal_parameter).
 * @module
 */
import { PeerMisbehaved, UsageError } from '../errors.ts';
import { NamedGroup } from '../wire/enums.ts';
import { curves, defaultRandomBytes, withRandomness, x25519PublicKey, type RandomBytes } from './noble.ts';

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
 * A key exchange group implemented outside this module, given to the engine in the config's
 * `groups` (TLS 1.3 key_share only: such groups are never used for TLS 1.2 ECDHE). The engine
 * asks it for one fresh share per ClientHello (or HelloRetryRequest) and calls the share's
 * `computeSharedSecret` with the server's key_exchange, which must check its length and validity
 * and throw `PeerMisbehaved('InvalidKeyShare')` (illegal_parameter) for a bad one.
 * @example import { x25519MLKEM768 } from '@puretls/tls-core/pq'; createClientConfig({ groups: [x25519MLKEM768, NamedGroup.x25519], ... })
 */
export interface KeyExchange {
  /** The named group (RFC 8446 §4.2.7 code point) this provider implements. */
  readonly group: NamedGroup;
  /** Its name, for messages ("X25519MLKEM768"). */
  readonly name: string;
  /** A fresh share; every random byte comes from `randomBytes` (the config's). */
  generate(randomBytes: RandomBytes): KeyShare;
}

/** The groups offered by default, in the client's preference order. */
export const SUPPORTED_KEY_EXCHANGE_GROUPS: readonly NamedGroup[] = [
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
];

/** Every group this module implements (other groups come as {@link KeyExchange} providers). */
export const ALL_KEY_EXCHANGE_GROUPS: readonly NamedGroup[] = SUPPORTED_KEY_EXCHANGE_GROUPS;

/** True when {@link generateKeyShare} can make a share for `group` without a provider. */
export function isSupportedKeyExchangeGroup(group: NamedGroup): boolean {
  return ALL_KEY_EXCHANGE_GROUPS.includes(group);
}

/** True for groups TLS 1.2 ECDHE may use (RFC 8422): the built-in ones; providers are TLS 1.3 only (draft-ietf-tls-ecdhe-mlkem §3). */
export function isTls12Group(group: NamedGroup): boolean {
  return group === NamedGroup.x25519 || group === NamedGroup.secp256r1 || group === NamedGroup.secp384r1;
}

/**
 * Length of a peer's public value for a built-in `group` (X25519: 32; P-256: 65; P-384: 97), or
 * undefined. Useful to reject a KeyShareEntry early.
 */
export function keyShareLength(group: NamedGroup): number | undefined {
  if (group === NamedGroup.x25519) return X25519_LENGTH;
  const nist = NIST[group];
  return nist === undefined ? undefined : 1 + 2 * nist.fieldLength;
}

/**
 * Generate a fresh ephemeral key share. Every random byte (the private key, and the scalar
 * blinding of the NIST multiplications, now and in {@link KeyShare.computeSharedSecret}) comes
 * from `randomBytes`: the engine passes its config's.
 * @param randomBytes the randomness source (default: Web Crypto, see noble.ts `defaultRandomBytes`)
 * @param providers groups implemented elsewhere (the config's `keyExchanges`), asked when `group` is not built in
 * @throws UsageError for a group neither this module nor a provider implements, or no randomness in this runtime
 */
export function generateKeyShare(group: NamedGroup, randomBytes: RandomBytes = defaultRandomBytes, providers: readonly KeyExchange[] = []): KeyShare {
  if (group === NamedGroup.x25519) return x25519Share(randomBytes(X25519_LENGTH), randomBytes);
  const nist = NIST[group];
  if (nist === undefined) {
    const provider = providers.find((p) => p.group === group);
    if (provider === undefined) throw new UsageError(`unsupported key exchange group 0x${group.toString(16)}`);
    return provider.generate(randomBytes);
  }
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

/**
 * An X25519 share from a private key the caller owns (hybrid providers build on it).
 * @internal
 */
export function x25519Share(privateKey: Uint8Array, randomBytes: RandomBytes): KeyShare {
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

/** @internal */
export function invalidShare(detail: string): PeerMisbehaved {
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

const NIST: Readonly<Record<number, NistGroup | undefined>> = {
  [NamedGroup.secp256r1]: { name: 'P-256', curve: curves.p256, fieldLength: 32 },
  [NamedGroup.secp384r1]: { name: 'P-384', curve: curves.p384 as unknown as NistCurve, fieldLength: 48 },
};
