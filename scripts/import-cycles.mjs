// Import loops inside each package: reads every .ts file under packages/*/src and conformance/src,
// follows its relative imports and re-exports (type-only ones too, as TypeScript's preProcessFile
// reports them, and import() calls with a literal name), and prints every loop (a strongly
// connected component of more than one file, or a file importing itself). Exit status 1 when
// there is one. Part of `pnpm lint`; the rule it checks is in docs/design.md (Dependencies).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The files a file imports inside its own source tree (relative names only). */
function importsOf(file) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const out = [];
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const base = resolve(dirname(file), fileName);
    const found = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
    if (found !== undefined) out.push(found);
  }
  return [...new Set(out)];
}

/** Tarjan's strongly connected components; returns the loops. */
function loops(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const trees = [...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'src')), join(root, 'conformance', 'src')].filter((d) => existsSync(d));
let files = 0;
const all = [];
for (const tree of trees) {
  const graph = new Map();
  for (const file of tsFiles(tree)) graph.set(file, importsOf(file).filter((f) => f.startsWith(tree)));
  files += graph.size;
  for (const loop of loops(graph)) {
    all.push(loop);
    console.log(`import loop in ${relative(root, tree)}:`);
    for (const file of loop) console.log(`  ${relative(tree, file)} -> ${graph.get(file).filter((f) => loop.includes(f)).map((f) => relative(tree, f)).join(', ')}`);
  }
}
console.log(`import-cycles: ${files} files in ${trees.length} source trees, ${all.length} loop(s)`);
process.exitCode = all.length === 0 ? 0 : 1;
