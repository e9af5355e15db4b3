/**
 * The process-wide verification caches (src/x509/verification-cache.ts): a chain whose signatures
 * were verified once must still be refused when it is expired at a later clock or presented for
 * another host name, a tampered certificate must never hit the cache, failures are not remembered,
 * and the tables stay bounded.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { thrownReason } from '@puretls/test-support/errors';
import { InvalidCertificate } from '../../src/errors.ts';
import { isPreparedVerificationKey } from '../../src/crypto/signature.ts';
import { parseCertificate } from '../../src/x509/certificate.ts';
import { verifyServerCertificateChain } from '../../src/x509/path-validation.ts';
import { TrustStore } from '../../src/x509/trust-store.ts';
import {
  PARSED_CERTIFICATES_MAX,
  PREPARE_ANCHOR_AFTER_VERIFIES,
  cachedParseCertificate,
  cachedSignatureCheck,
  clearVerificationCaches,
  reusableEndEntityKey,
  verificationCacheSizes,
} from '../../src/x509/verification-cache.ts';
import { generatePki, type Pki } from './pki.ts';

let pki: Pki;
let trust: TrustStore;
let NOW = 0;

beforeAll(() => {
  pki = generatePki();
  NOW = Date.now() + 1000;
  trust = TrustStore.fromPem(readFileSync(pki.path('trust-root.pem'), 'utf8'), { strict: true });
});
afterAll(() => pki?.cleanup());
beforeEach(() => clearVerificationCaches());

const reasonOf = (fn: () => unknown): string => thrownReason(fn, InvalidCertificate);

const YEAR_MS = 365 * 24 * 3600 * 1000;

describe('a cached chain is re-checked against the clock and the host name', () => {
  for (const leaf of ['leaf-ecdsa-p256', 'leaf-rsa2048']) {
    it(`${leaf}: verified once, then expired at a later clock and wrong for another host`, () => {
      const chain = [pki.der(leaf), pki.der('ca-int')];
      expect(reasonOf(() => verifyServerCertificateChain({ chain, trust, hostname: 'localhost', now: NOW }))).toBe('ok');
      // Both links (leaf <- intermediate, intermediate <- root) are remembered.
      expect(verificationCacheSizes().signatures).toBe(2);
      // Same bytes, same store: the signatures come from the cache, the verdicts do not.
      expect(reasonOf(() => verifyServerCertificateChain({ chain, trust, hostname: 'localhost', now: NOW + 2 * YEAR_MS }))).toBe('Expired');
      expect(reasonOf(() => verifyServerCertificateChain({ chain, trust, hostname: 'localhost', now: NOW - YEAR_MS }))).toBe('NotYetValid');
      expect(reasonOf(() => verifyServerCertificateChain({ chain, trust, hostname: 'other.example', now: NOW }))).toBe('NotValidForName');
      expect(reasonOf(() => verifyServerCertificateChain({ chain, trust, hostname: 'localhost', now: NOW }))).toBe('ok');
      expect(verificationCacheSizes().signatures).toBe(2);
    });
  }

  it('a cached chain is refused by a trust store without its root', () => {
    const chain = [pki.der('leaf-ecdsa-p256'), pki.der('ca-int')];
    expect(reasonOf(() => verifyServerCertificateChain({ chain, trust, hostname: 'localhost', now: NOW }))).toBe('ok');
    const otherStore = TrustStore.fromPem(readFileSync(pki.path('xs-root-new.pem'), 'utf8'), { strict: true });
    expect(reasonOf(() => verifyServerCertificateChain({ chain, trust: otherStore, hostname: 'localhost', now: NOW }))).toBe('UnknownIssuer');
  });

  it('a tampered signature after a cached good one is still BadSignature', () => {
    const good = pki.der('leaf-ecdsa-p256');
    const intermediate = pki.der('ca-int');
    expect(reasonOf(() => verifyServerCertificateChain({ chain: [good, intermediate], trust, hostname: 'localhost', now: NOW }))).toBe('ok');
    const bad = good.slice();
    bad[bad.length - 3]! ^= 0x01; // inside the DER signature's last INTEGER
    expect(reasonOf(() => verifyServerCertificateChain({ chain: [bad, intermediate], trust, hostname: 'localhost', now: NOW }))).toBe('BadSignature');
    // ... and stays refused on a second attempt (failures are not remembered as successes).
    expect(reasonOf(() => verifyServerCertificateChain({ chain: [bad, intermediate], trust, hostname: 'localhost', now: NOW }))).toBe('BadSignature');
  });
});

describe('cachedSignatureCheck', () => {
  const issuer = Uint8Array.of(0x30, 1, 2, 3);
  const child = Uint8Array.of(0x30, 9, 9, 9);

  it('runs the verifier once for the same bytes, and again for any other bytes', () => {
    let calls = 0;
    const verify = (): boolean => {
      calls++;
      return true;
    };
    expect(cachedSignatureCheck(issuer, child, verify)).toBe(true);
    expect(cachedSignatureCheck(issuer, child, verify)).toBe(true);
    expect(calls).toBe(1);
    expect(cachedSignatureCheck(issuer, Uint8Array.of(0x30, 9, 9, 8), verify)).toBe(true);
    expect(cachedSignatureCheck(Uint8Array.of(0x30, 1, 2, 4), child, verify)).toBe(true);
    expect(calls).toBe(3);
  });

  it('compares every byte: pairs that differ only before their last 32 bytes are never taken for each other', () => {
    const tail = new Uint8Array(32).fill(7);
    const childA = Uint8Array.of(0x30, 1, ...tail);
    const childB = Uint8Array.of(0x30, 2, ...tail);
    const issuerA = Uint8Array.of(0x30, 5, ...tail);
    const issuerB = Uint8Array.of(0x30, 6, ...tail);
    let calls = 0;
    const verify = (): boolean => {
      calls++;
      return true;
    };
    cachedSignatureCheck(issuerA, childA, verify);
    cachedSignatureCheck(issuerA, childB, verify);
    cachedSignatureCheck(issuerB, childA, verify);
    expect(calls).toBe(3); // none taken for another
    cachedSignatureCheck(issuerB, childA, verify);
    expect(calls).toBe(3); // the last one is remembered
  });

  it('keeps its own copies: changing the caller\'s bytes afterwards does not change what is remembered', () => {
    const mutable = Uint8Array.of(0x30, 9, 9, 7);
    let calls = 0;
    const verify = (): boolean => {
      calls++;
      return true;
    };
    cachedSignatureCheck(issuer, mutable, verify);
    mutable[1] = 8;
    cachedSignatureCheck(issuer, mutable, verify);
    expect(calls).toBe(2);
    cachedSignatureCheck(issuer, Uint8Array.of(0x30, 9, 9, 7), verify);
    expect(calls).toBe(2);
  });

  it('never remembers a failure', () => {
    let calls = 0;
    const reject = (): boolean => {
      calls++;
      return false;
    };
    expect(cachedSignatureCheck(issuer, child, reject)).toBe(false);
    expect(cachedSignatureCheck(issuer, child, reject)).toBe(false);
    expect(calls).toBe(2);
    expect(verificationCacheSizes().signatures).toBe(0);
  });

  it('is bounded (least recently used entries go first)', () => {
    const first = Uint8Array.of(0x30, 0, 0);
    cachedSignatureCheck(issuer, first, () => true);
    for (let i = 0; i < 1500; i++) cachedSignatureCheck(issuer, Uint8Array.of(0x30, i >> 8, i & 0xff, 1), () => true);
    expect(verificationCacheSizes().signatures).toBe(1024);
    let calls = 0;
    cachedSignatureCheck(issuer, first, () => {
      calls++;
      return true;
    });
    expect(calls).toBe(1); // evicted, so verified again
  });
});

describe('cachedParseCertificate', () => {
  it('answers the same bytes from the table with the parse of those bytes', () => {
    const der = pki.der('leaf-rsa2048');
    const first = cachedParseCertificate(der);
    expect(first).toEqual(parseCertificate(der));
    expect(cachedParseCertificate(pki.der('leaf-rsa2048'))).toBe(first);
    expect(verificationCacheSizes().parsedCertificates).toBe(1);
  });

  it("never points into the caller's bytes, and a change to them is a different certificate", () => {
    const der = pki.der('leaf-ecdsa-p256');
    const cert = cachedParseCertificate(der);
    expect(cert.der.buffer).not.toBe(der.buffer);
    const original = cert.serialNumber.slice();
    // Change the last byte of the serial number: same length, same last 32 bytes (the signature's
    // tail), so the table finds the entry and must refuse it by comparing the bytes.
    const at = Buffer.from(der.buffer, der.byteOffset, der.byteLength).indexOf(original);
    expect(at).toBeGreaterThan(0);
    const offset = at + original.length - 1;
    der[offset] = der[offset]! ^ 0x01;
    const changed = cachedParseCertificate(der);
    expect(changed).not.toBe(cert);
    expect(changed.serialNumber.at(-1)).toBe(original.at(-1)! ^ 0x01);
    expect(cert.serialNumber).toEqual(original); // the remembered parse is untouched
    expect(cert.der).toEqual(pki.der('leaf-ecdsa-p256'));
  });

  it('does not remember bytes that fail to parse', () => {
    const broken = pki.der('leaf-rsa2048').subarray(0, 200);
    expect(() => cachedParseCertificate(broken)).toThrow(InvalidCertificate);
    expect(() => cachedParseCertificate(broken)).toThrow(InvalidCertificate);
    expect(verificationCacheSizes().parsedCertificates).toBe(0);
  });

  it('is bounded and emptied by clearVerificationCaches', () => {
    const der = pki.der('leaf-rsa2048');
    const first = cachedParseCertificate(der);
    // Distinct certificates under distinct keys: the same bytes with other last two bytes (the
    // signature's tail; parsing does not check the signature).
    for (let i = 0; i < PARSED_CERTIFICATES_MAX; i++) {
      const variant = der.slice();
      variant[variant.length - 2] = 0xa5;
      variant[variant.length - 1] = i;
      cachedParseCertificate(variant);
    }
    expect(verificationCacheSizes().parsedCertificates).toBe(PARSED_CERTIFICATES_MAX);
    expect(cachedParseCertificate(der)).not.toBe(first); // the first entry went first
    clearVerificationCaches();
    expect(verificationCacheSizes().parsedCertificates).toBe(0);
  });

  it('path validation takes its parses from the table', () => {
    const chain = [pki.der('leaf-ecdsa-p256'), pki.der('ca-int')];
    const a = verifyServerCertificateChain({ chain, trust, hostname: 'localhost', now: NOW });
    const b = verifyServerCertificateChain({ chain: chain.map((c) => c.slice()), trust, hostname: 'localhost', now: NOW });
    expect(b.leaf).toBe(a.leaf);
    expect(b.path[1]).toBe(a.path[1]);
    expect(verificationCacheSizes().parsedCertificates).toBe(2);
  });

  it('hands out frozen certificates whose bytes are all views of their own DER', () => {
    for (const name of ['leaf-rsa2048', 'leaf-ecdsa-p256', 'ca-int']) {
      const cert = cachedParseCertificate(pki.der(name));
      const byteFields: string[] = [];
      const walk = (value: unknown, path: string): void => {
        if (typeof value !== 'object' || value === null) return;
        if (ArrayBuffer.isView(value)) {
          byteFields.push(path);
          expect(value.buffer, path).toBe(cert.der.buffer);
          return;
        }
        expect(Object.isFrozen(value), path).toBe(true);
        for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
      };
      walk(cert, '');
      expect(byteFields).toContain('.serialNumber');
      if (cert.publicKey.kind === 'ec') expect(byteFields).toContain('.publicKey.point');
      expect(() => (cert.unhandledCriticalExtensions as string[]).push('1.2.3')).toThrow(TypeError);
      expect(cert.unhandledCriticalExtensions).toEqual([]);
    }
  });
});

describe('reusableEndEntityKey', () => {
  it('returns one key object per SubjectPublicKeyInfo and prepares EC keys after a few uses', () => {
    const a = parseCertificate(pki.der('leaf-ecdsa-p256'));
    const b = parseCertificate(pki.der('leaf-ecdsa-p256'));
    const first = reusableEndEntityKey(a.subjectPublicKeyInfo, a.publicKey);
    expect(isPreparedVerificationKey(first)).toBe(false);
    let key = first;
    for (let i = 0; i < 4; i++) key = reusableEndEntityKey(b.subjectPublicKeyInfo, b.publicKey);
    expect(key).toBe(first);
    expect(isPreparedVerificationKey(key)).toBe(true);
    const other = parseCertificate(pki.der('leaf-rsa2048'));
    expect(reusableEndEntityKey(other.subjectPublicKeyInfo, other.publicKey)).toBe(other.publicKey);
  });
});

/** Evict every remembered signature through the LRU bound (1024), keeping the anchor use counts. */
function clearSignaturesOnly(): void {
  for (let i = 0; i < 1100; i++) cachedSignatureCheck(new Uint8Array(1), Uint8Array.of(i >>> 8, i & 0xff), () => true);
}

