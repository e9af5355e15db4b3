/**
 * Node-compatible views of the server's certificates (the `getPeerCertificate()` object of
 * `node:tls`), the OpenSSL one-line distinguished names `s_client` prints, and the
 * certificate_list read from a Certificate message as traced (RFC 8446 §4.4.2, RFC 5246 §7.4.2),
 * which `s_client` and the probe use to name a refused chain. Parsing is done
 * by `node:crypto`'s X509Certificate: this is display only; chain validation happens in the
 * engine (RFC 5280 §6).
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { parseCertificate } from '@puretls/tls-core';

/** The subset of Node's `tls.PeerCertificate` puretls fills. */
export interface PeerCertificate {
  /** Attributes of the subject DN (`{ CN: 'localhost', O: 'Org' }`); repeated attributes become arrays. */
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  /** `DNS:localhost, IP Address:127.0.0.1`, as Node prints it. */
  subjectaltname: string | undefined;
  /** OpenSSL date text: `Nov 27 00:18:55 2026 GMT`. */
  valid_from: string;
  valid_to: string;
  /** Colon-separated upper-case hex. */
  fingerprint: string;
  fingerprint256: string;
  fingerprint512: string;
  serialNumber: string;
  /** True when the certificate is a CA (basicConstraints cA). */
  ca: boolean;
  /** Key size in bits (RSA modulus length, EC field size). */
  bits?: number;
  /** The public key: RSA as SubjectPublicKeyInfo DER, EC as the uncompressed point (as Node gives them). */
  pubkey?: Buffer;
  /** RSA modulus, upper-case hex. */
  modulus?: string;
  /** RSA public exponent, `0x10001`. */
  exponent?: string;
  /** EC curve, OpenSSL name (`prime256v1`). */
  asn1Curve?: string;
  /** EC curve, NIST name (`P-256`), when it has one. */
  nistCurve?: string;
  /** extKeyUsage OIDs (`1.3.6.1.5.5.7.3.1`). */
  ext_key_usage?: string[];
  /** authorityInfoAccess: `{ 'OCSP - URI': [...], 'CA Issuers - URI': [...] }`. */
  infoAccess?: Record<string, string[]>;
  /** The DER bytes. */
  raw: Buffer;
  /** With `getPeerCertificate(true)`: the next certificate the server sent (the leaf's issuer), or this one for a self-signed end. */
  issuerCertificate?: PeerCertificate;
}

/**
 * Build the Node-style object for a chain, leaf first.
 * @param chain DER certificates as the server sent them
 * @param detailed link `issuerCertificate` along the sent chain (Node's `getPeerCertificate(true)`)
 * @returns the leaf's object, or undefined for an empty chain
 */
export function peerCertificate(chain: readonly Uint8Array[], detailed = false, anchorFor?: (der: Uint8Array) => Uint8Array | undefined): PeerCertificate | undefined {
  const objects = (detailed ? issuerOrdered(chain) : chain.slice(0, 1)).map(toPeerCertificate);
  // Node's detailed form reaches the trust anchor even when the server did not send it.
  const last = objects[objects.length - 1];
  if (detailed && anchorFor !== undefined && last !== undefined && !last.x509.checkIssued(last.x509)) {
    const anchor = anchorFor(last.node.raw);
    if (anchor !== undefined) objects.push(toPeerCertificate(anchor));
  }
  for (let i = 0; i < objects.length; i++) {
    const current = objects[i]!;
    const next = objects[i + 1];
    if (next !== undefined) current.node.issuerCertificate = next.node;
    else if (detailed && current.x509.checkIssued(current.x509)) current.node.issuerCertificate = current.node;
  }
  return objects[0]?.node;
}

/** The sent chain from the leaf along issuers (RFC 8446 §4.4.2 lets servers send extras in any order). */
function issuerOrdered(chain: readonly Uint8Array[]): Uint8Array[] {
  if (chain.length === 0) return [];
  const certs = chain.map((der) => ({ der, x509: new X509Certificate(der) }));
  const out = [certs[0]!];
  const used = new Set([0]);
  for (;;) {
    const child = out[out.length - 1]!;
    if (child.x509.checkIssued(child.x509)) break;
    const i = certs.findIndex((c, j) => !used.has(j) && child.x509.checkIssued(c.x509));
    if (i < 0) break;
    used.add(i);
    out.push(certs[i]!);
  }
  return out.map((c) => c.der);
}

/** OpenSSL's one-line DN form: `CN = localhost, O = Test Org`. */
export function opensslSubjectLine(der: Uint8Array): string {
  return opensslDn(new X509Certificate(der).subject);
}

/** OpenSSL's one-line issuer DN. */
export function opensslIssuerLine(der: Uint8Array): string {
  return opensslDn(new X509Certificate(der).issuer);
}

