/**
 * The scanner's wire tables and hellos against independent sources: cipher suite code points as
 * `openssl ciphers -V -stdname` (OpenSSL 3.0) and `gnutls-cli -l` (GnuTLS 3.7, for the 3DES and
 * RC4 suites OpenSSL 3.0 no longer has) print them; hellos decoded back with tls-core's decoder.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ExtensionType, decodeHandshake, decodeRecordHeader, HandshakeType, wire } from '@puretls/tls-core';
import { encodeHello } from '../../src/probe/hello-builder.ts';
import { GREASE_VALUES, LEGACY_SCAN_SUITES, TLS12_SCAN_SUITES, TLS13_SCAN_SUITES } from '../../src/probe/scan-tables.ts';

function tool(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

const opensslList = tool('openssl', ['ciphers', '-V', '-stdname', '-ciphersuites', TLS13_SCAN_SUITES.map((s) => s.name).join(':'), 'ALL:COMPLEMENTOFALL:@SECLEVEL=0']);
const gnutlsList = tool('gnutls-cli', ['-l', '--priority', 'NORMAL:+3DES-CBC:+ARCFOUR-128:+RSA:+DHE-RSA:+SHA1:+MD5']);

function parse(text: string, re: RegExp): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (m) out.set(m[3]!, (parseInt(m[1]!, 16) << 8) | parseInt(m[2]!, 16));
  }
  return out;
}

describe('scan tables', () => {
  it.skipIf(opensslList === undefined)('every suite OpenSSL 3.0 knows has OpenSSL\'s code point, and every OpenSSL non-PSK/SRP suite is in the table', () => {
    const openssl = parse(opensslList!, /^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)/);
    const ours = new Map<string, number>([...TLS13_SCAN_SUITES, ...TLS12_SCAN_SUITES].map((s) => [s.name, s.code]));
    let compared = 0;
    for (const [name, code] of ours) {
      if (!openssl.has(name)) continue;
      expect(code, name).toBe(openssl.get(name));
      compared++;
    }
    expect(compared).toBe(94);
    const missing = [...openssl.keys()].filter((n) => !ours.has(n) && !/PSK|SRP/.test(n));
    expect(missing).toEqual([]);
  });

  it.skipIf(gnutlsList === undefined)('3DES and RC4 code points as GnuTLS lists them', () => {
    const rows = new Map<string, number>();
    for (const line of gnutlsList!.split('\n')) {
      const m = /^(TLS_\S+)\s+0x([0-9a-f]{2}), 0x([0-9a-f]{2})/.exec(line);
      if (m) rows.set(m[1]!, (parseInt(m[2]!, 16) << 8) | parseInt(m[3]!, 16));
    }
    const gnutlsName = (n: string): string => n.replace('_WITH_', '_').replace('RC4_128', 'ARCFOUR_128').replace(/_SHA$/, '_SHA1');
    const weak = TLS12_SCAN_SUITES.filter((s) => /3DES|RC4_128/.test(s.name) && !s.name.includes('EXPORT'));
    expect(weak.length).toBe(8);
    for (const s of weak) expect(rows.get(gnutlsName(s.name)), s.name).toBe(s.code);
  });

  it('GREASE values are the 16 RFC 8701 values', () => {
    expect(GREASE_VALUES[0]).toBe(0x0a0a);
    expect(GREASE_VALUES[15]).toBe(0xfafa);
    expect(new Set(GREASE_VALUES).size).toBe(16);
  });

  it('legacy hellos offer no TLS 1.2-only suite', () => {
    expect(LEGACY_SCAN_SUITES.some((s) => /GCM|CCM|POLY1305|SHA256$|SHA384$/.test(s.name))).toBe(false);
    expect(LEGACY_SCAN_SUITES.map((s) => s.name)).toContain('TLS_RSA_WITH_AES_128_CBC_SHA');
  });
});

describe('scanner hellos', () => {
  const random = new Uint8Array(32).fill(5);
  const spec = { legacyVersion: 0x0303, suites: [0x1301, 0xc02f], supportedVersions: [0x0304, 0x0303], groups: [0x001d], keyShares: [{ group: 0x001d, keyExchange: new Uint8Array(32).fill(1) }], servername: 'example.com' };

  function decode(records: Uint8Array): { hello: wire.ClientHello; recordLengths: number[] } {
    const parts: Uint8Array[] = [];
    const recordLengths: number[] = [];
    for (let at = 0; at < records.length; ) {
      const h = decodeRecordHeader(records.subarray(at));
      recordLengths.push(h.length);
      parts.push(records.subarray(at + 5, at + 5 + h.length));
      at += 5 + h.length;
    }
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    const msg = decodeHandshake(joined, 'tls13');
    if (msg.type !== HandshakeType.ClientHello) throw new Error('not a ClientHello');
    return { hello: msg, recordLengths };
  }

  it('a 17000-byte hello spans two records and decodes back', () => {
    const h = encodeHello({ ...spec, padTo: 17000 }, random, new Uint8Array(0));
    const { hello, recordLengths } = decode(h.records);
    expect(h.helloLength).toBe(17000);
    expect(recordLengths).toEqual([16384, 17000 - 16384]);
    expect(hello.cipherSuites).toEqual([0x1301, 0xc02f]);
    expect(wire.findExtension(hello.extensions, ExtensionType.SupportedVersions)).toEqual({ form: 'CH', versions: [0x0304, 0x0303] });
  });

  it('a hello in the 256..511 zone is padded to 512 unless asked for', () => {
    expect(encodeHello({ ...spec, padTo: 400 }, random, new Uint8Array(32)).helloLength).toBe(400);
    const unpadded = encodeHello({ ...spec, suites: Array.from({ length: 60 }, (_, i) => 0x0100 + i) }, random, new Uint8Array(32));
    expect(unpadded.helloLength).toBe(512);
  });

  it('an SSL 3.0 hello has record version 0x0300 and no extensions block', () => {
    const h = encodeHello({ legacyVersion: 0x0300, recordVersion: 0x0300, suites: [0x002f], noExtensions: true }, random, new Uint8Array(0));
    expect(decodeRecordHeader(h.records).legacyVersion).toBe(0x0300);
    const { hello } = decode(h.records);
    expect(hello.extensions).toEqual([]);
    expect(h.helloLength).toBe(4 + 2 + 32 + 1 + 2 + 2 + 1 + 1);
  });
});
