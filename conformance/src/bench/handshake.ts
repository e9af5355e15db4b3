/**
 * Benchmark sections: sequential full TLS 1.3 and TLS 1.2 handshakes against a local s_server, for
 * four chains: the mixed ones (RSA-2048 or ECDSA P-256 leaf under the ECDSA P-384 intermediate and
 * the RSA-3072 root of gen-pki.sh) and one key type end to end (ECDSA P-256 only; RSA-2048 only),
 * each on repeat contact and on first contact. No session is offered, so every handshake is full.
 * The TLS 1.2 rows use a `-tls1_2` server with ECDHE-{RSA,ECDSA}-AES128-GCM-SHA256 (X25519,
 * extended master secret); the clients offer 1.3 and 1.2 as they do by default.
 *
 * Every row reports, per client measured in the same interleaved rounds (measure.ts): the
 * wall-clock rate and the client's own CPU time per handshake (the server is another process);
 * the crypto floor of that handshake (floor.ts) so that puretls' protocol overhead is a number;
 * and the peers (peers.ts) where they can run it.
 *
 * - Repeat contact: node:tls reuses one prepared `secureContext`, puretls one @puretls/session
 *   Context; puretls' verification caches stay warm, as in a long-running client talking to the
 *   same server again.
 * - First contact: before every handshake puretls' verification caches and parsed `ca` bundles are
 *   cleared and a new Context is built (its trust store parsed again); node:tls builds a new
 *   secure context from the same PEM (OpenSSL remembers no verification). Nothing one handshake
 *   learned helps the next.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clearVerificationCaches } from '@puretls/tls-core';
import { clearTrustStoreCache } from '@puretls/transport-node';
import { startOpensslServer } from '@puretls/test-support/openssl';
import type { ClientUnderTest } from '../types.ts';
import { cryptoFloorOp, x25519Sides } from './floor.ts';
import { PATTERNS, startTransportFloor } from './tcp-floor.ts';
import { BLOCKS, interleaved, loadNow } from './measure.ts';
import { setPeerVersion, type Peer, type PeerRow } from './peers.ts';
import { registerSection, type BenchContext, type BenchRow, type PeerResult } from './registry.ts';

/** label, leaf, intermediate, root (PEM file stems in the PKI directory), key type, peer chain id. */
export const CHAINS = [
  ['RSA-2048 leaf + P-384 intermediate + RSA-3072 root', 'leaf-rsa2048', 'ca-int', 'ca-root', 'RSA', 'RSA-2048/P-384/RSA-3072'],
  ['ECDSA P-256 leaf + P-384 intermediate + RSA-3072 root', 'leaf-ecdsa-p256', 'ca-int', 'ca-root', 'ECDSA', 'ECDSA-P256/P-384/RSA-3072'],
  ['ECDSA P-256 only (leaf, intermediate, root)', 'ecdsa-only-leaf', 'ecdsa-only-int', 'ecdsa-only-root', 'ECDSA', 'ECDSA-P256/P-256/P-256'],
  ['RSA-2048 only (leaf, intermediate, root)', 'rsa-only-leaf', 'rsa-only-int', 'rsa-only-root', 'RSA', 'RSA-2048/RSA-2048/RSA-2048'],
] as const;

/** One full handshake through the harness, then close. First contact: nothing remembered (see the module comment). */
export async function handshake(client: ClientUnderTest, port: number, ca: string, firstContact = false): Promise<void> {
  if (firstContact && client.name === 'puretls') {
    clearVerificationCaches();
    clearTrustStoreCache();
  }
  const outcome = await client.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, keepData: false, preparedContext: !firstContact, observe: false });
  if (!outcome.ok) throw new Error(`${client.name} handshake failed: ${outcome.error.message}`);
  outcome.connection.destroy();
  await outcome.connection.closed;
}

/**
 * The peers that can run a row: those that do not declare it unsupported and complete one trial
 * operation; the others with the reason (the declared one, or the trial's error).
 */
