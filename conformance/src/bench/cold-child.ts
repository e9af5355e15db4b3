/**
 * One cold start, in a fresh process (run by cold-start.ts): import the client library, make one
 * exchange (full handshake with the chain verified, `GET /small.txt`, read the 64-byte response to
 * EOF), print a JSON line with the times, exit.
 *
 * Usage: node cold-child.js <puretls|node|subtls|reclaim> <port> <ca.pem path> <path> [repeat]
 *
 * With `repeat` (puretls and node only), the same exchange then runs `repeat` more times, each a
 * new `connect({ ca })` as a tls.connect user writes it, and the JSON line also carries the
 * process's CPU per exchange over those (`repeatCpuMs`): the client early in its life, before V8
 * has compiled its hot paths (cold-start.ts, the "early life" row).
 *
 * @module
 */
import { readFileSync } from 'node:fs';

const [client, portText, caPath, path, repeatText] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const port = Number(portText);
const repeat = repeatText === undefined ? 0 : Number(repeatText);
const ca = readFileSync(caPath, 'utf8');
const request = `GET /${path} HTTP/1.0\r\n\r\n`;

/** A tls.connect-shaped client: resolves with the bytes received once the server closes. */
function exchangeTlsLike(connect: (options: Record<string, unknown>) => import('node:events').EventEmitter & { write(s: string): void }): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca });
    socket.once('secureConnect', () => socket.write(request));
    socket.on('data', (d: Uint8Array) => (bytes += d.length));
    socket.once('error', reject);
    socket.once('close', () => resolve(bytes));
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  let exchange: () => Promise<number>;
  if (client === 'puretls') {
    const transport = (await import('@puretls/transport-node')) as unknown as { connect: Parameters<typeof exchangeTlsLike>[0] };
    exchange = () => exchangeTlsLike(transport.connect);
  } else if (client === 'node') {
    const tls = await import('node:tls');
    exchange = () => exchangeTlsLike(tls.connect as unknown as Parameters<typeof exchangeTlsLike>[0]);
  } else {
    const { loadPeers } = await import('./peers.ts');
    const { peers } = await loadPeers([client === 'subtls' ? 'subtls' : '@reclaimprotocol/tls']);
    const peer = peers[0];
    if (peer?.download === undefined) throw new Error(`${client} did not load`);
    exchange = () => peer.download!(port, ca, path);
  }
  const imported = performance.now();
  const bytes = await exchange();
  const done = performance.now();
  const cpu = process.cpuUsage();
  if (bytes < 64) throw new Error(`${client}: received ${bytes} bytes`);
  let repeatCpuMs: number | undefined;
  if (repeat > 0) {
    if (client !== 'puretls' && client !== 'node') throw new Error(`${client}: no repeated exchanges`);
    const before = process.cpuUsage();
    for (let i = 0; i < repeat; i++) if ((await exchange()) < 64) throw new Error(`${client}: short response in exchange ${i + 2}`);
    const used = process.cpuUsage(before);
    repeatCpuMs = (used.user + used.system) / 1000 / repeat;
  }
  // performance.now() counts from the process's time origin, so `done` includes Node's own start.
  process.stdout.write(JSON.stringify({ sinceProcessStart: done, importMs: imported - started, exchangeMs: done - imported, cpuMs: (cpu.user + cpu.system) / 1000, repeatCpuMs }) + '\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
