/**
 * record_size_limit (RFC 8449) against gnutls-serv 3.7 (`--recordsize`, GnuTLS implements RFC 8449),
 * inside `unshare -n` (src/record-size-limit-child.ts). A TCP proxy between the puretls client and
 * the server reads every record header, so the sizes checked are the wire's: a protected record's
 * ciphertext is its plaintext plus the AEAD tag (and, in TLS 1.2 AES-GCM, the 8-byte explicit
 * nonce). Both limits are exercised at once, in TLS 1.3 and TLS 1.2, with a 5000-byte payload
 * echoed back intact. A server record over our limit (record_overflow) needs a misbehaving server:
 * that is tls-core's test/client/record-size-limit.test.ts with the scripted servers.
 * Skipped, with the reason, when gnutls-serv or `unshare -n` is unavailable.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gnutlsUnavailableReason } from '../src/servers/gnutls.ts';
import { createPki, type Pki } from '../src/pki.ts';
import { liveProcessCount, spawnTracked } from '@puretls/test-support/process';
import type { RecordSizeLimitResult, SeenRecord } from '../src/record-size-limit-child.ts';

const CHILD = resolve(import.meta.dirname, '..', 'dist', 'record-size-limit-child.js');
const unavailable = await gnutlsUnavailableReason();
if (unavailable !== undefined) console.warn(`record_size_limit vs gnutls-serv skipped: ${unavailable}`);

const PAYLOAD = 5000;
const CCS = 20;
const APPLICATION_DATA = 23;
const CHACHA20_TLS12 = '0xcca9';

async function runChild(pki: Pki, version: '1.3' | '1.2', clientLimit: number, serverLimit: number): Promise<RecordSizeLimitResult> {
  if (!existsSync(CHILD)) throw new Error(`${CHILD} missing: run \`pnpm -s build\` first`);
  const script = `ip link set lo up && exec "$0" "$@"`;
  const child = spawnTracked('unshare', ['-n', '--', 'sh', '-c', script, process.execPath, CHILD, pki.dir, version, String(clientLimit), String(serverLimit), String(PAYLOAD)], {
    env: { ...process.env, PURETLS_CONFORMANCE_NETNS: '1' },
    lifetimeSeconds: 60,
  });
  await child.exited;
  const line = child.output().split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) throw new Error(`record-size-limit child printed no result:\n${child.output().slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as RecordSizeLimitResult;
}

/** The protected records of one direction: TLS 1.3 application_data records; TLS 1.2 everything after the ChangeCipherSpec. */
function protectedRecords(records: readonly SeenRecord[], dir: SeenRecord['dir'], version: '1.3' | '1.2'): SeenRecord[] {
  const own = records.filter((r) => r.dir === dir);
  if (version === '1.3') return own.filter((r) => r.type === APPLICATION_DATA);
  const ccs = own.findIndex((r) => r.type === CCS);
  expect(ccs, `${dir}: a ChangeCipherSpec`).toBeGreaterThanOrEqual(0);
  return own.slice(ccs + 1);
}

/** Ciphertext bytes that are not plaintext: the tag, plus GCM's explicit nonce in TLS 1.2. */
function overhead(result: RecordSizeLimitResult, version: '1.3' | '1.2'): number {
  return version === '1.3' || result.suite === CHACHA20_TLS12 ? 16 : 24;
}

describe.skipIf(unavailable !== undefined)('record_size_limit against gnutls-serv --recordsize (RFC 8449)', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
  }, 60_000);
  afterAll(async () => {
    await pki?.dispose();
  });

  for (const [version, clientLimit, serverLimit] of [
    ['1.3', 512, 512],
    ['1.3', 600, 1000],
    ['1.2', 512, 512],
    ['1.2', 600, 1000],
  ] as const) {
    it(`TLS ${version}: client limit ${clientLimit}, gnutls-serv --recordsize ${serverLimit}: no record on the wire over either limit, data intact both ways`, async () => {
      const r = await runChild(pki, version, clientLimit, serverLimit);
      expect(r.version).toBe(`TLSv${version}`);
      // gnutls-serv --recordsize N advertises N plaintext bytes: N + 1 in TLS 1.3 (the inner content type byte).
      const send = version === '1.3' ? serverLimit + 1 : serverLimit;
      expect(r.recordSizeLimit).toEqual({ send, receive: clientLimit });
      expect(r.echoedIntact).toBe(true);
      const extra = overhead(r, version);
      const ours = protectedRecords(r.records, 'c2s', version).map((x) => x.length - extra);
      const theirs = protectedRecords(r.records, 's2c', version).map((x) => x.length - extra);
      // Our records: never over the server's limit, and the 5000-byte payload fills it exactly.
      for (const n of ours) expect(n).toBeLessThanOrEqual(send);
      expect(Math.max(...ours)).toBe(send);
      expect(ours.filter((n) => n === send).length).toBe(Math.floor(PAYLOAD / (version === '1.3' ? send - 1 : send)));
      // The server's records (the echo, and in TLS 1.3 its certificate flight): never over ours.
      for (const n of theirs) expect(n).toBeLessThanOrEqual(clientLimit);
      expect(Math.max(...theirs)).toBe(clientLimit);
    }, 60_000);
  }

  it('gnutls ignores a client limit below 512 (its minimum): not negotiated, the client then limits nothing', async () => {
    const r = await runChild(pki, '1.3', 256, 512);
    expect(r.recordSizeLimit).toBeNull();
    expect(r.echoedIntact).toBe(true);
    const theirs = protectedRecords(r.records, 's2c', '1.3').map((x) => x.length - 16);
    const ours = protectedRecords(r.records, 'c2s', '1.3').map((x) => x.length - 16);
    expect(Math.max(...theirs)).toBeGreaterThan(256);
    expect(Math.max(...ours)).toBe(PAYLOAD + 1);
  }, 60_000);

  it('leaves no peer process running', () => {
    expect(liveProcessCount()).toBe(0);
  });
});

