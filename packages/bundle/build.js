// Builds the shipped bundles with esbuild (docs/embedding.md): one minified ESM file and one
// minified IIFE script that sets globalThis.puretls, each holding tls-core + session + @noble;
// and the same two for src/full.ts (plus client authentication, X25519MLKEM768 and 0-RTT early data).
// Run by the root `pnpm build`; `buildBundles(outdir)` is also what the size test calls.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

/** The bundle files, relative to the output folder: the default API (src/index.ts) and the full one (src/full.ts). */
export const BUNDLE_FILES = { esm: 'puretls.min.mjs', iife: 'puretls.iife.min.js', fullEsm: 'puretls-full.min.mjs', fullIife: 'puretls-full.iife.min.js' };

/**
 * noble's `@noble/ciphers/aes.js` exports its AES internals as one frozen object, `unsafe`, and an
 * object's members cannot be tree-shaken: importing it keeps AES decryption (with its inverse
 * T-tables, built at import), CMAC and SIV's helpers in the bundle although puretls' GCM
 * (tls-core crypto/gcm.ts through crypto/noble.ts) calls three of them. This plugin loads aes.js
 * with that object narrowed to the members tls-core reads (`aesUnsafe.<member>` in
 * crypto/noble.ts, found when the bundle is built); nothing else in the file is changed, and the
 * build fails if either pattern is not found (a noble release that reshapes the object).
 * Measured: -1,224 bytes min+gzip on the default bundle, 69,902 -> 68,678 (docs/embedding.md).
 */
export const nobleAesNarrowing = {
  name: 'noble-aes-unsafe-narrowing',
  setup(b) {
    b.onLoad({ filter: /[\\/]@noble[\\/]ciphers[\\/]aes\.js$/ }, async ({ path }) => {
      const callerPath = join(here, '../tls-core/src/crypto/noble.ts');
      const caller = await readFile(callerPath, 'utf8');
      if (!/import \{ unsafe as aesUnsafe \} from '@noble\/ciphers\/aes\.js';/.test(caller)) throw new Error(`bundle: ${callerPath} no longer imports noble's AES unsafe object as aesUnsafe`);
      const used = [...new Set([...caller.matchAll(/\baesUnsafe\.(\w+)/g)].map((m) => m[1]))].sort();
      const source = await readFile(path, 'utf8');
      const object = /export const unsafe = \/\* @__PURE__ \*\/ Object\.freeze\(\{([^}]*)\}\);/.exec(source);
      if (object === null) throw new Error(`bundle: ${path} has no 'export const unsafe = Object.freeze({...})' to narrow`);
      const members = object[1].split(',').map((m) => m.trim()).filter((m) => m !== '');
      const missing = used.filter((m) => !members.includes(m));
      if (used.length === 0 || missing.length > 0) throw new Error(`bundle: noble's AES unsafe object lacks ${missing.join(', ') || 'any member tls-core reads'}`);
      const narrowed = `export const unsafe = /* @__PURE__ */ Object.freeze({ ${used.join(', ')} });`;
      return { contents: source.slice(0, object.index) + narrowed + source.slice(object.index + object[0].length), loader: 'js' };
    });
  },
};

/** The esbuild options both bundles share (analyze.js measures with the same ones). */
export const BUNDLE_OPTIONS = {
  entryPoints: [join(here, 'src/index.ts')],
  bundle: true,
  minify: true,
  // Workspace packages resolve to their TypeScript sources, so the bundle never lags a stale dist/.
  conditions: ['source'],
  target: 'es2022',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
  // No TLS 1.3 0-RTT in the default bundle: the engine's statements labelled EARLY_DATA (tls-core
  // client/early-data.ts and its callers) are dropped, and with them the early-data module; the
  // full bundle keeps them (FULL_OPTIONS). docs/early-data.md, "Bundles".
  dropLabels: ['EARLY_DATA', 'SCT'],
  plugins: [nobleAesNarrowing],
};

/** The full bundles' options: the default ones with 0-RTT kept. */
export const FULL_OPTIONS = { ...BUNDLE_OPTIONS, dropLabels: [] };

/** The entry of the full bundles: the default API plus client authentication and X25519MLKEM768. */
export const FULL_ENTRY = join(here, 'src/full.ts');

/** Build the four bundles into `outdir`; returns their paths. */
export async function buildBundles(outdir = join(here, 'dist')) {
  const paths = Object.fromEntries(Object.entries(BUNDLE_FILES).map(([k, f]) => [k, join(outdir, f)]));
  for (const [options, entry, esm, iife] of [[BUNDLE_OPTIONS, BUNDLE_OPTIONS.entryPoints[0], paths.esm, paths.iife], [FULL_OPTIONS, FULL_ENTRY, paths.fullEsm, paths.fullIife]]) {
    const result = await build({ ...options, entryPoints: [entry], format: 'esm', write: false });
    const code = result.outputFiles[0].text;
    await writeFile(esm, code);
    await writeFile(iife, iifeOf(code));
  }
  return paths;
}

/**
 * The IIFE script from the ESM bundle: the same code in a strict function whose result, a frozen
 * object of the exports, is `var puretls` (a global when run as a script). esbuild's own IIFE
 * format wraps the exports in getters through its CommonJS interop helpers, ~170 bytes min+gzip
 * more for nothing a script needs (the exports are classes, functions and constants).
 * @param {string} esm the minified ESM bundle, ending in one `export{...}` clause
 */
export function iifeOf(esm) {
  const clause = /export\s*\{([^}]*)\};?\s*$/.exec(esm);
  if (clause === null) throw new Error('bundle: the ESM output does not end in an export clause');
  const members = clause[1].split(',').map((spec) => {
    const [local, exported = local] = spec.trim().split(/\s+as\s+/);
    if (!/^[\w$]+$/.test(local) || !/^[A-Za-z_$][\w$]*$/.test(exported)) throw new Error(`bundle: unexpected export ${spec}`);
    return `${exported}:${local}`;
  });
  return `var puretls=(()=>{"use strict";${esm.slice(0, clause.index)}return Object.freeze({${members.join(',')}})})();\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundles();
