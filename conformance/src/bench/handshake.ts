/**
 * Benchmark sections: sequential full TLS 1.3 and TLS 1.2 handshakes per second against a local
 * s_server, with the RSA-2048 chain and with the ECDSA P-256 chain (each under the ECDSA P-384
 * intermediate and the RSA-3072 root of gen-pki.sh). No session is offered, so every handshake is
 * full. The TLS 1.2 rows use a `-tls1_2` server with ECDHE-{RSA,ECDSA}-AES128-GCM-SHA256 (X25519,
 * extended master secret); both clients offer 1.3 and 1.2 as they do by default.
 *
 * Both clients go through their harness adapters (`context.subject`, `context.baseline`) with
 * `preparedContext`: node:tls reuses one `secureContext`, puretls one @puretls/session Context,
 * so neither parses its trust store per handshake.
 *
 * @module
 */
import { startOpensslServer } from '../openssl-server.ts';
import type { ClientUnderTest } from '../types.ts';
import { registerSection, type BenchContext, type BenchRow } from './registry.ts';

const CHAINS = [
  ['RSA-2048 leaf', 'leaf-rsa2048', 'RSA'],
  ['ECDSA P-256 leaf', 'leaf-ecdsa-p256', 'ECDSA'],
] as const;

async function handshake(client: ClientUnderTest, port: number, ca: string): Promise<void> {
  const outcome = await client.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, keepData: false, preparedContext: true });
  if (!outcome.ok) throw new Error(`${client.name} handshake failed: ${outcome.error.message}`);
  outcome.connection.destroy();
  await outcome.connection.closed;
}

/** Blocks of sequential operations each client runs in turn; see {@link interleavedRates}. */
const BLOCKS = 8;

/**
 * Operations per second of the baseline and the subject, measured in turns: after `warmup`
 * operations each, the `count` operations of each side run in {@link BLOCKS} blocks in the order
 * baseline, subject, subject, baseline, baseline, ... (ABBA), and each side's rate is its count
 * over the sum of its blocks' times. This machine's speed drifts by tens of percent within a
 * minute; interleaving puts the same drift on both sides, and ABBA cancels a linear trend.
 */
export async function interleavedRates(
  count: number,
  warmup: number,
  baseline: () => Promise<void>,
  subject: () => Promise<void>,
): Promise<{ baseline: number; subject: number }> {
  for (let i = 0; i < warmup; i++) await baseline();
  for (let i = 0; i < warmup; i++) await subject();
  const seconds = [0, 0];
  const sides = [baseline, subject];
  const perBlock = Math.ceil(count / BLOCKS);
  for (let block = 0; block < BLOCKS; block++) {
    const order = block % 2 === 0 ? [0, 1] : [1, 0];
    for (const side of order) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < perBlock; i++) await sides[side]!();
      seconds[side]! += Number(process.hrtime.bigint() - started) / 1e9;
    }
  }
  return { baseline: (perBlock * BLOCKS) / seconds[0]!, subject: (perBlock * BLOCKS) / seconds[1]! };
}

interface HandshakeSectionSpec {
  readonly id: string;
  readonly title: string;
  /** s_server version and suite flags for a chain's key type. */
  readonly serverFlags: (keyType: 'RSA' | 'ECDSA') => readonly string[];
}

function registerHandshakeSection(spec: HandshakeSectionSpec): void {
  registerSection({
    id: spec.id,
    title: spec.title,
    async run(context: BenchContext): Promise<BenchRow[]> {
      const rows: BenchRow[] = [];
      for (const [label, leaf, keyType] of CHAINS) {
        const server = await startOpensslServer({
          args: ['-cert', `${leaf}.pem`, '-key', `${leaf}.key`, '-cert_chain', 'ca-int.pem', ...spec.serverFlags(keyType), '-WWW'],
          cwd: context.pki.dir,
          naccept: 0,
          lifetimeSeconds: 600,
        });
        try {
          const { baseline, subject } = await interleavedRates(
            context.handshakes,
            context.warmup,
            () => handshake(context.baseline, server.port, context.pki.caRootPem),
            () => handshake(context.subject, server.port, context.pki.caRootPem),
          );
          context.log(`  ${label}: ${context.subject.name} ${subject.toFixed(1)}/s, node:tls ${baseline.toFixed(1)}/s`);
          rows.push({
            section: spec.id,
            name: `${label} + P-384 intermediate`,
            unit: 'handshakes/s',
            subject,
            baseline,
            note: `${context.handshakes} each after ${context.warmup} warm-up, in ${BLOCKS} interleaved blocks; both clients through the harness with a prepared context`,
          });
        } finally {
          await server.stop();
        }
      }
      return rows;
    },
  });
}

registerHandshakeSection({
  id: 'handshake',
  title: 'full TLS 1.3 handshakes per second (sequential, X25519, TLS_AES_128_GCM_SHA256)',
  serverFlags: () => ['-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256'],
});
registerHandshakeSection({
  id: 'handshake12',
  title: 'full TLS 1.2 handshakes per second (sequential, X25519, ECDHE-*-AES128-GCM-SHA256, EMS)',
  serverFlags: (keyType) => ['-tls1_2', '-cipher', `ECDHE-${keyType}-AES128-GCM-SHA256`],
});
