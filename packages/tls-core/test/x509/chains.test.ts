/**
 * Path validation against the fixture PKI (test-pki/gen-pki.sh), cross-checked with `openssl verify`.
 * Every place where puretls and OpenSSL disagree must be listed in docs/x509.md, and nothing else.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { thrownReason } from '@puretls/test-support/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCertificate, alertFor, type CertificateErrorReason } from '../../src/errors.ts';
import { AlertDescription } from '../../src/wire/enums.ts';
import { encodePem } from '../../src/x509/pem.ts';
import { verifyServerCertificateChain, type VerifyServerCertificateOptions } from '../../src/x509/path-validation.ts';
import { TrustStore } from '../../src/x509/trust-store.ts';
import { parseCertificate } from '../../src/x509/certificate.ts';
import { REPO_ROOT, generatePki, type Pki } from './pki.ts';

let pki: Pki;
let trust: TrustStore;
let trustNewRoot: TrustStore;
/** Validation time: just after the PKI was generated (notBefore is generation time). */
let NOW = 0;

beforeAll(() => {
  pki = generatePki();
  NOW = Date.now() + 1000;
  trust = TrustStore.fromPem(readFileSync(pki.path('trust-root.pem'), 'utf8'), { strict: true });
  trustNewRoot = TrustStore.fromPem(readFileSync(pki.path('xs-root-new.pem'), 'utf8'), { strict: true });
});
afterAll(() => pki?.cleanup());

interface Case {
  readonly name: string;
  readonly chain: () => Uint8Array[];
  readonly host?: string;
  /** Trust file (PEM in the PKI dir); default trust-root.pem. */
  readonly trustFile?: 'trust-root.pem' | 'xs-root-new.pem';
  readonly expected: 'ok' | CertificateErrorReason;
}

const chainOf = (name: string) => () => pki.ders(`${name}.chain`);
const flipLastByte = (der: Uint8Array): Uint8Array => {
  const out = der.slice();
  out[out.length - 1]! ^= 0x01;
  return out;
};

