/**
 * The conformance matrix as vitest cases: one `it` per case of src/cases.ts, run with the selected
 * client (CONFORMANCE_CLIENT=puretls|node; default puretls once @puretls/transport-node exports
 * connect(), else node). A failing case fails its test; a case the client cannot observe ('n/a')
 * or a documented deviation of the stand-in client is reported as skipped with the reason.
 * Skipped entirely, with a message, when the openssl CLI is missing.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from '../src/cases/index.ts';
import { loadClient } from '../src/clients/index.ts';
import { createPki, type Pki } from '../src/pki.ts';
import { liveProcessCount } from '@puretls/test-support/process';
import { probeEnvironment } from '../src/runner/matrix.ts';
import { runCase, type RunEnvironment } from '../src/runner/run-case.ts';
import type { ClientUnderTest } from '../src/types.ts';

function opensslVersion(): string | undefined {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const openssl = opensslVersion();
if (openssl === undefined) console.warn('conformance matrix skipped: the openssl CLI is not installed');

describe.skipIf(openssl === undefined)('conformance matrix against openssl s_server and gnutls-serv', () => {
  let pki: Pki;
  let client: ClientUnderTest;
  let env: RunEnvironment;

  beforeAll(async () => {
    client = await loadClient(process.env.CONFORMANCE_CLIENT);
    pki = await createPki();
    env = await probeEnvironment(CASES, pki);
  });

  afterAll(async () => {
    await pki?.dispose();
  });

  for (const section of [...new Set(CASES.map((c) => c.section))]) {
    describe(section, () => {
      for (const testCase of CASES.filter((c) => c.section === section)) {
        it(`${testCase.id}: ${testCase.description}`, async (context) => {
          const result = await runCase(testCase, client, env);
          const details = result.checks.map((c) => `${c.status.padEnd(4)} ${c.name}: expected ${c.expected}, observed ${c.observed}`).join('\n');
          if (result.status === 'skipped') context.skip(`skipped: ${result.note ?? ''}`);
          if (result.status === 'n/a') context.skip(`not observable with ${client.name}:\n${details}`);
          if (result.status === 'deviation') context.skip(`known deviation of ${client.name}: ${result.note ?? ''}`);
          expect(result.status, `${client.name} ${testCase.id}\n${details}`).toBe('pass');
        });
      }
    });
  }

  it('leaves no peer process running', () => {
    expect(liveProcessCount()).toBe(0);
  });
});
