/**
 * `pnpm conformance`: runs the matrix of cases.ts with the selected client, prints the results
 * table, writes conformance/out/report.json and report.md, exits non-zero if any case fails.
 *
 * With the puretls client it then runs the `puretls s_client` rows of cli-cases.ts (same
 * `--filter`), printed after the table and written to conformance/out/cli-report.json.
 *
 * Usage: node conformance/dist/main.js [--client puretls|node] [--filter REGEX] [--concurrency 1|2] [--list]
 *
 * @module
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { CASES } from './cases/index.ts';
import { CLI_CASES } from './cases/cli.ts';
import { runCliCase, type CliCaseResult } from './runner/cli.ts';
import { loadClient } from './clients/index.ts';
import { createPki, REPO_ROOT } from './pki.ts';
import { liveProcessCount } from '@puretls/test-support/process';
import { formatTable, summarize, summaryLine, writeReports } from './report/index.ts';
import { runMatrix } from './runner/matrix.ts';
import { installNode26, NODE26_PACKAGE } from './servers/node26.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      client: { type: 'string' },
      filter: { type: 'string' },
      concurrency: { type: 'string', default: '2' },
      out: { type: 'string', default: join(REPO_ROOT, 'conformance', 'out') },
      list: { type: 'boolean', default: false },
    },
  });
  const filter = values.filter === undefined ? undefined : new RegExp(values.filter);
  const selected = CASES.filter((c) => filter === undefined || filter.test(c.id));
  const cliSelected = CLI_CASES.filter((c) => filter === undefined || filter.test(c.id));
  if (values.list) {
    for (const c of selected) console.log(`${c.id.padEnd(40)} ${c.server.kind.padEnd(8)} ${c.description}`);
    for (const c of cliSelected) console.log(`${c.id.padEnd(40)} ${'s_client'.padEnd(8)} ${c.description}`);
    return 0;
  }
  const client = await loadClient(values.client);
  console.log(`conformance: ${selected.length} cases, client ${client.name}`);
  const started = Date.now();
  if (selected.some((c) => c.server.kind === 'node26')) {
    // The Node 26 rows need Node 26 from npm: installed once into node_modules/.cache (a no-op
    // afterwards); a failed install is reported by those rows as skipped, with its reason.
    console.log(installNode26() ? `Node 26 (${NODE26_PACKAGE}) is installed` : `Node 26 (${NODE26_PACKAGE}) could not be installed; its rows are skipped with the reason`);
  }
  const pki = await createPki();
  try {
    const results = await runMatrix(selected, client, pki, {
      concurrency: Number(values.concurrency),
      onResult: (r) => console.log(`  ${r.status.toUpperCase().padEnd(9)} ${r.id}`),
    });
    console.log('');
    console.log(formatTable(results));
    const summary = summarize(client.name, results);
    await writeReports(values.out, results, summary);
    console.log(
      `\n${summaryLine(summary)} in ${((Date.now() - started) / 1000).toFixed(1)} s\nreports in ${values.out}`,
    );
    let cliFailures = 0;
    if (client.name === 'puretls' && cliSelected.length > 0) {
      console.log(`\npuretls s_client rows: ${cliSelected.length}`);
      const cliResults: CliCaseResult[] = [];
      for (const row of cliSelected) {
        const r = await runCliCase(row, pki);
        cliResults.push(r);
        const failed = r.checks.filter((c) => !c.ok).map((c) => c.name);
        console.log(`  ${r.status.toUpperCase().padEnd(9)} ${r.id}${failed.length > 0 ? `  (${failed.join('; ')})` : ''}`);
      }
      cliFailures = cliResults.filter((r) => r.status !== 'pass').length;
      console.log(`${cliResults.length - cliFailures} pass, ${cliFailures} fail`);
      await writeFile(join(values.out, 'cli-report.json'), JSON.stringify(cliResults.map(({ run: _run, ...rest }) => rest), null, 2) + '\n');
    }
    if (liveProcessCount() !== 0) console.error(`warning: ${liveProcessCount()} peer processes still running`);
    return summary.fail > 0 || cliFailures > 0 ? 1 : 0;
  } finally {
    await pki.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