const CASES: readonly Case[] = [
  // ---- accepted ----
  { name: 'leaf-rsa2048', chain: chainOf('leaf-rsa2048'), host: 'localhost', expected: 'ok' },
  { name: 'leaf-rsapss', chain: chainOf('leaf-rsapss'), host: 'localhost', expected: 'ok' },
  { name: 'leaf-rsa2048-pss-signed', chain: chainOf('leaf-rsa2048-pss-signed'), host: 'test.local', expected: 'ok' },
  { name: 'leaf-ecdsa-p256', chain: chainOf('leaf-ecdsa-p256'), host: 'localhost', expected: 'ok' },
  { name: 'leaf-ecdsa-p384', chain: chainOf('leaf-ecdsa-p384'), host: 'LOCALHOST', expected: 'ok' },
  { name: 'host-trailing-dot', chain: chainOf('leaf-ecdsa-p384'), host: 'localhost.', expected: 'ok' },
  { name: 'leaf-ed25519', chain: chainOf('leaf-ed25519'), host: 'localhost', expected: 'ok' },
  { name: 'ipv4-host', chain: chainOf('leaf-ecdsa-p256'), host: '127.0.0.1', expected: 'ok' },
  { name: 'ipv6-host', chain: chainOf('leaf-ecdsa-p256'), host: '::1', expected: 'ok' },
  { name: 'sni-leaf-under-root', chain: () => pki.ders('leaf-sni'), host: 'sni.test.local', expected: 'ok' },
  {
    name: 'out-of-order',
    chain: () => [pki.der('good-cross'), pki.der('xs-root-new-cross'), pki.der('xs-root-new'), pki.der('xs-int')],
    host: 'localhost',
    expected: 'ok',
  },
  {
    name: 'extra-unrelated-certs',
    chain: () => [pki.der('leaf-ecdsa-p256'), pki.der('evil-root'), pki.der('ca-int-rsa'), pki.der('bad-sha1'), pki.der('client-rsa'), pki.der('ca-int'), pki.der('ca-root')],
    host: 'localhost',
    expected: 'ok',
  },
  { name: 'weird-no-subject', chain: chainOf('weird-no-subject'), host: 'localhost', expected: 'ok' },
  { name: 'weird-1000-sans', chain: chainOf('weird-1000-sans'), host: 'host1000.test.local', expected: 'ok' },
  { name: 'good-ocsp', chain: chainOf('good-ocsp'), host: 'localhost', expected: 'ok' },
  { name: 'bad-revoked-not-checked', chain: chainOf('bad-revoked'), host: 'localhost', expected: 'ok' },
  { name: 'cross-signed-via-old-root', chain: chainOf('good-cross'), host: 'localhost', expected: 'ok' },
  { name: 'cross-signed-new-root-trusted', chain: chainOf('good-cross'), host: 'localhost', trustFile: 'xs-root-new.pem', expected: 'ok' },
  // ---- refused ----
  { name: 'bad-expired', chain: chainOf('bad-expired'), host: 'localhost', expected: 'Expired' },
  { name: 'bad-notyetvalid', chain: chainOf('bad-notyetvalid'), host: 'localhost', expected: 'NotYetValid' },
  { name: 'bad-wronghost', chain: chainOf('bad-wronghost'), host: 'localhost', expected: 'NotValidForName' },
  { name: 'bad-selfsigned', chain: () => pki.ders('bad-selfsigned'), host: 'localhost', expected: 'UnknownIssuer' },
  { name: 'bad-untrusted', chain: chainOf('bad-untrusted'), host: 'localhost', expected: 'UnknownIssuer' },
  { name: 'missing-intermediate', chain: () => pki.ders('leaf-ecdsa-p256'), host: 'localhost', expected: 'UnknownIssuer' },
  { name: 'bad-notca-chain', chain: chainOf('bad-notca-chain'), host: 'localhost', expected: 'EndEntityUsedAsCa' },
  { name: 'bad-pathlen', chain: chainOf('bad-pathlen'), host: 'localhost', expected: 'PathLengthExceeded' },
  { name: 'bad-sha1', chain: chainOf('bad-sha1'), host: 'localhost', expected: 'WeakSignatureAlgorithm' },
  { name: 'bad-rsa1024', chain: chainOf('bad-rsa1024'), host: 'localhost', expected: 'WeakKey' },
  { name: 'bad-eku', chain: chainOf('bad-eku'), host: 'localhost', expected: 'WrongKeyUsage' },
  { name: 'bad-nosan', chain: chainOf('bad-nosan'), host: 'localhost', expected: 'NotValidForName' },
  { name: 'bad-nameconstraint', chain: chainOf('bad-nameconstraint'), host: 'localhost', expected: 'NameConstraintViolation' },
  { name: 'bad-unknown-critical', chain: chainOf('bad-unknown-critical'), host: 'localhost', expected: 'UnknownCriticalExtension' },
  { name: 'bad-ca-leaf', chain: chainOf('bad-ca-leaf'), host: 'localhost', expected: 'CaUsedAsEndEntity' },
  { name: 'leaf-ecdsa-p521', chain: chainOf('leaf-ecdsa-p521'), host: 'localhost', expected: 'UnsupportedPublicKey' },
  { name: 'leaf-ed448', chain: chainOf('leaf-ed448'), host: 'localhost', expected: 'UnsupportedPublicKey' },
  { name: 'flipped-leaf-signature-ecdsa', chain: () => [flipLastByte(pki.der('leaf-ecdsa-p256')), pki.der('ca-int')], host: 'localhost', expected: 'BadSignature' },
  { name: 'flipped-leaf-signature-rsa-pss', chain: () => [flipLastByte(pki.der('leaf-rsa2048-pss-signed')), pki.der('ca-int-rsa')], host: 'localhost', expected: 'BadSignature' },
  { name: 'flipped-intermediate-signature', chain: () => [pki.der('leaf-ed25519'), flipLastByte(pki.der('ca-int'))], host: 'localhost', expected: 'BadSignature' },
];

function storeFor(c: Case): TrustStore {
  return c.trustFile === 'xs-root-new.pem' ? trustNewRoot : trust;
}

function puretls(c: Case): 'ok' | CertificateErrorReason {
  return reasonOf(() => verifyServerCertificateChain({ chain: c.chain(), trust: storeFor(c), hostname: c.host, now: NOW }));
}

