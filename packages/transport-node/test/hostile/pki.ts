/**
 * The hostile server's certificates, made with the OpenSSL CLI in a fresh temporary directory by
 * @puretls/test-support's opensslPki (nothing is committed): a P-256 CA and leaves for
 * localhost/127.0.0.1 with ECDSA P-256, ECDSA P-384, RSA-2048 and Ed25519 keys, plus a P-256 leaf
 * whose keyUsage lacks digitalSignature.
 */
import { createPrivateKey } from 'node:crypto';
import { CA_EXTENSIONS, opensslPki, type KeyType } from '@puretls/test-support/pki';
import type { Identity } from './server.ts';
import { SCHEME } from './wire.ts';

export interface HostilePki {
  caPem: string;
  ec256: Identity;
  ec384: Identity;
  rsa: Identity;
  ed25519: Identity;
  /** keyUsage = keyAgreement only: the key may not sign handshakes (RFC 5280 §4.2.1.3). */
  noDigitalSignature: Identity;
  /** A P-256 leaf for localhost issued by another CA of the same name, which the client does not trust. */
  untrusted: Identity;
  cleanup(): void;
}

const leafExtensions = (keyUsage: string): string[] => ['basicConstraints = critical,CA:FALSE', `keyUsage = critical,${keyUsage}`, 'extendedKeyUsage = serverAuth', 'subjectAltName = DNS:localhost,IP:127.0.0.1'];

export function makeHostilePki(): HostilePki {
  const pki = opensslPki('hostile');
  for (const ca of ['ca', 'evil']) pki.certificate(ca, { keyType: 'P-256', subject: '/CN=puretls hostile test CA', days: 30, extensions: CA_EXTENSIONS });
  const leaf = (name: string, keyType: KeyType, keyUsage = 'digitalSignature', issuer = 'ca'): void =>
    pki.certificate(name, { keyType, subject: `/CN=localhost/O=hostile ${name}`, days: 30, extensions: leafExtensions(keyUsage), issuer });
  leaf('ec256', 'P-256');
  leaf('ec384', 'P-384');
  leaf('rsa', 'RSA-2048');
  leaf('ed25519', 'Ed25519');
  leaf('nods', 'P-256', 'keyAgreement');
  leaf('untrusted', 'P-256', 'digitalSignature', 'evil');
  const id = (name: string, scheme: number): Identity => ({
    chain: [Buffer.from(pki.der(name))],
    key: createPrivateKey(pki.text(`${name}.key`)),
    scheme,
  });
  return {
    caPem: pki.text('ca.pem'),
    ec256: id('ec256', SCHEME.ecdsa_secp256r1_sha256),
    ec384: id('ec384', SCHEME.ecdsa_secp384r1_sha384),
    rsa: id('rsa', SCHEME.rsa_pss_rsae_sha256),
    ed25519: id('ed25519', SCHEME.ed25519),
    noDigitalSignature: id('nods', SCHEME.ecdsa_secp256r1_sha256),
    untrusted: id('untrusted', SCHEME.ecdsa_secp256r1_sha256),
    cleanup: pki.cleanup,
  };
}
