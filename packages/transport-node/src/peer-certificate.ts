/**
 * Node-compatible views of the server's certificates (the `getPeerCertificate()` object of
 * `node:tls`) and the OpenSSL one-line distinguished names `s_client` prints. Parsing is done
 * by `node:crypto`'s X509Certificate: this is display only; chain validation happens in the
 * engine (RFC 5280 §6).
 * @module
 */
import { X509Certificate } from 'node:crypto';

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
export function peerCertificate(chain: readonly Uint8Array[], detailed = false): PeerCertificate | undefined {
  const objects = (detailed ? chain : chain.slice(0, 1)).map(toPeerCertificate);
  for (let i = 0; i < objects.length; i++) {
    const current = objects[i]!;
    const next = objects[i + 1];
    if (next !== undefined) current.node.issuerCertificate = next.node;
    else if (detailed && current.x509.checkIssued(current.x509)) current.node.issuerCertificate = current.node;
  }
  return objects[0]?.node;
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
    raw: Buffer.from(der),
  };
  return { x509, node };
}

// Node's X509Certificate prints one `KEY=value` per line.
function dnObject(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    const previous = out[key];
    out[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return out;
}

function opensslDn(text: string): string {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const eq = line.indexOf('=');
      return `${line.slice(0, eq)} = ${line.slice(eq + 1)}`;
    })
    .join(', ');
}