export async function runnablePeers(all: readonly Peer[], row: PeerRow, trial: (peer: Peer) => Promise<void>): Promise<{ peers: Peer[]; skipped: string[] }> {
  const peers: Peer[] = [];
  const skipped: string[] = [];
  for (const peer of all) {
    const reason = peer.unsupported(row);
    if (reason !== undefined) {
      skipped.push(`${peer.name}: ${reason}`);
      continue;
    }
    try {
      await trial(peer);
      peers.push(peer);
    } catch (error) {
      skipped.push(`${peer.name}: fails here (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return { peers, skipped };
}

/** Rates and client CPU of a baseline and a subject in interleaved rounds (measure.ts). */
export async function interleavedRates(
  count: number,
  warmup: number,
  baseline: () => Promise<void>,
  subject: () => Promise<void>,
): Promise<{ baseline: number; subject: number; baselineCpuMs: number; subjectCpuMs: number }> {
  const [b, s] = await interleaved(count, warmup, [baseline, subject]);
  return { baseline: b!.rate, subject: s!.rate, baselineCpuMs: b!.cpuMs, subjectCpuMs: s!.cpuMs };
}

interface HandshakeSectionSpec {
  readonly id: string;
  readonly title: string;
  /** s_server version and suite flags for a chain's key type. */
  readonly serverFlags: (keyType: 'RSA' | 'ECDSA') => readonly string[];
}

type Chain = (typeof CHAINS)[number];

/** The section's s_server for one chain (stopped by the caller). */
async function chainServer(context: BenchContext, spec: HandshakeSectionSpec, chain: Chain) {
  const [, leaf, intermediate, root, keyType] = chain;
  const ca = await readFile(join(context.pki.dir, `${root}.pem`), 'utf8');
  const server = await startOpensslServer({
    args: ['-cert', `${leaf}.pem`, '-key', `${leaf}.key`, '-cert_chain', `${intermediate}.pem`, ...spec.serverFlags(keyType), '-WWW'],
    cwd: context.pki.dir,
    naccept: 0,
    lifetimeSeconds: 900,
  });
  return { ca, server };
}

/**
 * JIT warm-up, before the section's first row: `context.jitWarmup` repeat-contact handshakes per
 * client, a quarter on each chain, in rounds of one handshake per client (so every client gets the
 * same count). Measured here (docs/performance.md, "JIT warm-up"): with `--trace-opt`, V8 was still
 * optimizing functions of the clients in every block of 200 handshakes up to ~2400, and puretls'
 * CPU per handshake fell from ~5 ms to ~2.5 ms over those blocks (node:tls from ~1.9 to ~1.5), so a
 * row measured after its own 100-handshake warm-up caught the clients part-way. A peer warms up on
 * the chains it runs only. The log shows each client's CPU per handshake over the first and the
 * last tenth of its own warm-up handshakes (which are on different chains: a trend, not a ratio).
 */
async function jitWarmup(context: BenchContext, spec: HandshakeSectionSpec & { readonly version: 'TLSv1.3' | 'TLSv1.2' }): Promise<void> {
  if (!(context.jitWarmup > 0)) return;
  const perChain = Math.ceil(context.jitWarmup / CHAINS.length);
  /** CPU ms of each of a client's warm-up handshakes, in order. */
  const cpuOf = new Map<string, number[]>();
  const started = process.hrtime.bigint();
  for (const chain of CHAINS) {
    const { ca, server } = await chainServer(context, spec, chain);
    try {
      const peerChain = chain[5];
      const { peers } = await runnablePeers(context.peers, { version: spec.version, chain: peerChain }, (p) => p.handshake(server.port, ca, false));
      const sides: [string, () => Promise<void>][] = [
        [context.baseline.name, () => handshake(context.baseline, server.port, ca)],
        [context.subject.name, () => handshake(context.subject, server.port, ca)],
        ...peers.map((p): [string, () => Promise<void>] => [p.name, () => p.handshake(server.port, ca, false)]),
      ];
      for (let i = 0; i < perChain; i++) {
        for (const [name, side] of sides) {
          const before = process.cpuUsage();
          await side();
          const used = process.cpuUsage(before);
          const list = cpuOf.get(name) ?? [];
          list.push((used.user + used.system) / 1000);
          cpuOf.set(name, list);
        }
      }
    } finally {
      await server.stop();
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const perClient = [...cpuOf].map(([name, xs]) => {
    const tenth = Math.max(1, Math.floor(xs.length / 10));
    return `${name} ${xs.length} handshakes, ${mean(xs.slice(0, tenth)).toFixed(2)} -> ${mean(xs.slice(-tenth)).toFixed(2)} ms`;
  });
  context.log(`  JIT warm-up over the ${CHAINS.length} chains (a peer only on the chains it runs) in ${seconds.toFixed(1)} s; CPU per handshake, first tenth -> last tenth (on the RSA-only chain): ${perClient.join(', ')}`);
}

function registerHandshakeSection(spec: HandshakeSectionSpec & { readonly version: 'TLSv1.3' | 'TLSv1.2' }): void {
  registerSection({
    id: spec.id,
    title: spec.title,
    async run(context: BenchContext): Promise<BenchRow[]> {
      const rows: BenchRow[] = [];
      setPeerVersion(spec.version);
      await jitWarmup(context, spec);
      for (const chain of CHAINS) {
        const [label, leaf, intermediate, root, , peerChain] = chain;
        const { ca, server } = await chainServer(context, spec, chain);
        const transport = await startTransportFloor(spec.version === 'TLSv1.3' ? PATTERNS.tls13Full : PATTERNS.tls12Full);
        try {
          for (const firstContact of [false, true]) {
            const row = { version: spec.version, chain: peerChain } as const;
            const { peers, skipped } = await runnablePeers(context.peers, row, (p) => p.handshake(server.port, ca, firstContact));
            // The floor runs as one more side of the same rounds, so it sees the same machine.
            const floor = await cryptoFloorOp({ version: spec.version, dir: context.pki.dir, leaf, intermediate, root, firstContact });
            const x25519 = await x25519Sides();
            const stats = await interleaved(context.handshakes, context.warmup, [
              () => handshake(context.baseline, server.port, ca, firstContact),
              () => handshake(context.subject, server.port, ca, firstContact),
              () => Promise.resolve(floor()),
              transport.op,
              async () => void x25519.noble(),
              async () => void x25519.native(),
              ...peers.map((p) => () => p.handshake(server.port, ca, firstContact)),
            ]);
            const [b, s, f, t, xs, xb] = stats as [(typeof stats)[0], (typeof stats)[0], (typeof stats)[0], (typeof stats)[0], (typeof stats)[0], (typeof stats)[0]];
            const floorMs = f.cpuMs;
            const contact = firstContact ? 'first contact' : 'repeat contact';
            const firstPeer = 6;
            const peerResults: PeerResult[] = peers.map((p, i) => ({ name: p.name, value: stats[firstPeer + i]!.rate, cpuMs: stats[firstPeer + i]!.cpuMs }));
            context.log(
              `  ${label}, ${contact}: ${context.subject.name} ${s.rate.toFixed(1)}/s ${s.cpuMs.toFixed(2)} ms CPU, node:tls ${b.rate.toFixed(1)}/s ${b.cpuMs.toFixed(2)} ms CPU, floor ${floorMs.toFixed(2)} ms, TCP floor ${t.cpuMs.toFixed(2)} ms, X25519 noble ${xs.cpuMs.toFixed(3)} / node:crypto ${xb.cpuMs.toFixed(3)} ms` +
                peerResults.map((p) => `, ${p.name} ${p.value.toFixed(1)}/s ${p.cpuMs!.toFixed(2)} ms CPU`).join(''),
            );
            rows.push({
              section: spec.id,
              name: `${label}, ${contact}`,
              unit: 'handshakes/s',
              subject: s.rate,
              baseline: b.rate,
              subjectCpuMs: s.cpuMs,
              baselineCpuMs: b.cpuMs,
              floorMs,
              transportFloorMs: t.cpuMs,
              x25519Ms: { subject: xs.cpuMs, baseline: xb.cpuMs },
              peers: peerResults,
              peersSkipped: skipped,
              load: loadNow(),
              note: `${context.handshakes} each after ${context.warmup} warm-up (and the section's ${context.jitWarmup}-handshake JIT warm-up), in ${BLOCKS} interleaved blocks; ${firstContact ? 'caches cleared, contexts new per handshake' : 'prepared contexts, caches kept'}`,
            });
          }
        } finally {
          await transport.stop();
          await server.stop();
        }
      }
      return rows;
    },
  });
}

registerHandshakeSection({
  version: 'TLSv1.3',
  id: 'handshake',
  title: 'full TLS 1.3 handshakes per second (sequential, X25519, TLS_AES_128_GCM_SHA256)',
  serverFlags: () => ['-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256'],
});
registerHandshakeSection({
  version: 'TLSv1.2',
  id: 'handshake12',
  title: 'full TLS 1.2 handshakes per second (sequential, X25519, ECDHE-*-AES128-GCM-SHA256, EMS)',
  serverFlags: (keyType) => ['-tls1_2', '-cipher', `ECDHE-${keyType}-AES128-GCM-SHA256`],
});
