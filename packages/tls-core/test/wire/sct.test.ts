/**
 * SignedCertificateTimestampList decoding (RFC 6962 §3.2, §3.3) and where lists are found: the
 * certificate extension 1.3.6.1.4.1.11129.2.4.2 (a certificate made by `openssl req -addext` in
 * the test) and an OCSP SingleResponse extension (a DER response built here). Known answers field
 * by field, labelled errors for malformed lists, and a fast-check property: random lists round-trip
 * and random bytes only ever raise a TlsError.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writer } from '../../src/codec/writer.ts';
import { toHex } from '../../src/codec/bytes.ts';
import { InvalidMessage, TlsError } from '../../src/errors.ts';
import { decodePemCertificates } from '../../src/x509/pem.ts';
import { certificateSctList, decodeSignedCertificateTimestampList, ocspSctLists } from '../../src/wire/sct.ts';

interface SctV1 {
  logId: Uint8Array;
  timestamp: number;
  extensions: Uint8Array;
  hashAlgorithm: number;
  signatureAlgorithm: number;
  signature: Uint8Array;
}

/** RFC 6962 §3.2 serialization, written independently of the decoder. */
function encodeSct(s: SctV1): Uint8Array {
  const w = new Writer();
  w.u8(0).bytes(s.logId);
  w.u32(Math.floor(s.timestamp / 0x1_0000_0000)).u32(s.timestamp % 0x1_0000_0000);
  w.opaque(2, s.extensions).u8(s.hashAlgorithm).u8(s.signatureAlgorithm).opaque(2, s.signature);
  return w.finish();
}

function encodeList(serialized: readonly Uint8Array[]): Uint8Array {
  const w = new Writer();
  w.prefixed(2, (w) => serialized.forEach((s) => w.opaque(2, s)));
  return w.finish();
}

const LOG_A = new Uint8Array(32).map((_, i) => i);
const LOG_B = new Uint8Array(32).fill(0xab);
const SCT_A: SctV1 = { logId: LOG_A, timestamp: 1_700_000_000_123, extensions: new Uint8Array(0), hashAlgorithm: 4, signatureAlgorithm: 3, signature: new Uint8Array([0x30, 0x01, 0x00]) };
const SCT_B: SctV1 = { logId: LOG_B, timestamp: 0x1_2345_6789, extensions: new Uint8Array([1, 2]), hashAlgorithm: 4, signatureAlgorithm: 1, signature: new Uint8Array(4).fill(9) };
const LIST = encodeList([encodeSct(SCT_A), encodeSct(SCT_B)]);

