/**
 * The report of a matrix run: the console table (at most {@link TABLE_WIDTH} columns, one line per
 * case, with the reason of every result that is not a pass: skipped, n/a, deviation or the
 * failing checks), the summary line, and report.json / report.md in the output directory.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaseResult, CaseStatus } from '../runner/checks.ts';

export const TABLE_WIDTH = 100;

export interface MatrixSummary {
  readonly client: string;
  readonly total: number;
  readonly pass: number;
  readonly fail: number;
  readonly notAvailable: number;
  readonly deviation: number;
  readonly skipped: number;
}

export function summarize(client: string, results: readonly CaseResult[]): MatrixSummary {
  const count = (status: CaseStatus): number => results.filter((r) => r.status === status).length;
  return { client, total: results.length, pass: count('pass'), fail: count('fail'), notAvailable: count('n/a'), deviation: count('deviation'), skipped: count('skipped') };
}

export function summaryLine(summary: MatrixSummary): string {
  return `${summary.pass} pass, ${summary.fail} fail, ${summary.notAvailable} n/a, ${summary.deviation} known deviation, ${summary.skipped} skipped of ${summary.total}`;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

/**
 * The results as a table no wider than {@link TABLE_WIDTH}: result, server, case id, and what was
 * observed (a pass) or why not (anything else), each line cut to the width with '…'.
 */
export function formatTable(results: readonly CaseResult[]): string {
  const idWidth = Math.min(44, Math.max(4, ...results.map((r) => r.id.length)));
  const head = (status: string, server: string, id: string): string => `${clip(status, 9)} ${clip(server, 7)} ${clip(id, idWidth)} `;
  const rest = TABLE_WIDTH - head('', '', '').length;
  const lines = [head('result', 'server', 'case') + clip('observed / reason', rest).trimEnd(), '-'.repeat(TABLE_WIDTH)];
  for (const r of results) {
    const detail = r.status === 'pass' ? r.observed : (r.note ?? r.observed);
    lines.push((head(r.status.toUpperCase(), r.server, r.id) + clip(detail, rest)).trimEnd());
  }
  return lines.join('\n');
}

/** Writes report.json and report.md into `outDir`. */
export async function writeReports(outDir: string, results: readonly CaseResult[], summary: MatrixSummary): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'report.json'), JSON.stringify({ generatedAt: new Date().toISOString(), summary, results }, null, 2) + '\n');
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const lines = [
    `# puretls conformance report: client \`${summary.client}\``,
    '',
    `${summaryLine(summary)}.`,
    '',
    '| case | server | expected | observed | result | note |',
    '|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.id} | ${r.server} | ${escape(r.expected)} | ${escape(r.observed)} | ${r.status} | ${escape(r.note ?? '')} |`),
    '',
  ];
  await writeFile(join(outDir, 'report.md'), lines.join('\n'));
}
