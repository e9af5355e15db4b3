// Size analysis of the shipped ESM bundle (docs/embedding.md): builds it with esbuild's metafile
// and prints the total min+gzip-9 size and the minified bytes each input contributes, largest
// first, grouped by package. Run: `node packages/bundle/analyze.js [top-N] [--full]` (--full: the full bundle).
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, FULL_ENTRY, FULL_OPTIONS } from './build.js';
import { gzipSync } from 'node:zlib';

const full = process.argv.includes('--full');
const top = Number(process.argv.filter((a) => a !== '--full')[2] ?? 40);

const result = await build({ ...(full ? { ...FULL_OPTIONS, entryPoints: [FULL_ENTRY] } : BUNDLE_OPTIONS), format: 'esm', write: false, metafile: true });
const code = result.outputFiles[0].contents;
console.log(`total: ${code.length} bytes minified, ${gzipSync(code, { level: 9 }).length} bytes min+gzip-9`);
const output = Object.values(result.metafile.outputs)[0];
const inputs = Object.entries(output.inputs).map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }));
const groups = new Map();
for (const { path, bytes } of inputs) {
  const group = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(@[^/]+\/[^/]+)\/(?:[^/]+\/)?([^/]+)/.exec(path)?.[1]
    ?? /packages\/([^/]+)\/src\/([^/]+)/.exec(path)?.slice(1, 3).join('/') ?? path;
  groups.set(group, (groups.get(group) ?? 0) + bytes);
}
console.log('\nby package/folder (minified bytes):');
for (const [group, bytes] of [...groups].sort((a, b) => b[1] - a[1])) console.log(String(bytes).padStart(8), group);
console.log(`\ntop ${top} inputs (minified bytes):`);
for (const { path, bytes } of inputs.sort((a, b) => b.bytes - a.bytes).slice(0, top))
  console.log(String(bytes).padStart(8), path.replace(/^.*node_modules\//, ''));
