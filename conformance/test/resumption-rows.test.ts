/**
 * Self-tests of the resumption rows' extra checks (issue 6): the exact session count, the options
 * of the second connection (another server name, an injected clock) and the server-side wire
 * evidence that a session was or was not offered. Uses Node's tls.connect as the client
 * (independent of puretls): Node/OpenSSL offers a session it is given whatever the servername, so
 * against it the "not offered" wire check must fail, which shows the check can fail at all.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, findCase, type ConformanceCase, type Resumption } from '../src/cases/index.ts';
import { nodeClient } from '../src/clients/node.ts';
import { createPki, type Pki } from '../src/pki.ts';
import { runCase } from '../src/runner/run-case.ts';

let hasOpenssl = true;
try {
  execFileSync('openssl', ['version']);
} catch {
  hasOpenssl = false;
}

function caseById(id: string): ConformanceCase {
  const found = findCase(id);
  if (found === undefined) throw new Error(`no case ${id}`);
  return found;
}

describe('resumption rows as data', () => {
  it('every "not offered" row hands the session to a second connection with another name or a later clock, and asserts zero PSKs on the wire', () => {
    const rows = CASES.filter((c) => c.resumption !== undefined && c.id.endsWith('-not-offered'));
    expect(rows.map((c) => c.id).sort()).toEqual([
      'gnutls13-resume-expired-not-offered',
      'gnutls13-resume-other-sni-not-offered',
      's13-resume-expired-not-offered',
      's13-resume-other-sni-not-offered',
    ]);
    for (const row of rows) {
      const resumption = row.resumption!;
      expect(resumption.expectSession).toBe(true);
      expect(resumption.expectReused).toBe(false);
      expect(resumption.secondClient?.servername ?? resumption.secondClient?.clockSkewSeconds).toBeDefined();
      expect(row.serverOutput?.some((o) => o.count === 0 && /41/.test(o.pattern))).toBe(true);
    }
  });

  it('an injected clock the client cannot take makes the case n/a, before any server starts', async () => {
    const result = await runCase(caseById('s13-resume-expired-not-offered'), nodeClient, { pki: { dir: '/nonexistent' } as Pki });
    expect(result.status).toBe('n/a');
    expect(result.checks.map((c) => c.name)).toEqual(['injected clock (clockSkewSeconds)']);
  });
});

describe.skipIf(!hasOpenssl)('resumption rows against s_server with node:tls', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
  });
  afterAll(async () => {
    await pki?.dispose();
  });

  it('-num_tickets 5: exactly 5 sessions and Reused; a wrong count fails the case', async () => {
    const row = caseById('s13-resume-num-tickets-5');
    const passed = await runCase(row, nodeClient, { pki });
    expect(passed.status).toBe('pass');
    expect(passed.checks.find((c) => c.name === 'first connection sessions received')).toMatchObject({ status: 'pass', observed: '5' });

    const wrong: ConformanceCase = { ...row, resumption: { ...row.resumption!, sessionCount: 4 } as Resumption };
    const failed = await runCase(wrong, nodeClient, { pki });
    expect(failed.status).toBe('fail');
    expect(failed.checks.find((c) => c.name === 'first connection sessions received')).toMatchObject({ status: 'fail', expected: '4', observed: '5' });
  });

  it('another SNI: a client that offers the session anyway is caught on the wire (pre_shared_key seen by s_server)', async () => {
    const result = await runCase(caseById('s13-resume-other-sni-not-offered'), nodeClient, { pki });
    // Node's documented policy: recorded as a known deviation, with the failing checks kept.
    expect(result.status).toBe('deviation');
    expect(result.checks.find((c) => c.name.startsWith('no pre_shared_key'))).toMatchObject({ status: 'fail', expected: '0' });
    expect(result.checks.find((c) => c.name.startsWith("second ClientHello's server_name is test.local"))?.status).toBe('pass');
  });
});
