/**
 * A tiny test PKI for the scripted-server tests, made with the OpenSSL CLI in a fresh temporary
 * directory (nothing is committed): a trusted P-256 root with a P-256 and an RSA-2048 leaf for
 * `localhost`, a P-384 leaf, a P-256 leaf whose keyUsage lacks digitalSignature, and an unrelated
 * "evil" root (same subject name, other key) with its own leaf.
 * Expiry is tested by moving the client's clock (`now`) past the leaf's notAfter.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePemCertificates } from '../../../src/x509/pem.ts';
import { parseCertificate } from '../../../src/x509/certificate.ts';
import { TrustStore } from '../../../src/x509/trust-store.ts';

/** A server identity: the chain it sends (leaf first) and the leaf's private key. */
export interface ServerIdentity {
  readonly chain: readonly Uint8Array[];
  readonly key: KeyObject;
  readonly kind: 'ec' | 'rsa';
  /** The leaf's notAfter (ms since the epoch). */
  readonly notAfter: number;
  readonly notBefore: number;
}

export interface TestPki {
  /** Trust store with the good root only. */
  readonly trust: TrustStore;
  readonly ecdsa: ServerIdentity;
  readonly rsa: ServerIdentity;
  /** A leaf for localhost under a root the client does not trust. */
  readonly untrusted: ServerIdentity;
  /** A P-384 leaf for localhost under the good root. */
  readonly ecdsaP384: ServerIdentity;
  /** A P-256 leaf under the good root whose keyUsage lacks digitalSignature (keyAgreement only). */
  readonly noDigitalSignature: ServerIdentity;
  /** A time (ms) inside every certificate's validity period: one hour after the latest notBefore. */
  readonly validAt: number;
  cleanup(): void;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-client-pki-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  writeFileSync(
    join(dir, 'ext.cnf'),
    [
      '[ca]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
      '[leaf]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid:always',
      'subjectAltName = DNS:localhost,IP:127.0.0.1',
      '[leaf-nods]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,keyAgreement',
      'extendedKeyUsage = serverAuth',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid:always',
      'subjectAltName = DNS:localhost,IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  const ecKey = (name: string, curve = 'P-256'): void => run('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', `${name}.key`);
  const root = (name: string): void => {
    ecKey(name);
    run('req', '-x509', '-new', '-key', `${name}.key`, '-subj', '/CN=Client Test Root', '-days', '3650', '-config', 'ext.cnf', '-extensions', 'ca', '-sha256', '-out', `${name}.pem`);
  };
  const leaf = (name: string, issuer: string, extensions = 'leaf'): void => {
    run('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '365', '-sha256', '-extfile', 'ext.cnf', '-extensions', extensions, '-out', `${name}.pem`);
  };
  root('root');
  root('evil-root');
  ecKey('leaf-ec');
  leaf('leaf-ec', 'root');
  run('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'leaf-rsa.key');
  leaf('leaf-rsa', 'root');
  ecKey('leaf-evil');
  leaf('leaf-evil', 'evil-root');
  ecKey('leaf-p384', 'P-384');
  leaf('leaf-p384', 'root');
  ecKey('leaf-nods');
  leaf('leaf-nods', 'root', 'leaf-nods');

  const der = (name: string): Uint8Array => decodePemCertificates(readFileSync(join(dir, `${name}.pem`), 'utf8'))[0]!;
  const identity = (name: string, kind: 'ec' | 'rsa', extra: Uint8Array[] = []): ServerIdentity => {
    const leafDer = der(name);
    return {
      chain: [leafDer, ...extra],
      key: createPrivateKey(readFileSync(join(dir, `${name}.key`), 'utf8')),
      kind,
      notAfter: parseCertificate(leafDer).notAfter,
      notBefore: parseCertificate(leafDer).notBefore,
    };
  };
  const ids = {
    ecdsa: identity('leaf-ec', 'ec'),
    rsa: identity('leaf-rsa', 'rsa'),
    untrusted: identity('leaf-evil', 'ec', [der('evil-root')]),
    ecdsaP384: identity('leaf-p384', 'ec'),
    noDigitalSignature: identity('leaf-nods', 'ec'),
  };
  return {
    ...ids,
    validAt: Math.max(...Object.values(ids).map((i) => i.notBefore)) + 3_600_000,
    trust: new TrustStore([der('root')], { strict: true }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
