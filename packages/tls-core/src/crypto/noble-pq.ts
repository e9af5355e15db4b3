/**
 * ML-KEM-768 (FIPS 203) from @noble/post-quantum, for the opt-in X25519MLKEM768 key exchange
 * (x25519-mlkem768.ts). Kept apart from noble.ts so that only code importing the hybrid provider
 * (the `@puretls/tls-core/pq` entry) carries ML-KEM and the SHA-3 it is built on.
 * @module
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { CryptoError } from '../errors.ts';

/** ML-KEM-768 sizes (FIPS 203 §8 Table 3): encapsulation key, ciphertext, shared secret; keygen seed d ‖ z. */
export const ML_KEM_768 = { encapsulationKey: 1184, ciphertext: 1088, sharedSecret: 32, seed: 64 } as const;

/**
 * ML-KEM-768 key pair from a 64-byte seed (FIPS 203 §7.1 ML-KEM.KeyGen with d ‖ z given: the
 * caller draws the seed from its {@link RandomBytes}, so noble draws nothing).
 * @throws CryptoError for a seed of the wrong length
 */
export function mlKem768KeyPair(seed: Uint8Array): { encapsulationKey: Uint8Array; decapsulationKey: Uint8Array } {
  if (seed.length !== ML_KEM_768.seed) throw new CryptoError(`ML-KEM-768 seed of ${seed.length} bytes`);
  const { publicKey, secretKey } = ml_kem768.keygen(seed);
  return { encapsulationKey: publicKey, decapsulationKey: secretKey };
}

/**
 * ML-KEM-768 decapsulation (FIPS 203 §7.3). A ciphertext of the right length never fails: a
 * tampered one yields the implicit-rejection secret (the handshake then fails at Finished).
 * @throws CryptoError for a ciphertext of the wrong length (callers check first)
 */
export function mlKem768Decapsulate(ciphertext: Uint8Array, decapsulationKey: Uint8Array): Uint8Array {
  if (ciphertext.length !== ML_KEM_768.ciphertext) throw new CryptoError(`ML-KEM-768 ciphertext of ${ciphertext.length} bytes`);
  return ml_kem768.decapsulate(ciphertext, decapsulationKey);
}

