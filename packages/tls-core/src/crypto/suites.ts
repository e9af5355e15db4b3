/**
 * Cipher suite tables: the TLS 1.3 AEAD suites (RFC 8446 §B.4) and the six TLS 1.2 ECDHE AEAD
 * suites (RFC 5289 §3.2 for AES-GCM, RFC 7905 §2 for ChaCha20-Poly1305), with the record
 * parameters each implies:
 * - TLS 1.3: per-record nonce = 12-byte IV XOR sequence number (RFC 8446 §5.3).
 * - TLS 1.2 AES-GCM: 4-byte fixed (implicit) IV from the key block + 8-byte explicit nonce sent in
 *   each record (RFC 5288 §3).
 * - TLS 1.2 ChaCha20-Poly1305: 12-byte fixed IV XOR sequence number, no explicit nonce (RFC 7905 §2).
 * @module
 */
import { CipherSuite } from '../wire/enums.ts';
import { SHA256, SHA384, type AeadAlgorithm, type HashAlgorithm } from './noble.ts';

/** A TLS 1.3 cipher suite. */
export interface Tls13Suite {
  readonly id: CipherSuite;
  readonly name: string;
  readonly aead: AeadAlgorithm;
  /** Hash for HKDF and the transcript. */
  readonly hash: HashAlgorithm;
  readonly keyLength: number;
  /** Always 12 (RFC 8446 §5.3). */
  readonly ivLength: number;
}

/** A TLS 1.2 ECDHE AEAD cipher suite. */
export interface Tls12Suite {
  readonly id: CipherSuite;
  /** IANA name, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256. */
  readonly name: string;
  /** OpenSSL name, e.g. ECDHE-ECDSA-AES128-GCM-SHA256. */
  readonly opensslName: string;
  /** Which certificate/signature type authenticates the ServerKeyExchange. */
  readonly auth: 'ECDSA' | 'RSA';
  readonly aead: AeadAlgorithm;
  /** Hash for the PRF (RFC 5246 §5) and the Finished verify_data. */
  readonly prfHash: HashAlgorithm;
  readonly keyLength: number;
  /** Implicit IV from the key block: 4 for GCM (RFC 5288 §3), 12 for ChaCha20 (RFC 7905 §2). */
  readonly fixedIvLength: number;
  /** Per-record explicit nonce carried on the wire: 8 for GCM, 0 for ChaCha20. */
  readonly explicitNonceLength: number;
}

/** TLS 1.3 suites, in the client's default preference order (ChaCha20 first: fastest in pure JS). */
export const TLS13_SUITES = [
  { id: CipherSuite.TLS_CHACHA20_POLY1305_SHA256, name: 'TLS_CHACHA20_POLY1305_SHA256', aead: 'CHACHA20-POLY1305', hash: SHA256, keyLength: 32, ivLength: 12 },
  { id: CipherSuite.TLS_AES_128_GCM_SHA256, name: 'TLS_AES_128_GCM_SHA256', aead: 'AES-128-GCM', hash: SHA256, keyLength: 16, ivLength: 12 },
  { id: CipherSuite.TLS_AES_256_GCM_SHA384, name: 'TLS_AES_256_GCM_SHA384', aead: 'AES-256-GCM', hash: SHA384, keyLength: 32, ivLength: 12 },
] as const satisfies readonly Tls13Suite[];

/** TLS 1.2 ECDHE AEAD suites, in the client's default preference order. */
export const TLS12_SUITES = [
  {
    id: CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    name: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    opensslName: 'ECDHE-ECDSA-CHACHA20-POLY1305',
    auth: 'ECDSA',
    aead: 'CHACHA20-POLY1305',
    prfHash: SHA256,
    keyLength: 32,
    fixedIvLength: 12,
    explicitNonceLength: 0,
  },
  {
    id: CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    name: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    opensslName: 'ECDHE-RSA-CHACHA20-POLY1305',
    auth: 'RSA',
    aead: 'CHACHA20-POLY1305',
    prfHash: SHA256,
    keyLength: 32,
    fixedIvLength: 12,
    explicitNonceLength: 0,
  },
  {
    id: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    opensslName: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    auth: 'ECDSA',
    aead: 'AES-128-GCM',
    prfHash: SHA256,
    keyLength: 16,
    fixedIvLength: 4,
    explicitNonceLength: 8,
  },
  {
    id: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    opensslName: 'ECDHE-RSA-AES128-GCM-SHA256',
    auth: 'RSA',
    aead: 'AES-128-GCM',
    prfHash: SHA256,
    keyLength: 16,
    fixedIvLength: 4,
    explicitNonceLength: 8,
  },
  {
    id: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    name: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    opensslName: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    auth: 'ECDSA',
    aead: 'AES-256-GCM',
    prfHash: SHA384,
    keyLength: 32,
    fixedIvLength: 4,
    explicitNonceLength: 8,
  },
  {
    id: CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    name: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    opensslName: 'ECDHE-RSA-AES256-GCM-SHA384',
    auth: 'RSA',
    aead: 'AES-256-GCM',
    prfHash: SHA384,
    keyLength: 32,
    fixedIvLength: 4,
    explicitNonceLength: 8,
  },
] as const satisfies readonly Tls12Suite[];

/** The TLS 1.3 suite with this id, or undefined. */
export function tls13SuiteById(id: CipherSuite): Tls13Suite | undefined {
  return (TLS13_SUITES as readonly Tls13Suite[]).find((s) => s.id === id);
}

/** The TLS 1.2 suite with this id, or undefined. */
export function tls12SuiteById(id: CipherSuite): Tls12Suite | undefined {
  return (TLS12_SUITES as readonly Tls12Suite[]).find((s) => s.id === id);
}

/** A suite of either version by IANA or OpenSSL name (TLS 1.3 suites have the same name in both). */
export function suiteByName(name: string): Tls13Suite | Tls12Suite | undefined {
  return (
    (TLS13_SUITES as readonly Tls13Suite[]).find((s) => s.name === name) ??
    (TLS12_SUITES as readonly Tls12Suite[]).find((s) => s.name === name || s.opensslName === name)
  );
}

/** True for the id of a TLS 1.3 suite (0x13xx family that this table implements). */
export function isTls13Suite(id: CipherSuite): boolean {
  return tls13SuiteById(id) !== undefined;
}
