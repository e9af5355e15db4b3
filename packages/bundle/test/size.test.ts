/**
 * The shipped bundles (build.js) stay under a size ceiling (min+gzip-9 each): issue 11 sets a
 * target of 70,000 bytes, which the bundle met until client authentication (issue 14) added about
 * 6.1 KB; until that conflict is decided the test enforces CEILING_BYTES (today's size plus ~0.5 KB)
 * so the bundle cannot grow unnoticed, and prints whether the target is met (docs/embedding.md).
 * The bundles also hold the embedding API of src/index.ts (a few names from each
 * package are checked) without tls-core's internals.
 * Built fresh into a temporary folder, so the figure is the current source's, not a stale dist/.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error build.js is plain ESM without declarations
import { buildBundles } from '../build.js';

/** Issue 11's target; not met since client authentication (docs/embedding.md, "Size budget"). */
const TARGET_BYTES = 70_000;
/**
 * What CI enforces: measured 75,326 (ESM) / 75,520 (IIFE) bytes on 2026-12-04; X25519MLKEM768
 * (issue 15: @noble/post-quantum ML-KEM-768 plus noble's SHA-3) adds ~6.5 KB, 81,811 ESM after it;
 * plus a small margin. Whether the hybrid belongs in the size-budgeted bundle is the lead's call
 * (docs/embedding.md).
 */
const CEILING_BYTES = 82_400;

describe('the shipped bundles', () => {
  let dir: string;
  let files: { esm: string; iife: string };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'puretls-bundle-'));
    files = (await buildBundles(dir)) as { esm: string; iife: string };
  }, 60_000);
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it(`are each at most ${CEILING_BYTES} bytes minified and gzipped (target ${TARGET_BYTES})`, async () => {
    for (const file of [files.esm, files.iife]) {
      const min = await readFile(file);
      const gz = gzipSync(min, { level: 9 }).length;
      console.log(`${file.split('/').pop()}: ${min.length} bytes minified, ${gz} bytes min+gzip (ceiling ${CEILING_BYTES}, target ${TARGET_BYTES}: ${gz <= TARGET_BYTES ? 'met' : 'NOT met'})`);
      expect(gz).toBeLessThanOrEqual(CEILING_BYTES);
      expect(gz).toBeGreaterThan(20_000); // a bundle missing the crypto would be far smaller
    }
  });

  it('the IIFE sets globalThis.puretls with the tls-core and session API, evaluating in a context with nothing but ECMAScript built-ins', async () => {
    const code = await readFile(files.iife, 'utf8');
    const context = vm.createContext({});
    vm.runInContext(code, context);
    const api = vm.runInContext('Object.keys(puretls).sort()', context) as string[];
    for (const name of ['ClientConnection', 'createClientConfig', 'TrustStore', 'TlsError', 'UsageError', 'utf8', 'fromUtf8', 'Context', 'Session', 'SessionError', 'KeyShareReserve'])
      expect(api).toContain(name);
    for (const name of ['parsePrivateKeyPem', 'createClientCredential', 'clearVerificationCaches', 'decodePemCertificates', 'CipherSuite', 'nameOf', 'toHex'])
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
