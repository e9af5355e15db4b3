/**
 * `puretls probe` known-answer tests (issue #17): for each server configuration of
 * conformance/src/probe-servers.ts (OpenSSL s_server with -no_ticket, -num_tickets 0/1/5,
 * -allow_no_dhe_kex, -early_data, a TLS 1.2-only server with a chosen suite order, an expired
 * chain, a wrong-host chain, an OCSP staple, SCTs embedded in the leaf and served with -serverinfo
 * over TLS 1.3 and 1.2, the default server behind an SMTP STARTTLS responder; gnutls-serv with %SERVER_PRECEDENCE and a record
 * size limit; Botan TLS 1.2; NSS selfserv with a HelloRetryRequest cookie; Node 26 with X25519MLKEM768), started on 127.0.0.1 (gnutls, Botan and
 * NSS in a private network namespace) and stopped by PID, the JSON report must equal the facts the
 * configuration sets, field by field. Certificate facts are checked against `openssl x509` output
 * for the same files. Each probe must stay within 60 connections; its wall time is printed (not
 * asserted: timing is measured, not tested). The built CLI is run with --json and with
 * --fail-on expired (exit 2).
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, type ProbeReport } from '@puretls/transport-node';
import { REPO_ROOT, createPki, type Pki } from '../src/pki.ts';
import { startNodeServer } from '../src/servers/node.ts';
import { startOpensslServer } from '@puretls/test-support/openssl';
import { PROBE_SERVERS, SCT_FIXTURES, probeOpensslServer, probeServerInNetns, writeSctFixtures, type ProbeServerConfig, type SctFixture } from '../src/probe-servers.ts';
import { liveProcessCount } from '@puretls/test-support/process';
import { startStartTlsResponder } from '../src/starttls-responder.ts';

const run = promisify(execFile);
const TICKET_DELAY_MS = 1000;
const timings: string[] = [];
let pki: Pki;

beforeAll(async () => {
  pki = await createPki();
  await writeSctFixtures(pki);
});

afterAll(async () => {
  await pki.dispose();
  process.stdout.write(`probe wall times:\n${timings.join('\n')}\n`);
});

/** What `openssl x509` says about a PEM file: the independent source for certificate facts. */
function opensslCert(file: string): { sha256: string; keyBits: number; signatureAlgorithm: string; notAfter: string; subject: string } {
  const text = execFileSync('openssl', ['x509', '-in', pki.path(file), '-noout', '-text', '-fingerprint', '-sha256', '-enddate', '-subject', '-nameopt', 'RFC2253'], { encoding: 'utf8' });
  return {
    sha256: /sha256 Fingerprint=([0-9A-F:]+)/.exec(text)![1]!.replace(/:/g, '').toLowerCase(),
    keyBits: Number(/Public-Key: \((\d+) bit\)/.exec(text)![1]),
    signatureAlgorithm: /Signature Algorithm: (\S+)/.exec(text)![1]!,
    notAfter: new Date(/notAfter=(.+)/.exec(text)![1]!).toISOString(),
    subject: /subject=(.+)/.exec(text)![1]!.trim(),
  };
}

function expectChain(report: ProbeReport, files: readonly string[]): void {
  const chain = report.certificate!.chain;
  expect(chain).toHaveLength(files.length);
  files.forEach((file, i) => {
    const o = opensslCert(file);
    expect(chain[i]!.sha256).toBe(o.sha256);
    expect(chain[i]!.subject).toBe(o.subject);
    expect(chain[i]!.keyBits).toBe(o.keyBits);
    expect(chain[i]!.notAfter).toBe(o.notAfter);
    if (o.signatureAlgorithm !== 'rsassaPss') expect(chain[i]!.signatureAlgorithm).toBe(o.signatureAlgorithm);
  });
  expect(report.certificate!.order.leafFirstEachIssuedByNext).toBe(true);
}

function expectBudget(report: ProbeReport, id: string): void {
  expect(report.connections.opened).toBeLessThanOrEqual(60);
  expect(report.connections.budget).toBe(60);
  timings.push(`  ${id}: ${report.durationMs} ms, ${report.connections.opened} connections`);
}

