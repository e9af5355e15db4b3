/**
 * Benchmark section: the AEAD floor under the download rows. Opens ChaCha20-Poly1305 TLS 1.3
 * records of 2^14 + 1 inner-plaintext bytes (what s_server sends in bulk) entirely in memory:
 *
 * - "raw noble": `chacha20poly1305(key, nonce, aad).decrypt(record)` from the very @noble/ciphers
 *   copy puretls uses, one cipher object per record (noble's AEADs are per nonce), no record layer;
 * - "puretls record layer": the same records pushed through puretls' `RecordDeframer` and a
 *   read `RecordLayer` with a `Tls13Protector` (header checks, nonce, AAD, padding scan).
 *
 * The baseline column is node:crypto (OpenSSL) decrypting the same records. The log line prints
 * what the download target is judged against: the record layer and the download as shares of raw
 * noble measured in the same run.
 *
 * @module
 */
import { createDecipheriv } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RecordDeframer, RecordLayer, Tls13Protector } from '@puretls/tls-core/internal';
import { registerSection, type BenchContext, type BenchRow } from './registry.ts';

export const INNER_LENGTH = 16384 + 1;
const TAG_LENGTH = 16;
export const RECORDS = 64;
const SLICE_MS = 500;
const ROUNDS = 6;

interface NobleAead {
  encrypt(data: Uint8Array): Uint8Array;
  decrypt(data: Uint8Array): Uint8Array;
}
export type NobleAeadConstructor = (key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) => NobleAead;

/** noble's ChaCha20-Poly1305, resolved from @puretls/tls-core's own dependencies (the copy puretls runs). */
export async function loadNobleChacha(): Promise<NobleAeadConstructor> {
  const requireFromCore = createRequire(fileURLToPath(import.meta.resolve('@puretls/tls-core')));
  const path = requireFromCore.resolve('@noble/ciphers/chacha.js');
  const module = (await import(pathToFileURL(path).href)) as { chacha20poly1305: NobleAeadConstructor };
  return module.chacha20poly1305;
}

/** RFC 8446 §5.3 nonce for sequence number `seq` (< 2^32). */
export function nonceFor(iv: Uint8Array, seq: number): Uint8Array {
  const n = iv.slice();
  n[8] = n[8]! ^ (seq >>> 24);
  n[9] = n[9]! ^ ((seq >>> 16) & 0xff);
  n[10] = n[10]! ^ ((seq >>> 8) & 0xff);
  n[11] = n[11]! ^ (seq & 0xff);
  return n;
}

export interface SealedRecords {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  /** Each whole record: header || ciphertext || tag. */
  readonly records: readonly Uint8Array[];
  /** All records back to back, as a socket would deliver them. */
  readonly stream: Uint8Array;
}

export function sealRecords(chacha: NobleAeadConstructor): SealedRecords {
  const key = new Uint8Array(32).map((_, i) => i * 7 + 1);
  const iv = new Uint8Array(12).map((_, i) => 0xa0 + i);
  const inner = new Uint8Array(INNER_LENGTH).map((_, i) => i & 0xff);
  inner[INNER_LENGTH - 1] = 23; // content type application_data, no padding
  const records: Uint8Array[] = [];
  for (let seq = 0; seq < RECORDS; seq++) {
    const header = Uint8Array.of(23, 3, 3, (INNER_LENGTH + TAG_LENGTH) >>> 8, (INNER_LENGTH + TAG_LENGTH) & 0xff);
    const sealed = chacha(key, nonceFor(iv, seq), header).encrypt(inner);
    const record = new Uint8Array(header.length + sealed.length);
    record.set(header);
    record.set(sealed, header.length);
    records.push(record);
  }
  const stream = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
  let off = 0;
  for (const r of records) {
    stream.set(r, off);
    off += r.length;
  }
  return { key, iv, records, stream };
}

/**
 * MB/s of plaintext recovered by each pass function (one pass opens all RECORDS records). The
 * contenders take turns in slices of SLICE_MS, ROUNDS times, and each keeps its best slice: on a
 * shared machine whose speed drifts by 10-20% over seconds, interleaving keeps the comparison fair.
 */
function interleavedThroughput(passes: ReadonlyArray<() => void>): number[] {
  for (const pass of passes) for (let i = 0; i < 3; i++) pass();
  const best = passes.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    passes.forEach((pass, i) => {
      let count = 0;
      const started = performance.now();
      let elapsed = 0;
      while (elapsed < SLICE_MS) {
        pass();
        count++;
        elapsed = performance.now() - started;
      }
      best[i] = Math.max(best[i]!, (count * RECORDS * (INNER_LENGTH - 1)) / 1000 / elapsed);
    });
  }
  return best;
}

registerSection({
  id: 'aead',
  title: 'ChaCha20-Poly1305 open of 16 KiB TLS 1.3 records in memory (MB/s; baseline node:crypto)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const chacha = await loadNobleChacha();
    const { key, iv, records, stream } = sealRecords(chacha);
    const nonces = records.map((_, seq) => nonceFor(iv, seq));

    const rawNoble = (): void => {
      for (let seq = 0; seq < RECORDS; seq++) {
        const record = records[seq]!;
        const plain = chacha(key, nonces[seq]!, record.subarray(0, 5)).decrypt(record.subarray(5));
        if (plain[INNER_LENGTH - 1] !== 23) throw new Error('raw noble: wrong plaintext');
      }
    };
    const recordLayer = (): void => {
      const deframer = new RecordDeframer();
      const layer = new RecordLayer('read');
      layer.installProtector(new Tls13Protector({ aead: 'CHACHA20-POLY1305', key, iv }));
      deframer.push(stream);
      let n = 0;
      for (let rec = deframer.next(); rec !== undefined; rec = deframer.next()) {
        const plain = layer.open(rec);
        if (plain.type !== 23 || plain.plaintext.length !== INNER_LENGTH - 1) throw new Error('record layer: wrong plaintext');
        n++;
      }
      if (n !== RECORDS) throw new Error('record layer: missing records');
    };
    const nodeCrypto = (): void => {
      for (let seq = 0; seq < RECORDS; seq++) {
        const record = records[seq]!;
        const decipher = createDecipheriv('chacha20-poly1305', key, nonces[seq]!, { authTagLength: TAG_LENGTH });
        decipher.setAAD(record.subarray(0, 5), { plaintextLength: INNER_LENGTH });
        decipher.setAuthTag(record.subarray(record.length - TAG_LENGTH));
        const plain = decipher.update(record.subarray(5, record.length - TAG_LENGTH));
        decipher.final();
        if (plain[INNER_LENGTH - 1] !== 23) throw new Error('node:crypto: wrong plaintext');
      }
    };

    const [noble, layered, node] = interleavedThroughput([rawNoble, recordLayer, nodeCrypto]) as [number, number, number];
    context.log(`  raw noble ${noble.toFixed(1)} MB/s, puretls record layer ${layered.toFixed(1)} MB/s (${((100 * layered) / noble).toFixed(0)}% of raw noble), node:crypto ${node.toFixed(1)} MB/s`);
    const note = `${RECORDS} records of 2^14 + 1 bytes per pass; best of ${ROUNDS} interleaved ${SLICE_MS} ms slices`;
    return [
      { section: 'aead', name: 'ChaCha20-Poly1305 open, raw noble', unit: 'MB/s', subject: noble, baseline: node, baselineName: 'node:crypto', note },
      { section: 'aead', name: 'ChaCha20-Poly1305 open, puretls record layer', unit: 'MB/s', subject: layered, baseline: node, baselineName: 'node:crypto', note },
    ];
  },
});
