/**
 * Issue 11: the shipped bundle runs where there is no TextEncoder, TextDecoder or crypto. The
 * IIFE bundle is loaded into a node:vm context (ECMAScript built-ins only) and completes
 * handshakes against openssl s_server through a byte pipe this test drives, with randomness from
 * the host function alone; the config gets no other help.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_CASES } from '../src/embedded/cases.ts';
import { nodeVmHost, readIifeBundle, type GuestHost } from '../src/embedded/host.ts';
import { runEmbeddedCase } from '../src/embedded/run.ts';
import { opensslAvailable } from '@puretls/test-support/openssl';
import { createPki, type Pki } from '../src/pki.ts';
import { keylogCheck } from '../src/runner/run-case.ts';

const hasOpenssl = opensslAvailable();

describe.skipIf(!hasOpenssl)('the bundle in a context without TextEncoder, TextDecoder or crypto (node:vm)', () => {
  let pki: Pki;
  let guest: GuestHost;
  beforeAll(async () => {
    let bundle: string;
    [pki, bundle] = await Promise.all([createPki(), readIifeBundle()]);
    guest = nodeVmHost(bundle);
  });
  afterAll(async () => {
    await pki?.dispose();
  });

  it('the context really lacks them', () => {
    for (const name of ['TextEncoder', 'TextDecoder', 'crypto', 'process', 'Buffer']) expect(guest.typeOf(name), name).toBe('undefined');
  });

  for (const c of EMBEDDED_CASES.filter((x) => x.expect.ok).slice(0, 4)) {
    it(`completes a handshake with host randomness only: ${c.id}`, { timeout: 60_000 }, async () => {
      const { result, serverKeylog } = await runEmbeddedCase(guest, pki, c);
      expect(result.error).toBeUndefined();
      expect(result.info).toMatchObject({ version: c.expect.ok ? c.expect.version : '', resumed: false });
      expect(result.data).toContain('dlrow olleh');
      expect(keylogCheck(result.keylog, serverKeylog)).toMatchObject({ status: 'pass' });
    });
  }
});
