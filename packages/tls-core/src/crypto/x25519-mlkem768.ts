/**
 * The X25519MLKEM768 hybrid key exchange (draft-ietf-tls-ecdhe-mlkem §3-§4, code point 0x11EC;
 * ML-KEM-768 per FIPS 203), TLS 1.3 only, as a {@link KeyExchange} provider: the engine does not
 * import this module; a caller that wants the group imports {@link x25519MLKEM768} from
 * `@puretls/tls-core/pq` and lists it in the config's `groups`, so builds without it carry no
 * ML-KEM and no SHA-3 (docs/embedding.md).
 *
 * ML-KEM part first in every field (the draft's exception to its "ECDH first" rule, also what
 * OpenSSL 3.5 and rustls send): client share = ML-KEM-768 encapsulation key (1184) ‖ X25519
 * public (32); server share = ML-KEM-768 ciphertext (1088) ‖ X25519 public (32), exactly 1120
 * bytes or illegal_parameter; shared secret = ML-KEM secret (32) ‖ X25519 secret (32), the X25519
 * half refused when all zero (RFC 8446 §7.4.2, RFC 7748 §6.1). The ML-KEM keygen seed (64 bytes)
 * and the X25519 key come from the caller's `randomBytes`.
 * @module
 */
import { UsageError } from '../errors.ts';
import { NamedGroup } from '../wire/enums.ts';
import { concatBytes } from '../codec/bytes.ts';
import { invalidShare, x25519Share, type KeyExchange, type KeyShare } from './key-exchange.ts';
import { defaultRandomBytes, type RandomBytes } from './noble.ts';
import { ML_KEM_768, mlKem768Decapsulate, mlKem768KeyPair } from './noble-pq.ts';

const X25519_LENGTH = 32;

/** The server's share: ML-KEM-768 ciphertext ‖ X25519 public value, 1088 + 32 = 1120 bytes. */
export const X25519MLKEM768_SERVER_SHARE_LENGTH = ML_KEM_768.ciphertext + X25519_LENGTH;

/**
 * The X25519MLKEM768 provider: put it in `groups` (`createClientConfig({ groups: [x25519MLKEM768,
 * NamedGroup.x25519] })`; transport-node maps `groups: ['X25519MLKEM768']` to it).
 */
export const x25519MLKEM768: KeyExchange = /* @__PURE__ */ Object.freeze({
  group: NamedGroup.X25519MLKEM768,
  name: 'X25519MLKEM768',
  generate: (randomBytes: RandomBytes): KeyShare => hybridShare(randomBytes(ML_KEM_768.seed), randomBytes(X25519_LENGTH), randomBytes),
});

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
      if (peerPublic.length !== X25519MLKEM768_SERVER_SHARE_LENGTH)
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

