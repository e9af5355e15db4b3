/**
 * Certificate (RFC 8446 §4.4.2 with per-entry extensions; RFC 5246 §7.4.2 plain list),
 * CertificateRequest (RFC 8446 §4.3.2; RFC 5246 §7.4.4) and CertificateStatus
 * (RFC 6066 §8, the TLS 1.2 OCSP staple message).
 * @module
 */
import type { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { InvalidMessage } from '../errors.ts';
import { CertificateStatusType, HandshakeType } from './enums.ts';
import { decodeExtensions, encodeExtensions } from './extensions.ts';
import type { Extension } from './extensions.ts';

/** One TLS 1.3 CertificateEntry (X.509 only; raw public keys are not supported). */
export interface CertificateEntry {
  readonly certData: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** TLS 1.3 Certificate. */
export interface Certificate13 {
  readonly type: typeof HandshakeType.Certificate;
  readonly version: 'tls13';
  readonly context: Uint8Array;
  readonly entries: readonly CertificateEntry[];
}

/** TLS 1.2 Certificate: a list of DER certificates, leaf first. */
export interface Certificate12 {
  readonly type: typeof HandshakeType.Certificate;
  readonly version: 'tls12';
  readonly certificates: readonly Uint8Array[];
}

export type Certificate = Certificate13 | Certificate12;

/** TLS 1.3 CertificateRequest. */
export interface CertificateRequest13 {
  readonly type: typeof HandshakeType.CertificateRequest;
  readonly version: 'tls13';
  readonly context: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** TLS 1.2 CertificateRequest. */
export interface CertificateRequest12 {
  readonly type: typeof HandshakeType.CertificateRequest;
  readonly version: 'tls12';
  readonly certificateTypes: readonly number[];
  readonly signatureSchemes: readonly number[];
  /** DER-encoded DistinguishedNames. */
  readonly certificateAuthorities: readonly Uint8Array[];
}

export type CertificateRequest = CertificateRequest13 | CertificateRequest12;

/** TLS 1.2 CertificateStatus carrying an OCSP response (RFC 6066 §8). */
export interface CertificateStatus {
  readonly type: typeof HandshakeType.CertificateStatus;
  readonly statusType: number;
  readonly response: Uint8Array;
}

/** Decode a TLS 1.3 Certificate body. @throws InvalidMessage */
export function decodeCertificate13(r: Reader): Certificate13 {
  const context = r.opaque8('Certificate.certificate_request_context');
  const list = r.vec24('Certificate.certificate_list');
  const entries: CertificateEntry[] = [];
  while (!list.atEnd) {
    const certData = list.opaque24('Certificate.cert_data', { nonEmpty: true });
    entries.push({ certData, extensions: decodeExtensions(list, 'CT', 'CertificateEntry') });
  }
  return { type: HandshakeType.Certificate, version: 'tls13', context, entries };
}

/** Encode a TLS 1.3 Certificate body. */
export function encodeCertificate13(w: Writer, m: Certificate13): void {
  w.opaque(1, m.context);
  w.prefixed(3, (w) => {
    for (const e of m.entries) {
      w.opaque(3, e.certData);
      encodeExtensions(w, e.extensions);
    }
  });
}

/** Decode a TLS 1.2 Certificate body. @throws InvalidMessage */
export function decodeCertificate12(r: Reader): Certificate12 {
  const list = r.vec24('Certificate.certificate_list');
  const certificates: Uint8Array[] = [];
  while (!list.atEnd) certificates.push(list.opaque24('Certificate.ASN.1Cert', { nonEmpty: true }));
  return { type: HandshakeType.Certificate, version: 'tls12', certificates };
}

/** Encode a TLS 1.2 Certificate body. */
export function encodeCertificate12(w: Writer, m: Certificate12): void {
  w.prefixed(3, (w) => m.certificates.forEach((c) => w.opaque(3, c)));
}

/** Decode a TLS 1.3 CertificateRequest body. @throws InvalidMessage */
export function decodeCertificateRequest13(r: Reader): CertificateRequest13 {
  const context = r.opaque8('CertificateRequest.certificate_request_context');
  const extensions = decodeExtensions(r, 'CR', 'CertificateRequest');
  return { type: HandshakeType.CertificateRequest, version: 'tls13', context, extensions };
}

/** Encode a TLS 1.3 CertificateRequest body. */
export function encodeCertificateRequest13(w: Writer, m: CertificateRequest13): void {
  w.opaque(1, m.context);
  encodeExtensions(w, m.extensions);
}

/** Decode a TLS 1.2 CertificateRequest body. @throws InvalidMessage */
export function decodeCertificateRequest12(r: Reader): CertificateRequest12 {
  const types = r.vec8('CertificateRequest.certificate_types', { nonEmpty: true });
  const certificateTypes: number[] = [];
  while (!types.atEnd) certificateTypes.push(types.u8('CertificateRequest.certificate_type'));
  const schemes = r.vec16('CertificateRequest.supported_signature_algorithms', { nonEmpty: true, multipleOf: 2 });
  const signatureSchemes: number[] = [];
  while (!schemes.atEnd) signatureSchemes.push(schemes.u16('CertificateRequest.signature_algorithm'));
  const cas = r.vec16('CertificateRequest.certificate_authorities');
  const certificateAuthorities: Uint8Array[] = [];
  while (!cas.atEnd) certificateAuthorities.push(cas.opaque16('CertificateRequest.DistinguishedName', { nonEmpty: true }));
  return { type: HandshakeType.CertificateRequest, version: 'tls12', certificateTypes, signatureSchemes, certificateAuthorities };
}

/** Encode a TLS 1.2 CertificateRequest body. */
export function encodeCertificateRequest12(w: Writer, m: CertificateRequest12): void {
  w.prefixed(1, (w) => m.certificateTypes.forEach((t) => w.u8(t)));
  w.prefixed(2, (w) => m.signatureSchemes.forEach((s) => w.u16(s)));
  w.prefixed(2, (w) => m.certificateAuthorities.forEach((dn) => w.opaque(2, dn)));
}

/** Decode a CertificateStatus body (OCSP only). @throws InvalidMessage */
export function decodeCertificateStatus(r: Reader): CertificateStatus {
  const statusType = r.u8('CertificateStatus.status_type');
  if (statusType !== CertificateStatusType.ocsp) throw new InvalidMessage('BadValue', 'CertificateStatus.status_type');
  const response = r.opaque24('CertificateStatus.OCSPResponse', { nonEmpty: true });
  return { type: HandshakeType.CertificateStatus, statusType, response };
}

/** Encode a CertificateStatus body. */
export function encodeCertificateStatus(w: Writer, m: CertificateStatus): void {
  w.u8(m.statusType).opaque(3, m.response);
}
