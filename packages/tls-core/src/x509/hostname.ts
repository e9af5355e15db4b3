/**
 * Server identity verification (RFC 9525, which obsoletes RFC 6125; RFC 5280 §4.2.1.6), as browsers
 * practise it:
 *
 * - only subjectAltName is consulted; the subject CN is never used (RFC 9525 §6.3);
 * - a DNS host matches dNSName entries only, an IP host (IPv4 dotted quad or IPv6 text, optionally in
 *   brackets) matches iPAddress entries only, byte for byte;
 * - comparison is ASCII case-insensitive; one trailing dot on the host is tolerated (absolute name),
 *   a presented name with a trailing dot never matches;
 * - a wildcard is honoured only as the complete left-most label (`*.example.com`), matches exactly one
 *   label, and never stands over a single remaining label (`*.com`); partial wildcards (`w*.example.com`,
 *   `xn--*.example.com`) never match, so an A-label can never be matched partially (RFC 9525 §6.3);
 * - non-ASCII hosts are refused: callers pass IDNs as A-labels (`xn--...`), puretls has no IDNA tables.
 * @module
 */
import { equalBytes } from '../codec/bytes.ts';
import { InvalidCertificate } from '../errors.ts';
import type { Certificate } from './certificate.ts';

/** What the client expects the server to be: a DNS name (lower-case, no trailing dot) or an IP address. */
export type ServerIdentity =
  | { readonly kind: 'dns'; readonly name: string }
  | { readonly kind: 'ip'; readonly address: Uint8Array };

/**
 * Check that a certificate is valid for a host.
 * @param cert the end-entity certificate
 * @param host a DNS name (A-labels), IPv4 dotted quad, or IPv6 text (with or without brackets)
 * @throws {InvalidCertificate} NotValidForName when no subjectAltName entry matches, or the host is malformed
 * @example
 * verifyHostname(leaf, 'www.example.com');
 */
export function verifyHostname(cert: Certificate, host: string): void {
  const identity = parseServerIdentity(host);
  const san = cert.subjectAltNames;
  if (san === undefined) throw new InvalidCertificate('NotValidForName', 'certificate has no subjectAltName (the CN is not used)');
  const ok =
    identity.kind === 'ip'
      ? san.ipAddresses.some((a) => equalBytes(a, identity.address))
      : san.dnsNames.some((n) => dnsNameMatches(n, identity.name));
  if (!ok) throw new InvalidCertificate('NotValidForName', `not valid for ${host}`);
}

/**
 * Classify and normalise a host: IP literal, or DNS name lower-cased with one trailing dot removed.
 * @throws {InvalidCertificate} NotValidForName when the text is neither a valid DNS name nor an IP address
 */
export function parseServerIdentity(host: string): ServerIdentity {
  const bracketed = /^\[(.*)\]$/.exec(host);
  const ip = parseIpAddress(bracketed === null ? host : bracketed[1]!);
  if (ip !== undefined && (bracketed === null || ip.length === 16)) return { kind: 'ip', address: ip };
  const name = (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
  if (!isValidDnsName(name, false)) throw new InvalidCertificate('NotValidForName', `not a valid host name: ${JSON.stringify(host)}`);
  return { kind: 'dns', name };
}

/**
 * Does a presented dNSName (from the certificate) match a normalised reference name?
 * @param presented the SAN dNSName as written in the certificate
 * @param reference a lower-case DNS name without trailing dot (see {@link parseServerIdentity})
 */
export function dnsNameMatches(presented: string, reference: string): boolean {
  const p = presented.toLowerCase();
  if (!isValidDnsName(p, true)) return false;
  if (!p.startsWith('*.')) return p === reference;
  // Wildcard: exactly one left-most label of the reference, which must itself be non-empty.
  const suffix = p.slice(1); // ".example.com"
  if (!reference.endsWith(suffix)) return false;
  const head = reference.slice(0, reference.length - suffix.length);
  return head.length > 0 && !head.includes('.');
}

/**
 * Parse IPv4 dotted-quad (no leading zeros, which some stacks read as octal) or IPv6 text
 * (RFC 4291 §2.2, including `::` and an embedded IPv4 tail; zone identifiers are refused).
 * @returns 4 or 16 bytes, or undefined if the text is not an IP address
 */
export function parseIpAddress(text: string): Uint8Array | undefined {
  if (text.includes(':')) return parseIpv6(text);
  return parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * LDH labels (underscore tolerated, as in real-world service names), 1..63 characters, at most 253 in all,
 * the last label not all-numeric (so `1.2.3.999` is not a name). With `allowWildcard`, the first label may
 * be exactly `*` provided at least two labels follow.
 */
function isValidDnsName(name: string, allowWildcard: boolean): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (allowWildcard && labels[0] === '*') {
    if (labels.length < 3) return false; // never `*.com`, never a bare `*`
    labels.shift();
  }
  for (const l of labels) if (!/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l)) return false;
  return !/^\d+$/.test(labels[labels.length - 1]!);
}
