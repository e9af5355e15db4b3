/**
 * Benchmark section: puretls inside QuickJS (quickjs-emscripten's wasm engine, a bare context
 * with the shipped IIFE bundle; conformance/src/embedded/), full TLS 1.3 handshakes against a
 * local s_server with the ECDSA P-256 and the RSA-2048 chain (both under the P-384 intermediate
 * and the RSA-3072 root), against node:tls on the same server.
 *
 * - first: a fresh QuickJS runtime and context each time (bundle evaluation is timed apart and
 *   not in the row), then one handshake that also builds the guest's Context (trust store parse
 *   and anchor precomputation); baseline node:tls with a fresh secure context per handshake.
 * - steady: handshakes in one context with its prepared Context, after a warm-up; baseline
 *   node:tls with a prepared secure context; measured interleaved (handshake.ts).
 * Issue 11 targets on this machine: steady <= 60 ms, first <= 400 ms per TLS 1.3 handshake.
 * @module
 */
import { quickJsHost, readIifeBundle, runGuestConnection, type GuestHost } from '../embedded/host.ts';
import { startOpensslServer } from '@puretls/test-support/openssl';
import type { ClientUnderTest } from '../types.ts';
import { interleavedRates } from './handshake.ts';
import { registerSection, type BenchContext, type BenchRow } from './registry.ts';

const CHAINS = [
  ['ECDSA P-256 leaf', 'leaf-ecdsa-p256'],
  ['RSA-2048 leaf', 'leaf-rsa2048'],
] as const;

/** Fresh contexts measured for the first-handshake row. */
const FIRST_RUNS = 5;

async function guestHandshake(guest: GuestHost, port: number, caPem: string): Promise<void> {
  const r = await runGuestConnection(guest, { port, host: 'localhost', config: { caPem } });
  if (r.error !== undefined || !r.handshakeDone) throw new Error(`QuickJS handshake failed: ${r.error?.message ?? 'no handshake'}`);
}

async function nodeHandshake(client: ClientUnderTest, port: number, ca: string, prepared: boolean): Promise<void> {
  const outcome = await client.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, keepData: false, preparedContext: prepared });
  if (!outcome.ok) throw new Error(`${client.name} handshake failed: ${outcome.error.message}`);
  outcome.connection.destroy();
  await outcome.connection.closed;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

registerSection({
  id: 'quickjs',
  title: 'TLS 1.3 handshakes per second inside QuickJS (wasm, bare context, shipped bundle) vs node:tls',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const bundle = await readIifeBundle();
    const ca = context.pki.caRootPem;
    for (const [label, leaf] of CHAINS) {
      const server = await startOpensslServer({
        args: ['-cert', `${leaf}.pem`, '-key', `${leaf}.key`, '-cert_chain', 'ca-int.pem', '-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256'],
        cwd: context.pki.dir,
        naccept: 0,
        lifetimeSeconds: 1800,
      });
      try {
        // First handshake in a fresh runtime + context, FIRST_RUNS times.
        const firstMs: number[] = [];
        const loadMs: number[] = [];
        for (let i = 0; i < FIRST_RUNS; i++) {
          const t0 = performance.now();
          const guest = await quickJsHost(bundle);
          const t1 = performance.now();
          await guestHandshake(guest, server.port, ca);
          firstMs.push(performance.now() - t1);
          loadMs.push(t1 - t0);
          guest.dispose();
        }
        const nodeFirstMs: number[] = [];
        for (let i = 0; i < FIRST_RUNS; i++) {
          const t = performance.now();
          await nodeHandshake(context.baseline, server.port, ca, false);
          nodeFirstMs.push(performance.now() - t);
        }
        const first = median(firstMs);
        context.log(
          `  ${label}: first handshake in a fresh QuickJS context median ${first.toFixed(0)} ms [${firstMs.map((m) => m.toFixed(0)).join(', ')}] (target <= 400 ms); bundle load ${median(loadMs).toFixed(0)} ms (not in the row); node:tls fresh context ${median(nodeFirstMs).toFixed(1)} ms`,
        );
        rows.push({
          section: 'quickjs',
          name: `TLS 1.3 first handshake, fresh context, ${label}`,
          unit: 'handshakes/s',
          subject: 1000 / first,
          baseline: 1000 / median(nodeFirstMs),
          note: `median of ${FIRST_RUNS}: ${first.toFixed(0)} ms (target <= 400 ms); node:tls with a fresh secure context`,
        });
        // Steady state: one context, prepared Context, interleaved with node:tls.
        const guest = await quickJsHost(bundle);
        try {
          const count = Math.max(8, Math.min(context.handshakes, 40));
          const rates = await interleavedRates(
            count,
            Math.min(context.warmup, 5),
            () => nodeHandshake(context.baseline, server.port, ca, true),
            () => guestHandshake(guest, server.port, ca),
          );
          const ms = 1000 / rates.subject;
          context.log(`  ${label}: steady state ${ms.toFixed(1)} ms per handshake in QuickJS (target <= 60 ms), node:tls ${(1000 / rates.baseline).toFixed(1)} ms`);
          rows.push({
            section: 'quickjs',
            name: `TLS 1.3 steady-state handshake, ${label}`,
            unit: 'handshakes/s',
            subject: rates.subject,
            baseline: rates.baseline,
            note: `${ms.toFixed(1)} ms per handshake (target <= 60 ms); ${count} handshakes, interleaved`,
          });
        } finally {
          guest.dispose();
        }
      } finally {
        await server.stop();
      }
    }
    return rows;
  },
});
