/**
 * Benchmark section: bulk download throughput per TLS 1.3 cipher suite. s_server -WWW serves a
 * generated file (default 64 MiB) over 16 KB records; the client sends `GET` and reads to EOF.
 * Each client runs three times per suite, in interleaved rounds (node:tls, the subject, the peers;
 * every other round in reverse order), and its fastest run counts (the first warms caches and JIT).
 * Interleaving keeps the machine's drift off any one client: until stop 24 each client ran its
 * downloads back to back, and one run (24C) had puretls' AES-128-GCM row at 47.5 MB/s while the
 * adjacent-round row of the same run measured it at 79.5.
 *
 * ChaCha20-Poly1305 also gets the row its target is stated against: the subject's download next
 * to raw noble opening the same number of 16 KiB records in memory (`chacha20poly1305(...)
 * .decrypt`, the copy puretls runs), measured the same way: each of five rounds is one whole
 * download followed right away by one whole in-memory pass over the same byte count, and each
 * side keeps its best round. Adjacent whole passes of equal size keep the machine's drift (10-20%
 * over seconds here) out of the ratio, which a best 500 ms slice measured minutes apart (the aead
 * section) does not. A second row divides by this process's CPU time (user + system) instead of
 * the wall clock: it is the client's own cost per byte, which hypervisor steal time (6% of this VM's
 * CPU while the bench runs) and the server's scheduling do not move.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { writeTextFile } from '../pki.ts';
import { startOpensslServer } from '@puretls/test-support/openssl';
import type { ClientUnderTest } from '../types.ts';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { INNER_LENGTH, RECORDS, loadNobleChacha, nonceFor, sealRecords, type NobleAeadConstructor } from './aead.ts';
import { loadNow } from './measure.ts';
import { registerSection, type BenchContext, type BenchRow, type PeerResult } from './registry.ts';

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
const FILE_NAME = 'bench-download.txt';
const RUNS = 3;

/** MB per wall-clock second, and MB per CPU second of this process (user + system). */
interface Throughput {
  readonly wall: number;
  readonly cpu: number;
}

/** Times `work`, which handles `bytes` bytes, by the wall clock and by this process's CPU time. */
async function measure(bytes: () => number, work: () => Promise<void> | void): Promise<Throughput> {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { wall: bytes() / 1e6 / seconds, cpu: bytes() / 1e6 / cpuSeconds };
}

async function downloadThroughput(client: ClientUnderTest, port: number, ca: string, expectedBytes: number): Promise<Throughput> {
  const outcome = await client.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, keepData: false, timeoutMs: 20_000, observe: false });
  if (!outcome.ok) throw new Error(`${client.name} handshake failed: ${outcome.error.message}`);
  const connection = outcome.connection;
  const result = await measure(
    () => connection.receivedBytes(),
    async () => {
      connection.write(`GET /${FILE_NAME} HTTP/1.0\r\n\r\n`);
      await connection.closed;
    },
  );
  if (connection.receivedBytes() < expectedBytes) throw new Error(`${client.name} received ${connection.receivedBytes()} of ${expectedBytes} bytes`);
  return result;
}

async function download(client: ClientUnderTest, port: number, ca: string, expectedBytes: number): Promise<number> {
  return (await downloadThroughput(client, port, ca, expectedBytes)).wall;
}

const CHACHA = 'TLS_CHACHA20_POLY1305_SHA256';
const AES128 = 'TLS_AES_128_GCM_SHA256';
const ADJACENT_ROUNDS = 5;

/** noble's AES-GCM (`gcm(key, nonce, aad)`), from the copy puretls runs; a 16-byte key for AES-128. */
async function loadNobleGcm128(): Promise<NobleAeadConstructor> {
  const requireFromCore = createRequire(fileURLToPath(import.meta.resolve('@puretls/tls-core')));
  const module = (await import(pathToFileURL(requireFromCore.resolve('@noble/ciphers/aes.js')).href)) as { gcm: NobleAeadConstructor };
  return (key, nonce, aad) => module.gcm(key.subarray(0, 16), nonce, aad);
}

/**
 * A function that opens `bytes` worth of 16 KiB records with raw noble, one AEAD object per record
 * as noble's API has it (`chacha20poly1305(key, nonce, aad).decrypt(record)`, `gcm(...)` alike).
 */
async function rawNobleOpener(suite: string): Promise<(bytes: number) => Promise<Throughput>> {
  const chacha = suite === CHACHA ? await loadNobleChacha() : await loadNobleGcm128();
  const { key, iv, records } = sealRecords(chacha);
  const nonces = records.map((_, seq) => nonceFor(iv, seq));
  const plainLength = INNER_LENGTH - 1;
  return (bytes) => {
    const passes = Math.ceil(bytes / (RECORDS * plainLength));
    return measure(
      () => passes * RECORDS * plainLength,
      () => {
        for (let pass = 0; pass < passes; pass++) {
          for (let seq = 0; seq < RECORDS; seq++) {
            const record = records[seq]!;
            const plain = chacha(key, nonces[seq]!, record.subarray(0, 5)).decrypt(record.subarray(5));
            if (plain[INNER_LENGTH - 1] !== 23) throw new Error('raw noble: wrong plaintext');
          }
        }
      },
    );
  };
}

