/**
 * X.509 v3 certificate parsing (RFC 5280 §4.1 structure, §4.1.2.5 validity times, §4.2.1 extensions):
 * version, serial, signature algorithm (inner and outer identical), issuer and subject names, validity,
 * subject public key, and the extensions path validation needs: basicConstraints (§4.2.1.9),
 * keyUsage (§4.2.1.3), extKeyUsage (§4.2.1.12), subjectAltName (§4.2.1.6), nameConstraints
 * (§4.2.1.10), subject and authority key identifiers (§4.2.1.2, §4.2.1.1).
 *
 * Parsing is pure decoding: policy (weak algorithms, unknown critical extensions, key sizes) is
 * applied by path-validation.ts, so that, for example, a trust anchor with a SHA-1 self-signature
 * still loads.
 * @module
 */
import type { PublicKey } from '../crypto/keys.ts';
import { equalBytes, fromUtf8 } from '../codec/bytes.ts';
import { parseSignatureAlgorithm, parseSubjectPublicKeyInfo, type CertificateSignatureAlgorithm } from './algorithms.ts';
import { DerReader, Tag, bad, contextTag, decodeNamedBits, type DerElement } from './der.ts';

/** A distinguished name: the exact DER (compared byte for byte) and a display form. */
export interface DistinguishedName {
  /** The whole Name TLV. Issuer/subject chaining compares these bytes exactly (as webpki does). */
  readonly der: Uint8Array;
  /** RFC 4514-like text in encoded order, e.g. `CN=Test Root CA, O=Example`; empty for an empty name. */
  readonly text: string;
}

/** basicConstraints (RFC 5280 §4.2.1.9). */
export interface BasicConstraints {
  readonly ca: boolean;
  /** pathLenConstraint, when present. */
  readonly pathLength: number | undefined;
}

/** The keyUsage bits path validation looks at (RFC 5280 §4.2.1.3). */
export interface KeyUsage {
  readonly digitalSignature: boolean;
  readonly keyEncipherment: boolean;
  readonly keyAgreement: boolean;
  readonly keyCertSign: boolean;
  readonly cRLSign: boolean;
}

/** subjectAltName (RFC 5280 §4.2.1.6): dNSName and iPAddress decoded, other forms kept by tag. */
export interface SubjectAltNames {
  /** dNSName entries as written (ASCII; case preserved). */
  readonly dnsNames: readonly string[];
  /** iPAddress entries: 4 or 16 bytes. */
  readonly ipAddresses: readonly Uint8Array[];
  /** Other GeneralName forms (rfc822Name, URI, directoryName, ...): identifier octet and contents. */
  readonly others: readonly { readonly tag: number; readonly value: Uint8Array }[];
}

/** One GeneralSubtree base (RFC 5280 §4.2.1.10); forms other than dNSName and iPAddress are kept by tag. */
export type GeneralSubtree =
  | { readonly kind: 'dns'; readonly name: string }
  | { readonly kind: 'ip'; readonly address: Uint8Array; readonly mask: Uint8Array }
  | { readonly kind: 'other'; readonly tag: number };

/** nameConstraints (RFC 5280 §4.2.1.10). */
export interface NameConstraints {
  readonly permitted: readonly GeneralSubtree[] | undefined;
  readonly excluded: readonly GeneralSubtree[] | undefined;
}

