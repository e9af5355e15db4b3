/**
 * build.js's esbuild plugin narrows noble's `unsafe` AES object to the members tls-core reads
 * (docs/embedding.md, "Size budget"). Checked here on a build of noble's aes.js alone: the object
 * keeps exactly the members crypto/noble.ts calls, they still compute AES (FIPS-197 Appendix C.1
 * and C.3), and without the plugin the object is the full one (so the narrowing is what removed
 * the rest). The bundles' own AES-GCM runs end to end in the QuickJS tests (conformance/test).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error build.js is plain ESM without declarations
import { nobleAesNarrowing } from '../build.js';

type AesUnsafe = {
  expandKeyLE(key: Uint8Array): Uint32Array;
  encryptBlock(xk: Uint32Array, block: Uint8Array): Uint8Array;
  [member: string]: unknown;
};

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

async function nobleAesUnsafe(plugins: unknown[]): Promise<AesUnsafe> {
  const result = await build({
    stdin: { contents: "export { unsafe } from '@noble/ciphers/aes.js';", resolveDir: fileURLToPath(new URL('../../tls-core/src/crypto/', import.meta.url)) },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
    plugins: plugins as never,
  });
  const url = `data:text/javascript;base64,${Buffer.from(result.outputFiles[0]!.contents).toString('base64')}`;
  return ((await import(/* @vite-ignore */ url)) as { unsafe: AesUnsafe }).unsafe;
}

describe("the bundle's narrowing of noble's AES unsafe object", () => {
  it('keeps exactly the members crypto/noble.ts reads, and they still compute AES-128 and AES-256 (FIPS-197 C.1, C.3)', async () => {
    const caller = await readFile(new URL('../../tls-core/src/crypto/noble.ts', import.meta.url), 'utf8');
    const read = [...new Set([...caller.matchAll(/\baesUnsafe\.(\w+)/g)].map((m) => m[1]!))].sort();
    expect(read.length).toBeGreaterThan(0);
    const narrowed = await nobleAesUnsafe([nobleAesNarrowing]);
    expect(Object.keys(narrowed).sort()).toEqual(read);
    const plaintext = hex('00112233445566778899aabbccddeeff');
    const aes128 = narrowed.encryptBlock(narrowed.expandKeyLE(hex('000102030405060708090a0b0c0d0e0f')), plaintext.slice());
    expect(toHex(aes128)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    const aes256 = narrowed.encryptBlock(narrowed.expandKeyLE(hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')), plaintext.slice());
    expect(toHex(aes256)).toBe('8ea2b7ca516745bfeafc49904b496089');
  });

  it('without the plugin, the object also carries decryption, CMAC and SIV helpers', async () => {
    const full = Object.keys(await nobleAesUnsafe([]));
    expect(full).toEqual(expect.arrayContaining(['expandKeyDecLE', 'decrypt', 'decryptBlock', 's2v']));
    expect(full.length).toBeGreaterThan(6);
  });
});
