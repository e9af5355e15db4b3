/**
 * The server side of X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem §3), built independently of the
 * client's code: ML-KEM-768 encapsulation from @noble/post-quantum (FIPS 203 §7.2) and X25519
 * from node:crypto (OpenSSL). Server share = ciphertext (1088) ‖ X25519 public (32); shared
 * secret = ML-KEM secret (32) ‖ X25519 secret (32).
 */
import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';

const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export interface HybridServerShare {
  /** ciphertext ‖ X25519 public. */
  readonly publicKey: Uint8Array;
  /** ML-KEM secret ‖ X25519 secret. */
  readonly sharedSecret: Uint8Array;
  readonly mlKemSecret: Uint8Array;
  readonly x25519Secret: Uint8Array;
}

/** Answer a client's 1216-byte X25519MLKEM768 share. */
export function hybridServerShare(clientShare: Uint8Array): HybridServerShare {
  if (clientShare.length !== 1184 + 32) throw new Error(`client share of ${clientShare.length} bytes`);
  const { cipherText, sharedSecret: mlKemSecret } = ml_kem768.encapsulate(clientShare.subarray(0, 1184));
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const peer = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, clientShare.subarray(1184)]), format: 'der', type: 'spki' });
  const x25519Secret = new Uint8Array(diffieHellman({ privateKey: privateKey, publicKey: peer }));
  const ourPublic = publicKey.export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX.length);
  return {
    publicKey: new Uint8Array(Buffer.concat([cipherText, ourPublic])),
    sharedSecret: new Uint8Array(Buffer.concat([mlKemSecret, x25519Secret])),
    mlKemSecret,
    x25519Secret,
  };
}