/** A parsed certificate. All byte fields are views into `der`, which is a private copy of the input. */
export interface Certificate {
  /** The whole certificate, as given. */
  readonly der: Uint8Array;
  /** The signed part (TBSCertificate TLV). */
  readonly tbs: Uint8Array;
  readonly version: 1 | 2 | 3;
  /** serialNumber INTEGER contents (two's complement, as encoded). */
  readonly serialNumber: Uint8Array;
  readonly signatureAlgorithm: CertificateSignatureAlgorithm;
  readonly signature: Uint8Array;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  /** Validity bounds in milliseconds since the Unix epoch (inclusive, RFC 5280 §4.1.2.5). */
  readonly notBefore: number;
  readonly notAfter: number;
  /** The SubjectPublicKeyInfo TLV. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly publicKey: PublicKey;
  readonly basicConstraints: BasicConstraints | undefined;
  readonly keyUsage: KeyUsage | undefined;
  /** extKeyUsage purpose OIDs, when the extension is present. */
  readonly extendedKeyUsage: readonly string[] | undefined;
  readonly subjectAltNames: SubjectAltNames | undefined;
  readonly nameConstraints: NameConstraints | undefined;
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  /** authorityKeyIdentifier's keyIdentifier, when present. */
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** OIDs of critical extensions this implementation does not process (path validation refuses them). */
  readonly unhandledCriticalExtensions: readonly string[];
}

/**
 * Parse one DER certificate.
 * @param der the certificate bytes (copied; the caller may reuse its buffer)
 * @returns the parsed certificate
 * @throws {InvalidCertificate} BadEncoding for any structural problem, UnsupportedPublicKey for key
 *   types other than RSA, RSA-PSS, EC P-256/P-384 and Ed25519
 * @example
 * const cert = parseCertificate(derBytes);
 * cert.subject.text; // 'CN=localhost'
 */
export function parseCertificate(der: Uint8Array): Certificate {
  const bytes = der.slice();
  const top = new DerReader(bytes);
  const certEl = top.expect(Tag.Sequence, 'Certificate');
  top.expectEnd('Certificate');
  const cert = top.child(certEl);
  const tbsEl = cert.expect(Tag.Sequence, 'TBSCertificate');
  const outerAlgEl = cert.expect(Tag.Sequence, 'Certificate.signatureAlgorithm');
  const signature = cert.bitStringBytes('Certificate.signatureValue');
  cert.expectEnd('Certificate');

  const tbs = cert.child(tbsEl);
  let version: 1 | 2 | 3 = 1;
  const versionEl = tbs.optional(contextTag(0, true), 'TBSCertificate.version');
  if (versionEl !== undefined) {
    const vr = tbs.child(versionEl);
    const v = vr.smallUnsigned('version');
    vr.expectEnd('version');
    // DER: the DEFAULT v1 must be omitted, so an explicit 0 is not DER.
    if (v !== 1 && v !== 2) throw bad(`version ${v}`);
    version = (v + 1) as 2 | 3;
  }
  const serialNumber = tbs.integerBytes('TBSCertificate.serialNumber');
  const innerAlgEl = tbs.expect(Tag.Sequence, 'TBSCertificate.signature');
  // RFC 5280 §4.1.1.2: signatureAlgorithm MUST contain the same algorithm identifier as tbs.signature.
  if (!equalBytes(innerAlgEl.raw, outerAlgEl.raw)) throw bad('inner and outer signature algorithms differ');
  const signatureAlgorithm = parseSignatureAlgorithm(tbs.child(innerAlgEl));
  const issuer = parseName(tbs, 'issuer');
  const validity = tbs.sequence('Validity');
  const notBefore = parseTime(validity, 'notBefore');
  const notAfter = parseTime(validity, 'notAfter');
  validity.expectEnd('Validity');
  const subject = parseName(tbs, 'subject');
  const spkiEl = tbs.expect(Tag.Sequence, 'SubjectPublicKeyInfo');
  const publicKey = parseSubjectPublicKeyInfo(tbs.child(spkiEl));
  if (tbs.optional(contextTag(1, false), 'issuerUniqueID') !== undefined && version === 1) throw bad('issuerUniqueID in v1');
  if (tbs.optional(contextTag(2, false), 'subjectUniqueID') !== undefined && version === 1) throw bad('subjectUniqueID in v1');
  const extensionsEl = tbs.optional(contextTag(3, true), 'TBSCertificate.extensions');
  tbs.expectEnd('TBSCertificate');
  if (extensionsEl !== undefined && version !== 3) throw bad('extensions in a certificate older than v3');

  const ext = parseExtensions(extensionsEl === undefined ? undefined : tbs.child(extensionsEl));
  return {
    der: bytes,
    tbs: tbsEl.raw,
    version,
    serialNumber,
    signatureAlgorithm,
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    subjectPublicKeyInfo: spkiEl.raw,
    publicKey,
    ...ext,
  };
}

