/**
 * Name constraints (RFC 5280 §4.2.1.10 and §6.1.3 (b)-(c)) applied to the dNSName and iPAddress
 * subjectAltName entries of every certificate below the constraining CA. Other name forms are not
 * used to authenticate a TLS server, so constraints on them are carried but not enforced; the
 * subject CN is never a name here, as it is never a name for host matching either.
 * @module
 */
import { equalBytes } from '../codec/bytes.ts';
import { InvalidCertificate } from '../errors.ts';
import type { Certificate, GeneralSubtree, NameConstraints } from './certificate.ts';

/**
 * Check the name constraints of every CA in a path against the names of the certificates it governs.
 * @param path leaf first, trust anchor last
 * @throws {InvalidCertificate} NameConstraintViolation
 */
export function checkPathNameConstraints(path: readonly Certificate[]): void {
  for (let j = 1; j < path.length; j++) {
    const nc = path[j]!.nameConstraints;
    if (nc === undefined) continue;
    for (let i = 0; i < j; i++) {
      const cert = path[i]!;
      // RFC 5280 §6.1.3 (b): self-issued intermediates are exempt.
      if (i > 0 && isSelfIssued(cert)) continue;
      const san = cert.subjectAltNames;
      if (san === undefined) continue;
      for (const name of san.dnsNames) {
        if (!dnsPermitted(name, nc)) throw new InvalidCertificate('NameConstraintViolation', `${name} is outside the constraints of ${path[j]!.subject.text}`);
      }
      for (const ip of san.ipAddresses) {
        if (!ipPermitted(ip, nc)) throw new InvalidCertificate('NameConstraintViolation', `IP SAN outside the constraints of ${path[j]!.subject.text}`);
      }
    }
  }
}

/** issuer == subject (RFC 5280 §6.1: "self-issued"). */
export function isSelfIssued(cert: Certificate): boolean {
  return equalBytes(cert.issuer.der, cert.subject.der);
}

/**
 * Is a DNS name inside a dNSName subtree? `example.com` covers itself and every subdomain; a leading
 * dot (`.example.com`, a common extension) covers subdomains only; an empty constraint covers all.
 */
export function dnsInSubtree(name: string, constraint: string): boolean {
  const n = name.toLowerCase();
  const c = constraint.toLowerCase();
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c) && n.length > c.length;
  return n === c || n.endsWith(`.${c}`);
}

function dnsPermitted(name: string, nc: NameConstraints): boolean {
  const excluded = dnsSubtrees(nc.excluded);
  for (const c of excluded) {
    if (dnsInSubtree(name, c) || wildcardReaches(name, c)) return false;
  }
  const permitted = dnsSubtrees(nc.permitted);
  // Constraints of one name form leave other forms unconstrained.
  return permitted.length === 0 || permitted.some((c) => dnsInSubtree(name, c));
}

/** `*.example.com` can stand for `bad.example.com`, so an excluded `bad.example.com` excludes it too. */
function wildcardReaches(name: string, excluded: string): boolean {
  if (!name.startsWith('*.')) return false;
  const base = name.slice(2).toLowerCase();
  const c = (excluded.startsWith('.') ? excluded.slice(1) : excluded).toLowerCase();
  if (!c.endsWith(`.${base}`)) return false;
  return !c.slice(0, c.length - base.length - 1).includes('.');
}

function ipPermitted(ip: Uint8Array, nc: NameConstraints): boolean {
  if (ipSubtrees(nc.excluded).some((s) => ipInSubtree(ip, s))) return false;
  const permitted = ipSubtrees(nc.permitted);
  return permitted.length === 0 || permitted.some((s) => ipInSubtree(ip, s));
}

function ipInSubtree(ip: Uint8Array, s: { address: Uint8Array; mask: Uint8Array }): boolean {
  if (ip.length !== s.address.length) return false;
  for (let i = 0; i < ip.length; i++) if ((ip[i]! & s.mask[i]!) !== (s.address[i]! & s.mask[i]!)) return false;
  return true;
}

function dnsSubtrees(list: readonly GeneralSubtree[] | undefined): string[] {
  const out: string[] = [];
  for (const s of list ?? []) if (s.kind === 'dns') out.push(s.name);
  return out;
}

function ipSubtrees(list: readonly GeneralSubtree[] | undefined): { address: Uint8Array; mask: Uint8Array }[] {
  const out: { address: Uint8Array; mask: Uint8Array }[] = [];
  for (const s of list ?? []) if (s.kind === 'ip') out.push(s);
  return out;
}
