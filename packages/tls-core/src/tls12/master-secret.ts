/**
 * The TLS 1.2 master secret as a type of its own (RFC 5246 §8.1, RFC 7627 §4): made from the
 * pre-master secret (or copied from a resumed session, RFC 5246 §7.3), it yields the key
 * block (§6.3), the Finished verify_data (§7.4.9), the RFC 5705 exporter and the copy a new
 * session keeps; the same type is the session's secret (`Tls12SessionData.masterSecret`). Its
 * bytes have no getter: {@link revealMasterSecret} is the one way out, for the NSS key log
 * (CLIENT_RANDOM lines), the session format and known-answer tests, and it is only in the
 * package's internal entry.
 * @module
 */
import { equalBytes } from '../codec/bytes.ts';
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
   * A master secret holding a copy of `bytes` (the caller keeps, and may wipe, its own): a parsed
   * session's (the session format, from the internal entry) or a test's.
   */
  static fromBytes(hash: HashAlgorithm, bytes: Uint8Array): Tls12MasterSecret {
    return new Tls12MasterSecret(hash, bytes.slice());
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

  /**
   * A copy with bytes of its own (RFC 5246 §7.3): for a new owner, the resumable session a
   * handshake hands out, whoever takes session data into long-lived state, or the handshake that
   * resumes a session (whose bytes stay with whoever offered them, and may be wiped by them).
   */
  copy(): Tls12MasterSecret {
    return new Tls12MasterSecret(this.hash, this.#secret.slice());
  }

  /** Overwrite the bytes with zeros. Only the owner calls this (Session.free(), a parse copy once taken over). */
  wipe(): void {
    this.#secret.fill(0);
  }

  /** True when both hold the same bytes (compared in time that depends on the lengths only). */
  equals(other: Tls12MasterSecret): boolean {
    return equalBytes(this.#secret, other.#secret);
  }

  static {
    reveal = (m) => m.#secret;
  }
}

/**
 * A copy of the bytes, for the NSS key log (CLIENT_RANDOM), the session format's serialization
 * (and the s_client session printout), and known-answer tests. Exported from the package's
 * internal entry only.
 */
export function revealMasterSecret(m: Tls12MasterSecret): Uint8Array {
  return reveal(m).slice();
}