/** `openssl verify` with the TLS server purpose, the same host and the same time. */
function openssl(c: Case): 'ok' | 'fail' {
  const [leaf, ...rest] = c.chain();
  const leafFile = join(pki.dir, `cmp-${c.name}-leaf.pem`);
  writeFileSync(leafFile, encodePem('CERTIFICATE', leaf!));
  const args = ['verify', '-CAfile', pki.path(c.trustFile ?? 'trust-root.pem'), '-purpose', 'sslserver', '-attime', String(Math.floor(NOW / 1000))];
  if (rest.length > 0) {
    const untrusted = join(pki.dir, `cmp-${c.name}-untrusted.pem`);
    writeFileSync(untrusted, rest.map((d) => encodePem('CERTIFICATE', d)).join(''));
    args.push('-untrusted', untrusted);
  }
  if (c.host !== undefined) args.push(c.host.includes(':') || /^[\d.]+$/.test(c.host) ? '-verify_ip' : '-verify_hostname', c.host);
  args.push(leafFile);
  try {
    execFileSync('openssl', args, { stdio: 'pipe' });
    return 'ok';
  } catch {
    return 'fail';
  }
}

/** Case names listed in the "Disagreements with OpenSSL" table of docs/x509.md. */
function documentedDisagreements(): string[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs/x509.md'), 'utf8');
  const section = doc.split('<!-- disagreements:begin -->')[1]?.split('<!-- disagreements:end -->')[0];
  if (section === undefined) throw new Error('docs/x509.md lacks the disagreements markers');
  return [...section.matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|/gm)].map((m) => m[1]!).sort();
}

describe('verifyServerCertificateChain over the fixture PKI', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(puretls(c)).toBe(c.expected);
  });

  it('disagrees with `openssl verify -purpose sslserver` exactly where docs/x509.md says', () => {
    execFileSync('openssl', ['version']); // fails clearly when OpenSSL is missing
    const disagreements = CASES.filter((c) => (puretls(c) === 'ok') !== (openssl(c) === 'ok'))
      .map((c) => c.name)
      .sort();
    expect(disagreements).toEqual(documentedDisagreements());
  });

  it('returns the whole path and the leaf key', () => {
    const r = verifyServerCertificateChain({ chain: pki.ders('good-cross.chain'), trust, hostname: 'localhost', now: NOW });
    expect(r.path.map((c) => c.subject.text)).toEqual(['CN=good-cross', 'CN=Cross Intermediate', 'CN=Cross Root New', 'CN=Test Root CA']);
    // The cross-signed copy (issued by the trusted root), not the self-signed one, is in the path.
    expect(r.path[2]!.issuer.text).toBe('CN=Test Root CA');
    expect(r.leaf.publicKey.kind).toBe('ec');
    expect(r.publicKey).toBe(r.leaf.publicKey);
    const ed = verifyServerCertificateChain({ chain: pki.ders('leaf-ed25519.chain'), trust, hostname: 'localhost', now: NOW });
    expect(ed.publicKey.kind).toBe('ed25519');
    expect(ed.path).toHaveLength(3);
  });

  it('bounds path building by signature checks and by depth', () => {
    const base: VerifyServerCertificateOptions = { chain: pki.ders('good-cross.chain'), trust, hostname: 'localhost', now: NOW };
    // leaf<-int, int<-self-signed root (dead end), int<-cross copy, cross<-anchor: 4 signature checks
    expect(() => verifyServerCertificateChain({ ...base, limits: { maxSignatureChecks: 4 } })).not.toThrow();
    expect(reasonOf(() => verifyServerCertificateChain({ ...base, limits: { maxSignatureChecks: 3 } }))).toBe('ChainTooLong');
    expect(reasonOf(() => verifyServerCertificateChain({ ...base, limits: { maxIntermediates: 1 } }))).toBe('ChainTooLong');
    expect(reasonOf(() => verifyServerCertificateChain({ ...base, limits: { maxPresented: 3 } }))).toBe('ChainTooLong');
    expect(reasonOf(() => verifyServerCertificateChain({ ...base, chain: [] }))).toBe('EmptyChain');
  });

  it('uses the injected clock for every certificate, bounds inclusive', () => {
    const chain = pki.ders('leaf-ecdsa-p256.chain');
    const leaf = parseCertificate(chain[0]!);
    const at = (now: number | Date) => reasonOf(() => verifyServerCertificateChain({ chain, trust, hostname: 'localhost', now }));
    expect(at(leaf.notBefore)).toBe('ok');
    expect(at(new Date(leaf.notAfter))).toBe('ok');
    expect(at(leaf.notBefore - 1000)).toBe('NotYetValid');
    expect(at(leaf.notAfter + 1000)).toBe('Expired');
    // bad-notyetvalid is valid in 2040, when its intermediate (5 years from today) has expired.
    const mid2040 = Date.UTC(2040, 5, 1);
    let err: unknown;
    try {
      verifyServerCertificateChain({ chain: pki.ders('bad-notyetvalid.chain'), trust, hostname: 'localhost', now: mid2040 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidCertificate);
    expect((err as InvalidCertificate).reason).toBe('Expired');
    expect((err as InvalidCertificate).message).toContain('CN=ca-int ');
  });

  it('prefers the leaf own problems over path problems (documented order)', () => {
    const far = Date.UTC(2099, 0, 1);
    // untrusted and expired: Expired, as browsers show
    expect(reasonOf(() => verifyServerCertificateChain({ chain: pki.ders('bad-untrusted.chain'), trust, hostname: 'localhost', now: far }))).toBe('Expired');
    // expired and wrong host: Expired
    expect(reasonOf(() => verifyServerCertificateChain({ chain: pki.ders('bad-expired.chain'), trust, hostname: 'other.example', now: NOW }))).toBe('Expired');
    // untrusted and wrong host: NotValidForName
    expect(reasonOf(() => verifyServerCertificateChain({ chain: pki.ders('bad-untrusted.chain'), trust, hostname: 'other.example', now: NOW }))).toBe('NotValidForName');
    // SHA-1 leaf with a missing intermediate: the weak algorithm
    expect(reasonOf(() => verifyServerCertificateChain({ chain: pki.ders('bad-sha1'), trust, hostname: 'localhost', now: NOW }))).toBe('WeakSignatureAlgorithm');
    // no host given: name not checked
    expect(reasonOf(() => verifyServerCertificateChain({ chain: pki.ders('bad-wronghost.chain'), trust, now: NOW }))).toBe('ok');
  });

  it('refuses a leaf truncated at every tenth byte as BadEncoding', () => {
    for (const name of ['leaf-ecdsa-p256', 'leaf-rsa2048', 'weird-no-subject']) {
      const [leaf, ...rest] = pki.ders(`${name}.chain`);
      for (let n = 0; n < leaf!.length; n += 10) {
        expect(reasonOf(() => verifyServerCertificateChain({ chain: [leaf!.subarray(0, n), ...rest], trust, hostname: 'localhost', now: NOW })), `${name} cut at ${n}`).toBe('BadEncoding');
      }
    }
  });

  it('maps the reasons to the RFC 8446 §6.2 alerts', () => {
    expect(alertFor(new InvalidCertificate('Expired'))).toBe(AlertDescription.CertificateExpired);
    expect(alertFor(new InvalidCertificate('UnknownIssuer'))).toBe(AlertDescription.UnknownCa);
    expect(alertFor(new InvalidCertificate('BadSignature'))).toBe(AlertDescription.BadCertificate);
    expect(alertFor(new InvalidCertificate('UnknownCriticalExtension'))).toBe(AlertDescription.UnsupportedCertificate);
  });
});

