#!/usr/bin/env node
// The puretls command. The implementation is compiled to dist/ by `tsc -b`; `pnpm build` also
// bundles it into dist/puretls-cli.js (scripts/bundle-cli.mjs), which starts several times
// faster. The bundle is used only while no compiled puretls file it was made from is newer.
import { readFileSync, statSync } from 'node:fs';

function bundleIsFresh() {
  try {
    const base = new URL('../', import.meta.url);
    const bundled = statSync(new URL('dist/puretls-cli.js', base)).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL('dist/puretls-cli.inputs.json', base), 'utf8'));
    for (const input of inputs) {
      let mtime;
      try {
        mtime = statSync(new URL(input, base)).mtimeMs;
      } catch {
        continue; // not installed beside this package (a published bundle is complete by itself)
      }
      if (mtime > bundled) return false;
    }
    return true;
  } catch {
    return false;
  }
}

const { main } = bundleIsFresh() ? await import('../dist/puretls-cli.js') : await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
