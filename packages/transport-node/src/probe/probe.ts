/**
 * `probe()`: what a TLS server accepts and how it behaves, found with puretls's own client
 * through its public API only (issue #17). It runs the ClientHello scan (hello-scan.ts: versions,
 * suites and the server's order, groups, HelloRetryRequest, tolerance) and the handshake steps
 * (handshake-facts.ts: certificate chain, OCSP, SCTs, resumption, ALPN, KeyUpdate,
 * close_notify, record_size_limit) over one {@link Dialer}, so that the whole probe opens at
 * most `maxConnections` connections (default 60), each bounded by `connectionDeadlineMs`, and
 * returns a {@link ProbeReport} (schema in docs/probe.md), with `--fail-on` policies evaluated.
 * @module
 */
import { readFileSync } from 'node:fs';
import { isIpLiteral } from '../ip-literal.ts';
import { UsageError } from '@puretls/tls-core';
import type { StartTlsProtocol } from '../cli/starttls.ts';
import { defaultTrustStore, trustStoreFromPem } from '../engine-factory.ts';
import { BudgetExhausted, DEFAULT_CONNECTION_BUDGET, DEFAULT_CONNECTION_DEADLINE_MS, Dialer } from './dial.ts';
import { handshakeSteps, type HandshakeStepFacts } from './handshake-facts.ts';
import { scanHellos, type HelloScanFacts } from './hello-scan.ts';
import { evaluatePolicies } from './policy.ts';
import { PROBE_SCHEMA, type FailOnPolicy, type ProbeReport } from './report.ts';

export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  /** SNI and the name the certificate must match (default: the host; no SNI for an IP address). */
  readonly servername?: string | undefined;
  /** The plaintext protocol to upgrade first (`--starttls`). */
  readonly starttls?: StartTlsProtocol | undefined;
  /** PEM trust anchors replacing the system roots (`--CAfile`). */
  readonly caPem?: string | undefined;
  /** How the report names `caPem` (default `file`). */
  readonly caSource?: string | undefined;
  /** At most this many connections (default and maximum 60). */
  readonly maxConnections?: number | undefined;
  /** Per-connection deadline in ms (default 5000). */
  readonly connectionDeadlineMs?: number | undefined;
  /** How long an unused TLS 1.3 ticket waits before it is offered (default 2000 ms; 0 skips). */
  readonly ticketDelayMs?: number | undefined;
  /** How long to wait for the server's KeyUpdate / close_notify answer (default 1000 ms). */
  readonly answerWaitMs?: number | undefined;
  /** Wall-clock budget of the ClientHello scan (default 12 000 ms). */
  readonly scanDeadlineMs?: number | undefined;
  readonly failOn?: readonly FailOnPolicy[] | undefined;
  /** Called as each step starts, with the connections opened so far. */
  readonly onProgress?: ((step: string, connections: number, budget: number) => void) | undefined;
  /** The clock (default Date.now). */
  readonly now?: (() => number) | undefined;
}

/**
 * Probe one server.
 * @throws UsageError for bad options (budget over 60, unreadable CA file); server behaviour never throws
 * @example
 * const report = await probe({ host: 'example.com', port: 443, failOn: ['expired'] });
 * if (report.policy.violations.length > 0) process.exitCode = 2;
 */
export async function probe(options: ProbeOptions): Promise<ProbeReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const budget = options.maxConnections ?? DEFAULT_CONNECTION_BUDGET;
  if (!Number.isInteger(budget) || budget < 1 || budget > DEFAULT_CONNECTION_BUDGET) throw new UsageError(`maxConnections must be 1..${DEFAULT_CONNECTION_BUDGET}`);
  const deadlineMs = options.connectionDeadlineMs ?? DEFAULT_CONNECTION_DEADLINE_MS;
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) throw new UsageError('connectionDeadlineMs must be > 0');
  const servername = options.servername ?? options.host;
  const trustStore = options.caPem === undefined ? defaultTrustStore() : trustStoreFromPem([options.caPem]);
  const trustSource = options.caPem === undefined ? 'system' : (options.caSource ?? 'file');
  const dialer = new Dialer({ host: options.host, port: options.port, starttls: options.starttls, starttlsName: servername }, budget, deadlineMs);
  const progress = (step: string): void => options.onProgress?.(step, dialer.opened, budget);
  const notes: string[] = [];
  if (isIpLiteral(servername)) notes.push(`${servername} is an IP address: no SNI is sent (RFC 6066 §3)`);

  let steps: HandshakeStepFacts | undefined;
  try {
    steps = await handshakeSteps(dialer, {
      servername,
      trustStore,
      trustSource,
      ticketDelayMs: options.ticketDelayMs ?? 2000,
      answerWaitMs: options.answerWaitMs ?? 1000,
      // 0-RTT is tested with an HTTP HEAD request (what sslyze and testssl.sh send); not after STARTTLS.
      earlyData: options.starttls === undefined ? new TextEncoder().encode(`HEAD / HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`) : undefined,
      now,
      progress,
    });
    notes.push(...steps.notes);
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) throw e;
    notes.push(`handshake steps stopped: ${e.message}`);
  }
  let hello: HelloScanFacts | null = null;
  if (dialer.remaining > 0) {
    progress('ClientHello scan');
    try {
      hello = await scanHellos({
        host: options.host,
        port: options.port,
        ...(isIpLiteral(servername) ? {} : { servername }),
        deadlineMs: options.scanDeadlineMs ?? DEFAULT_SCAN_DEADLINE_MS,
        maxConnections: dialer.remaining,
        connect: () => dialer.dial(),
        onProgress: (what) => progress(`ClientHello scan: ${what}`),
      });
      if (!hello.complete) notes.push('the ClientHello scan was cut short by its connection budget or deadline (see each complete / unresolved)');
    } catch (e) {
      notes.push(`ClientHello scan failed: ${(e as Error).message}`);
    }
  } else notes.push('ClientHello scan not run: no connection left in the budget');
  progress('done');
  const failOn = options.failOn ?? [];
  const partial = {
    schema: PROBE_SCHEMA,
    target: { host: options.host, port: options.port, servername, starttls: options.starttls ?? null },
    startedAt: new Date(started).toISOString(),
    durationMs: now() - started,
    connections: { opened: dialer.opened, budget, deadlineMs },
    hello,
    handshake: steps?.handshake ?? null,
    certificate: steps?.certificate ?? null,
    resumption: steps?.resumption ?? { tls13: null, tls12: null },
    behaviour: steps?.behaviour ?? { alpn: null, keyUpdate: null, closeNotify: null, recordSizeLimit: null },
    notes,
  } as const;
  return { ...partial, policy: { failOn: [...failOn], violations: evaluatePolicies(partial, failOn) } };
}

/** The ClientHello scan's default wall-clock budget, so that a probe ends within about 20 s. */
export const DEFAULT_SCAN_DEADLINE_MS = 12_000;

/** Read a `--CAfile`. @throws UsageError when it cannot be read */
export function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--CAfile ${path}: ${(e as Error).message}`);
  }
}