type Extensions = Pick<
  Certificate,
  | 'basicConstraints'
  | 'keyUsage'
  | 'extendedKeyUsage'
  | 'subjectAltNames'
  | 'nameConstraints'
  | 'subjectKeyIdentifier'
  | 'authorityKeyIdentifier'
  | 'unhandledCriticalExtensions'
>;

function parseExtensions(outer: DerReader | undefined): Extensions {
  const out: { -readonly [K in keyof Extensions]: Extensions[K] } = {
    basicConstraints: undefined,
    keyUsage: undefined,
    extendedKeyUsage: undefined,
    subjectAltNames: undefined,
    nameConstraints: undefined,
    subjectKeyIdentifier: undefined,
    authorityKeyIdentifier: undefined,
    unhandledCriticalExtensions: [],
  };
  if (outer === undefined) return out;
  const list = outer.sequence('Extensions');
  outer.expectEnd('extensions');
  if (list.atEnd) throw bad('Extensions must not be empty'); // SIZE (1..MAX)
  const seen = new Set<string>();
  const unhandled: string[] = [];
  while (!list.atEnd) {
    const e = list.sequence('Extension');
    const oid = e.oid('Extension.extnID');
    // DER: an explicit FALSE (the DEFAULT) is not DER, but widely emitted; accept it as Go and OpenSSL do.
    const critical = e.peekTag() === Tag.Boolean ? e.boolean('Extension.critical') : false;
    const value = e.octetString('Extension.extnValue');
    e.expectEnd('Extension');
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(oid)) throw bad(`duplicate extension ${oid}`);
    seen.add(oid);
    const r = new DerReader(value, 2);
    switch (oid) {
      case EXT.basicConstraints:
        out.basicConstraints = parseBasicConstraints(r);
        break;
      case EXT.keyUsage:
        out.keyUsage = parseKeyUsage(r);
        break;
      case EXT.extKeyUsage:
        out.extendedKeyUsage = parseExtKeyUsage(r);
        break;
      case EXT.subjectAltName:
        out.subjectAltNames = parseSubjectAltNames(r);
        break;
      case EXT.nameConstraints:
        out.nameConstraints = parseNameConstraints(r);
        break;
      case EXT.subjectKeyIdentifier:
        out.subjectKeyIdentifier = r.octetString('SubjectKeyIdentifier');
        break;
      case EXT.authorityKeyIdentifier:
        out.authorityKeyIdentifier = parseAuthorityKeyIdentifier(r);
        break;
      case EXT.certificatePolicies:
        // Policies are not processed (no initial-explicit-policy, as in browsers); a critical
        // policies extension is therefore harmless to accept.
        r.read('certificatePolicies');
        break;
      default:
        if (critical) unhandled.push(oid);
        continue;
    }
    r.expectEnd(`extension ${oid}`);
  }
  out.unhandledCriticalExtensions = unhandled;
  return out;
}

function parseBasicConstraints(r: DerReader): BasicConstraints {
  const s = r.sequence('BasicConstraints');
  const ca = s.peekTag() === Tag.Boolean ? s.boolean('BasicConstraints.cA') : false;
  const pathLength = s.peekTag() === Tag.Integer ? s.smallUnsigned('BasicConstraints.pathLenConstraint') : undefined;
  s.expectEnd('BasicConstraints');
  return { ca, pathLength };
}

function parseKeyUsage(r: DerReader): KeyUsage {
  const bits = decodeNamedBits(r.expect(Tag.BitString, 'KeyUsage').contents, 'KeyUsage');
  if (bits.length === 0) throw bad('KeyUsage with no bit set'); // RFC 5280 §4.2.1.3
  return {
    digitalSignature: bits[0] === true,
    keyEncipherment: bits[2] === true,
    keyAgreement: bits[4] === true,
    keyCertSign: bits[5] === true,
    cRLSign: bits[6] === true,
  };
}