/** True when the certificate's issuer is itself (a self-signed certificate). */
export function isSelfSigned(der: Uint8Array): boolean {
  const cert = new X509Certificate(der);
  return cert.checkIssued(cert);
}

interface Pair {
  readonly x509: X509Certificate;
  readonly node: PeerCertificate;
}

function toPeerCertificate(der: Uint8Array): Pair {
  const x509 = new X509Certificate(der);
  const node: PeerCertificate = {
    subject: dnObject(x509.subject),
    issuer: dnObject(x509.issuer),
    subjectaltname: x509.subjectAltName,
    valid_from: x509.validFrom,
    valid_to: x509.validTo,
    fingerprint: x509.fingerprint,
    fingerprint256: x509.fingerprint256,
    fingerprint512: x509.fingerprint512,
    serialNumber: x509.serialNumber,
    ca: x509.ca,
    ...publicKeyFields(x509),
    raw: Buffer.from(der),
  };
  const eku = x509.keyUsage; // node:crypto's name for the extKeyUsage OIDs
  if (eku !== undefined && eku.length > 0) node.ext_key_usage = [...eku];
  const access = x509.infoAccess;
  if (access !== undefined) node.infoAccess = infoAccessObject(access);
  return { x509, node };
}

/** The RSA modulus in Node's form (upper-case hex). node:crypto exports no JWK for id-RSASSA-PSS keys, so those go through puretls' parser. */
function rsaModulusHex(x509: X509Certificate, key: X509Certificate['publicKey']): string {
  if (key.asymmetricKeyType === 'rsa') return Buffer.from(key.export({ format: 'jwk' }).n ?? '', 'base64url').toString('hex').toUpperCase();
  const parsed = parseCertificate(new Uint8Array(x509.raw)).publicKey;
  if (parsed.kind !== 'rsa') return '';
  const hex = parsed.n.toString(16).toUpperCase();
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

type KeyFields = Pick<PeerCertificate, 'bits' | 'pubkey' | 'modulus' | 'exponent' | 'asn1Curve' | 'nistCurve'>;

function publicKeyFields(x509: X509Certificate): KeyFields {
  const key = x509.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const exponent = details.publicExponent;
    return {
      bits: details.modulusLength,
      modulus: rsaModulusHex(x509, key),
      ...(exponent === undefined ? {} : { exponent: `0x${exponent.toString(16)}` }),
      pubkey: key.export({ format: 'der', type: 'spki' }),
    };
  }
  if (key.asymmetricKeyType === 'ec') {
    const jwk = key.export({ format: 'jwk' });
    const x = Buffer.from(jwk.x ?? '', 'base64url');
    const y = Buffer.from(jwk.y ?? '', 'base64url');
    const curve = details.namedCurve ?? '';
    const nist = NIST_CURVES[curve];
    return {
      bits: CURVE_BITS[curve] ?? x.length * 8,
      pubkey: Buffer.concat([Buffer.of(4), x, y]),
      asn1Curve: curve,
      ...(nist === undefined ? {} : { nistCurve: nist }),
    };
  }
  return { pubkey: key.export({ format: 'der', type: 'spki' }) };
}

const NIST_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
const CURVE_BITS: Readonly<Record<string, number>> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

/** node:crypto's `OCSP - URI:http://...` lines as Node's `{ 'OCSP - URI': [...] }`. */
function infoAccessObject(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    (out[key] ??= []).push(line.slice(colon + 1));
  }
  return out;
}

// Node's X509Certificate prints one `KEY=value` per line.
function dnObject(text: string | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const line of (text ?? '').split('\n').filter((l) => l !== '')) {
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    const previous = out[key];
    out[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return out;
}

function opensslDn(text: string | undefined): string {
  return (text ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const eq = line.indexOf('=');
      return `${line.slice(0, eq)} = ${line.slice(eq + 1)}`;
    })
    .join(', ');
}

/**
 * The certificate_list of a Certificate message (RFC 8446 §4.4.2 with its request context and
 * per-entry extensions; RFC 5246 §7.4.2 without), for naming a refused chain. Malformed input
 * gives what was read so far (the engine has already refused it).
 */
export function certificateList(body: Uint8Array, version: 'TLSv1.2' | 'TLSv1.3'): Uint8Array[] {
  const u24 = (i: number): number => ((body[i] ?? 0) << 16) | ((body[i + 1] ?? 0) << 8) | (body[i + 2] ?? 0);
  let off = 4;
  if (version === 'TLSv1.3') off += 1 + (body[off] ?? 0);
  const end = Math.min(body.length, off + 3 + u24(off));
  off += 3;
  const out: Uint8Array[] = [];
  while (off + 3 <= end) {
    const len = u24(off);
    off += 3;
    if (off + len > end) break;
    out.push(body.slice(off, off + len));
    off += len;
    if (version === 'TLSv1.3') off += 2 + (((body[off] ?? 0) << 8) | (body[off + 1] ?? 0));
  }
  return out;
}
