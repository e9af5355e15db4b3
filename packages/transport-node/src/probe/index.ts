/**
 * `puretls probe` (issue #17): the probe() API, its report type and the CLI entry.
 * @module
 */
export { probe, type ProbeOptions } from './probe.ts';
export { probeMain, parseProbeArgs, EXIT_POLICY_VIOLATED, PROBE_USAGE } from './cli.ts';
export { reportTable } from './table.ts';
export { evaluatePolicies, MIN_RSA_BITS } from './policy.ts';
export { DEFAULT_CONNECTION_BUDGET, DEFAULT_CONNECTION_DEADLINE_MS, BudgetExhausted, ConnectionDeadline } from './dial.ts';
export { PROBE_SCHEMA, FAIL_ON_POLICIES } from './report.ts';
export type * from './report.ts';
