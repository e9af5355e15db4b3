/**
 * Process-wide memo tables that make repeated handshakes with the same servers cheap without
 * changing any verdict:
 *
 * - verified signatures: "issuer key K signed certificate C" is a pure function of the bytes of K
 *   and C, so a positive answer is remembered with copies of K's SubjectPublicKeyInfo and C's DER,
 *   found by a short fingerprint and confirmed by comparing all their bytes (no hash on the hit path:
 *   hashing both was the largest cost of a repeat-contact chain check).
 *   Everything else about a path (validity at the current clock, host name, CA flags, key usage,
 *   path length, name constraints, algorithm policy) is checked again on every call. Failures are
 *   never remembered.
 * - end-entity keys: the same server key verifies a CertificateVerify on every handshake; after a
 *   few uses its EC multiplication tables are precomputed (crypto/signature.ts
 *   `prepareVerificationKey`), which makes each later verify about 3-4x faster.
 * - parsed certificates: `parseCertificate` is a pure function of the DER bytes, and a server
 *   sends the same leaf and intermediates on every handshake. A parsed certificate is kept with its
 *   own copy of the DER (the Certificate's fields are views of that copy, never of the caller's
 *   bytes), found by the DER's last 32 bytes and confirmed by comparing all of them. Parsing the
 *   leaf and intermediate of a 2048-bit RSA chain was ~4% of a repeat-contact handshake's client
 *   CPU (stop 29, docs/performance.md). Certificates that fail to parse are not kept; kept ones are frozen.
 *
 * All tables are bounded (least recently used entries go first) and hold no secrets.
 * @module
 */
import { equalBytes, toHex } from '../codec/bytes.ts';
import type { PublicKey } from '../crypto/keys.ts';
import { prepareVerificationKey } from '../crypto/signature.ts';
import { LruMap } from './lru-map.ts';
import { parseCertificate, type Certificate } from './certificate.ts';

/** A remembered positive answer: copies of the issuer's SubjectPublicKeyInfo and the child's DER. */
interface VerifiedPair {
  readonly issuerSpki: Uint8Array;
  readonly childDer: Uint8Array;
}

/**
 * Positive answers by the child's last 32 bytes (its signature's tail): a child verifies under one
 * issuer key, so one pair per child; another pair with the same tail replaces the one held.
 */
const verifiedSignatures = new LruMap<VerifiedPair>(1024);
const endEntityKeys = new LruMap<{ key: PublicKey; uses: number }>(64);
/** Parsed certificates kept: a chain of four from each of 16 servers. */
export const PARSED_CERTIFICATES_MAX = 64;

/** Parsed certificates by the last 32 bytes of their DER; each holds its own copy of the DER. */
const parsedCertificates = new LruMap<Certificate>(PARSED_CERTIFICATES_MAX);

/** Uses of one end-entity EC key after which its tables are built (the build costs ~15 plain verifies). */
const PREPARE_AFTER_USES = 4;

/**
 * The key under which a certificate's DER is looked up: its last 32 bytes (the signature's tail,
 * which two certificates almost never share). A hit is confirmed by comparing every byte.
 */
function derTableKey(der: Uint8Array): string {
  return toHex(der.subarray(-32));
}

/**
 * Whether `issuer` (its SubjectPublicKeyInfo) signed `child` (its DER), computing the answer with
 * `verify` only when it is not remembered.
 */
export function cachedSignatureCheck(issuerSpki: Uint8Array, childDer: Uint8Array, verify: () => boolean): boolean {
  const key = derTableKey(childDer);
  const hit = verifiedSignatures.get(key);
  if (hit && equalBytes(hit.childDer, childDer) && equalBytes(hit.issuerSpki, issuerSpki)) return true;
  const ok = verify();
  if (ok) verifiedSignatures.set(key, { issuerSpki: issuerSpki.slice(), childDer: childDer.slice() });
  return ok;
}

/**
 * `parseCertificate(der)`, answered from the table when the same bytes were parsed before. The
 * result never refers to `der`'s memory: `parseCertificate` parses a copy, which the table then owns.
 * @throws InvalidCertificate as `parseCertificate` (such bytes are not remembered)
 */
export function cachedParseCertificate(der: Uint8Array): Certificate {
  const key = derTableKey(der);
  const hit = parsedCertificates.get(key);
  if (hit !== undefined && equalBytes(hit.der, der)) return hit;
  const parsed = freezeObjects(parseCertificate(der));
  parsedCertificates.set(key, parsed);
  return parsed;
}

/**
 * Freeze every object and array under `value`. Byte arrays cannot be frozen: a remembered
 * certificate's bytes are all views of its `der`, which each lookup compares in full. A certificate
 * from the table is shared by every later handshake and handed to callers (path results, the OCSP
 * checker), so nobody can change what the next handshake sees.
 */
function freezeObjects<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  for (const field of Object.values(value)) freezeObjects(field);
  return Object.freeze(value);
}

/**
 * The long-lived object for an end-entity key: the same object for the same SubjectPublicKeyInfo,
 * prepared for fast ECDSA verification once it has been used a few times.
 */
export function reusableEndEntityKey(spki: Uint8Array, parsed: PublicKey): PublicKey {
  const id = toHex(spki);
  const entry = endEntityKeys.get(id);
  if (entry === undefined) {
    endEntityKeys.set(id, { key: parsed, uses: 1 });
    return parsed;
  }
  if (++entry.uses === PREPARE_AFTER_USES) prepareVerificationKey(entry.key);
  return entry.key;
}

/**
 * Real verifications (cache misses) with a trust anchor's key after which its EC tables are built.
 * The build costs ~15 plain P-256 verifies (~35 ms here, ~300 ms in QuickJS); with the signature
 * cache above an anchor verifies each intermediate once, so in a steady state most anchors never
 * reach this and a first handshake never pays for it.
 */
export const PREPARE_ANCHOR_AFTER_VERIFIES = 16;

/** Cache-miss verifications per anchor key object (the objects live as long as their TrustStore). */
let anchorVerifies = new WeakMap<PublicKey, number>();

/**
 * The key to verify with for a trust anchor's `key`: the same object, prepared for fast ECDSA
 * verification once it has done {@link PREPARE_ANCHOR_AFTER_VERIFIES} verifications.
 */
export function anchorKeyForVerify(key: PublicKey): PublicKey {
  const uses = (anchorVerifies.get(key) ?? 0) + 1;
  anchorVerifies.set(key, uses);
  if (uses === PREPARE_ANCHOR_AFTER_VERIFIES) prepareVerificationKey(key);
  return key;
}

/** Forget everything (tests, the benchmark's first-contact rows, and callers that rotate trust policy). */
export function clearVerificationCaches(): void {
  verifiedSignatures.clear();
  endEntityKeys.clear();
  parsedCertificates.clear();
  anchorVerifies = new WeakMap();
}

/** Entry counts, for tests. */
export function verificationCacheSizes(): { signatures: number; endEntityKeys: number; parsedCertificates: number } {
  return { signatures: verifiedSignatures.size, endEntityKeys: endEntityKeys.size, parsedCertificates: parsedCertificates.size };
}
