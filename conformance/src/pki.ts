/**
 * The test PKI for one conformance or benchmark run: `test-pki/gen-pki.sh` (OpenSSL 3.0 CLI, see
 * CONFORMANCE.md §2.4) run into a fresh directory once per run by @puretls/test-support, plus the
 * bulk-transfer files that `s_server -WWW` serves from that directory.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateFixturePki } from '@puretls/test-support/pki';

/** Repository root (test-support's: conformance/src or conformance/dist -> ../..). */
export { REPO_ROOT } from '@puretls/test-support/pki';

/** CONFORMANCE.md §2.1 row 50: a 1.33 MB text file served by `-WWW`. */
export const BIG_FILE_NAME = 'big.txt';
export const BIG_FILE_BYTES = 1_330_000;

export interface PkiFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Pki {
  /** Directory holding every generated file (also the `-WWW` document root). */
  readonly dir: string;
  /** Absolute path of a generated file, e.g. `pki.path('ca-root.pem')`. */
  path(name: string): string;
  /** The root every good chain leads to (PEM). */
  readonly caRootPem: string;
  readonly bigFile: PkiFile;
  /** Removes the directory. */
  dispose(): Promise<void>;
}

/**
 * Generates the PKI into a new temporary directory (about 4-7 s; gen-pki.sh through
 * @puretls/test-support's {@link generateFixturePki}, the same PKI the packages' tests use).
 * @throws Error with the script output when gen-pki.sh fails
 */
export async function createPki(): Promise<Pki> {
  const pki = generateFixturePki('pki');
  const bigFile = await writeTextFile(pki.dir, BIG_FILE_NAME, BIG_FILE_BYTES);
  return {
    dir: pki.dir,
    path: pki.path,
    caRootPem: pki.text('ca-root.pem'),
    bigFile,
    dispose: async () => pki.cleanup(),
  };
}

/**
 * Writes a text file of exactly `bytes` bytes (random base64 lines, so that a byte lost or
 * reordered anywhere changes the hash) and returns its size and SHA-256.
 */
export async function writeTextFile(dir: string, name: string, bytes: number): Promise<PkiFile> {
  const lines: string[] = [];
  let length = 0;
  while (length < bytes) {
    const line = randomBytes(57).toString('base64') + '\n';
    lines.push(line);
    length += line.length;
  }
  const content = Buffer.from(lines.join('')).subarray(0, bytes);
  await writeFile(join(dir, name), content);
  return { name, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

/** Opens a PKI directory made by {@link createPki} (used by the netns child; does not own it). */
export async function openPki(dir: string): Promise<Pki> {
  const content = await readFile(join(dir, BIG_FILE_NAME));
  const bigFile: PkiFile = { name: BIG_FILE_NAME, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
  const caRootPem = await readFile(join(dir, 'ca-root.pem'), 'utf8');
  return { dir, path: (name) => join(dir, name), caRootPem, bigFile, dispose: async () => {} };
}
