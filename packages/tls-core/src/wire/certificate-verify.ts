/**
 * CertificateVerify (RFC 8446 §4.4.3; the same layout in TLS 1.2, RFC 5246 §7.4.8 with
 * RFC 5246 §4.7 digitally-signed): a signature scheme and the signature.
 * @module
 */
import type { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { HandshakeType } from './enums.ts';

/** CertificateVerify. */
export interface CertificateVerify {
  readonly type: typeof HandshakeType.CertificateVerify;
  readonly scheme: number;
  readonly signature: Uint8Array;
}

/** Decode a CertificateVerify body. @throws InvalidMessage */
export function decodeCertificateVerify(r: Reader): CertificateVerify {
  const scheme = r.u16('CertificateVerify.algorithm');
  return { type: HandshakeType.CertificateVerify, scheme, signature: r.opaque16('CertificateVerify.signature') };
}

/** Encode a CertificateVerify body. */
export function encodeCertificateVerify(w: Writer, m: CertificateVerify): void {
  w.u16(m.scheme).opaque(2, m.signature);
}
