/**
 * The hostile server's certificates, made with the OpenSSL CLI in a fresh temporary directory
 * (nothing is committed): a P-256 CA and leaves for localhost/127.0.0.1 with ECDSA P-256, ECDSA
 * P-384, RSA-2048 and Ed25519 keys, plus a P-256 leaf whose keyUsage lacks digitalSignature.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

export function makeHostilePki(): HostilePki {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-hostile-'));
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const usage = (ku: string): string => `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,${ku}\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n`;
  writeFileSync(join(dir, 'leaf.cnf'), usage('digitalSignature'));
  writeFileSync(join(dir, 'nods.cnf'), usage('keyAgreement'));
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=puretls hostile test CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'evil.key', '-out', 'evil.pem', '-subj', '/CN=puretls hostile test CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const leaf = (name: string, keyArgs: string[], cnf = 'leaf.cnf', ca = 'ca'): void => {
    run('genpkey', ...keyArgs, '-out', `${name}.key`);
    run('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=localhost/O=hostile ${name}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '30', '-sha256', '-extfile', cnf, '-out', `${name}.pem`);
  };
  leaf('ec256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  leaf('ec384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']);
  leaf('rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  leaf('ed25519', ['-algorithm', 'ED25519']);
  leaf('nods', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'nods.cnf');
  leaf('untrusted', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'leaf.cnf', 'evil');
  const id = (name: string, scheme: number): Identity => ({
    chain: [new X509Certificate(readFileSync(join(dir, `${name}.pem`))).raw],
    key: createPrivateKey(readFileSync(join(dir, `${name}.key`))),
    scheme,
  });
  return {
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    ec256: id('ec256', SCHEME.ecdsa_secp256r1_sha256),
    ec384: id('ec384', SCHEME.ecdsa_secp384r1_sha384),
    rsa: id('rsa', SCHEME.rsa_pss_rsae_sha256),
    ed25519: id('ed25519', SCHEME.ed25519),
    noDigitalSignature: id('nods', SCHEME.ecdsa_secp256r1_sha256),
    untrusted: id('untrusted', SCHEME.ecdsa_secp256r1_sha256),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