function parseExtKeyUsage(r: DerReader): string[] {
  const s = r.sequence('ExtKeyUsageSyntax');
  const out: string[] = [];
  while (!s.atEnd) out.push(s.oid('KeyPurposeId'));
  if (out.length === 0) throw bad('ExtKeyUsageSyntax must not be empty');
  return out;
}

function parseSubjectAltNames(r: DerReader): SubjectAltNames {
  const s = r.sequence('GeneralNames');
  const dnsNames: string[] = [];
  const ipAddresses: Uint8Array[] = [];
  const others: { tag: number; value: Uint8Array }[] = [];
  while (!s.atEnd) {
    const gn = s.read('GeneralName');
    if (gn.tag === GN.dNSName) dnsNames.push(ia5(gn.contents, 'dNSName'));
    else if (gn.tag === GN.iPAddress) {
      if (gn.contents.length !== 4 && gn.contents.length !== 16) throw bad('iPAddress must be 4 or 16 bytes');
      ipAddresses.push(gn.contents);
    } else if ((gn.tag & 0xc0) === 0x80) others.push({ tag: gn.tag, value: gn.contents });
    else throw bad(`GeneralName with tag 0x${gn.tag.toString(16)}`);
  }
  if (dnsNames.length + ipAddresses.length + others.length === 0) throw bad('GeneralNames must not be empty');
  return { dnsNames, ipAddresses, others };
}

function parseNameConstraints(r: DerReader): NameConstraints {
  const s = r.sequence('NameConstraints');
  const p = s.optional(contextTag(0, true), 'permittedSubtrees');
  const x = s.optional(contextTag(1, true), 'excludedSubtrees');
  s.expectEnd('NameConstraints');
  // RFC 5280 §4.2.1.10: conforming CAs MUST NOT issue an empty NameConstraints.
  if (p === undefined && x === undefined) throw bad('empty NameConstraints');
  return {
    permitted: p === undefined ? undefined : parseSubtrees(s.child(p)),
    excluded: x === undefined ? undefined : parseSubtrees(s.child(x)),
  };
}

function parseSubtrees(r: DerReader): GeneralSubtree[] {
  const out: GeneralSubtree[] = [];
  while (!r.atEnd) {
    const st = r.sequence('GeneralSubtree');
    const base = st.read('GeneralSubtree.base');
    // minimum MUST be zero (so, in DER, absent) and maximum MUST be absent (RFC 5280 §4.2.1.10).
    st.expectEnd('GeneralSubtree: minimum/maximum are not allowed');
    if (base.tag === GN.dNSName) out.push({ kind: 'dns', name: ia5(base.contents, 'dNSName constraint') });
    else if (base.tag === GN.iPAddress) out.push(ipSubtree(base));
    else if ((base.tag & 0xc0) === 0x80) out.push({ kind: 'other', tag: base.tag });
    else throw bad('GeneralSubtree.base is not a GeneralName');
  }
  if (out.length === 0) throw bad('GeneralSubtrees must not be empty');
  return out;
}

function ipSubtree(base: DerElement): GeneralSubtree {
  const c = base.contents;
  if (c.length !== 8 && c.length !== 32) throw bad('iPAddress constraint must be 8 or 32 bytes');
  const half = c.length / 2;
  const address = c.subarray(0, half);
  const mask = c.subarray(half);
  // The mask must be a contiguous prefix (RFC 4632 CIDR).
  let seenZero = false;
  for (const byte of mask) {
    for (let j = 7; j >= 0; j--) {
      const bit = (byte >> j) & 1;
      if (bit === 0) seenZero = true;
      else if (seenZero) throw bad('iPAddress constraint mask is not a prefix');
    }
  }
  return { kind: 'ip', address, mask };
}

