/**
 * Benchmark section `pq-handshake`: full TLS 1.3 handshakes with the post-quantum hybrid
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem) against a Node 26 (OpenSSL 3.5) server that accepts
 * X25519MLKEM768 and X25519, ECDSA P-256 leaf + P-384 intermediate + RSA-3072 root, repeat contact.
 *
 * - subject: puretls offering only X25519MLKEM768; baseline: puretls offering only X25519, in the
 *   same interleaved rounds (measure.ts), so the ratio is the cost of the hybrid inside puretls.
 * - peers: node:tls of Node 26 doing the same two handshakes (X25519MLKEM768, and X25519), in its
 *   own process after the interleaved rounds (Node 20's node:tls has no ML-KEM), rate and CPU per
 *   handshake measured by that process. Ratio to node:tls = subject / that peer value.
 *
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startNodeServer } from '../servers/node.ts';
import { installNode26, node26Handshakes } from '../servers/node26.ts';
import type { ClientUnderTest, GroupOption } from '../types.ts';
import { BLOCKS, interleaved, loadNow } from './measure.ts';
import { registerSection, type BenchContext, type BenchRow } from './registry.ts';

async function handshakeWith(client: ClientUnderTest, port: number, ca: string, group: GroupOption): Promise<void> {
  const outcome = await client.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, groups: [group], keepData: false, preparedContext: true, observe: false });
  if (!outcome.ok) throw new Error(`${client.name} ${group} handshake failed: ${outcome.error.message}`);
  outcome.connection.destroy();
  await outcome.connection.closed;
}

registerSection({
  id: 'pq-handshake',
  title: 'full TLS 1.3 handshakes per second with X25519MLKEM768 (Node 26 server, ECDSA P-256 chain, repeat contact)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    // Node 26 from npm, installed once into node_modules/.cache (a no-op afterwards); without it
    // startNodeServer throws with the install's failure.
    installNode26();
    const dir = context.pki.dir;
    const ca = await readFile(join(dir, 'ca-root.pem'), 'utf8');
    const chain = join(dir, 'pq-bench-chain.pem');
    await writeFile(chain, (await readFile(join(dir, 'leaf-ecdsa-p256.pem'), 'utf8')) + (await readFile(join(dir, 'ca-int.pem'), 'utf8')));
    const server = await startNodeServer({ node: 'node26', cwd: dir, config: { key: 'leaf-ecdsa-p256.key', cert: chain, ecdhCurve: 'X25519MLKEM768:X25519', minVersion: 'TLSv1.3' }, lifetimeSeconds: 600 });
    try {
      const [x, h] = await interleaved(context.handshakes, context.warmup, [
        () => handshakeWith(context.subject, server.port, ca, 'X25519'),
        () => handshakeWith(context.subject, server.port, ca, 'X25519MLKEM768'),
      ]);
      const opts = { port: server.port, ca, n: context.handshakes, warmup: context.warmup };
      const nodeHybrid = await node26Handshakes({ ...opts, curve: 'X25519MLKEM768' });
      const nodeX25519 = await node26Handshakes({ ...opts, curve: 'X25519' });
      context.log(
        `  X25519MLKEM768: ${context.subject.name} ${h!.rate.toFixed(1)}/s ${h!.cpuMs.toFixed(2)} ms CPU; ${context.subject.name} X25519 ${x!.rate.toFixed(1)}/s ${x!.cpuMs.toFixed(2)} ms CPU; ` +
          `node:tls (Node 26, OpenSSL ${server.openssl}) X25519MLKEM768 ${nodeHybrid.rate.toFixed(1)}/s ${nodeHybrid.cpuMs.toFixed(2)} ms CPU, X25519 ${nodeX25519.rate.toFixed(1)}/s ${nodeX25519.cpuMs.toFixed(2)} ms CPU`,
      );
      return [
        {
          section: 'pq-handshake',
          name: 'X25519MLKEM768 vs puretls X25519, ECDSA P-256 chain, repeat contact',
          unit: 'handshakes/s',
          subject: h!.rate,
          baseline: x!.rate,
          baselineName: `${context.subject.name} X25519`,
          subjectCpuMs: h!.cpuMs,
          baselineCpuMs: x!.cpuMs,
          peers: [
            { name: 'node:tls Node 26 X25519MLKEM768 (own process)', value: nodeHybrid.rate, cpuMs: nodeHybrid.cpuMs },
            { name: 'node:tls Node 26 X25519 (own process)', value: nodeX25519.rate, cpuMs: nodeX25519.cpuMs },
          ],
          load: loadNow(),
          note: `${context.handshakes} each after ${context.warmup} warm-up, puretls sides in ${BLOCKS} interleaved blocks; Node 26 runs after them in its own process; server Node 26 (OpenSSL ${server.openssl}) ecdhCurve X25519MLKEM768:X25519`,
        },
      ];
    } finally {
      await server.stop();
    }
  },
});