describe('trust anchor tables', () => {
  it('an EC anchor is not prepared by a first handshake, only after enough real (uncached) verifications', () => {
    const ecTrust = TrustStore.fromPem(readFileSync(pki.path('ecdsa-only-root.pem'), 'utf8'), { strict: true });
    const anchorKey = ecTrust.anchors[0]!.publicKey;
    const chain = [pki.der('ecdsa-only-leaf'), pki.der('ecdsa-only-int')];
    const verify = (): void => void verifyServerCertificateChain({ chain, trust: ecTrust, hostname: 'localhost', now: NOW });
    verify();
    expect(isPreparedVerificationKey(anchorKey)).toBe(false);
    // Cached: repeat handshakes do not verify with the anchor at all, so they do not count.
    for (let i = 0; i < 2 * PREPARE_ANCHOR_AFTER_VERIFIES; i++) verify();
    expect(isPreparedVerificationKey(anchorKey)).toBe(false);
    // Cache misses do: the anchor is prepared at the threshold, and verdicts stay the same.
    for (let i = 1; i < PREPARE_ANCHOR_AFTER_VERIFIES - 1; i++) {
      clearSignaturesOnly();
      verify();
    }
    expect(isPreparedVerificationKey(anchorKey)).toBe(false);
    clearSignaturesOnly();
    verify();
    expect(isPreparedVerificationKey(anchorKey)).toBe(true);
    clearSignaturesOnly();
    verify();
    expect(reasonOf(() => verifyServerCertificateChain({ chain, trust: ecTrust, hostname: 'other.example', now: NOW }))).toBe('NotValidForName');
    expect(reasonOf(verify)).toBe('ok');
  });
});
