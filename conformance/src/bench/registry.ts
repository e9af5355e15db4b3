/**
 * The benchmark section registry: each section measures some rows for the client under test
 * (the "subject", puretls once it exists) and for the node:tls baseline, and `bench.ts` prints
 * the ratio subject / baseline. New rows (raw AEAD throughput, X.509 chain cost, TLS 1.2,
 * resumption) are added as new modules that call {@link registerSection}.
 *
 * @module
 */
import type { Pki } from '../pki.ts';
import type { ClientUnderTest } from '../types.ts';

export interface BenchContext {
  readonly subject: ClientUnderTest;
  /**
   * node:tls through the same harness adapter as the subject (clients/node.ts), so both sides pay
   * the same harness costs (listeners, timers, option mapping) and differ only in the library.
   */
  readonly baseline: ClientUnderTest;
  readonly pki: Pki;
  /** Sequential handshakes measured per row (after the warm-up). */
  readonly handshakes: number;
  readonly warmup: number;
  /**
   * Handshakes per client at the start of each handshake section, across its chains, before any
   * row (handshake.ts, "JIT warm-up"): V8 keeps optimizing a JS client's once-per-handshake
   * functions for its first ~2000 handshakes, which a row's own warm-up does not cover.
   */
  readonly jitWarmup: number;
  /** Download size in MiB. */
  readonly downloadMiB: number;
  readonly log: (line: string) => void;
  /** The pure-JS peers to measure beside the subject where they can (bench/peers.ts); empty with --no-peers. */
  readonly peers: readonly import('./peers.ts').Peer[];
}

export interface BenchRow {
  readonly section: string;
  readonly name: string;
  /** Unit of both values; higher is better. */
  readonly unit: string;
  readonly subject: number;
  readonly baseline: number;
  /** What the baseline is (default 'node:tls'). */
  readonly baselineName?: string;
  readonly note?: string;
  /** Client CPU time per operation (ms) of the subject and the baseline, measured in the same rounds. */
  readonly subjectCpuMs?: number;
  readonly baselineCpuMs?: number;
  /**
   * The pure-JS crypto floor of the operation (ms of CPU): the same noble calls with no protocol
   * around them (bench/floor.ts); the subject's overhead is subjectCpuMs - floorMs.
   */
  readonly floorMs?: number;
  /**
   * The transport floor (bench/tcp-floor.ts): this process's CPU per operation for the same flights
   * over a plain Node TCP socket, no TLS; what any client on a Node socket pays besides its crypto.
   */
  readonly transportFloorMs?: number;
  /**
   * One X25519 key pair and shared secret alone (bench/floor.ts `x25519Sides`), CPU ms, in the same
   * rounds: `subject` in noble, `baseline` in node:crypto (an upper bound on node:tls' own). Rows
   * whose handshake makes no X25519 exchange have none.
   */
  readonly x25519Ms?: { readonly subject: number; readonly baseline: number };
  /** Other clients measured in the same rounds (bench/peers.ts), in the row's unit, with their CPU per operation. */
  readonly peers?: readonly PeerResult[];
  /** Where a peer could not run this row, why. */
  readonly peersSkipped?: readonly string[];
  /** os.loadavg() when the row was measured. */
  readonly load?: readonly [number, number, number];
}

export interface PeerResult {
  readonly name: string;
  readonly value: number;
  readonly cpuMs?: number;
}

export interface BenchSection {
  readonly id: string;
  readonly title: string;
  run(context: BenchContext): Promise<BenchRow[]>;
}

const sections: BenchSection[] = [];

/** Adds a section (in run order). */
export function registerSection(section: BenchSection): void {
  if (sections.some((s) => s.id === section.id)) throw new Error(`duplicate bench section ${section.id}`);
  sections.push(section);
}

export function registeredSections(): readonly BenchSection[] {
  return sections;
}

/**
 * A row's X25519 columns: the two clients' X25519 alone (noble / node:crypto, ms), their CPU ratio
 * with it taken out of both, and the ratio of a client that paid noble's X25519 and node:tls' rest.
 */
export function x25519Columns(r: BenchRow): { readonly ms: string; readonly without: string; readonly atBaselineRest: string } {
  if (r.x25519Ms === undefined || r.subjectCpuMs === undefined || r.baselineCpuMs === undefined) return { ms: '', without: '', atBaselineRest: '' };
  const { subject, baseline } = r.x25519Ms;
  return {
    ms: `${subject.toFixed(2)} / ${baseline.toFixed(3)}`,
    without: ((r.baselineCpuMs - baseline) / (r.subjectCpuMs - subject)).toFixed(2),
    atBaselineRest: (r.baselineCpuMs / (r.baselineCpuMs - baseline + subject)).toFixed(2),
  };
}
