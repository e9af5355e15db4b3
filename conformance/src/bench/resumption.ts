/**
 * Benchmark section: sequential resumed (abbreviated) handshakes per second against a local
 * s_server, TLS 1.3 (ticket, psk_dhe_ke with an X25519 key share, RFC 8446 §2.2) and TLS 1.2
 * (RFC 5077 ticket, RFC 5246 §7.3 abbreviated handshake), ECDSA P-256 chain.
 *
 * Each client first makes one full handshake and keeps the session it received (the `'session'`
 * event); every measured handshake then offers that same session (s_server's stateless tickets
 * may be used again, as `openssl s_time -reuse` does). A handshake that is not reused is an error,
 * so the rate never silently measures full handshakes. Both clients go through their harness
 * adapters with `preparedContext` (node:tls one `secureContext`, puretls one @puretls/session
 * Context) and get the session as bytes (node:tls its `session` option).
 *
 * @module
 */
import { startOpensslServer } from '@puretls/test-support/openssl';
import type { ClientConnectOptions, ClientUnderTest } from '../types.ts';
import { cryptoFloorOp, x25519Sides } from './floor.ts';
import { PATTERNS, startTransportFloor } from './tcp-floor.ts';
import { interleaved, loadNow, type SideStats } from './measure.ts';
import { registerSection, type BenchContext, type BenchRow } from './registry.ts';

const SESSION_WAIT_MS = 2000;

/**
 * Resumed handshakes cost 1-3 ms of client CPU, 3-10x less than full ones: with `--handshakes`
 * (200) of them a side's CPU total is ~0.3 s, which one major GC or a scheduling hiccup moves by
 * 5-15% (stop 23: the TLS 1.2 row read 0.76-1.12x node:tls over three runs, and its TCP floor 0.2 to
 * 1.5 ms). The rows run this many times `--handshakes` (and of the warm-up), about the CPU time
 * a full-handshake row gets.
 */
const RESUMED_COUNT_FACTOR = 5;

