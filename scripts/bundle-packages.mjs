// Builds the modules Node loads from @puretls/tls-core, @puretls/session and
// @puretls/transport-node: one ES module per package entry point, in dist/bundle/, made by esbuild
// from tsc's output in dist/ (docs/performance.md, "Cold start").
//
// Why: tsc emits one file per source module, and Node's ES module loader pays for every file it
// resolves, reads, parses and links. Importing @puretls/transport-node loaded ~88 puretls files
// (117 with @noble/*) and cost 165-220 ms here; the same code as one file per package, @noble/*
// still imported from its own package, loads in 110-150 ms.
//
// What stays the same:
// - the code: esbuild concatenates tsc's JavaScript (no minifying, no label dropping, names kept
//   readable), so dist/bundle/ runs exactly what dist/*.js runs;
// - one instance of every class: the other workspace packages and @noble/* stay external imports,
//   and a package's entry points (tls-core has five) share chunks (esbuild's code splitting), so
//   `@puretls/tls-core` and `@puretls/tls-core/internal` export the very same TrustStore;
// - the declarations: "types" still names tsc's dist/*.d.ts.
//
// The entry points are read from each package.json's "exports" (".": "./dist/index.js" from its
// "types" "./dist/index.d.ts", and so on); the script fails if an export's "default" (and the
// "publishConfig" copy) does not name the bundle made for it, so the exports map and this build
// cannot drift apart. Run by the root `build`, `test`, `conformance`, `bench` scripts after `tsc -b`.
import { build } from 'esbuild';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The packages, and the platform their code targets (tls-core and session import nothing from Node). */
const PACKAGES = [
  { dir: 'packages/tls-core', platform: 'neutral' },
  { dir: 'packages/session', platform: 'neutral' },
  { dir: 'packages/transport-node', platform: 'node' },
];

/** The folder, inside each package's dist/, that holds the bundled modules. */
export const BUNDLE_DIR = 'bundle';

/**
 * The entry points of one package: for every export with a "types" declaration file, tsc's
 * JavaScript beside it and the bundle file that export's "default" must name.
 * @param {string} dir the package folder, relative to the repository root
 */
export function entryPointsOf(dir) {
  const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const entries = [];
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target !== 'object' || target.types === undefined) continue;
    const match = /^\.\/dist\/([\w-]+)\.d\.ts$/.exec(target.types);
    if (match === null) throw new Error(`${dir}: export "${subpath}" has types ${target.types}, not ./dist/<name>.d.ts`);
    const name = match[1];
    const bundled = `./dist/${BUNDLE_DIR}/${name}.js`;
    for (const [where, map] of [['exports', manifest.exports], ['publishConfig.exports', manifest.publishConfig?.exports]]) {
      if (map?.[subpath]?.default !== bundled) throw new Error(`${dir}/package.json: ${where}["${subpath}"].default must be "${bundled}"`);
    }
    entries.push({ subpath, name, compiled: join(root, dir, 'dist', `${name}.js`), bundled });
  }
  return entries;
}

/** Bundle every package; returns one line per package for the log. */
export async function bundlePackages() {
  const lines = [];
  for (const { dir, platform } of PACKAGES) {
    const entries = entryPointsOf(dir);
    const outdir = join(root, dir, 'dist', BUNDLE_DIR);
    rmSync(outdir, { recursive: true, force: true });
    const result = await build({
      entryPoints: Object.fromEntries(entries.map((e) => [e.name, e.compiled])),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform,
      target: 'es2022',
      // Other workspace packages, @noble/* and Node's own modules are imported, not copied in.
      external: ['@puretls/*', '@noble/*', 'node:*'],
      outdir,
      chunkNames: 'chunks/[name]-[hash]',
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
    });
    const inputs = Object.keys(result.metafile.inputs).length;
    const outputs = Object.keys(result.metafile.outputs).filter((p) => p.endsWith('.js'));
    const bytes = outputs.reduce((sum, p) => sum + statSync(join(root, p)).size, 0);
    lines.push(`${dir}: ${inputs} compiled modules -> ${outputs.length} (${entries.length} entry point(s), ${Math.round(bytes / 1024)} KiB) in ${relative(root, outdir)}`);
  }
  return lines;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const line of await bundlePackages()) console.log(`bundle-packages: ${line}`);
}
