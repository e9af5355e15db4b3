/**
 * The shared test PKI: test-pki/gen-pki.sh (OpenSSL CLI) run into a fresh temporary directory,
 * with loaders for its files. Nothing is committed; each test file makes its own and removes it.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (test-pki/ lives there). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** A generated fixture PKI. */
export interface FixturePki {
  /** The directory holding the generated files. */
  readonly dir: string;
  /** Absolute path of a file in the PKI directory. */
  path(file: string): string;
  /** A file's text (PEM certificates and keys). */
  text(file: string): string;
  /** DER certificates of a PEM file (`name` without `.pem`), in file order. */
  ders(name: string): Uint8Array[];
  /** The first certificate of a PEM file. */
  der(name: string): Uint8Array;
  cleanup(): void;
}

/** Run test-pki/gen-pki.sh into a fresh temporary directory named `puretls-<prefix>-…`. */
export function generateFixturePki(prefix = 'pki'): FixturePki {
  const tmp = mkdtempSync(join(tmpdir(), `puretls-${prefix}-`));
  const dir = join(tmp, 'pki');
  execFileSync('bash', [join(REPO_ROOT, 'test-pki/gen-pki.sh'), dir], { stdio: 'pipe' });
  const text = (file: string): string => readFileSync(join(dir, file), 'utf8');
  const ders = (name: string): Uint8Array[] => pemCertificates(text(`${name}.pem`));
  return {
    dir,
    path: (file) => join(dir, file),
    text,
    ders,
    der: (name) => ders(name)[0]!,
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

/** The DER bytes of every CERTIFICATE block of a PEM text (RFC 7468 §2), in order. */
export function pemCertificates(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g))
    out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}