/** label, server flags, the subject's psk_key_exchange_modes (node:tls always offers psk_dhe_ke), version. */
const VARIANTS = [
  ['TLS 1.3 ticket (psk_dhe_ke, X25519)', ['-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256'], undefined, 'TLSv1.3'],
  [
    'TLS 1.3 ticket, puretls psk_ke (no forward secrecy; opt-in) vs node:tls psk_dhe_ke',
    ['-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256', '-allow_no_dhe_kex'],
    ['psk_ke'],
    'TLSv1.3',
  ],
  ['TLS 1.2 ticket (ECDHE-ECDSA-AES128-GCM-SHA256)', ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'], undefined, 'TLSv1.2'],
] as const;

/** One full handshake with the subject; returns the last session it received. */
async function firstSession(client: ClientUnderTest, options: ClientConnectOptions): Promise<Uint8Array> {
  const outcome = await client.connect(options);
  if (!outcome.ok) throw new Error(`${client.name} handshake failed: ${outcome.error.message}`);
  await outcome.connection.waitForSession(SESSION_WAIT_MS);
  const session = outcome.connection.sessions().at(-1);
  outcome.connection.end();
  await Promise.race([outcome.connection.closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
  outcome.connection.destroy();
  if (session === undefined) throw new Error(`${client.name} received no session`);
  return session;
}

async function resumed(client: ClientUnderTest, options: ClientConnectOptions, session: Uint8Array): Promise<void> {
  // observe: false — the measured handshakes offer the first session again and need no new one.
  const outcome = await client.connect({ ...options, session, observe: false });
  if (!outcome.ok) throw new Error(`${client.name} resumed handshake failed: ${outcome.error.message}`);
  const reused = outcome.connection.info.resumed;
  outcome.connection.destroy();
  await outcome.connection.closed;
  if (reused !== true) throw new Error(`${client.name}: the session was not reused (${String(reused)})`);
}

registerSection({
  id: 'resumption',
  title: 'resumed handshakes per second (sequential, one session offered again each time, ECDSA P-256 chain)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const [label, flags, pskModes, version] of VARIANTS) {
      const server = await startOpensslServer({
        args: ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-cert_chain', 'ca-int.pem', ...flags, '-WWW'],
        cwd: context.pki.dir,
        naccept: 0,
        lifetimeSeconds: 600,
      });
      const transport = await startTransportFloor(version === 'TLSv1.3' ? PATTERNS.tls13Resumed : PATTERNS.tls12Resumed);
      try {
        const options: ClientConnectOptions = { host: '127.0.0.1', port: server.port, servername: 'localhost', ca: context.pki.caRootPem, keepData: false, preparedContext: true };
        const subjectOptions: ClientConnectOptions = pskModes === undefined ? options : { ...options, pskModes };
        const baselineSession = await firstSession(context.baseline, options);
        const subjectSession = await firstSession(context.subject, subjectOptions);
        const floor = await cryptoFloorOp({
          version,
          dir: context.pki.dir,
          leaf: 'leaf-ecdsa-p256',
          intermediate: 'ca-int',
          root: 'ca-root',
          firstContact: false,
          resumed: true,
          ...(pskModes === undefined ? {} : { noKeyExchange: true }),
        });
        // The crypto floor and the transport floor as more sides of the same interleaved rounds.
        const count = context.handshakes * RESUMED_COUNT_FACTOR;
        const warmup = context.warmup * RESUMED_COUNT_FACTOR;
        // Both clients make an X25519 exchange only in psk_dhe_ke (node:tls always does; TLS 1.2
        // resumption has none), so only that row gets the X25519 sides.
        const x25519 = version === 'TLSv1.3' && pskModes === undefined ? await x25519Sides() : undefined;
        const [b, s, f, t, xs, xb] = (await interleaved(count, warmup, [
          () => resumed(context.baseline, options, baselineSession),
          () => resumed(context.subject, subjectOptions, subjectSession),
          () => Promise.resolve(floor()),
          transport.op,
          ...(x25519 === undefined ? [] : [async () => void x25519.noble(), async () => void x25519.native()]),
        ])) as [SideStats, SideStats, SideStats, SideStats, SideStats?, SideStats?];
        const [baseline, subject, baselineCpuMs, subjectCpuMs, floorMs, transportFloorMs] = [b.rate, s.rate, b.cpuMs, s.cpuMs, f.cpuMs, t.cpuMs];
        const x25519Ms = xs !== undefined && xb !== undefined ? { subject: xs.cpuMs, baseline: xb.cpuMs } : undefined;
        context.log(
          `  ${label}: ${context.subject.name} ${subject.toFixed(1)}/s ${subjectCpuMs.toFixed(2)} ms CPU, node:tls ${baseline.toFixed(1)}/s ${baselineCpuMs.toFixed(2)} ms CPU, floor ${floorMs.toFixed(2)} ms, TCP floor ${transportFloorMs.toFixed(2)} ms` +
            (x25519Ms === undefined ? '' : `, X25519 noble ${x25519Ms.subject.toFixed(3)} / node:crypto ${x25519Ms.baseline.toFixed(3)} ms`),
        );
        rows.push({
          section: 'resumption',
          name: label,
          unit: 'handshakes/s',
          subject,
          baseline,
          subjectCpuMs,
          baselineCpuMs,
          floorMs,
          transportFloorMs,
          ...(x25519Ms === undefined ? {} : { x25519Ms }),
          peersSkipped: context.peers.map((p) => `${p.name}: ${p.unsupported({ version, chain: '', resumed: true }) ?? 'not run'}`),
          load: loadNow(),
          note: `${count} each after ${warmup} warm-up, in interleaved blocks, every one checked reused; both clients through the harness with a prepared context and the session as bytes`,
        });
      } finally {
        await transport.stop();
        await server.stop();
      }
    }
    return rows;
  },
});
