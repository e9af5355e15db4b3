/**
 * Benchmark section: memory per idle established connection. {@link COUNT} TLS 1.3 connections
 * (ECDSA P-256-only chain) to a Node TLS server in another process are opened, handshaken and
 * left idle (the server's tickets received), each library through its own `connect()` with a
 * prepared context (node:tls a `secureContext`, puretls a @puretls/session Context), no listeners; then, after a full GC, this process's JS heap in use
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
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import { loadNow } from './measure.ts';
import { registerSection, type BenchContext, type BenchRow } from './registry.ts';

const COUNT = 200;
const WARM_CONNECTIONS = 8;
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

/** A tls.connect-shaped socket, as far as this row needs it. */
interface IdleSocket {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy(): void;
}
type Opener = () => IdleSocket;

/** Opens one connection and resolves once it is established. */
function established(open: Opener): Promise<IdleSocket> {
  return new Promise((resolve, reject) => {
    const socket = open();
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', (e) => reject(e as Error));
  });
}

async function perConnection(open: Opener, gc: () => void): Promise<{ heap: number; arrayBuffers: number }> {
  // Warm: connections opened and closed first, so lazily built process-wide state is not counted.
  // Eight, not one: puretls builds the server key's verification tables on its 4th use
  // (x509/verification-cache.ts), hundreds of KiB of curve points that 200 connections would otherwise
  // be charged ~2 KiB each for.
  for (let i = 0; i < WARM_CONNECTIONS; i++) (await established(open)).destroy();
  const before = await settle(gc);
  const sockets: IdleSocket[] = [];
  for (let i = 0; i < COUNT; i++) sockets.push(await established(open));
  await new Promise((r) => setTimeout(r, 300)); // the tickets arrive and are processed
  const after = await settle(gc);
  const closed = sockets.map((s) => new Promise((r) => s.once('close', r)));
  for (const s of sockets) s.destroy();
  await Promise.all(closed);
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
      // The libraries' own connect() with a prepared context each (no harness objects per connection).
      const secureContext = createSecureContext({ ca });
      const node = await perConnection(() => tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', secureContext }) as unknown as IdleSocket, gc);
      const transport = (await import('@puretls/transport-node')) as unknown as { connect(o: Record<string, unknown>): IdleSocket; toConfigOptions(o: Record<string, unknown>): Record<string, unknown> };
      const { Context } = (await import('@puretls/session')) as unknown as { Context: new (o: Record<string, unknown>) => unknown };
      const puretlsContext = new Context({ ...transport.toConfigOptions({ ca }), sessionCacheMode: 'off' });
      const puretls = await perConnection(() => transport.connect({ host: '127.0.0.1', port, servername: 'localhost', context: puretlsContext }), gc);
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
