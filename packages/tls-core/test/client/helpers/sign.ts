/**
 * Server-side signatures for the scripted servers, made with node:crypto (independent of the
 * client's verifier): TLS 1.3 CertificateVerify content (RFC 8446 §4.4.3) and the TLS 1.2
 * ServerKeyExchange signature (RFC 8422 §5.4, RFC 5246 §7.4.3).
 */
import { constants, sign, type KeyObject } from 'node:crypto';
import { concatBytes } from '../../../src/codec/bytes.ts';
import { SignatureScheme } from '../../../src/wire/enums.ts';

/** Sign `data` with `key` under a TLS SignatureScheme. */
export function signWithScheme(scheme: number, key: KeyObject, data: Uint8Array): Uint8Array {
  const S = SignatureScheme;
  const pss = (hash: string, saltLength: number): Uint8Array =>
    new Uint8Array(sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }));
  switch (scheme) {
    case S.ecdsa_secp256r1_sha256:
      return new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'der' }));
    case S.ecdsa_secp384r1_sha384:
      return new Uint8Array(sign('sha384', data, { key, dsaEncoding: 'der' }));
    case S.rsa_pss_rsae_sha256:
      return pss('sha256', 32);
    case S.rsa_pss_rsae_sha384:
      return pss('sha384', 48);
    case S.rsa_pkcs1_sha256:
      return new Uint8Array(sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }));
    case S.rsa_pkcs1_sha384:
      return new Uint8Array(sign('sha384', data, { key, padding: constants.RSA_PKCS1_PADDING }));
    default:
      throw new Error(`harness: cannot sign with scheme 0x${scheme.toString(16)}`);
  }
}

/** RFC 8446 §4.4.3: 64 spaces, "TLS 1.3, server CertificateVerify", 0x00, transcript hash. */
export function serverCertificateVerifyContent(transcriptHash: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array(64).fill(0x20), new TextEncoder().encode('TLS 1.3, server CertificateVerify'), new Uint8Array(1), transcriptHash);
}
