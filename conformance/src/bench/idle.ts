/**
 * Benchmark section: memory per idle established connection. {@link COUNT} TLS 1.3 connections
 * (ECDSA P-256-only chain) to a Node TLS server in another process are opened, handshaken and
 * left idle (the server's tickets received); then, after a full GC, this process's JS heap in use
 * and its ArrayBuffer memory are compared with the same figures before they were opened. Issue 16
 * bounds puretls' JS heap per connection (24 KiB). node:tls keeps its TLS state in OpenSSL's
 * native memory, outside the JS heap, so its heap figure is only its JS wrapper; the row shows
 * both, and the ArrayBuffer figure beside it.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ClientConnection, ClientUnderTest } from '../types.ts';
import { loadNow } from './measure.ts';
import { registerSection, type BenchContext, type BenchRow } from './registry.ts';

const COUNT = 200;
const SERVER = fileURLToPath(new URL('./idle-server.js', import.meta.url));

function gcNow(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function settle(gc: () => void): Promise<{ heap: number; arrayBuffers: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

async function perConnection(client: ClientUnderTest, port: number, ca: string, gc: () => void): Promise<{ heap: number; arrayBuffers: number }> {
  const options = { host: '127.0.0.1', port, servername: 'localhost', ca, keepData: false, preparedContext: true, observe: false } as const;
  // Warm: one connection opened and closed first, so lazily built process-wide state is not counted.
  const warm = await client.connect(options);
  if (!warm.ok) throw new Error(`${client.name}: ${warm.error.message}`);
  warm.connection.destroy();
  await warm.connection.closed;
  const before = await settle(gc);
  const open: ClientConnection[] = [];
  for (let i = 0; i < COUNT; i++) {
    const outcome = await client.connect(options);
    if (!outcome.ok) throw new Error(`${client.name}: ${outcome.error.message}`);
    open.push(outcome.connection);
  }
  await new Promise((r) => setTimeout(r, 300)); // the tickets arrive and are processed
  const after = await settle(gc);
  for (const c of open) c.destroy();
  await Promise.all(open.map((c) => c.closed));
  return { heap: (after.heap - before.heap) / COUNT, arrayBuffers: (after.arrayBuffers - before.arrayBuffers) / COUNT };
}

registerSection({
  id: 'idle',
  title: `memory per idle established connection (${COUNT} connections, after GC)`,
  async run(context: BenchContext): Promise<BenchRow[]> {
    const gc = gcNow();
    const ca = await readFile(context.pki.path('ecdsa-only-root.pem'), 'utf8');
    const server = spawn(process.execPath, [SERVER, context.pki.path('ecdsa-only-leaf.pem'), context.pki.path('ecdsa-only-leaf.key'), context.pki.path('ecdsa-only-int.pem')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
        server.once('error', reject);
        server.once('exit', (code) => reject(new Error(`idle server exited ${String(code)}`)));
      });
      const node = await perConnection(context.baseline, port, ca, gc);
      const puretls = await perConnection(context.subject, port, ca, gc);
      context.log(
        `  JS heap per connection: ${context.subject.name} ${(puretls.heap / 1024).toFixed(1)} KiB, node:tls ${(node.heap / 1024).toFixed(1)} KiB; ` +
          `ArrayBuffers: ${(puretls.arrayBuffers / 1024).toFixed(1)} KiB, ${(node.arrayBuffers / 1024).toFixed(1)} KiB`,
      );
      const note = `${COUNT} idle TLS 1.3 connections to a Node TLS server in another process, after GC; node:tls keeps its TLS state in native memory, not counted here`;
      return [
        { section: 'idle', name: 'JS heap per idle connection (lower is better; target <= 24 KiB)', unit: 'KiB', subject: puretls.heap / 1024, baseline: node.heap / 1024, load: loadNow(), note },
        { section: 'idle', name: 'ArrayBuffer memory per idle connection (lower is better)', unit: 'KiB', subject: puretls.arrayBuffers / 1024, baseline: node.arrayBuffers / 1024, load: loadNow(), note },
      ];
    } finally {
      server.stdin.end();
      server.kill();
    }
  },
});
