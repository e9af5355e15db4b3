/**
 * Benchmark section: cold start. A fresh Node process imports the client and makes one exchange
 * (full TLS 1.3 handshake, ECDSA P-256-only chain verified, `GET` of a 64-byte file, read to EOF),
 * then exits (bench/cold-child.ts). The figure is the wall time from spawning the process to its
 * exit as this process sees it, so Node's own start-up (the same for every client) is inside it;
 * each client runs {@link ROUNDS} times, the clients taking turns, and the median counts. Lower is
 * better here: the ratio is puretls' time over node:tls's (issue 16's target: at most 2.5).
 *
 * A second row, "early life", measures what the handshake rows (steady state, after a JIT warm-up)
 * leave out: the client CPU per exchange over the {@link EARLY_EXCHANGES} exchanges that follow the
 * first in a fresh process, each a new `connect({ ca })` as a tls.connect user writes it (node:tls
 * then builds a secure context per connection; puretls' parsed `ca` and verification caches are
 * warm after the first). puretls and node:tls only, median of {@link EARLY_ROUNDS} processes each.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeTextFile } from '../pki.ts';
import { startOpensslServer } from '@puretls/test-support/openssl';
import { loadNow } from './measure.ts';
import { registerSection, type BenchContext, type BenchRow, type PeerResult } from './registry.ts';

const ROUNDS = 7;
/** The early-life row: fresh processes per client, and exchanges measured in each after the first. */
const EARLY_ROUNDS = 5;
const EARLY_EXCHANGES = 200;
const SMALL_FILE = 'small.txt';
const CHILD = fileURLToPath(new URL('./cold-child.js', import.meta.url));

interface ColdRun {
  readonly wallMs: number;
  readonly importMs: number;
  readonly exchangeMs: number;
  readonly cpuMs: number;
  /** CPU per exchange over the exchanges after the first (only when asked for). */
  readonly repeatCpuMs?: number;
}

function coldRun(client: string, port: number, caPath: string, repeat = 0): Promise<ColdRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [CHILD, client, String(port), caPath, SMALL_FILE, ...(repeat > 0 ? [String(repeat)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`${client} cold start exited ${String(code)}: ${err.trim().split('\n').at(-1) ?? ''}`));
      const line = JSON.parse(out.trim().split('\n').at(-1)!) as Omit<ColdRun, 'wallMs'>;
      resolve({ wallMs, ...line });
    });
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

registerSection({
  id: 'coldstart',
  title: 'cold start: fresh process, import + first exchange (ms, lower is better)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    await writeTextFile(context.pki.dir, SMALL_FILE, 64);
    const caPath = context.pki.path('ecdsa-only-root.pem');
    const server = await startOpensslServer({
      args: ['-cert', 'ecdsa-only-leaf.pem', '-key', 'ecdsa-only-leaf.key', '-cert_chain', 'ecdsa-only-int.pem', '-tls1_3', '-WWW'],
      cwd: context.pki.dir,
      naccept: 0,
      lifetimeSeconds: 600,
    });
    try {
      const clients = ['node', 'puretls', ...context.peers.map((p) => (p.name === 'subtls' ? 'subtls' : 'reclaim'))];
      const runs = new Map<string, ColdRun[]>(clients.map((c) => [c, []]));
      const failed = new Map<string, string>();
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? clients : [...clients].reverse();
        for (const client of order) {
          if (failed.has(client)) continue;
          try {
            runs.get(client)!.push(await coldRun(client, server.port, caPath));
          } catch (error) {
            if (client === 'node' || client === 'puretls') throw error;
            failed.set(client, error instanceof Error ? error.message : String(error));
          }
        }
      }
      const summary = (client: string) => {
        const r = runs.get(client)!;
        return { wall: median(r.map((x) => x.wallMs)), imp: median(r.map((x) => x.importMs)), exch: median(r.map((x) => x.exchangeMs)), cpu: median(r.map((x) => x.cpuMs)) };
      };
      const node = summary('node');
      const puretls = summary('puretls');
      for (const client of clients) {
        if (failed.has(client)) continue;
        const s = summary(client);
        context.log(`  ${client}: ${s.wall.toFixed(0)} ms spawn to exit (import ${s.imp.toFixed(0)} ms, exchange ${s.exch.toFixed(0)} ms, process CPU ${s.cpu.toFixed(0)} ms), median of ${ROUNDS}`);
      }
      const peers: PeerResult[] = clients
        .filter((c) => c !== 'node' && c !== 'puretls' && !failed.has(c))
        .map((c) => ({ name: c === 'subtls' ? 'subtls' : '@reclaimprotocol/tls (pure JS)', value: summary(c).wall, cpuMs: summary(c).cpu }));
      const note = `median of ${ROUNDS} fresh processes each, clients in turns; puretls import ${puretls.imp.toFixed(0)} ms + exchange ${puretls.exch.toFixed(0)} ms, node:tls import ${node.imp.toFixed(0)} ms + exchange ${node.exch.toFixed(0)} ms`;
      // Early life: the exchanges right after the first, in a fresh process, before V8 has compiled
      // the client's hot paths (the handshake rows measure the steady state after a JIT warm-up).
      const early = new Map<string, number[]>([['node', []], ['puretls', []]]);
      for (let round = 0; round < EARLY_ROUNDS; round++) {
        for (const client of round % 2 === 0 ? ['node', 'puretls'] : ['puretls', 'node']) {
          const run = await coldRun(client, server.port, caPath, EARLY_EXCHANGES);
          early.get(client)!.push(run.repeatCpuMs!);
        }
      }
      const earlyNode = median(early.get('node')!);
      const earlyPuretls = median(early.get('puretls')!);
      context.log(
        `  early life, exchanges 2-${EARLY_EXCHANGES + 1} of a fresh process, CPU per exchange (median of ${EARLY_ROUNDS}): puretls ${earlyPuretls.toFixed(2)} ms [${early.get('puretls')!.map((x) => x.toFixed(2)).join(', ')}], node:tls ${earlyNode.toFixed(2)} ms [${early.get('node')!.map((x) => x.toFixed(2)).join(', ')}]`,
      );
      return [
        {
          section: 'coldstart',
          name: 'fresh process: import + first exchange (ECDSA P-256 chain, TLS 1.3), lower is better',
          unit: 'ms',
          subject: puretls.wall,
          baseline: node.wall,
          subjectCpuMs: puretls.cpu,
          baselineCpuMs: node.cpu,
          peers,
          peersSkipped: [...failed].map(([c, why]) => `${c}: fails here (${why})`),
          load: loadNow(),
          note,
        },
        {
          section: 'coldstart',
          name: `early life: exchanges 2-${EARLY_EXCHANGES + 1} of a fresh process, each a new connect({ ca }) (ECDSA P-256 chain, TLS 1.3), client CPU per exchange, lower is better`,
          unit: 'ms',
          subject: earlyPuretls,
          baseline: earlyNode,
          subjectCpuMs: earlyPuretls,
          baselineCpuMs: earlyNode,
          load: loadNow(),
          note: `median of ${EARLY_ROUNDS} fresh processes per client, clients in turns; each process makes one exchange, then ${EARLY_EXCHANGES} measured ones`,
        },
      ];
    } finally {
      await server.stop();
    }
  },
});