describe('TrustStore', () => {
  it('parses a bundle once and indexes anchors by subject and key identifier', () => {
    const bundle = ['ca-root', 'xs-root-new', 'ca-root', 'evil-root'].map((n) => readFileSync(pki.path(`${n}.pem`), 'utf8')).join('\nsome text openssl printed\n');
    const store = TrustStore.fromPem(bundle);
    expect(store.size).toBe(3); // the duplicate is dropped
    const root = parseCertificate(pki.der('ca-root'));
    const bySubject = store.bySubject(root.subject.der);
    expect(bySubject.map((c) => c.subject.text)).toEqual(['CN=Test Root CA', 'CN=Test Root CA']); // real and evil roots share the name
    expect(store.byKeyIdentifier(root.subjectKeyIdentifier!)).toHaveLength(1);
    expect(store.contains(root)).toBe(true);
    expect(store.contains(parseCertificate(pki.der('ca-int')))).toBe(false);
  });

  it('records unusable anchors instead of failing, unless strict', () => {
    const good = pki.der('ca-root');
    const p521 = pki.der('leaf-ecdsa-p521');
    const store = new TrustStore([p521, good, good.subarray(0, 50)]);
    expect(store.size).toBe(1);
    expect(store.rejected.map((r) => [r.index, r.error.reason])).toEqual([
      [0, 'UnsupportedPublicKey'],
      [2, 'BadEncoding'],
    ]);
    expect(() => new TrustStore([p521], { strict: true })).toThrow(InvalidCertificate);
  });
});

function reasonOf(f: () => unknown): 'ok' | CertificateErrorReason {
  return thrownReason(f, InvalidCertificate);
}