function parseAuthorityKeyIdentifier(r: DerReader): Uint8Array | undefined {
  const s = r.sequence('AuthorityKeyIdentifier');
  const keyId = s.optional(contextTag(0, false), 'AuthorityKeyIdentifier.keyIdentifier');
  s.optional(contextTag(1, true), 'AuthorityKeyIdentifier.authorityCertIssuer');
  s.optional(contextTag(2, false), 'AuthorityKeyIdentifier.authorityCertSerialNumber');
  s.expectEnd('AuthorityKeyIdentifier');
  return keyId?.contents;
}

/** Name ::= RDNSequence (RFC 5280 §4.1.2.4), checked for structure and rendered for display. */
function parseName(r: DerReader, what: string): DistinguishedName {
  const el = r.expect(Tag.Sequence, what);
  const seq = r.child(el);
  const rdns: string[] = [];
  while (!seq.atEnd) {
    const set = seq.child(seq.expect(Tag.Set, `${what} RelativeDistinguishedName`));
    const parts: string[] = [];
    while (!set.atEnd) {
      const atv = set.sequence(`${what} AttributeTypeAndValue`);
      const type = atv.oid(`${what} AttributeType`);
      const value = atv.read(`${what} AttributeValue`);
      atv.expectEnd(`${what} AttributeTypeAndValue`);
      parts.push(`${ATTRIBUTE_NAMES[type] ?? type}=${displayString(value)}`);
    }
    if (parts.length === 0) throw bad(`${what}: empty RelativeDistinguishedName`);
    rdns.push(parts.join('+'));
  }
  return { der: el.raw, text: rdns.join(', ') };
}

/** UTCTime or GeneralizedTime in the RFC 5280 §4.1.2.5 forms only: `YYMMDDHHMMSSZ`, `YYYYMMDDHHMMSSZ`. */
export function parseTime(r: DerReader, what: string): number {
  const el = r.read(what);
  const s = ascii(el.contents);
  let year: number;
  let rest: string;
  if (el.tag === Tag.UtcTime) {
    if (!/^\d{12}Z$/.test(s)) throw bad(`${what}: UTCTime must be YYMMDDHHMMSSZ`);
    const yy = Number(s.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 §4.1.2.5.1
    rest = s.slice(2);
  } else if (el.tag === Tag.GeneralizedTime) {
    if (!/^\d{14}Z$/.test(s)) throw bad(`${what}: GeneralizedTime must be YYYYMMDDHHMMSSZ`);
    year = Number(s.slice(0, 4));
    rest = s.slice(4);
  } else {
    throw bad(`${what}: not a UTCTime or GeneralizedTime`);
  }
  const [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2))) as [number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw bad(`${what}: date out of range`);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** IA5String contents as text (7-bit only). */
function ia5(b: Uint8Array, what: string): string {
  for (const x of b) if (x >= 0x80) throw bad(`${what}: not IA5 (7-bit) text`);
  return ascii(b);
}

function ascii(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

function displayString(v: DerElement): string {
  try {
    switch (v.tag) {
      case Tag.Utf8String:
        return fromUtf8(v.contents);
      case Tag.PrintableString:
      case Tag.Ia5String:
      case Tag.TeletexString:
        return ascii(v.contents);
      case Tag.BmpString:
        if (v.contents.length % 2 === 0) {
          let s = '';
          for (let i = 0; i < v.contents.length; i += 2) s += String.fromCharCode((v.contents[i]! << 8) | v.contents[i + 1]!);
          return s;
        }
    }
  } catch {
    // fall through to hex: display only, never used for a decision
  }
  return `#${Array.from(v.raw, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

/** Extension OIDs (RFC 5280 §4.2.1). */
export const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
} as const;

/** KeyPurposeId OIDs (RFC 5280 §4.2.1.12). */
export const EKU = {
  any: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** GeneralName identifier octets (RFC 5280 §4.2.1.6, IMPLICIT tags). */
const GN = { dNSName: 0x82, iPAddress: 0x87 } as const;

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};
