// Builds the shipped bundles with esbuild (docs/embedding.md): one minified ESM file and one
// minified IIFE script that sets globalThis.puretls, each holding tls-core + session + @noble.
// Run by the root `pnpm build`; `buildBundles(outdir)` is also what the size test calls.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

/** The bundle files, relative to the output folder. */
export const BUNDLE_FILES = { esm: 'puretls.min.mjs', iife: 'puretls.iife.min.js' };

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

/** Build both bundles into `outdir`; returns their paths. */
export async function buildBundles(outdir = join(here, 'dist')) {
  const esm = join(outdir, BUNDLE_FILES.esm);
  const iife = join(outdir, BUNDLE_FILES.iife);
  await build({ ...BUNDLE_OPTIONS, format: 'esm', outfile: esm });
  await build({ ...BUNDLE_OPTIONS, format: 'iife', globalName: 'puretls', outfile: iife });
  return { esm, iife };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundles();
