/**
 * The shipped bundles (build.js) stay under a size ceiling (min+gzip-9): the default bundles
 * (src/index.ts) under CEILING_BYTES, and the test prints whether issue 11's 70,000-byte target
 * is met (not yet: ~1.05 KB over, docs/embedding.md "Size budget"); the full bundles (src/full.ts: plus client
 * authentication and X25519MLKEM768) under their own ceiling so they cannot grow unnoticed
 * (docs/embedding.md). The bundles hold the embedding API (a few names from each package are
 * checked) without tls-core's internals, and the default one holds neither ML-KEM nor the
 * signing code. Built fresh into a temporary folder, so the figure is the current source's.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error build.js is plain ESM without declarations
import { buildBundles } from '../build.js';

/** Issue 11's target for the default bundles. */
const TARGET_BYTES = 70_000;
/**
 * What CI enforces for the default bundles: measured 70,852 (ESM) / 71,052 (IIFE) bytes on
 * 2026-12-04 after X25519MLKEM768 and client-certificate signing moved to the full bundles
 * (from 81,811 / 82,027), plus a small margin. Lower it to TARGET_BYTES once OCSP is pluggable too.
 */
const CEILING_BYTES = 71_500;
/** The full bundles: measured 82,125 (ESM) / 82,255 (IIFE) bytes on 2026-12-04, plus a small margin. */
const FULL_CEILING_BYTES = 82_800;

describe('the shipped bundles', () => {
  let dir: string;
  let files: { esm: string; iife: string; fullEsm: string; fullIife: string };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'puretls-bundle-'));
    files = (await buildBundles(dir)) as typeof files;
  }, 60_000);
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it(`are each at most ${CEILING_BYTES} bytes minified and gzipped (target ${TARGET_BYTES}; full: ${FULL_CEILING_BYTES})`, async () => {
    for (const [file, ceiling] of [[files.esm, CEILING_BYTES], [files.iife, CEILING_BYTES], [files.fullEsm, FULL_CEILING_BYTES], [files.fullIife, FULL_CEILING_BYTES]] as const) {
      const min = await readFile(file);
      const gz = gzipSync(min, { level: 9 }).length;
      const target = ceiling === CEILING_BYTES ? `, target ${TARGET_BYTES}: ${gz <= TARGET_BYTES ? 'met' : 'NOT met'}` : '';
      console.log(`${file.split('/').pop()}: ${min.length} bytes minified, ${gz} bytes min+gzip (ceiling ${ceiling}${target})`);
      expect(gz).toBeLessThanOrEqual(ceiling);
      expect(gz).toBeGreaterThan(20_000); // a bundle missing the crypto would be far smaller
    }
  });

  it('the default bundle leaves out ML-KEM and client-certificate signing; the full one has both', async () => {
    const api = async (file: string) => {
      const context = vm.createContext({});
      vm.runInContext(await readFile(file, 'utf8'), context);
      return vm.runInContext('Object.keys(puretls)', context) as string[];
    };
    const core = await api(files.iife);
    const full = await api(files.fullIife);
    for (const name of ['x25519MLKEM768', 'createClientCredential', 'parsePrivateKeyPem', 'parsePrivateKeyDer']) {
      expect(core).not.toContain(name);
      expect(full).toContain(name);
    }
    for (const name of core) expect(full).toContain(name);
    // Strings only the ML-KEM wrapper (noble-pq.ts) and the PKCS#8 key parser carry.
    const coreText = await readFile(files.esm, 'utf8');
    const fullText = await readFile(files.fullEsm, 'utf8');
    for (const marker of ['ML-KEM-768 seed', 'PrivateKeyInfo']) {
      expect(coreText).not.toContain(marker);
      expect(fullText).toContain(marker);
    }
  });

  it('the IIFE sets globalThis.puretls with the tls-core and session API, evaluating in a context with nothing but ECMAScript built-ins', async () => {
    const code = await readFile(files.iife, 'utf8');
    const context = vm.createContext({});
    vm.runInContext(code, context);
    const api = vm.runInContext('Object.keys(puretls).sort()', context) as string[];
    for (const name of ['ClientConnection', 'createClientConfig', 'TrustStore', 'TlsError', 'UsageError', 'utf8', 'fromUtf8', 'Context', 'Session', 'SessionError', 'KeyShareReserve'])
      expect(api).toContain(name);
    for (const name of ['clearVerificationCaches', 'decodePemCertificates', 'CipherSuite', 'nameOf', 'toHex'])
      expect(api).toContain(name);
  });

  it('export the embedding API only, not tls-core internals (src/index.ts lists names; `export *` would keep them all)', async () => {
    const context = vm.createContext({});
    vm.runInContext(await readFile(files.iife, 'utf8'), context);
    const api = vm.runInContext('Object.keys(puretls)', context) as string[];
    for (const name of ['wire', 'Reader', 'Writer', 'RecordLayer', 'Tls13Protector', 'EarlySecret', 'prf', 'hkdfExpandLabel', 'generateKeyShare', 'rsasp1', 'SHA256'])
      expect(api).not.toContain(name);
  });

  it('the ESM file exports the same names as the IIFE global', async () => {
    const esm = await readFile(files.esm, 'utf8');
    const exported = /export\{([^}]*)\};?\s*$/.exec(esm)?.[1]?.split(',').map((e) => e.split(' as ').pop()!.trim());
    const context = vm.createContext({});
    vm.runInContext(await readFile(files.iife, 'utf8'), context);
    const api = vm.runInContext('Object.keys(puretls)', context) as string[];
    expect(new Set(exported)).toEqual(new Set(api));
  });
});
