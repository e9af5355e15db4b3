/**
 * Stapled OCSP responses (RFC 6960 §4.2, carried by RFC 6066 §8 CertificateStatus in TLS 1.2 and
 * the leaf's CertificateEntry status_request in TLS 1.3, RFC 8446 §4.4.2.1): parsing, the
 * signature (by the issuer, or by a responder certificate the issuer signed with the OCSP-signing
 * EKU, RFC 6960 §4.2.2.2), the CertID (RFC 6960 §4.1.1, SHA-1 or SHA-256), and
 * thisUpdate / nextUpdate against the clock (RFC 6960 §3.2, §4.2.2.1).
 *
 * The outcome is a typed {@link OcspCheck}; the engine turns `revoked` into certificate_revoked
 * and an invalid or expired staple into bad_certificate_status_response (RFC 6066 §8: "a client
 * ... MUST abort the handshake with a bad_certificate_status_response alert").
 * @module
 */
import { equalBytes } from '../codec/bytes.ts';
import { InvalidCertificate } from '../errors.ts';
import { X509_LIMITS } from '../limits.ts';
import { SHA1, SHA256 } from '../crypto/noble.ts';
import { verifySignature } from '../crypto/signature.ts';
import { parseSignatureAlgorithm } from './algorithms.ts';
import { parseCertificate, parseTime, type Certificate } from './certificate.ts';
import { DerReader, Tag, contextTag } from './der.ts';

/** What a stapled response says about the leaf. */
export type OcspCheck =
  | { readonly status: 'good'; readonly thisUpdate: number; readonly nextUpdate: number | undefined }
  | { readonly status: 'revoked'; readonly revokedAt: number }
  | { readonly status: 'unknown' }
  | { readonly status: 'invalid'; readonly reason: string };

/** Allowed clock difference for thisUpdate in the future (RFC 6960 §4.2.2.1 leaves it to local policy). */
export const OCSP_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Check a DER OCSPResponse for `leaf`, issued by `issuer`, at time `now` (ms).
 * Never throws for bad input: a malformed response is `{ status: 'invalid' }`.
 */
export function checkOcspResponse(response: Uint8Array, leaf: Certificate, issuer: Certificate, now: number): OcspCheck {
  try {
    return check(response, leaf, issuer, now);
  } catch (e) {
    if (e instanceof InvalidCertificate) return { status: 'invalid', reason: e.message };
    throw e;
  }
}