/** s_server rows share these facts: OpenSSL 3.0 defaults (ssl3_default_timeout 7200 s, two tickets, no RFC 8449). */
function expectOpensslDefaults(r: ProbeReport): void {
  expect(r.hello?.versions.tls13.value).toBe(true);
  expect(r.hello?.versions.tls12.value).toBe(true);
  expect(r.handshake?.version).toBe('TLSv1.3');
  expect(r.handshake?.signatureScheme).toBe('ecdsa_secp256r1_sha256'); // a P-256 leaf can sign only this in TLS 1.3
  expect(r.behaviour.alpn?.selected).toBeNull(); // no -alpn
  expect(r.behaviour.closeNotify?.sent).toBe(true);
  expect(r.behaviour.recordSizeLimit?.serverLimit).toBeNull(); // OpenSSL 3.0 has no record_size_limit
  expect(r.resumption.tls12?.sessionIdIssued).toBe(true);
  expect(r.resumption.tls12?.sessionIdResumed).toBe(true);
  expect(r.hello?.tls12.extendedMasterSecret.value).toBe(true);
  expect(r.hello?.tls12.secureRenegotiation.value).toBe(true);
  expect(r.hello?.tls12.downgradeSentinel.value).toBe(true);
  // TLS 1.2 curves in the client's order; the TLS 1.3 HelloRetryRequest group from OpenSSL's list.
  expect(r.hello?.tls12.groups.serverPreference.value).toBe(false);
  expect(r.hello?.tls13.groups.serverPreference.value).toBe(true);
}

const config = (id: string): ProbeServerConfig => PROBE_SERVERS.find((c) => c.id === id)!;
const opensslProbe = async (id: string): Promise<ProbeReport> => {
  const { report } = await probeOpensslServer(config(id), pki, TICKET_DELAY_MS);
  expectBudget(report, id);
  return report;
};

