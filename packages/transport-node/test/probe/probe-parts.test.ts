/**
 * The probe's offline parts: the embedded SCT count (RFC 6962 §3.3) against a certificate openssl
 * made with a two-entry list, and fuzzed with fast-check; the SCT facts by source; the `probe` argument parser;
 * the `--fail-on` policies over a report's certificate facts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embeddedSctCount, sctFacts } from '../../src/probe/scts.ts';
import { parseProbeArgs } from '../../src/probe/cli.ts';
import { evaluatePolicies } from '../../src/probe/policy.ts';
import type { ChainCertificate, ProbeReport } from '../../src/probe/report.ts';

function opensslCert(extension: string | undefined): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-sct-'));
  try {
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=sct', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')];
    if (extension !== undefined) args.push('-addext', extension);
    execFileSync('openssl', args, { stdio: 'pipe' });
    return new Uint8Array(new X509Certificate(readFileSync(join(dir, 'c.pem'))).raw);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('embedded SCT list', () => {
  it('counts the two SCTs of a list openssl put in extension 1.3.6.1.4.1.11129.2.4.2, and none without it', () => {
    // extnValue = OCTET STRING { u16 7, [u16 2: aa bb], [u16 1: cc] }
    expect(embeddedSctCount(opensslCert('1.3.6.1.4.1.11129.2.4.2=DER:040900070002aabb0001cc'))).toBe(2);
    expect(embeddedSctCount(opensslCert(undefined))).toBe(0);
  });

  it('returns a count for any bytes, never throws (fuzzed)', () => {
    const oid = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (before, after) => {
        const n = embeddedSctCount(new Uint8Array([...before, ...oid, ...after]));
        expect(Number.isInteger(n) && n >= 0 && n <= after.length / 2).toBe(true);
      }),
    );
  });
});

describe('SCT facts by source', () => {
  // One v1 SCT: log ID 32 x 0x11, timestamp 1700000000000 ms, no extensions, sha256/ecdsa, 2-byte signature.
  const v1 = [0, ...new Array(32).fill(0x11), 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0, 0, 4, 3, 0, 2, 0xaa, 0xbb];
  const list = new Uint8Array([0, v1.length + 2, 0, v1.length, ...v1]);

  it('reports each SCT with its source, log ID and time; an unreadable list goes to errors', () => {
    const leaf = opensslCert(`1.3.6.1.4.1.11129.2.4.2=DER:04${(list.length).toString(16).padStart(2, '0')}${Buffer.from(list).toString('hex')}`);
    const f = sctFacts({ connection: 1, tlsExtension: list, leaf, ocspResponse: undefined });
    expect(f).toMatchObject({ count: 2, tlsExtension: 1, embedded: 1, ocsp: null, signaturesVerified: false, errors: [] });
    expect(f.scts).toEqual(
      (['tls-extension', 'certificate'] as const).map((source) => ({ source, version: 0, logId: '11'.repeat(32), timestamp: '2023-11-14T22:13:20.000Z', timestampMs: 1_700_000_000_000 })),
    );
    const bad = sctFacts({ connection: 2, tlsExtension: new Uint8Array([0, 5, 0]), leaf: undefined, ocspResponse: new Uint8Array([0x30, 0]) });
    expect(bad).toMatchObject({ count: 0, tlsExtension: 0, embedded: 0, ocsp: 0 });
    expect(bad.errors).toHaveLength(2);
    expect(bad.errors[0]).toMatch(/^tls-extension: .*SignedCertificateTimestampList/);
    expect(bad.errors[1]).toMatch(/^ocsp: /);
  });
});

describe('puretls probe arguments', () => {
  it('reads host:port, the flags and the policies', () => {
    const a = parseProbeArgs(['example.com:8443', '--json', '--fail-on', 'weak,expired', '--servername', 'x.example', '--starttls', 'smtp', '--max-connections', '30', '--timeout', '2000', '--ticket-delay', '0']);
    expect(a).toMatchObject({ host: 'example.com', port: 8443, json: true, failOn: ['weak', 'expired'], servername: 'x.example', starttls: 'smtp', maxConnections: 30, connectionDeadlineMs: 2000, ticketDelayMs: 0 });
    expect(parseProbeArgs(['[::1]'])).toMatchObject({ host: '::1', port: 443 });
  });

  it('refuses an unknown policy, a budget over 60, an unknown STARTTLS protocol and a second target', () => {
    expect(() => parseProbeArgs(['h:1', '--fail-on', 'slow'])).toThrow(/fail-on/);
    expect(() => parseProbeArgs(['h:1', '--max-connections', '61'])).toThrow(/1\.\.60/);
    expect(() => parseProbeArgs(['h:1', '--starttls', 'gopher'])).toThrow(/starttls/);
    expect(() => parseProbeArgs(['h:1', 'h:2'])).toThrow(/unexpected/);
  });
});

describe('--fail-on policies', () => {
  const cert = (over: Partial<ChainCertificate>): ChainCertificate => ({
    subject: 'CN=x', issuer: 'CN=ca', serialNumber: '01', sha256: '00', notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2030-01-01T00:00:00.000Z',
    expired: false, notYetValid: false, keyType: 'ec', keyBits: 256, curve: 'prime256v1', signatureAlgorithm: 'ecdsa-with-SHA256', selfSigned: false, embeddedScts: 0, ...over,
  });
  const report = (chain: ChainCertificate[], trusted: boolean, matches: boolean): Omit<ProbeReport, 'policy'> =>
    ({
      certificate: {
        chain,
        order: { leafFirstEachIssuedByNext: true, evidence: '' },
        trust: { store: 'system', trusted, validNow: trusted, path: [], error: trusted ? null : 'UnknownIssuer' },
        hostname: { name: 'h', matches, error: matches ? null : 'no match' },
        expiry: { expired: chain.some((c) => c.expired), notYetValid: false, leafNotAfter: null, leafDaysLeft: null },
      },
      hello: null,
    }) as unknown as Omit<ProbeReport, 'policy'>;

  it('names each violated policy and passes a clean chain', () => {
    const bad = report([cert({ expired: true }), cert({ keyType: 'rsa', keyBits: 1024, curve: null })], false, false);
    const v = evaluatePolicies(bad, ['expired', 'untrusted', 'hostname', 'weak']);
    expect(v.map((x) => x.policy).sort()).toEqual(['expired', 'hostname', 'untrusted', 'weak', 'weak']); // weak: RSA-1024 and no scan
    expect(evaluatePolicies(report([cert({})], true, true), ['expired', 'untrusted', 'hostname'])).toEqual([]);
  });

  it('fails closed when no certificate was received', () => {
    const none = { certificate: null, hello: null } as unknown as Omit<ProbeReport, 'policy'>;
    expect(evaluatePolicies(none, ['expired', 'untrusted', 'hostname']).map((x) => x.reason)).toEqual(['no certificate received', 'no certificate received', 'no certificate received']);
  });
});
