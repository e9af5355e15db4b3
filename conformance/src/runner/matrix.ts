/**
 * Runs a list of cases with at most two in flight, after probing once which peers cannot run here.
 *
 * @module
 */
import type { ConformanceCase } from '../cases/schema.ts';
import type { Pki } from '../pki.ts';
import { SERVERS } from '../servers/index.ts';
import type { ClientUnderTest, ServerKind } from '../types.ts';
import type { CaseResult } from './checks.ts';
import { runCase, type RunEnvironment } from './run-case.ts';

export interface MatrixOptions {
  readonly concurrency?: number;
  readonly onResult?: (result: CaseResult) => void;
}

/** The run environment, with the peers of these cases probed once (why each cannot run here, if so). */
export async function probeEnvironment(cases: readonly ConformanceCase[], pki: Pki): Promise<RunEnvironment> {
  const unavailable = new Map<ServerKind, string | undefined>();
  for (const kind of new Set(cases.map((c) => c.server.kind))) unavailable.set(kind, await SERVERS[kind].unavailable());
  return { pki, unavailable };
}

/** Runs cases with at most `concurrency` (1 or 2) in flight; results in case order. */
export async function runMatrix(cases: readonly ConformanceCase[], client: ClientUnderTest, pki: Pki, options: MatrixOptions = {}): Promise<CaseResult[]> {
  const env = await probeEnvironment(cases, pki);
  const results: CaseResult[] = new Array<CaseResult>(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const index = next++;
      const result = await runCase(cases[index]!, client, env);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  const concurrency = Math.min(2, Math.max(1, options.concurrency ?? 1));
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return results;
}
