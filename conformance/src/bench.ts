/**
 * `pnpm bench`: measures the client under test (puretls by default, `--client node` to check the
 * harness) and node:tls against the same local s_server in one run, and prints each ratio
 * subject / node:tls (higher is better for every row). Sections come from the registry in
 * bench/registry.ts; each bench/*.ts module registers its own.
 *
 * Usage: node conformance/dist/bench.js [--client puretls|node] [--sections handshake,download]
 *        [--handshakes 200] [--warmup 100] [--mib 64]
 *
 * The warm-up (handshakes before each measured run) lets V8 compile the JS client's hot paths, so
 * the rate is the steady state a long-running client sees; node:tls gets the same warm-up.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import './bench/handshake.ts';
import './bench/download.ts';
import './bench/aead.ts';
import './bench/x509-chain.ts';
import './bench/resumption.ts';
import './bench/quickjs.ts';
import { registeredSections, type BenchRow } from './bench/registry.ts';
import { loadClient } from './clients/index.ts';
import { nodeClient } from './clients/node.ts';
import { createPki, REPO_ROOT } from './pki.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      client: { type: 'string' },
      sections: { type: 'string' },
      handshakes: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '100' },
      mib: { type: 'string', default: '64' },
      out: { type: 'string', default: join(REPO_ROOT, 'conformance', 'out') },
    },
  });
  const wanted = values.sections?.split(',');
  const sections = registeredSections().filter((s) => wanted === undefined || wanted.includes(s.id));
  const subject = await loadClient(values.client);
  const pki = await createPki();
  const rows: BenchRow[] = [];
  try {
    for (const section of sections) {
      console.log(`${section.id}: ${section.title}`);
      rows.push(
        ...(await section.run({
          subject,
          baseline: nodeClient,
          pki,
          handshakes: Number(values.handshakes),
          warmup: Number(values.warmup),
          downloadMiB: Number(values.mib),
          log: (line) => console.log(line),
        })),
      );
    }
  } finally {
    await pki.dispose();
  }
  console.log('');
  console.log(formatBenchTable(subject.name, rows));
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, 'bench.json'), JSON.stringify({ generatedAt: new Date().toISOString(), subject: subject.name, rows }, null, 2) + '\n');
  return 0;
}

/** Fixed-width table: row, unit, subject, baseline (node:tls unless the row says otherwise), ratio. */
export function formatBenchTable(subjectName: string, rows: readonly BenchRow[]): string {
  const header = ['row', 'unit', subjectName, 'baseline', 'baseline is', `${subjectName} / baseline`];
  const cells = rows.map((r) => [
    `${r.section}: ${r.name}`,
    r.unit,
    r.subject.toFixed(1),
    r.baseline.toFixed(1),
    r.baselineName ?? 'node:tls',
    (r.subject / r.baseline).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