function check(response: Uint8Array, leaf: Certificate, issuer: Certificate, now: number): OcspCheck {
  const top = new DerReader(response);
  const resp = top.sequence('OCSPResponse');
  top.expectEnd('OCSPResponse');
  const statusEl = resp.expect(0x0a, 'OCSPResponse.responseStatus'); // ENUMERATED
  if (statusEl.contents.length !== 1 || statusEl.contents[0] !== 0) return { status: 'invalid', reason: `responseStatus ${statusEl.contents[0] ?? '?'}` };
  const bytesEl = resp.expect(contextTag(0, true), 'OCSPResponse.responseBytes');
  resp.expectEnd('OCSPResponse');
  const rb = resp.child(bytesEl).sequence('ResponseBytes');
  if (rb.oid('ResponseBytes.responseType') !== OID_BASIC) return { status: 'invalid', reason: 'not a basic OCSP response' };
  const basicDer = rb.expect(Tag.OctetString, 'ResponseBytes.response').contents;
  rb.expectEnd('ResponseBytes');

  const br = new DerReader(basicDer, 1);
  const basic = br.sequence('BasicOCSPResponse');
  br.expectEnd('BasicOCSPResponse');
  const tbsEl = basic.expect(Tag.Sequence, 'ResponseData');
  const sigAlg = parseSignatureAlgorithm(basic.sequence('BasicOCSPResponse.signatureAlgorithm'));
  const signature = basic.bitStringBytes('BasicOCSPResponse.signature');
  const certsEl = basic.optional(contextTag(0, true), 'BasicOCSPResponse.certs');
  basic.expectEnd('BasicOCSPResponse');
  if (sigAlg.kind !== 'supported') return { status: 'invalid', reason: `signature algorithm ${sigAlg.name}` };

  // RFC 6960 §4.2.2.2: signed by the issuer itself, or by a responder certificate the issuer
  // issued with id-kp-OCSPSigning.
  let signer: Certificate | undefined;
  if (verifySignature(sigAlg.algorithm, issuer.publicKey, tbsEl.raw, signature)) signer = issuer;
  else if (certsEl !== undefined) {
    const list = basic.child(certsEl).sequence('BasicOCSPResponse.certs');
    for (let i = 0; !list.atEnd && i < MAX_RESPONDER_CERTS; i++) {
      const candidate = parseCertificate(list.read('responder certificate').raw);
      if (!equalBytes(candidate.issuer.der, issuer.subject.der)) continue;
      if (candidate.extendedKeyUsage?.includes(OID_OCSP_SIGNING) !== true) continue;
      if (candidate.signatureAlgorithm.kind !== 'supported') continue;
      if (!verifySignature(candidate.signatureAlgorithm.algorithm, issuer.publicKey, candidate.tbs, candidate.signature)) continue;
      if (now < candidate.notBefore || now > candidate.notAfter) continue;
      if (verifySignature(sigAlg.algorithm, candidate.publicKey, tbsEl.raw, signature)) {
        signer = candidate;
        break;
      }
    }
  }
  if (signer === undefined) return { status: 'invalid', reason: 'signature not by the issuer or an authorized responder' };

  const data = basic.child(tbsEl);
  data.optional(contextTag(0, true), 'ResponseData.version');
  data.read('ResponseData.responderID');
  data.expect(Tag.GeneralizedTime, 'ResponseData.producedAt');
  const responses = data.sequence('ResponseData.responses');
  data.optional(contextTag(1, true), 'ResponseData.responseExtensions');
  data.expectEnd('ResponseData');

  const issuerKey = subjectPublicKeyBits(issuer);
  for (let i = 0; !responses.atEnd && i < MAX_SINGLE_RESPONSES; i++) {
    const single = responses.sequence('SingleResponse');
    const certId = single.sequence('CertID');
    const hashOid = certId.sequence('CertID.hashAlgorithm').oid('hashAlgorithm.algorithm');
    const nameHash = certId.expect(Tag.OctetString, 'CertID.issuerNameHash').contents;
    const keyHash = certId.expect(Tag.OctetString, 'CertID.issuerKeyHash').contents;
    const serial = certId.integerBytes('CertID.serialNumber');
    const statusEl = single.read('SingleResponse.certStatus');
    const thisUpdate = parseTime(single, 'SingleResponse.thisUpdate');
    const nextEl = single.optional(contextTag(0, true), 'SingleResponse.nextUpdate');
    const nextUpdate = nextEl === undefined ? undefined : parseTime(single.child(nextEl), 'SingleResponse.nextUpdate');
    const hash = hashOid === OID_SHA1 ? SHA1 : hashOid === OID_SHA256 ? SHA256 : undefined;
    if (hash === undefined) continue;
    const matches = equalBytes(serial, leaf.serialNumber) && equalBytes(nameHash, hash.digest(issuer.subject.der)) && equalBytes(keyHash, hash.digest(issuerKey));
    if (!matches) continue;
    // RFC 6960 §4.2.2.1: responses whose thisUpdate is in the future or nextUpdate is past are not current.
    if (thisUpdate > now + OCSP_CLOCK_SKEW_MS) return { status: 'invalid', reason: 'thisUpdate is in the future' };
    if (nextUpdate !== undefined && nextUpdate < now) return { status: 'invalid', reason: 'expired (nextUpdate has passed)' };
    if (statusEl.tag === 0x80) return { status: 'good', thisUpdate, nextUpdate };
    if (statusEl.tag === contextTag(1, true)) {
      const revokedAt = parseTime(single.child(statusEl), 'RevokedInfo.revocationTime');
      return { status: 'revoked', revokedAt };
    }
    return { status: 'unknown' };
  }
  return { status: 'invalid', reason: 'no response for this certificate' };
}

/** The subjectPublicKey BIT STRING contents of a certificate (what CertID.issuerKeyHash hashes). */
function subjectPublicKeyBits(cert: Certificate): Uint8Array {
  const r = new DerReader(cert.subjectPublicKeyInfo);
  const spki = r.sequence('SubjectPublicKeyInfo');
  spki.sequence('SubjectPublicKeyInfo.algorithm');
  return spki.bitStringBytes('SubjectPublicKeyInfo.subjectPublicKey');
}

const OID_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const OID_SHA1 = '1.3.14.3.2.26';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const MAX_RESPONDER_CERTS = X509_LIMITS.ocspResponderCerts;
const MAX_SINGLE_RESPONSES = X509_LIMITS.ocspSingleResponses;
