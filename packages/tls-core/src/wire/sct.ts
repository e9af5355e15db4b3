/**
 * Signed certificate timestamps (RFC 6962 §3.2, §3.3): the SignedCertificateTimestampList codec,
 * and where a list is found: the TLS extension signed_certificate_timestamp (RFC 6962 §3.3.1; its
 * extension_data is the list), the certificate extension 1.3.6.1.4.1.11129.2.4.2 and the OCSP
 * SingleResponse extension of the same OID (RFC 6962 §3.3: an OCTET STRING holding the list).
 *
 * Decoding only: no SCT signature is checked against a log's key (puretls has no log list). The
 * engine never imports this module: it exposes the TLS extension's bytes as received
 * (NegotiatedParameters.signedCertificateTimestamps); tools decode them here.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { DerReader, Tag, contextTag } from '../x509/der.ts';

/** The certificate and OCSP extension that carries an SCT list (RFC 6962 §3.3). */
export const SCT_LIST_EXTENSION_OID = '1.3.6.1.4.1.11129.2.4.2';

/** RFC 6962 §3.2 `Version`: only v1 has a defined body. */
const SCT_V1 = 0;
const LOG_ID_LENGTH = 32;
/** ASN.1 ENUMERATED (OCSPResponseStatus). */
const ENUMERATED = 0x0a;

/**
 * One SerializedSCT of a list. A v1 SCT is decoded (RFC 6962 §3.2); an SCT of another version
 * keeps its bytes (`serialized`), as RFC 6962 §3.3 asks clients to skip unknown versions.
 */
export type SignedCertificateTimestamp =
  | {
      readonly version: 0;
      /** SHA-256 of the log's public key (RFC 6962 §3.2 LogID). */
      readonly logId: Uint8Array;
      /** Milliseconds since the epoch (uint64 in the SCT; exact up to 2^53). */
      readonly timestamp: number;
      /** CtExtensions, opaque. */
      readonly extensions: Uint8Array;
      /** DigitallySigned.algorithm (RFC 5246 §7.4.1.4.1 HashAlgorithm, SignatureAlgorithm). */
      readonly hashAlgorithm: number;
      readonly signatureAlgorithm: number;
      readonly signature: Uint8Array;
    }
  | { readonly version: number; readonly serialized: Uint8Array };

/**
 * Decode a SignedCertificateTimestampList (`SerializedSCT sct_list<1..2^16-1>`, each
 * `opaque SerializedSCT<1..2^16-1>`). The results are views into `list`.
 * @throws InvalidMessage with the field's label for a malformed list (empty, truncated, trailing bytes)
 */
export function decodeSignedCertificateTimestampList(list: Uint8Array): SignedCertificateTimestamp[] {
  const r = new Reader(list);
  const items = r.vec16('SignedCertificateTimestampList.sct_list', { nonEmpty: true });
  r.expectEnd('SignedCertificateTimestampList');
  const out: SignedCertificateTimestamp[] = [];
  while (!items.atEnd) out.push(decodeSct(items.opaque16('SerializedSCT', { nonEmpty: true })));
  return out;
}

function decodeSct(serialized: Uint8Array): SignedCertificateTimestamp {
  const r = new Reader(serialized);
  const version = r.u8('SignedCertificateTimestamp.sct_version');
  if (version !== SCT_V1) return { version, serialized };
  const logId = r.bytes(LOG_ID_LENGTH, 'SignedCertificateTimestamp.id');
  const high = r.u32('SignedCertificateTimestamp.timestamp');
  const low = r.u32('SignedCertificateTimestamp.timestamp');
  const extensions = r.opaque16('SignedCertificateTimestamp.extensions');
  const hashAlgorithm = r.u8('SignedCertificateTimestamp.signature.hash');
  const signatureAlgorithm = r.u8('SignedCertificateTimestamp.signature.signature');
  const signature = r.opaque16('SignedCertificateTimestamp.signature');
  r.expectEnd('SignedCertificateTimestamp');
  return { version: SCT_V1, logId, timestamp: high * 0x1_0000_0000 + low, extensions, hashAlgorithm, signatureAlgorithm, signature };
}

/**
 * The SCT list embedded in an X.509 certificate (RFC 5280 §4.1 TBSCertificate.extensions, the
 * extension {@link SCT_LIST_EXTENSION_OID}), or undefined when it has none.
 * @throws InvalidCertificate for DER that is not a certificate's structure
 */
export function certificateSctList(der: Uint8Array): Uint8Array | undefined {
  const tbs = new DerReader(der).sequence('Certificate').sequence('TBSCertificate');
  while (!tbs.atEnd) {
    const el = tbs.read('TBSCertificate field');
    if (el.tag === contextTag(3, true)) return sctListIn(tbs.child(el).sequence('Extensions'));
  }
  return undefined;
}

/**
 * The SCT lists of an OCSPResponse's SingleResponses (RFC 6960 §4.2.1 singleExtensions, the
 * extension {@link SCT_LIST_EXTENSION_OID}), one per SingleResponse that has one.
 * @throws InvalidCertificate for DER that is not an OCSPResponse's structure
 */
export function ocspSctLists(der: Uint8Array): Uint8Array[] {
  const response = new DerReader(der).sequence('OCSPResponse');
  response.expect(ENUMERATED, 'OCSPResponse.responseStatus');
  const bytesEl = response.optional(contextTag(0, true), 'OCSPResponse.responseBytes');
  if (bytesEl === undefined) return [];
  const responseBytes = response.child(bytesEl).sequence('ResponseBytes');
  responseBytes.oid('ResponseBytes.responseType');
  const basic = new DerReader(responseBytes.octetString('ResponseBytes.response')).sequence('BasicOCSPResponse');
  const data = basic.sequence('ResponseData');
  data.optional(contextTag(0, true), 'ResponseData.version');
  data.read('ResponseData.responderID');
  data.expect(Tag.GeneralizedTime, 'ResponseData.producedAt');
  const responses = data.sequence('ResponseData.responses');
  const lists: Uint8Array[] = [];
  while (!responses.atEnd) {
    const single = responses.sequence('SingleResponse');
    while (!single.atEnd) {
      const el = single.read('SingleResponse field');
      if (el.tag !== contextTag(1, true)) continue;
      const list = sctListIn(single.child(el).sequence('singleExtensions'));
      if (list !== undefined) lists.push(list);
    }
  }
  return lists;
}

/** In a SEQUENCE OF Extension: the SCT extension's list (extnValue holds an OCTET STRING holding it). */
function sctListIn(extensions: DerReader): Uint8Array | undefined {
  while (!extensions.atEnd) {
    const ext = extensions.sequence('Extension');
    const oid = ext.oid('Extension.extnID');
    if (ext.peekTag() === Tag.Boolean) ext.boolean('Extension.critical');
    const value = ext.octetString('Extension.extnValue');
    if (oid !== SCT_LIST_EXTENSION_OID) continue;
    return new DerReader(value).octetString('SignedCertificateTimestampList');
  }
  return undefined;
}
