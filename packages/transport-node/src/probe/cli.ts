/**
 * `puretls probe host:port`: the command-line face of {@link probe}. Prints the report as a
 * table (or as JSON with `--json`), a progress line on stderr while it probes, and exits with 2
 * when a `--fail-on` policy is violated (1 for usage errors), for CI use.
 * @module
 */
import type { Writable } from 'node:stream';
import { STARTTLS_PROTOCOLS, type StartTlsProtocol } from '../cli/starttls.ts';
import { DEFAULT_CONNECTION_BUDGET, DEFAULT_CONNECTION_DEADLINE_MS } from './dial.ts';
import { probe, readCaFile, type ProbeOptions } from './probe.ts';
import { FAIL_ON_POLICIES, type FailOnPolicy } from './report.ts';
import { reportTable } from './table.ts';

/** Exit code when a `--fail-on` policy is violated. */
export const EXIT_POLICY_VIOLATED = 2;

/**
 * Run `puretls probe` with its arguments.
 * @returns the exit code: 0, 1 (usage), 2 (a policy violated)
 */
export async function probeMain(argv: readonly string[], io: { stdout: Writable; stderr: Writable }): Promise<number> {
  let options: ProbeOptions & { json: boolean };
  try {
    options = parseProbeArgs(argv);
  } catch (e) {
    io.stderr.write(`puretls probe: ${(e as Error).message}\n${PROBE_USAGE}`);
    return 1;
  }
  if (options.host === '') {
    io.stdout.write(PROBE_USAGE);
    return 0;
  }
  const tty = (io.stderr as Writable & { isTTY?: boolean }).isTTY === true;
  const report = await probe({
    ...options,
    onProgress: (step, n, budget) => {
      const line = `probe ${options.host}:${options.port}: ${step} (${n}/${budget} connections)`;
      io.stderr.write(tty ? `\r\x1b[K${line}${step === 'done' ? '\n' : ''}` : `${line}\n`);
    },
  });
  io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${reportTable(report)}\n`);
  return report.policy.violations.length > 0 ? EXIT_POLICY_VIOLATED : 0;
}

/**
 * Parse `probe` arguments (`--flag value`; `-flag` accepted too).
 * @throws Error naming the bad argument
 */
export function parseProbeArgs(argv: readonly string[]): ProbeOptions & { json: boolean } {
  let host = '';
  let port = 443;
  let servername: string | undefined;
  let starttls: StartTlsProtocol | undefined;
  let caFile: string | undefined;
  let json = false;
  let maxConnections = DEFAULT_CONNECTION_BUDGET;
  let connectionDeadlineMs = DEFAULT_CONNECTION_DEADLINE_MS;
  let ticketDelayMs: number | undefined;
  const failOn: FailOnPolicy[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const flag = arg.replace(/^--?/, '--');
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const count = (min: number, max: number): number => {
      const text = value();
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < min || n > max) throw new Error(`${flag} wants an integer ${min}..${max}, got "${text}"`);
      return n;
    };
    if (!arg.startsWith('-')) {
      if (host !== '') throw new Error(`unexpected argument "${arg}"`);
      ({ host, port } = parseTarget(arg));
      continue;
    }
    switch (flag) {
      case '--help':
      case '--h':
        return { host: '', port: 0, json: false };
      case '--json':
        json = true;
        break;
      case '--servername':
        servername = value();
        break;
      case '--starttls': {
        const proto = value();
        if (!(STARTTLS_PROTOCOLS as readonly string[]).includes(proto)) throw new Error(`--starttls wants one of ${STARTTLS_PROTOCOLS.join(', ')}`);
        starttls = proto as StartTlsProtocol;
        break;
      }
      case '--CAfile':
      case '--cafile':
        caFile = value();
        break;
      case '--fail-on':
        for (const p of value().split(',')) {
          if (!(FAIL_ON_POLICIES as readonly string[]).includes(p)) throw new Error(`--fail-on wants ${FAIL_ON_POLICIES.join(', ')} (comma-separated), got "${p}"`);
          failOn.push(p as FailOnPolicy);
        }
        break;
      case '--max-connections':
        maxConnections = count(1, DEFAULT_CONNECTION_BUDGET);
        break;
      case '--timeout':
        connectionDeadlineMs = count(1, 600_000);
        break;
      case '--ticket-delay':
        ticketDelayMs = count(0, 600_000);
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (host === '') throw new Error('which server? puretls probe host:port');
  return {
    host,
    port,
    servername,
    starttls,
    json,
    maxConnections,
    connectionDeadlineMs,
    ticketDelayMs,
    failOn,
    ...(caFile === undefined ? {} : { caPem: readCaFile(caFile), caSource: `file:${caFile}` }),
  };
}

/** `host:port`, `[v6]:port` or `host` (port 443). */
function parseTarget(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(text);
  if (m === null) throw new Error(`bad target "${text}": want host:port`);
  const port = m[3] === undefined ? 443 : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port in "${text}"`);
  return { host: m[1] ?? m[2] ?? '', port };
}

export const PROBE_USAGE = `Usage: puretls probe host[:port] [options]
  --json                 print the report as JSON (schema puretls-probe/1, docs/probe.md)
  --fail-on list         exit 2 when violated: weak, expired, untrusted, hostname (comma-separated)
  --servername name      SNI and the name the certificate must match (default: the host)
  --starttls proto       smtp, imap, pop3, ftp or xmpp: STARTTLS before each handshake
  --CAfile file          PEM trust anchors replacing the system roots
  --max-connections n    at most n connections, 1..${DEFAULT_CONNECTION_BUDGET} (default ${DEFAULT_CONNECTION_BUDGET})
  --timeout ms           deadline of each connection (default ${DEFAULT_CONNECTION_DEADLINE_MS})
  --ticket-delay ms      wait before offering an unused TLS 1.3 ticket (default 2000; 0 skips)
`;
