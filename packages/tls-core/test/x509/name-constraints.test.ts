/** Name constraints (RFC 5280 §4.2.1.10) on dNSName and iPAddress SANs. */
import { describe, expect, it } from 'vitest';
import { InvalidCertificate } from '../../src/errors.ts';
import type { Certificate, GeneralSubtree } from '../../src/x509/certificate.ts';
import { checkPathNameConstraints, dnsInSubtree } from '../../src/x509/name-constraints.ts';

const name = (s: string) => ({ der: new TextEncoder().encode(s), text: s });
function leaf(dns: string[], ips: number[][] = []): Certificate {
  return { subject: name('leaf'), issuer: name('ca'), subjectAltNames: { dnsNames: dns, ipAddresses: ips.map((a) => Uint8Array.from(a)), others: [] } } as unknown as Certificate;
}
function ca(permitted?: GeneralSubtree[], excluded?: GeneralSubtree[]): Certificate {
  return { subject: name('ca'), issuer: name('root'), subjectAltNames: undefined, nameConstraints: { permitted, excluded } } as unknown as Certificate;
}
const dns = (n: string): GeneralSubtree => ({ kind: 'dns', name: n });
const ip = (a: number[], m: number[]): GeneralSubtree => ({ kind: 'ip', address: Uint8Array.from(a), mask: Uint8Array.from(m) });
const ok = (path: Certificate[]) => {
  try {
    checkPathNameConstraints(path);
    return true;
  } catch (e) {
    if (e instanceof InvalidCertificate && e.reason === 'NameConstraintViolation') return false;
    throw e;
  }
};

describe('name constraints', () => {
  it('a dNSName subtree covers the name and its subdomains, a leading dot only subdomains', () => {
    expect(dnsInSubtree('example.com', 'example.com')).toBe(true);
    expect(dnsInSubtree('A.Example.COM', 'example.com')).toBe(true);
    expect(dnsInSubtree('badexample.com', 'example.com')).toBe(false);
    expect(dnsInSubtree('example.com', '.example.com')).toBe(false);
    expect(dnsInSubtree('a.example.com', '.example.com')).toBe(true);
    expect(dnsInSubtree('anything', '')).toBe(true);
  });

  it('requires every DNS SAN inside some permitted subtree', () => {
    expect(ok([leaf(['a.example.com', 'example.com']), ca([dns('example.com')])])).toBe(true);
    expect(ok([leaf(['a.example.com', 'example.org']), ca([dns('example.com')])])).toBe(false);
    expect(ok([leaf(['example.org']), ca([dns('example.com'), dns('example.org')])])).toBe(true);
    expect(ok([leaf(['*.example.com']), ca([dns('example.com')])])).toBe(true);
    expect(ok([leaf(['*.example.com']), ca([dns('www.example.com')])])).toBe(false);
  });

  it('refuses names in an excluded subtree, including wildcards that could reach it', () => {
    expect(ok([leaf(['www.example.com']), ca(undefined, [dns('example.com')])])).toBe(false);
    expect(ok([leaf(['www.example.org']), ca(undefined, [dns('example.com')])])).toBe(true);
    expect(ok([leaf(['*.example.com']), ca(undefined, [dns('secret.example.com')])])).toBe(false);
    expect(ok([leaf(['*.example.com']), ca(undefined, [dns('a.secret.example.com')])])).toBe(true);
    expect(ok([leaf(['www.example.com']), ca([dns('example.com')], [dns('www.example.com')])])).toBe(false);
  });

  it('applies IP subtrees by prefix, and leaves other name forms unconstrained', () => {
    const v4 = ip([10, 0, 0, 0], [255, 0, 0, 0]);
    expect(ok([leaf([], [[10, 1, 2, 3]]), ca([v4])])).toBe(true);
    expect(ok([leaf([], [[11, 1, 2, 3]]), ca([v4])])).toBe(false);
    expect(ok([leaf([], [[10, 1, 2, 3]]), ca(undefined, [v4])])).toBe(false);
    // an IPv4 subtree says nothing about IPv6 addresses or DNS names
    expect(ok([leaf(['example.com'], [Array(16).fill(0)]), ca(undefined, [v4])])).toBe(true);
    // DNS-only permitted subtrees leave IP SANs unconstrained
    expect(ok([leaf(['example.com'], [[192, 0, 2, 1]]), ca([dns('example.com')])])).toBe(true);
  });

  it('applies every CA in the path, anchor included, to every certificate below it', () => {
    const root = ca([dns('example.com')]);
    const intermediate = ca();
    expect(ok([leaf(['www.example.org']), { ...intermediate, nameConstraints: undefined } as Certificate, root])).toBe(false);
    expect(ok([leaf(['www.example.com']), { ...intermediate, nameConstraints: undefined } as Certificate, root])).toBe(true);
  });
});
