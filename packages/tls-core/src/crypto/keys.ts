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
