/**
 * A tiny test PKI for the scripted-server tests, made with the OpenSSL CLI in a fresh temporary
 * directory by @puretls/test-support's opensslPki (nothing is committed): a trusted P-256 root with a P-256 and an RSA-2048 leaf for
 * `localhost`, a P-384 leaf, a P-256 leaf whose keyUsage lacks digitalSignature, and an unrelated
 * "evil" root (same subject name, other key) with its own leaf.
 * Expiry is tested by moving the client's clock (`now`) past the leaf's notAfter.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { CA_EXTENSIONS, opensslPki, type KeyType } from '@puretls/test-support/pki';
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

const LEAF_EXTENSIONS = [
  'basicConstraints = critical,CA:FALSE',
  'keyUsage = critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage = serverAuth',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid:always',
  'subjectAltName = DNS:localhost,IP:127.0.0.1',
];
const NO_DIGITAL_SIGNATURE = LEAF_EXTENSIONS.map((line) => (line.startsWith('keyUsage') ? 'keyUsage = critical,keyAgreement' : line));

export function makeTestPki(): TestPki {
  const pki = opensslPki('client-pki');
  const root = (name: string): void => pki.certificate(name, { keyType: 'P-256', subject: '/CN=Client Test Root', days: 3650, extensions: CA_EXTENSIONS });
  const leaf = (name: string, keyType: KeyType, issuer: string, extensions = LEAF_EXTENSIONS): void =>
    pki.certificate(name, { keyType, subject: `/CN=${name}`, days: 365, extensions, issuer });
  root('root');
  root('evil-root');
  leaf('leaf-ec', 'P-256', 'root');
  leaf('leaf-rsa', 'RSA-2048', 'root');
  leaf('leaf-evil', 'P-256', 'evil-root');
  leaf('leaf-p384', 'P-384', 'root');
  leaf('leaf-nods', 'P-256', 'root', NO_DIGITAL_SIGNATURE);

  const identity = (name: string, kind: 'ec' | 'rsa', extra: Uint8Array[] = []): ServerIdentity => {
    const leafDer = pki.der(name);
    return {
      chain: [leafDer, ...extra],
      key: createPrivateKey(pki.text(`${name}.key`)),
      kind,
      notAfter: parseCertificate(leafDer).notAfter,
      notBefore: parseCertificate(leafDer).notBefore,
    };
  };
  const ids = {
    ecdsa: identity('leaf-ec', 'ec'),
    rsa: identity('leaf-rsa', 'rsa'),
    untrusted: identity('leaf-evil', 'ec', [pki.der('evil-root')]),
    ecdsaP384: identity('leaf-p384', 'ec'),
    noDigitalSignature: identity('leaf-nods', 'ec'),
  };
  return {
    ...ids,
    validAt: Math.max(...Object.values(ids).map((i) => i.notBefore)) + 3_600_000,
    trust: new TrustStore([pki.der('root')], { strict: true }),
    cleanup: pki.cleanup,
  };
}
