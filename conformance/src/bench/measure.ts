/**
 * Measurement helpers shared by the benchmark sections: interleaved rounds of several clients with
 * each side's wall-clock rate and its client CPU time per operation, and the machine's load.
 *
 * Client CPU: `process.cpuUsage()` (user + system) of this process around each side's blocks. The
 * servers run in other processes (openssl s_server, a Node TLS server child), so this is the
 * client's own cost per operation, which a wall-clock rate against a server on the same cores
 * dilutes with the server's.
 *
 * @module
 */
import { loadavg } from 'node:os';

/** The 1, 5 and 15 minute load averages, as the rows show them. */
export function loadNow(): readonly [number, number, number] {
  const [a, b, c] = loadavg();
  return [a!, b!, c!];
}

export interface SideStats {
  /** Operations per wall-clock second. */
  readonly rate: number;
  /** This process's CPU time (user + system) per operation, in ms. */
  readonly cpuMs: number;
}

/** Blocks of sequential operations each side runs in turn. */
export const BLOCKS = 8;

/**
 * Rate and CPU per operation of each side, measured in turns: after `warmup` operations each, the
 * `count` operations of each side run in {@link BLOCKS} blocks; even blocks go through the sides in
 * order, odd blocks in reverse (for two sides: A B B A A B ...), so the machine's drift (tens of
 * percent within a minute here) falls on every side alike and a linear trend cancels.
 */
export async function interleaved(count: number, warmup: number, sides: readonly (() => Promise<void>)[]): Promise<SideStats[]> {
  for (const side of sides) for (let i = 0; i < warmup; i++) await side();
  const seconds = sides.map(() => 0);
  const cpu = sides.map(() => 0);
  const perBlock = Math.ceil(count / BLOCKS);
  for (let block = 0; block < BLOCKS; block++) {
    const order = sides.map((_, i) => i);
    if (block % 2 === 1) order.reverse();
    for (const i of order) {
      const cpuBefore = process.cpuUsage();
      const started = process.hrtime.bigint();
      for (let n = 0; n < perBlock; n++) await sides[i]!();
      seconds[i]! += Number(process.hrtime.bigint() - started) / 1e9;
      const used = process.cpuUsage(cpuBefore);
      cpu[i]! += (used.user + used.system) / 1000;
    }
  }
  const total = perBlock * BLOCKS;
  return sides.map((_, i) => ({ rate: total / seconds[i]!, cpuMs: cpu[i]! / total }));
}

/** CPU ms per call of a synchronous function, over about `ms` ms after `warmup` calls. */
export function cpuPerCall(fn: () => void, ms: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
  let n = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < ms) {
    fn();
    n++;
  }
  const used = process.cpuUsage(cpuBefore);
  return (used.user + used.system) / 1000 / n;
}
