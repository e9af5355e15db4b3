/**
 * Name tables and option parsers, checked against independent sources: Node's `tls.getCiphers()`
 * (OpenSSL's own names) and `openssl ciphers -stdname` (the IANA <-> OpenSSL mapping).
 */
import { execFileSync } from 'node:child_process';
import { getCiphers } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { CipherSuite, NamedGroup, UsageError } from '@puretls/tls-core';
import { TLS12_DEFAULT, cipherInfo, ephemeralKeyInfo, opensslSignatureParts, parseCipherString, parseGroups, parseTls13Suites } from '../src/names.ts';

const suites = [...TLS12_DEFAULT, CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256];

function opensslStdnames(): Map<string, string> | undefined {
  try {
    const out = execFileSync('openssl', ['ciphers', '-stdname', 'ALL'], { encoding: 'utf8' });
    return new Map(out.split('\n').filter((l) => l.includes(' - ')).map((l) => { const [std, ossl] = l.split(' - ').map((s) => s.trim().split(/\s+/)[0]!); return [std!, ossl!] as const; }));
  } catch {
    return undefined;
  }
}

describe('cipher names', () => {
  it('OpenSSL names are the ones Node (OpenSSL) knows', () => {
    const known = new Set(getCiphers());
    for (const s of suites) expect(known.has(cipherInfo(s).name.toLowerCase()), cipherInfo(s).name).toBe(true);
  });

  const mapping = opensslStdnames();
  it.skipIf(mapping === undefined)('IANA and OpenSSL names pair as `openssl ciphers -stdname` pairs them', () => {
    for (const s of suites) {
      const info = cipherInfo(s);
      expect(mapping!.get(info.standardName), info.standardName).toBe(info.name);
    }
  });

  it('parses an OpenSSL cipher string, honouring removals and ignoring unknown keywords', () => {
    expect(parseCipherString('ECDHE-RSA-AES128-GCM-SHA256:!aNULL:ECDHE-ECDSA-CHACHA20-POLY1305')).toEqual({
      tls12: [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256],
      tls13: [],
    });
    expect(parseCipherString('HIGH:!ECDHE-RSA-AES128-GCM-SHA256').tls12).not.toContain(CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    expect(() => parseCipherString('RC4-MD5:aNULL')).toThrow(UsageError);
  });

  it('parses TLS 1.3 suite lists and refuses unknown or 1.2 names', () => {
    expect(parseTls13Suites('TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256')).toEqual([0x1303, 0x1301]);
    expect(() => parseTls13Suites('TLS_AES_128_CCM_SHA256')).toThrow(UsageError);
    expect(() => parseTls13Suites('ECDHE-RSA-AES128-GCM-SHA256')).toThrow(UsageError);
  });
});

describe('groups and signatures', () => {
  it('parses colon lists and arrays with OpenSSL aliases', () => {
    expect(parseGroups('X25519:P-256')).toEqual([NamedGroup.x25519, NamedGroup.secp256r1]);
    expect(parseGroups(['prime256v1', 'secp384r1'])).toEqual([NamedGroup.secp256r1, NamedGroup.secp384r1]);
    expect(() => parseGroups('brainpoolP256r1')).toThrow(UsageError);
  });

  it('describes temp keys as OpenSSL 3.0 prints them', () => {
    // Shapes copied from `openssl s_client` 3.0 output against s_server (-groups X25519 / P-256).
    expect(ephemeralKeyInfo(NamedGroup.x25519).openssl).toBe('X25519, 253 bits');
    expect(ephemeralKeyInfo(NamedGroup.secp256r1).openssl).toBe('ECDH, prime256v1, 256 bits');
  });

  it('splits schemes into OpenSSL signature type and digest', () => {
    expect(opensslSignatureParts(0x0804)).toEqual({ type: 'RSA-PSS', digest: 'SHA256' });
    expect(opensslSignatureParts(0x0503)).toEqual({ type: 'ECDSA', digest: 'SHA384' });
    expect(opensslSignatureParts(0x0401)).toEqual({ type: 'RSA', digest: 'SHA256' });
    expect(opensslSignatureParts(0x0807)).toEqual({ type: 'Ed25519', digest: undefined });
  });
});
