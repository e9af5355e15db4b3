/**
 * Public-key and signature-algorithm types shared by the TLS handshake (CertificateVerify,
 * ServerKeyExchange; RFC 8446 §4.4.3, RFC 5246 §7.4.3) and X.509 path validation (RFC 5280 §4.1.1.2).
 * Pure data: the verification itself lives in signature.ts.
 * @module
 */
import type { HashAlgorithm } from './noble.ts';

/** A parsed subject public key, as X.509 yields it. */
export type PublicKey =
  | {
      readonly kind: 'rsa';
      readonly n: bigint;
      readonly e: bigint;
      /** Modulus size in bits. */
      readonly bits: number;
      /** True for an id-RSASSA-PSS key (RFC 4055): usable only for PSS signatures (rsa_pss_pss_*). */
      readonly pssOnly: boolean;
    }
  | {
      readonly kind: 'ec';
      readonly curve: 'P-256' | 'P-384';
      /** SEC1 uncompressed point 04||X||Y (compressed points are refused at parse time). */
      readonly point: Uint8Array;
    }
  | { readonly kind: 'ed25519'; readonly key: Uint8Array };

/** A fully specified signature algorithm. */
export type SignatureAlgorithm =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashAlgorithm }
  | { readonly kind: 'rsa-pss'; readonly hash: HashAlgorithm; readonly saltLength: number }
  | { readonly kind: 'ecdsa'; readonly hash: HashAlgorithm }
  | { readonly kind: 'ed25519' };

/**
 * A parsed private key, as PKCS#8 (RFC 5208 / RFC 5958), SEC1 (RFC 5915) or PKCS#1 (RFC 8017
 * Appendix A.1.2) yields it. Holds secret material: one owner, never logged.
 */
export type PrivateKey =
  | {
      readonly kind: 'rsa';
      readonly n: bigint;
      readonly e: bigint;
      readonly d: bigint;
      readonly p: bigint;
      readonly q: bigint;
      /** d mod (p-1), d mod (q-1), q^-1 mod p (the CRT parameters of RFC 8017 §3.2). */
      readonly dp: bigint;
      readonly dq: bigint;
      readonly qInv: bigint;
      readonly bits: number;
      /** An id-RSASSA-PSS key (RFC 4055): signs PSS only. */
      readonly pssOnly: boolean;
    }
  | {
      readonly kind: 'ec';
      readonly curve: 'P-256' | 'P-384';
      /** The secret scalar, big-endian, exactly the curve's field length. */
      readonly scalar: Uint8Array;
      /** The matching public point, SEC1 uncompressed. */
      readonly point: Uint8Array;
    }
  | {
      readonly kind: 'ed25519';
      /** The 32-byte seed of RFC 8032 §5.1.5. */
      readonly seed: Uint8Array;
      /** The matching 32-byte public key. */
      readonly key: Uint8Array;
    };

/** The public half of a private key, in the form certificates yield. */
export function publicKeyOf(key: PrivateKey): PublicKey {
  switch (key.kind) {
    case 'rsa':
      return { kind: 'rsa', n: key.n, e: key.e, bits: key.bits, pssOnly: key.pssOnly };
    case 'ec':
      return { kind: 'ec', curve: key.curve, point: key.point };
    case 'ed25519':
      return { kind: 'ed25519', key: key.key };
  }
}
