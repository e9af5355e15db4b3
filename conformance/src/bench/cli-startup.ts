/**
 * Benchmark section: start-up of the `puretls s_client` command, from spawning the process to
 * the first byte (the ClientHello) arriving at a local TCP listener, against a Node script that
 * opens a node:tls connection the same way (`node -e "tls.connect(...)"`). Each run is a fresh
 * process; the runs of subject and baseline alternate so both see the same machine load, and the
 * median is reported (as starts per second, so that higher is better like every other row; the
 * note gives the milliseconds). Issue 13's target: under 0.5 s on the reference machine.
 *
 * Rows: the direct entry point `node packages/transport-node/bin/puretls.js` (the esbuild bundle,
 * scripts/bundle-cli.mjs) with `-CAfile`, the same with Node's bundled roots (parsed before the
 * ClientHello), and the unbundled dist/cli.js (what the bundle saves).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../pki.ts';
import { registerSection, type BenchContext, type BenchRow } from './registry.ts';

const BIN = join(REPO_ROOT, 'packages', 'transport-node', 'bin', 'puretls.js');
const UNBUNDLED = join(REPO_ROOT, 'packages', 'transport-node', 'dist', 'cli.js');
const RUNS = 9;

/** Milliseconds from spawning `args` to the first byte it sends to a fresh listener. */
export async function timeToFirstByte(args: (port: number) => string[]): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    let started = 0;
    const first = new Promise<number>((resolve) => {
      server.on('connection', (socket) => {
        socket.once('data', () => {
          resolve(performance.now() - started);
          socket.destroy();
        });
        socket.on('error', () => {});
      });
    });
    started = performance.now();
    const child = spawn(process.execPath, args(port), { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const timer = setTimeout(() => child.kill(), 20_000);
    const ms = await Promise.race([first, exited.then(() => Number.NaN)]);
    child.kill();
    await exited;
    clearTimeout(timer);
    if (Number.isNaN(ms)) throw new Error(`no byte from ${args(port).join(' ')}`);
    return ms;
  } finally {
    server.close();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const nodeTlsScript = (port: number): string[] => ['-e', `require('node:tls').connect({ host: '127.0.0.1', port: ${port}, servername: 'localhost' }).on('error', () => {})`];

registerSection({
  id: 'cli-startup',
  title: 'puretls s_client start-up to the first byte sent (fresh process each run; median of interleaved runs)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const ca = context.pki.path('ca-root.pem');
    const variants: Array<[string, (port: number) => string[]]> = [
      ['bin/puretls.js s_client -CAfile (bundled)', (port) => [BIN, 's_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-timeout', '5']],
      ['bin/puretls.js s_client, default roots (bundled)', (port) => [BIN, 's_client', '-connect', `127.0.0.1:${port}`, '-timeout', '5']],
      [
        'dist/cli.js s_client -CAfile (unbundled)',
        (port) => ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(UNBUNDLED)}); process.exitCode = await main(process.argv.slice(1));`, 's_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-timeout', '5'],
      ],
    ];
    const rows: BenchRow[] = [];
    for (const [name, args] of variants) {
      const subject: number[] = [];
      const baseline: number[] = [];
      await timeToFirstByte(args); // warm the file cache
      for (let i = 0; i < RUNS; i++) {
        subject.push(await timeToFirstByte(args));
        baseline.push(await timeToFirstByte(nodeTlsScript));
      }
      const s = median(subject);
      const b = median(baseline);
      context.log(`  ${name}: puretls ${s.toFixed(0)} ms, node:tls script ${b.toFixed(0)} ms (medians of ${RUNS})`);
      rows.push({
        section: 'cli-startup',
        name,
        unit: 'starts/s',
        subject: 1000 / s,
        baseline: 1000 / b,
        baselineName: 'node -e tls.connect',
        note: `median ${s.toFixed(0)} ms vs ${b.toFixed(0)} ms to the first byte; target < 500 ms`,
      });
    }
    return rows;
  },
});