describe('decodeSignedCertificateTimestampList', () => {
  it('decodes a two-SCT list field by field', () => {
    const [a, b, ...rest] = decodeSignedCertificateTimestampList(LIST);
    expect(rest).toEqual([]);
    if (a?.version !== 0 || !('logId' in a) || b?.version !== 0 || !('logId' in b)) throw new Error('expected two v1 SCTs');
    expect(toHex(a.logId)).toBe('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    expect(a.timestamp).toBe(1_700_000_000_123);
    expect([a.hashAlgorithm, a.signatureAlgorithm, toHex(a.signature), a.extensions.length]).toEqual([4, 3, '300100', 0]);
    expect(toHex(b.logId)).toBe('ab'.repeat(32));
    expect(b.timestamp).toBe(0x1_2345_6789);
    expect([b.hashAlgorithm, b.signatureAlgorithm, toHex(b.signature), toHex(b.extensions)]).toEqual([4, 1, '09090909', '0102']);
  });

  it('keeps an SCT of an unknown version as bytes (RFC 6962 §3.3: skipped, not an error)', () => {
    const v2 = new Uint8Array([1, 0xde, 0xad]);
    expect(decodeSignedCertificateTimestampList(encodeList([v2, encodeSct(SCT_A)])).map((s) => s.version)).toEqual([1, 0]);
    const [first] = decodeSignedCertificateTimestampList(encodeList([v2]));
    expect(first !== undefined && 'serialized' in first ? toHex(first.serialized) : 'none').toBe('01dead');
  });

  it.each([
    ['an empty list', new Uint8Array([0, 0]), 'EmptyList', 'SignedCertificateTimestampList.sct_list'],
    ['an empty SerializedSCT', new Uint8Array([0, 2, 0, 0]), 'EmptyList', 'SerializedSCT'],
    ['a list longer than its bytes', new Uint8Array([0, 9, 0, 1]), 'MissingData', 'SignedCertificateTimestampList.sct_list'],
    ['trailing bytes after the list', new Uint8Array([...LIST, 0]), 'TrailingData', 'SignedCertificateTimestampList'],
    ['a truncated log ID', encodeList([new Uint8Array([0, 1, 2, 3])]), 'MissingData', 'SignedCertificateTimestamp.id'],
    ['trailing bytes in an SCT', encodeList([new Uint8Array([...encodeSct(SCT_A), 7])]), 'TrailingData', 'SignedCertificateTimestamp'],
  ])('refuses %s with a labelled InvalidMessage', (_, bytes, reason, label) => {
    let error: unknown;
    try {
      decodeSignedCertificateTimestampList(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidMessage);
    expect((error as InvalidMessage).reason).toBe(reason);
    expect((error as Error).message).toContain(label);
  });

  it('fuzz: random v1 lists round-trip; random and mutated bytes raise only TlsError', () => {
    const sct = fc.record({
      logId: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      timestamp: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      extensions: fc.uint8Array({ maxLength: 20 }),
      hashAlgorithm: fc.integer({ min: 0, max: 255 }),
      signatureAlgorithm: fc.integer({ min: 0, max: 255 }),
      signature: fc.uint8Array({ maxLength: 80 }),
    });
    fc.assert(
      fc.property(fc.array(sct, { minLength: 1, maxLength: 4 }), (scts) => {
        const decoded = decodeSignedCertificateTimestampList(encodeList(scts.map(encodeSct)));
        expect(decoded.map((d) => ('logId' in d ? { ...d, logId: [...d.logId], extensions: [...d.extensions], signature: [...d.signature] } : d))).toEqual(
          scts.map((s) => ({ version: 0, ...s, logId: [...s.logId], extensions: [...s.extensions], signature: [...s.signature] })),
        );
      }),
      { numRuns: 200 },
    );
    const onlyTlsErrors = (b: Uint8Array): void => {
      try {
        decodeSignedCertificateTimestampList(b);
      } catch (e) {
        if (!(e instanceof TlsError)) throw e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlyTlsErrors), { numRuns: 500 });
    fc.assert(
      fc.property(fc.nat(LIST.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(LIST.length), (at, value, cut) => {
        const mutated = LIST.slice(0, cut);
        if (at < mutated.length) mutated[at] = value;
        onlyTlsErrors(mutated);
      }),
      { numRuns: 500 },
    );
  });
});

describe('SCT lists in a certificate and in an OCSP response', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'puretls-sct-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function selfSigned(extra: string[]): Uint8Array {
    const out = join(dir, `c${Math.random().toString(16).slice(2)}.pem`);
    const key = join(dir, 'k.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', out, '-subj', '/CN=sct', '-days', '2', ...extra], { stdio: 'ignore' });
    return decodePemCertificates(readFileSync(out, 'utf8'))[0]!;
  }

  it('certificateSctList finds the embedded list (openssl -addext, extnValue = OCTET STRING of the list)', () => {
    const wrapped = `04${(LIST.length < 128 ? LIST.length.toString(16).padStart(2, '0') : `81${LIST.length.toString(16)}`)}${toHex(LIST)}`;
    const cert = selfSigned(['-addext', `1.3.6.1.4.1.11129.2.4.2=DER:${wrapped}`]);
    expect(toHex(certificateSctList(cert) ?? new Uint8Array(0))).toBe(toHex(LIST));
    expect(certificateSctList(selfSigned([]))).toBeUndefined();
  });

  it('ocspSctLists finds the list in a SingleResponse extension', () => {
    const der = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
      const body = parts.reduce((a, p) => new Uint8Array([...a, ...p]), new Uint8Array(0));
      const len = body.length < 128 ? [body.length] : body.length < 256 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
      return new Uint8Array([tag, ...len, ...body]);
    };
    const oid = (hex: string): Uint8Array => der(0x06, Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16))));
    const time = der(0x18, new TextEncoder().encode('20261205000000Z'));
    const sctExt = der(0x30, oid('2b06010401d679020402'), der(0x04, der(0x04, LIST)));
    const single = der(0x30, der(0x30), new Uint8Array([0x80, 0]), time, der(0xa1, der(0x30, sctExt)));
    const plain = der(0x30, der(0x30), new Uint8Array([0x80, 0]), time);
    const basic = (...singles: Uint8Array[]): Uint8Array =>
      der(0x30, der(0x30, der(0xa1, der(0x30)), time, der(0x30, ...singles)), der(0x30, oid('2a8648ce3d040302')), der(0x03, new Uint8Array([0, 1])));
    const response = (b: Uint8Array): Uint8Array => der(0x30, der(0x0a, new Uint8Array([0])), der(0xa0, der(0x30, oid('2b0601050507300101'), der(0x04, b))));
    expect(ocspSctLists(response(basic(plain, single))).map(toHex)).toEqual([toHex(LIST)]);
    expect(ocspSctLists(response(basic(plain)))).toEqual([]);
    expect(ocspSctLists(der(0x30, der(0x0a, new Uint8Array([1]))))).toEqual([]); // malformedRequest: no responseBytes
  });
});
