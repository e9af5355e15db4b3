/**
 * The `puretls s_client` conformance rows (src/cli-cases.ts): one test per row, each driving the
 * compiled command against a real peer started by the test (s_server, a STARTTLS responder in
 * front of s_server, a plaintext HTTP server, a silent server, a refused port).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_CASES } from '../src/cases/cli.ts';
import { runCliCase } from '../src/runner/cli.ts';
import { createPki, REPO_ROOT, type Pki } from '../src/pki.ts';
import { liveProcessCount } from '@puretls/test-support/process';

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const built = existsSync(join(REPO_ROOT, 'packages', 'transport-node', 'dist', 'cli.js'));

describe.skipIf(!opensslAvailable() || !built)('puretls s_client rows', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
  });
  afterAll(async () => {
    await pki?.dispose();
  });

  for (const row of CLI_CASES) {
    it(`${row.id}: ${row.description}`, async () => {
      const result = await runCliCase(row, pki);
      const failed = result.checks.filter((c) => !c.ok).map((c) => `FAIL ${c.name}: ${c.observed ?? ''}`);
      expect(result.status, `${row.id}\n${failed.join('\n')}\nstdout:\n${result.run.stdout.slice(0, 4000)}\nstderr:\n${result.run.stderr.slice(0, 2000)}`).toBe('pass');
    }, 60_000);
  }

  it('leaves no peer process running', () => {
    expect(liveProcessCount()).toBe(0);
  });
});
