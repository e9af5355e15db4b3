/**
 * Test fixture PKI: runs test-pki/gen-pki.sh (OpenSSL CLI) into a fresh temporary directory and
 * loads certificates from it. Used by the X.509 tests' beforeAll hooks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodePemCertificates } from '../../src/x509/pem.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

export interface Pki {
  readonly dir: string;
  /** DER certificates of a PEM file in the PKI directory (`name` without `.pem`). */
  ders(name: string): Uint8Array[];
  /** The first certificate of a PEM file. */
  der(name: string): Uint8Array;
  path(file: string): string;
  cleanup(): void;
}

export function generatePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-x509-'));
  execFileSync('bash', [join(REPO_ROOT, 'test-pki/gen-pki.sh'), join(dir, 'pki')], { stdio: 'pipe' });
  const pkiDir = join(dir, 'pki');
  const ders = (name: string): Uint8Array[] => decodePemCertificates(readFileSync(join(pkiDir, `${name}.pem`), 'utf8'));
  return {
    dir: pkiDir,
    ders,
    der: (name) => ders(name)[0]!,
    path: (file) => join(pkiDir, file),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
