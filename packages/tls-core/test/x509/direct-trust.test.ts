/**
 * A server certificate byte-identical to a trust anchor is trusted directly (path-validation.ts):
 * the `openssl req -x509` development certificate, which carries CA:TRUE, given as `ca`. The
 * expected outcomes are what `openssl verify` says for the same files; validity and host name are
 * still checked, and a different self-signed certificate is still refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thrownReason } from '@puretls/test-support/errors';
import { InvalidCertificate } from '../../src/errors.ts';
import { verifyServerCertificateChain } from '../../src/x509/path-validation.ts';
import { decodePemCertificates } from '../../src/x509/pem.ts';
import { TrustStore } from '../../src/x509/trust-store.ts';

let dir = '';
const path = (f: string): string => join(dir, f);
const der = (f: string): Uint8Array => decodePemCertificates(readFileSync(path(f), 'utf8'))[0]!;
const opensslVerify = (ca: string, cert: string): boolean => {
  try {
    execFileSync('openssl', ['verify', '-CAfile', path(ca), path(cert)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const reasonOf = (fn: () => unknown): string => thrownReason(fn, InvalidCertificate);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'puretls-direct-trust-'));
  const selfSigned = (name: string): void =>
    void execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path(`${name}.key`), '-out', path(`${name}.pem`), '-subj', '/CN=localhost', '-days', '30', '-addext', 'subjectAltName=DNS:localhost'],
      { stdio: 'ignore' },
    );
  selfSigned('dev');
  selfSigned('other');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a leaf that is itself a trust anchor', () => {
  it('is accepted (openssl verify agrees), with the host name still checked', () => {
    const leaf = der('dev.pem');
    expect(opensslVerify('dev.pem', 'dev.pem')).toBe(true);
    const trust = TrustStore.fromPem(readFileSync(path('dev.pem'), 'utf8'));
    const r = verifyServerCertificateChain({ chain: [leaf], trust, hostname: 'localhost', now: Date.now() });
    expect(r.path).toHaveLength(1);
    expect(r.leaf.basicConstraints?.ca).toBe(true); // openssl req -x509 marks it CA:TRUE
    expect(reasonOf(() => verifyServerCertificateChain({ chain: [leaf], trust, hostname: 'other.example', now: Date.now() }))).toBe('NotValidForName');
  });

  it('is refused outside its validity period', () => {
    const trust = TrustStore.fromPem(readFileSync(path('dev.pem'), 'utf8'));
    expect(reasonOf(() => verifyServerCertificateChain({ chain: [der('dev.pem')], trust, hostname: 'localhost', now: Date.now() + 40 * 86_400_000 }))).toBe('Expired');
  });

  it('does not make another self-signed certificate trusted (openssl verify agrees)', () => {
    expect(opensslVerify('dev.pem', 'other.pem')).toBe(false);
    const trust = TrustStore.fromPem(readFileSync(path('dev.pem'), 'utf8'));
    expect(reasonOf(() => verifyServerCertificateChain({ chain: [der('other.pem')], trust, hostname: 'localhost', now: Date.now() }))).toBe('UnknownIssuer');
  });
});
