/** Host name verification rules (RFC 9525 / RFC 6125 practice), one group per rule. */
import { describe, expect, it } from 'vitest';
import { InvalidCertificate } from '../../src/errors.ts';
import type { Certificate } from '../../src/x509/certificate.ts';
import { dnsNameMatches, parseIpAddress, parseServerIdentity, verifyHostname } from '../../src/x509/hostname.ts';

function certWith(dnsNames: string[], ipAddresses: number[][] = [], others: { tag: number; value: Uint8Array }[] = []): Certificate {
  return { subjectAltNames: { dnsNames, ipAddresses: ipAddresses.map((a) => Uint8Array.from(a)), others } } as unknown as Certificate;
}

function matches(cert: Certificate, host: string): boolean {
  try {
    verifyHostname(cert, host);
    return true;
  } catch (e) {
    if (e instanceof InvalidCertificate && e.reason === 'NotValidForName') return false;
    throw e;
  }
}

describe('host name verification', () => {
  it('uses subjectAltName only: a certificate without SAN matches nothing (no CN fallback)', () => {
    const noSan = { subjectAltNames: undefined, subject: { text: 'CN=example.com' } } as unknown as Certificate;
    expect(matches(noSan, 'example.com')).toBe(false);
    // an rfc822Name or URI SAN is not a DNS identity
    const emailOnly = certWith([], [], [{ tag: 0x81, value: new TextEncoder().encode('example.com') }]);
    expect(matches(emailOnly, 'example.com')).toBe(false);
  });

  it('matches exact names case-insensitively', () => {
    const cert = certWith(['Www.Example.COM']);
    expect(matches(cert, 'www.example.com')).toBe(true);
    expect(matches(cert, 'WWW.EXAMPLE.COM')).toBe(true);
    expect(matches(cert, 'example.com')).toBe(false);
    expect(matches(cert, 'www.example.co')).toBe(false);
    expect(matches(cert, 'wwww.example.com')).toBe(false);
  });

  it('tolerates one trailing dot on the host, never two, and never on the presented name', () => {
    expect(matches(certWith(['example.com']), 'example.com.')).toBe(true);
    expect(matches(certWith(['example.com']), 'example.com..')).toBe(false);
    expect(matches(certWith(['example.com.']), 'example.com')).toBe(false);
    expect(matches(certWith(['example.com.']), 'example.com.')).toBe(false);
  });

  it('honours a wildcard only as the whole left-most label, for exactly one label', () => {
    const cert = certWith(['*.example.com']);
    expect(matches(cert, 'www.example.com')).toBe(true);
    expect(matches(cert, 'WWW.example.com.')).toBe(true);
    expect(matches(cert, 'example.com')).toBe(false); // the wildcard needs a label
    expect(matches(cert, 'a.b.example.com')).toBe(false); // one label only
    expect(matches(cert, '.example.com')).toBe(false);
    expect(dnsNameMatches('www.*.example.com', 'www.a.example.com')).toBe(false);
    expect(dnsNameMatches('*.*.example.com', 'a.b.example.com')).toBe(false);
  });

  it('never lets a wildcard stand over a single remaining label', () => {
    expect(dnsNameMatches('*.com', 'example.com')).toBe(false);
    expect(dnsNameMatches('*', 'localhost')).toBe(false);
    expect(dnsNameMatches('*.', 'com')).toBe(false);
    expect(dnsNameMatches('*.co.uk', 'example.co.uk')).toBe(true); // no public-suffix list: two labels suffice
  });

  it('refuses partial wildcards, so an A-label is never matched partially', () => {
    expect(dnsNameMatches('w*.example.com', 'www.example.com')).toBe(false);
    expect(dnsNameMatches('*w.example.com', 'www.example.com')).toBe(false);
    expect(dnsNameMatches('w*w.example.com', 'www.example.com')).toBe(false);
    expect(dnsNameMatches('xn--*.example.com', 'xn--bcher-kva.example.com')).toBe(false);
    expect(dnsNameMatches('x*.example.com', 'xn--bcher-kva.example.com')).toBe(false);
    // a whole-label wildcard covers a whole A-label, as browsers do
    expect(dnsNameMatches('*.example.com', 'xn--bcher-kva.example.com')).toBe(true);
    expect(dnsNameMatches('xn--bcher-kva.example.com', 'xn--bcher-kva.example.com')).toBe(true);
  });

  it('refuses malformed hosts and non-ASCII (U-label) hosts', () => {
    for (const host of ['', '.', 'exa mple.com', 'a..b', '-a.example.com', 'a-.example.com', 'bücher.example', '*.example.com', 'a'.repeat(64) + '.com', '1.2.3.256', '01.2.3.4', 'fe80::1%eth0']) {
      expect(() => parseServerIdentity(host), host).toThrow(InvalidCertificate);
    }
    expect(matches(certWith(['*.example.com']), '*.example.com')).toBe(false);
  });

  it('matches IP hosts against iPAddress SANs only, and DNS hosts against dNSName only', () => {
    const cert = certWith(['127.0.0.1', 'localhost'], [
      [192, 0, 2, 1],
      [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    ]);
    expect(matches(cert, '192.0.2.1')).toBe(true);
    expect(matches(cert, '127.0.0.1')).toBe(false); // only as a dNSName: not an IP identity
    expect(matches(cert, '192.0.2.2')).toBe(false);
    expect(matches(cert, '2001:db8::1')).toBe(true);
    expect(matches(cert, '2001:DB8:0:0:0:0:0:1')).toBe(true);
    expect(matches(cert, '[2001:db8::1]')).toBe(true);
    expect(matches(cert, '2001:db8::2')).toBe(false);
    expect(matches(cert, 'localhost')).toBe(true);
    // an IPv4 SAN does not match the IPv4-mapped IPv6 form
    expect(matches(cert, '::ffff:192.0.2.1')).toBe(false);
  });

  it('parses IPv4 and IPv6 text forms (RFC 4291 §2.2)', () => {
    expect(parseIpAddress('0.0.0.0')).toEqual(new Uint8Array(4));
    expect(parseIpAddress('255.255.255.255')).toEqual(new Uint8Array([255, 255, 255, 255]));
    expect(parseIpAddress('::')).toEqual(new Uint8Array(16));
    expect(parseIpAddress('::1')).toEqual(Uint8Array.from([...new Array(15).fill(0), 1]));
    expect(parseIpAddress('1::')).toEqual(Uint8Array.from([0, 1, ...new Array(14).fill(0)]));
    expect(parseIpAddress('::ffff:1.2.3.4')).toEqual(Uint8Array.from([...new Array(10).fill(0), 255, 255, 1, 2, 3, 4]));
    expect(parseIpAddress('1:2:3:4:5:6:7:8')).toEqual(Uint8Array.from([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]));
    for (const bad of ['1.2.3', '1.2.3.4.5', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':::', '1:2:3:4:5:6:7::8', 'g::1', '1.2.3.-1']) {
      expect(parseIpAddress(bad), bad).toBeUndefined();
    }
  });

  it('normalises the reference identity', () => {
    expect(parseServerIdentity('Example.COM.')).toEqual({ kind: 'dns', name: 'example.com' });
    expect(parseServerIdentity('10.0.0.1')).toEqual({ kind: 'ip', address: new Uint8Array([10, 0, 0, 1]) });
    expect(parseServerIdentity('my_service.example')).toEqual({ kind: 'dns', name: 'my_service.example' });
  });
});