describe('puretls probe against s_server configurations', () => {
  it('reports the default server: two reusable tickets, psk_dhe_ke only, a trusted chain for localhost', async () => {
    const r = await opensslProbe('openssl-default');
    expectOpensslDefaults(r);
    expectChain(r, ['leaf-ecdsa-p256.pem', 'ca-int.pem']);
    const c = r.certificate!;
    expect(c.trust).toMatchObject({ trusted: true, validNow: true, error: null, path: ['CN=leaf-ecdsa-p256', 'CN=ca-int', 'CN=Test Root CA'] });
    expect(c.hostname).toEqual({ name: 'localhost', matches: true, error: null });
    expect(c.expiry.expired).toBe(false);
    expect(c.ocsp?.stapled).toBe(false);
    expect(c.sct).toMatchObject({ count: 0, tlsExtension: 0, embedded: 0, ocsp: null, scts: [], errors: [] });
    expect(r.resumption.tls13).toMatchObject({ ticketsPerHandshake: 2, ticketLifetimesSeconds: [7200, 7200], pskDheKe: true, pskKe: false, reuse: 'reusable', afterDelay: { delayMs: TICKET_DELAY_MS, resumed: true }, earlyData: { advertisedMaxSize: 0, acceptanceTested: false, accepted: null } });
    expect(r.resumption.tls12).toMatchObject({ ticketIssued: true, ticketLifetimeSeconds: 7200, ticketResumed: true });
    expect(r.policy.violations).toEqual([]);
  }, 60_000);

  it('-no_ticket: TLS 1.2 resumes by session ID only, no TLS 1.2 ticket', async () => {
    const r = await opensslProbe('openssl-no-ticket');
    expectOpensslDefaults(r);
    expect(r.resumption.tls12).toMatchObject({ ticketIssued: false, ticketLifetimeSeconds: null, ticketResumed: null, sessionIdIssued: true, sessionIdResumed: true });
  }, 60_000);

  for (const [id, count] of [['openssl-tickets-0', 0], ['openssl-tickets-1', 1], ['openssl-tickets-5', 5]] as const) {
    it(`-num_tickets ${count}: ${count} TLS 1.3 ticket(s) per handshake`, async () => {
      const r = await opensslProbe(id);
      expectOpensslDefaults(r);
      expect(r.resumption.tls13?.ticketsPerHandshake).toBe(count);
      expect(r.resumption.tls13?.ticketLifetimesSeconds).toEqual(Array.from({ length: count }, () => 7200));
      expect(r.resumption.tls13?.pskDheKe).toBe(count === 0 ? null : true);
    }, 60_000);
  }

  it('-allow_no_dhe_kex: a psk_ke-only offer resumes without key exchange', async () => {
    const r = await opensslProbe('openssl-allow-no-dhe-kex');
    expectOpensslDefaults(r);
    expect(r.resumption.tls13).toMatchObject({ pskDheKe: true, pskKe: true });
  }, 60_000);

  it('-early_data: tickets advertise max_early_data_size 16384 and are single-use (anti-replay); an unused one offered with 0-RTT data is accepted', async () => {
    const r = await opensslProbe('openssl-early-data');
    expectOpensslDefaults(r);
    expect(r.resumption.tls13).toMatchObject({ earlyData: { advertisedMaxSize: 16384, acceptanceTested: true, accepted: true }, reuse: 'single-use', pskDheKe: true });
  }, 60_000);

  it('a TLS 1.2-only server with -serverpref: TLS 1.2, its first suite, its suite order, no TLS 1.3 facts', async () => {
    const r = await opensslProbe('openssl-tls12-order');
    expect(r.hello?.versions.tls13.value).toBe(false);
    expect(r.hello?.versions.tls12.value).toBe(true);
    expect(r.handshake).toMatchObject({ version: 'TLSv1.2', suite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256' });
    expect(r.hello?.tls12.suites.serverPreference.value).toBe(true);
    expect(r.hello?.tls12.suites.accepted.map((s) => s.name)).toEqual(['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
    expect(r.resumption.tls13).toBeNull();
    expect(r.behaviour.keyUpdate).toBeNull();
    expectChain(r, ['leaf-rsa2048-pss-signed.pem', 'ca-int-rsa.pem']);
    expect(r.certificate!.chain[0]).toMatchObject({ keyType: 'rsa', keyBits: 2048 });
  }, 60_000);

  it('an expired chain: expired, still a path to the store, name matches; --fail-on expired is violated', async () => {
    const { report: r } = await probeOpensslServer(config('openssl-expired'), pki, TICKET_DELAY_MS);
    expectBudget(r, 'openssl-expired');
    expectChain(r, ['bad-expired.pem', 'ca-int.pem']);
    const c = r.certificate!;
    expect(c.chain[0]!.expired).toBe(true);
    expect(c.expiry).toMatchObject({ expired: true, leafNotAfter: '2021-01-01T00:00:00.000Z' });
    expect(c.trust).toMatchObject({ trusted: true, validNow: false });
    expect(c.trust.error).toMatch(/Expired/);
    expect(c.hostname.matches).toBe(true);
  }, 60_000);

  it('a wrong-host chain: trusted and valid, the name does not match', async () => {
    const r = await opensslProbe('openssl-wrong-host');
    expectChain(r, ['bad-wronghost.pem', 'ca-int.pem']);
    expect(r.certificate!.trust).toMatchObject({ trusted: true, validNow: true });
    expect(r.certificate!.hostname.matches).toBe(false);
  }, 60_000);

  const sctEntries = (source: string, fixtures: readonly SctFixture[]) =>
    fixtures.map((f) => ({ source, version: 0, logId: f.logByte.toString(16).padStart(2, '0').repeat(32), timestamp: new Date(f.timestampMs).toISOString(), timestampMs: f.timestampMs }));

  for (const [id, version] of [['openssl-sct-tls13', 'TLSv1.3'], ['openssl-sct-tls12', 'TLSv1.2']] as const) {
    it(`SCTs over ${version}: the -serverinfo list in the TLS extension and the leaf's embedded list, each SCT field by field`, async () => {
      const r = await opensslProbe(id);
      expect(r.handshake?.version).toBe(version);
      expectChain(r, ['leaf-sct.pem', 'ca-int.pem']);
      expect(r.certificate!.chain[0]!.embeddedScts).toBe(SCT_FIXTURES.embedded.length);
      expect(r.certificate!.sct).toMatchObject({
        count: SCT_FIXTURES.tlsExtension.length + SCT_FIXTURES.embedded.length,
        tlsExtension: SCT_FIXTURES.tlsExtension.length,
        embedded: SCT_FIXTURES.embedded.length,
        ocsp: null,
        signaturesVerified: false,
        errors: [],
      });
      expect(r.certificate!.sct?.scts).toEqual([...sctEntries('tls-extension', SCT_FIXTURES.tlsExtension), ...sctEntries('certificate', SCT_FIXTURES.embedded)]);
      // openssl's own view of the leaf: the extension it was given, as "CT Precertificate SCTs".
      const text = execFileSync('openssl', ['x509', '-in', pki.path('leaf-sct.pem'), '-noout', '-text'], { encoding: 'utf8' });
      expect(text).toMatch(/CT Precertificate SCTs/);
      expect(text.replace(/[\s:]/g, '')).toContain('AA'.repeat(32));
    }, 60_000);
  }

  it('-status_file: the OCSP staple is reported good', async () => {
    const r = await opensslProbe('openssl-ocsp-staple');
    expect(r.certificate!.ocsp).toMatchObject({ stapled: true, status: 'good' });
    expect(r.certificate!.sct).toMatchObject({ count: 0, ocsp: 0 }); // a staple without the SCT extension
  }, 60_000);
});

describe('puretls probe against gnutls-serv, Botan and Node 26', () => {
  it('gnutls-serv NORMAL:%SERVER_PRECEDENCE --recordsize 4096: the server picks suite and group, record_size_limit 4097', async () => {
    const { report: r } = await probeServerInNetns('gnutls-server-precedence-rsl', pki.dir, TICKET_DELAY_MS);
    expectBudget(r, 'gnutls-server-precedence-rsl');
    // gnutls-cli --list --priority NORMAL lists the server's order: AES-256-GCM first, SECP256R1 first.
    const list = execFileSync('gnutls-cli', ['--list', '--priority', 'NORMAL'], { encoding: 'utf8' });
    const firstGroup = /Groups: GROUP-([A-Z0-9]+)/.exec(list)![1]!;
    expect(firstGroup).toBe('SECP256R1');
    expect(r.handshake).toMatchObject({ version: 'TLSv1.3', suite: 'TLS_AES_256_GCM_SHA384', group: 'P-256' });
    expect(r.hello?.tls13.suites.serverPreference.value).toBe(true);
    expect(r.hello?.tls13.groups.serverPreference.value).toBe(true);
    expect(r.hello?.tls12.groups.serverPreference.value).toBe(true);
    expect(r.hello?.tls13.groups.accepted[0]?.name).toBe('secp256r1');
    expect(r.hello?.tls13.hrrWhenShareNotPreferred.value).toBe(true);
    // RFC 8449 §4: in TLS 1.3 the limit counts the content type byte, 4096 + 1.
    expect(r.behaviour.recordSizeLimit?.serverLimit).toBe(4097);
    expect(r.resumption.tls13).toMatchObject({ pskDheKe: true, ticketsPerHandshake: 2 });
    expectChain(r, ['leaf-ecdsa-p256.pem', 'ca-int.pem']);
  }, 60_000);

  it('Botan TLS 1.2: no TLS 1.3, a suite from its policy; its ALPN answer to an offer it was not given is noted', async () => {
    const { report: r } = await probeServerInNetns('botan-tls12', pki.dir, TICKET_DELAY_MS);
    expectBudget(r, 'botan-tls12');
    expect(r.hello?.versions.tls13.value).toBe(false);
    expect(r.hello?.versions.tls12.value).toBe(true);
    expect(r.handshake?.version).toBe('TLSv1.2');
    expect(['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256']).toContain(r.handshake?.suite);
    expect(r.hello?.tls12.suites.accepted.map((s) => s.name).sort()).toEqual(['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384']);
    expect(r.resumption.tls13).toBeNull();
    // Botan 2's tls_server answers any ALPN offer with its own "echo/0.1": refused (RFC 7301 §3.2), noted, probe continued.
    expect(r.behaviour.alpn?.unofferedSelected).toBe('echo/0.1');
    expectChain(r, ['leaf-ecdsa-p256.pem', 'ca-int.pem']);
  }, 60_000);

  it('NSS selfserv with only P-384: a HelloRetryRequest with a cookie, the handshake on P-384', async () => {
    const { report: r } = await probeServerInNetns('nss-hrr-cookie', pki.dir, TICKET_DELAY_MS);
    expectBudget(r, 'nss-hrr-cookie');
    expect(r.hello?.versions.tls13.value).toBe(true);
    expect(r.hello?.tls13.hrrCookie.value).toBe(true);
    expect(r.hello?.tls13.groups.accepted.map((g) => g.name)).toEqual(['secp384r1']);
    expect(r.handshake).toMatchObject({ version: 'TLSv1.3', group: 'P-384', signatureScheme: 'ecdsa_secp256r1_sha256' });
    expectChain(r, ['leaf-ecdsa-p256.pem', 'ca-int.pem']);
  }, 60_000);

  it('Node 26 with ecdhCurve X25519MLKEM768: the hybrid group (after a HelloRetryRequest), TLS 1.3 only', async () => {
    const server = await startNodeServer({ node: 'node26', cwd: pki.dir, config: { key: 'leaf-ecdsa-p256.key', cert: 'leaf-ecdsa-p256.chain.pem', ecdhCurve: 'X25519MLKEM768', minVersion: 'TLSv1.3' } });
    try {
      const r = await probe({ host: '127.0.0.1', port: server.port, servername: 'localhost', caPem: pki.caRootPem, ticketDelayMs: TICKET_DELAY_MS });
      expectBudget(r, 'node26-x25519mlkem768');
      expect(r.handshake).toMatchObject({ version: 'TLSv1.3', group: 'X25519MLKEM768' });
      expect(r.hello?.versions.tls12.value).toBe(false);
      expect(r.hello?.tls13.groups.accepted.map((g) => g.name)).toEqual(['X25519MLKEM768']);
      expect(r.resumption.tls12).toBeNull();
      expectChain(r, ['leaf-ecdsa-p256.pem', 'ca-int.pem']);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('puretls probe --starttls', () => {
  it("smtp: every connection (the scan's and the handshakes') upgrades through EHLO / STARTTLS, and the facts are the server's", async () => {
    const server = await startOpensslServer({ args: config('openssl-default').args, cwd: pki.dir, naccept: 0, lifetimeSeconds: 90 });
    const responder = await startStartTlsResponder('smtp', server.port);
    try {
      const r = await probe({ host: '127.0.0.1', port: responder.port, servername: 'localhost', caPem: pki.caRootPem, starttls: 'smtp', ticketDelayMs: 0 });
      expectBudget(r, 'openssl-default via STARTTLS smtp');
      expect(r.target.starttls).toBe('smtp');
      expectOpensslDefaults(r);
      expect(r.resumption.tls13).toMatchObject({ ticketsPerHandshake: 2, pskDheKe: true });
      expectChain(r, ['leaf-ecdsa-p256.pem', 'ca-int.pem']);
      const commands = responder.commands();
      const upgrades = commands.filter((c) => c === 'STARTTLS').length;
      expect(upgrades).toBe(r.connections.opened); // each connection the probe opened said STARTTLS once
      expect(commands.filter((c) => c.startsWith('EHLO ')).length).toBe(upgrades);
    } finally {
      await responder.stop();
      await server.stop();
    }
  }, 60_000);
});

describe('the puretls probe CLI', () => {
  const cli = join(REPO_ROOT, 'packages', 'transport-node', 'bin', 'puretls.js');
  it('prints the JSON report and exits 2 for --fail-on expired against the expired chain (0 without it)', async () => {
    const server = await startOpensslServer({ args: config('openssl-expired').args, cwd: pki.dir, naccept: 0, lifetimeSeconds: 90 });
    try {
      const base = ['probe', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--CAfile', pki.path('ca-root.pem'), '--ticket-delay', '0', '--json'];
      const failing = await run(process.execPath, [cli, ...base, '--fail-on', 'expired']).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(failing.code).toBe(2);
      const report = JSON.parse(failing.stdout) as ProbeReport;
      expect(report.schema).toBe('puretls-probe/1');
      expect(report.policy.failOn).toEqual(['expired']);
      expect(report.policy.violations.map((v) => v.policy)).toEqual(['expired']);
      expect(failing.stderr).toMatch(/connections\)/); // the progress line
      const passing = await run(process.execPath, [cli, ...base]);
      expect((JSON.parse(passing.stdout) as ProbeReport).certificate?.expiry.expired).toBe(true);
    } finally {
      await server.stop();
    }
    expect(liveProcessCount()).toBe(0);
  }, 90_000);
});
