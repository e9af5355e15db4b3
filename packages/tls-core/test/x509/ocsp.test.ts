/**
 * Stapled OCSP response checking (RFC 6960) against responses made by `openssl ocsp` in the test
 * PKI (gen-pki.sh): good, revoked, signed by an unauthorized key, expired (clock past nextUpdate),
 * for another certificate, and not an OCSP response at all.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, type Certificate } from '../../src/x509/certificate.ts';
import { checkOcspResponse } from '../../src/x509/ocsp.ts';
import { generatePki, type Pki } from './pki.ts';

let pki: Pki;
let issuer: Certificate, good: Certificate, revoked: Certificate;
const response = (file: string): Uint8Array => new Uint8Array(readFileSync(pki.path(file)));
beforeAll(() => {
  pki = generatePki();
  issuer = parseCertificate(pki.der('ca-int'));
  good = parseCertificate(pki.der('good-ocsp'));
  revoked = parseCertificate(pki.der('bad-revoked'));
});
afterAll(() => pki?.cleanup());

describe('checkOcspResponse', () => {
  const now = (): number => good.notBefore + 60_000;

  it('a good response signed by the issuer: good, with its update times', () => {
    const r = checkOcspResponse(response('good-ocsp.ocsp.der'), good, issuer, now());
    expect(r.status).toBe('good');
    if (r.status === 'good') expect(r.nextUpdate! - r.thisUpdate).toBe(7 * 86400_000);
  });

  it('a revoked response: revoked, with the revocation time', () => {
    const r = checkOcspResponse(response('bad-revoked.ocsp.der'), revoked, issuer, now());
    expect(r.status).toBe('revoked');
  });

  it('a response signed by a key that is not the issuer and has no OCSP-signing EKU: invalid', () => {
    expect(checkOcspResponse(response('good-ocsp.wrongsigner.ocsp.der'), good, issuer, now()).status).toBe('invalid');
  });

  it('after nextUpdate: invalid (expired)', () => {
    const r = checkOcspResponse(response('good-ocsp.ocsp.der'), good, issuer, now() + 8 * 86400_000);
    expect(r).toMatchObject({ status: 'invalid' });
    if (r.status === 'invalid') expect(r.reason).toMatch(/expired/);
  });

  it('a response about another certificate: invalid', () => {
    expect(checkOcspResponse(response('good-ocsp.ocsp.der'), revoked, issuer, now()).status).toBe('invalid');
  });

  it('bytes that are not an OCSP response: invalid, never an exception', () => {
    expect(checkOcspResponse(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x06]), good, issuer, now())).toMatchObject({ status: 'invalid' });
    expect(checkOcspResponse(pki.der('ca-int'), good, issuer, now()).status).toBe('invalid');
    const bytes = response('good-ocsp.ocsp.der');
    for (let i = 0; i < bytes.length; i += 7) {
      const m = bytes.slice();
      m[i]! ^= 0x41;
      const status = checkOcspResponse(m, good, issuer, now()).status;
      expect(['invalid', 'good']).toContain(status); // a flip in unsigned fields (outer wrapper, certs) may leave it valid
    }
  });
});