registerSection({
  id: 'download',
  title: 'bulk download throughput (MB/s, s_server -WWW, TLS 1.3)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const bytes = context.downloadMiB * 1024 * 1024;
    await writeTextFile(context.pki.dir, FILE_NAME, bytes);
    const rows: BenchRow[] = [];
    for (const suite of SUITES) {
      // The ECDSA-P-256-only chain: every client here, the peers included, can verify it.
      const ca = await readFile(context.pki.path('ecdsa-only-root.pem'), 'utf8');
      const server = await startOpensslServer({
        args: ['-cert', 'ecdsa-only-leaf.pem', '-key', 'ecdsa-only-leaf.key', '-cert_chain', 'ecdsa-only-int.pem', '-tls1_3', '-ciphersuites', suite, '-WWW'],
        cwd: context.pki.dir,
        naccept: 0,
        lifetimeSeconds: 600,
      });
      try {
        // Every side of this suite: node:tls, the subject, and the peers that support it.
        const peersSkipped: string[] = [];
        const sides: { readonly name: string; readonly run: () => Promise<number> }[] = [
          { name: 'baseline', run: () => download(context.baseline, server.port, ca, bytes) },
          { name: 'subject', run: () => download(context.subject, server.port, ca, bytes) },
        ];
        for (const peer of context.peers) {
          if (peer.download === undefined || (peer.name === 'subtls' && suite !== AES128)) {
            peersSkipped.push(`${peer.name}: ${suite} not supported`);
            continue;
          }
          sides.push({
            name: peer.name,
            run: async () => {
              const started = process.hrtime.bigint();
              const received = await peer.download!(server.port, ca, FILE_NAME);
              if (received < bytes) throw new Error(`received ${received} of ${bytes} bytes`);
              return received / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9);
            },
          });
        }
        const fastest = new Map<string, number>();
        const failed = new Map<string, string>();
        for (let round = 0; round < RUNS; round++) {
          const order = round % 2 === 0 ? sides : [...sides].reverse();
          for (const side of order) {
            if (failed.has(side.name)) continue;
            try {
              const value = await side.run();
              fastest.set(side.name, Math.max(fastest.get(side.name) ?? 0, value));
            } catch (error) {
              // node:tls and the subject must work; a peer that fails is reported with its reason.
              if (side.name === 'baseline' || side.name === 'subject') throw error;
              failed.set(side.name, error instanceof Error ? error.message : String(error));
            }
          }
        }
        const baseline = fastest.get('baseline')!;
        const subject = fastest.get('subject')!;
        const peers: PeerResult[] = [];
        for (const side of sides.slice(2)) {
          const reason = failed.get(side.name);
          if (reason !== undefined) peersSkipped.push(`${side.name}: fails here (${reason})`);
          else peers.push({ name: side.name, value: fastest.get(side.name)! });
        }
        context.log(`  ${suite}: ${context.subject.name} ${subject.toFixed(1)} MB/s, node:tls ${baseline.toFixed(1)} MB/s` + peers.map((p) => `, ${p.name} ${p.value.toFixed(1)} MB/s`).join(''));
        rows.push({ section: 'download', name: `${context.downloadMiB} MiB ${suite}`, unit: 'MB/s', subject, baseline, peers, peersSkipped, load: loadNow(), note: `best of ${RUNS} interleaved rounds` });
        if (suite === CHACHA || suite === AES128) {
          const openRaw = await rawNobleOpener(suite);
          const best = { download: { wall: 0, cpu: 0 }, raw: { wall: 0, cpu: 0 } };
          for (let round = 0; round < ADJACENT_ROUNDS; round++) {
            const d = await downloadThroughput(context.subject, server.port, ca, bytes);
            const r = await openRaw(bytes);
            context.log(
              `    round ${round + 1}: ${context.subject.name} download ${d.wall.toFixed(1)} MB/s (${d.cpu.toFixed(1)} per CPU s), ` +
                `raw noble open of the same bytes ${r.wall.toFixed(1)} MB/s (${r.cpu.toFixed(1)} per CPU s): ${((100 * d.wall) / r.wall).toFixed(0)}% wall, ${((100 * d.cpu) / r.cpu).toFixed(0)}% CPU`,
            );
            best.download = { wall: Math.max(best.download.wall, d.wall), cpu: Math.max(best.download.cpu, d.cpu) };
            best.raw = { wall: Math.max(best.raw.wall, r.wall), cpu: Math.max(best.raw.cpu, r.cpu) };
          }
          const note = `best of ${ADJACENT_ROUNDS} rounds, each a whole download then raw noble opening the same byte count in memory`;
          const rawName = suite === CHACHA ? 'raw noble chacha20poly1305() per record' : 'raw noble gcm() per record';
          rows.push(
            { section: 'download', name: `${context.downloadMiB} MiB ${suite} vs raw noble`, unit: 'MB/s', subject: best.download.wall, baseline: best.raw.wall, baselineName: rawName, note, load: loadNow() },
            {
              section: 'download',
              name: `${context.downloadMiB} MiB ${suite} vs raw noble, per CPU second`,
              unit: 'MB/CPU s',
              subject: best.download.cpu,
              baseline: best.raw.cpu,
              baselineName: rawName,
              load: loadNow(),
              note: `${note}; bytes per second of this process's CPU time (user + system), which hypervisor steal and the server's scheduling do not inflate`,
            },
          );
        }
      } finally {
        await server.stop();
      }
    }
    return rows;
  },
});
