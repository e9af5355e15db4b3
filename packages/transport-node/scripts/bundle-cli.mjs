// Bundles the compiled CLI (dist/cli.js with tls-core, session and @noble/*) into one minified
// file, dist/puretls-cli.js, so that `puretls s_client` starts by loading one module instead of
// about eighty (docs/cli.md: start-up to the first byte sent). bin/puretls.js uses the bundle only
// while it is newer than every compiled puretls file it was made from (listed in
// dist/puretls-cli.inputs.json), and dist/cli.js otherwise, so a stale bundle is never run.
import { build } from 'esbuild';
import { statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(pkg, 'dist', 'puretls-cli.js');
const result = await build({
  entryPoints: [join(pkg, 'dist', 'cli.js')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  metafile: true,
  outfile: out,
  logLevel: 'warning',
  // @puretls/* resolve to their dist/bundle/ modules (scripts/bundle-packages.mjs), whose entry
  // files import shared chunks for evaluation order; with "sideEffects": false esbuild may drop
  // such an import and says so. Nothing is lost: the chunks hold no side effects.
  logOverride: { 'ignored-bare-import': 'silent' },
});
// Our own compiled files (not node_modules): a newer one means the bundle is stale.
const inputs = Object.keys(result.metafile.inputs)
  .map((p) => resolve(p))
  .filter((p) => !p.includes(`${'/'}node_modules${'/'}`))
  .map((p) => relative(pkg, p));
writeFileSync(join(pkg, 'dist', 'puretls-cli.inputs.json'), `${JSON.stringify(inputs)}\n`);
console.log(`bundle-cli: ${relative(process.cwd(), out)} (${Math.round(statSync(out).size / 1024)} KiB, ${inputs.length} puretls inputs)`);
