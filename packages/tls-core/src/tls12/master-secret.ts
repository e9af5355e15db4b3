/**
 * The TLS 1.2 master secret as a type of its own (RFC 5246 §8.1, RFC 7627 §4): made from the
 * pre-master secret (or taken over from a resumed session, RFC 5246 §7.3), it yields the key
 * block (§6.3), the Finished verify_data (§7.4.9), the RFC 5705 exporter and the copy a new
 * session keeps. Its bytes have no getter: {@link revealMasterSecret} is the one way out, for the
 * NSS key log (CLIENT_RANDOM lines) and known-answer tests, and it is not in the public entry.
 * @module
 */
import type { HashAlgorithm } from '../crypto/noble.ts';
import { extendedMasterSecret, keyBlock, masterSecret, prf, tls12FinishedVerifyData, type Tls12KeyBlock } from './prf.ts';

/** Reads the bytes; installed by Tls12MasterSecret's `static` block, module-private. */
let reveal: (m: Tls12MasterSecret) => Uint8Array;

/** A TLS 1.2 master secret with its PRF hash (RFC 5246 §5: the suite's PRF). */
export class Tls12MasterSecret {
  readonly hash: HashAlgorithm;
  readonly #secret: Uint8Array;

  private constructor(hash: HashAlgorithm, secret: Uint8Array) {
    this.hash = hash;
    this.#secret = secret;
  }

  /** `PRF(pre_master_secret, "master secret", ClientHello.random || ServerHello.random)` (RFC 5246 §8.1). */
  static fromPreMaster(hash: HashAlgorithm, preMasterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Tls12MasterSecret {
    return new Tls12MasterSecret(hash, masterSecret(hash, preMasterSecret, clientRandom, serverRandom));
  }

  /** `PRF(pre_master_secret, "extended master secret", session_hash)` (RFC 7627 §4). */
  static extended(hash: HashAlgorithm, preMasterSecret: Uint8Array, sessionHash: Uint8Array): Tls12MasterSecret {
    return new Tls12MasterSecret(hash, extendedMasterSecret(hash, preMasterSecret, sessionHash));
  }

  /**
   * The master secret of a session being resumed (RFC 5246 §7.3), as this handshake's own copy:
   * the session's bytes stay with whoever offered them (and may be wiped by them).
   */
  static fromSession(hash: HashAlgorithm, sessionMasterSecret: Uint8Array): Tls12MasterSecret {
    return new Tls12MasterSecret(hash, sessionMasterSecret.slice());
  }

  /** The key block for an AEAD suite (RFC 5246 §6.3); see {@link keyBlock}. */
  keyBlock(clientRandom: Uint8Array, serverRandom: Uint8Array, keyLength: number, fixedIvLength: number): Tls12KeyBlock {
    return keyBlock(this.hash, this.#secret, clientRandom, serverRandom, keyLength, fixedIvLength);
  }

  /** Finished verify_data of `sender` (RFC 5246 §7.4.9). */
  finishedVerifyData(sender: 'client' | 'server', handshakeHash: Uint8Array): Uint8Array {
    return tls12FinishedVerifyData(this.hash, this.#secret, sender, handshakeHash);
  }

  /** `PRF(master_secret, label, seed)[0..length-1]` (RFC 5705 §4; the caller builds the seed). */
  exportKeyingMaterial(label: string, seed: Uint8Array, length: number): Uint8Array {
    return prf(this.hash, this.#secret, label, seed, length);
  }

  /** A copy for a resumable session (RFC 5246 §7.3): ownership passes to the session with it. */
  copyForSession(): Uint8Array {
    return this.#secret.slice();
  }

  static {
    reveal = (m) => m.#secret;
  }
}

/** A copy of the bytes, for the NSS key log (CLIENT_RANDOM) and known-answer tests only. */
export function revealMasterSecret(m: Tls12MasterSecret): Uint8Array {
  return reveal(m).slice();
}
