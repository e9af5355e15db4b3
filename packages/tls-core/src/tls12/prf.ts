/**
 * TLS 1.2 pseudo-random function and the secrets built on it: P_hash and PRF (RFC 5246 §5),
 * the master secret (§8.1), the extended master secret over the session hash (RFC 7627 §4),
 * the key block for AEAD suites (§6.3, RFC 5288 §3, RFC 7905 §2) and Finished verify_data
 * (§7.4.9).
 * @module
 */
import { concatBytes, utf8 } from '../codec/bytes.ts';
import { UsageError } from '../errors.ts';
import { hmacWithKey, type HashAlgorithm } from '../crypto/noble.ts';

/** Write keys and implicit IVs for an AEAD suite. AEAD suites have no MAC keys (RFC 5246 §6.3 with mac_key_length 0). */
export interface Tls12KeyBlock {
  readonly clientWriteKey: Uint8Array;
  readonly serverWriteKey: Uint8Array;
  /** 4 bytes for AES-GCM (RFC 5288 §3 salt), 12 for ChaCha20-Poly1305 (RFC 7905 §2). */
  readonly clientWriteIv: Uint8Array;
  readonly serverWriteIv: Uint8Array;
}

/**
 * `P_hash(secret, seed)` truncated to `length` bytes (RFC 5246 §5):
 * `A(0) = seed, A(i) = HMAC(secret, A(i-1)); output = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) || ...`
 */
export function pHash(hash: HashAlgorithm, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new UsageError('P_hash length must be a non-negative integer');
  const out = new Uint8Array(length);
  const mac = hmacWithKey(hash, secret);
  const input = new Uint8Array(hash.outputLen + seed.length); // A(i) || seed
  input.set(seed, hash.outputLen);
  let a = mac(seed); // A(1)
  for (let off = 0; off < length; off += hash.outputLen) {
    input.set(a, 0);
    const block = mac(input);
    out.set(block.subarray(0, Math.min(block.length, length - off)), off);
    if (off + hash.outputLen < length) a = mac(a); // A(i+1), only when another block follows
  }
  return out;
}

/**
 * `PRF(secret, label, seed) = P_<hash>(secret, label || seed)` (RFC 5246 §5). The label is ASCII.
 * @example prf(SHA256, masterSecret, 'client finished', handshakeHash, 12)
 */
export function prf(hash: HashAlgorithm, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return pHash(hash, secret, concatBytes(utf8(label), seed), length);
}

/** `master_secret = PRF(pre_master_secret, "master secret", ClientHello.random || ServerHello.random)[0..47]` (RFC 5246 §8.1). */
export function masterSecret(
  hash: HashAlgorithm,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Uint8Array {
  checkRandoms(clientRandom, serverRandom);
  return prf(hash, preMasterSecret, 'master secret', concatBytes(clientRandom, serverRandom), MASTER_SECRET_LENGTH);
}

/**
 * `master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47]` (RFC 7627 §4).
 * @param sessionHash the transcript hash of every handshake message up to and including ClientKeyExchange (RFC 7627 §3)
 */
export function extendedMasterSecret(hash: HashAlgorithm, preMasterSecret: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  return prf(hash, preMasterSecret, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/**
 * The key block for an AEAD suite (RFC 5246 §6.3):
 * `PRF(master_secret, "key expansion", server_random || client_random)` split into
 * client_write_key, server_write_key, client_write_IV, server_write_IV.
 * @param keyLength AEAD key length (16 or 32)
 * @param fixedIvLength 4 for AES-GCM, 12 for ChaCha20-Poly1305
 */
export function keyBlock(
  hash: HashAlgorithm,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  keyLength: number,
  fixedIvLength: number,
): Tls12KeyBlock {
  checkRandoms(clientRandom, serverRandom);
  // RFC 5246 §6.3: note the order, server_random first.
  const block = prf(hash, master, 'key expansion', concatBytes(serverRandom, clientRandom), 2 * keyLength + 2 * fixedIvLength);
  let off = 0;
  const take = (n: number): Uint8Array => block.slice(off, (off += n));
  return {
    clientWriteKey: take(keyLength),
    serverWriteKey: take(keyLength),
    clientWriteIv: take(fixedIvLength),
    serverWriteIv: take(fixedIvLength),
  };
}

/**
 * `verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]` (RFC 5246 §7.4.9).
 * @param sender whose Finished this is: `client finished` or `server finished`
 */
export function tls12FinishedVerifyData(
  hash: HashAlgorithm,
  master: Uint8Array,
  sender: 'client' | 'server',
  handshakeHash: Uint8Array,
): Uint8Array {
  return prf(hash, master, `${sender} finished`, handshakeHash, VERIFY_DATA_LENGTH);
}

function checkRandoms(clientRandom: Uint8Array, serverRandom: Uint8Array): void {
  if (clientRandom.length !== RANDOM_LENGTH || serverRandom.length !== RANDOM_LENGTH)
    throw new UsageError('TLS 1.2 randoms must be 32 bytes');
}

/** RFC 5246 §8.1: the master secret is always 48 bytes. */
export const MASTER_SECRET_LENGTH = 48;
/** RFC 5246 §7.4.9: verify_data_length is 12 for every suite this client supports. */
export const VERIFY_DATA_LENGTH = 12;
const RANDOM_LENGTH = 32;
