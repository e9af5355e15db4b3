// Builds the shipped bundles with esbuild (docs/embedding.md): one minified ESM file and one
// minified IIFE script that sets globalThis.puretls, each holding tls-core + session + @noble;
// and the same two for src/full.ts (plus client authentication and X25519MLKEM768).
// Run by the root `pnpm build`; `buildBundles(outdir)` is also what the size test calls.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

/** The bundle files, relative to the output folder: the default API (src/index.ts) and the full one (src/full.ts). */
export const BUNDLE_FILES = { esm: 'puretls.min.mjs', iife: 'puretls.iife.min.js', fullEsm: 'puretls-full.min.mjs', fullIife: 'puretls-full.iife.min.js' };

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
};

/** The entry of the full bundles: the default API plus client authentication and X25519MLKEM768. */
export const FULL_ENTRY = join(here, 'src/full.ts');

/** Build the four bundles into `outdir`; returns their paths. */
export async function buildBundles(outdir = join(here, 'dist')) {
  const paths = Object.fromEntries(Object.entries(BUNDLE_FILES).map(([k, f]) => [k, join(outdir, f)]));
  await build({ ...BUNDLE_OPTIONS, format: 'esm', outfile: paths.esm });
  await build({ ...BUNDLE_OPTIONS, format: 'iife', globalName: 'puretls', outfile: paths.iife });
  await build({ ...BUNDLE_OPTIONS, entryPoints: [FULL_ENTRY], format: 'esm', outfile: paths.fullEsm });
  await build({ ...BUNDLE_OPTIONS, entryPoints: [FULL_ENTRY], format: 'iife', globalName: 'puretls', outfile: paths.fullIife });
  return paths;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundles();
