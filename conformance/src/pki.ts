/**
 * The test PKI for one conformance or benchmark run: runs `test-pki/gen-pki.sh` (OpenSSL 3.0 CLI,
 * see CONFORMANCE.md §2.4) into a fresh directory once per run, and writes the bulk-transfer files
 * that `s_server -WWW` serves from that directory.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Repository root (conformance/src or conformance/dist -> ../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GEN_PKI_SCRIPT = join(REPO_ROOT, 'test-pki', 'gen-pki.sh');

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
 * Generates the PKI into a new temporary directory (about 4-7 s).
 * @throws Error with the script output when gen-pki.sh fails
 */
export async function createPki(): Promise<Pki> {
  const dir = await mkdtemp(join(tmpdir(), 'puretls-pki-'));
  try {
    await run('bash', [GEN_PKI_SCRIPT, dir], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const detail = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`gen-pki.sh failed: ${detail.message}\n${detail.stdout ?? ''}${detail.stderr ?? ''}`);
  }
  const bigFile = await writeTextFile(dir, BIG_FILE_NAME, BIG_FILE_BYTES);
  const caRootPem = await readFile(join(dir, 'ca-root.pem'), 'utf8');
  return {
    dir,
    path: (name) => join(dir, name),
    caRootPem,
    bigFile,
    dispose: () => rm(dir, { recursive: true, force: true }),
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
