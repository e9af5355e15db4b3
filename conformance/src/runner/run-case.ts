/**
 * Runs conformance cases against a {@link ClientUnderTest} and writes the report.
 *
 * For each case: start the peer (s_server on 127.0.0.1, or gnutls-serv / Botan's tls_server inside
 * a private network namespace), optionally put the downgrade proxy in front of it, connect, check the handshake outcome against the expectation (version, suite,
 * group, signature scheme, ALPN, or the alert / certificate reason of a refusal), run the case's
 * steps, stop the server by PID and compare the client's key log with the server's (set equality,
 * the exact key-schedule oracle of CONFORMANCE.md §2.1 row 47). A check whose field the client
 * cannot report is recorded as 'n/a' and skipped for that client only.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ConformanceCase, Expectation, ExpectFailure, ExpectSuccess, Resumption, ServerOutputCheck, Step } from '../cases/index.ts';
import { botanUnavailableReason, startBotanServer } from '../servers/botan.ts';
import { startDowngradeProxy, type RunningProxy } from '../servers/downgrade-proxy.ts';
import { gnutlsUnavailableReason, startGnutlsServer } from '../servers/gnutls.ts';
import { runInNetns } from '../servers/netns.ts';
import { startOpensslServer } from '../servers/openssl.ts';
import type { Pki } from '../pki.ts';
import { NOT_AVAILABLE, type ClientConnection, type ClientUnderTest, type ObservedError, type RunningServer, type ServerLog } from '../types.ts';

export type CheckStatus = 'pass' | 'fail' | 'n/a';
export type CaseStatus = 'pass' | 'fail' | 'n/a' | 'deviation' | 'skipped';

export interface CheckResult {
  readonly name: string;
  readonly expected: string;
  readonly observed: string;
  readonly status: CheckStatus;
  /** An 'n/a' on an essential check makes the whole case 'n/a' (it tested nothing). */
  readonly essential?: boolean;
}

export interface CaseResult {
  readonly id: string;
  readonly section: string;
  readonly description: string;
  readonly server: string;
  readonly client: string;
  readonly status: CaseStatus;
  readonly expected: string;
  readonly observed: string;
  readonly checks: readonly CheckResult[];
  readonly note?: string;
  readonly durationMs: number;
}

export interface RunEnvironment {
  readonly pki: Pki;
  /** True inside the netns child: gnutls servers are started directly. */
  readonly insideNetns?: boolean;
  /** Set by {@link runMatrix} after probing once. */
  readonly gnutlsUnavailable?: string;
  /** Set by {@link runMatrix} after probing once. */
  readonly botanUnavailable?: string;
}

/** Peers that listen on all interfaces and so run only inside `unshare -n`. */
const NETNS_KINDS: ReadonlySet<string> = new Set(['gnutls', 'botan']);

/** Why cases of this server kind cannot run here, or undefined (probes once per kind per env). */
async function unavailableReason(kind: string, env: RunEnvironment): Promise<string | undefined> {
  if (kind === 'gnutls') return env.gnutlsUnavailable ?? (await gnutlsUnavailableReason());
  if (kind === 'botan') return env.botanUnavailable ?? (await botanUnavailableReason());
  return undefined;
}

const STEP_TIMEOUT_MS = 8000;
const DOWNLOAD_TIMEOUT_MS = 30_000;

/** One-line summary of an expectation. */
export function describeExpectation(expectation: Expectation): string {
  if (expectation.ok) return `${expectation.version} ${expectation.suite} ${expectation.group} ${expectation.sigScheme} alpn=${expectation.alpn ?? '-'}`;
  const parts: string[] = ['refused'];
  if (expectation.alertReceived !== undefined) parts.push(`alert ${expectation.alertReceived} received`);
  if (expectation.certReason !== undefined) parts.push(`cert ${expectation.certReason.join('|')}`);
  if (expectation.reason !== undefined) parts.push(`reason ${expectation.reason.join('|')}`);
  if (expectation.alertSent !== undefined) parts.push(`sends ${expectation.alertSent.join('|')}`);
  return parts.join(': ');
}

function describeError(error: ObservedError): string {
  const parts: string[] = ['refused'];
  if (error.alertReceived !== undefined) parts.push(`alert ${error.alertReceived} received`);
  if (error.certReason !== undefined) parts.push(`cert ${error.certReason}`);
  if (error.reason !== undefined) parts.push(`reason ${error.reason}`);
  if (error.alertSent !== undefined) parts.push(`sent ${error.alertSent}`);
  if (error.alertReceived === undefined && error.certReason === undefined) parts.push(`${error.code ?? 'error'}: ${error.message}`);
  return parts.join(': ');
}

function check(name: string, expected: string, observed: string, essential = false): CheckResult {
  return { name, expected, observed, status: expected === observed ? 'pass' : 'fail', ...(essential ? { essential } : {}) };
}

function notAvailable(name: string, expected: string, essential = false): CheckResult {
  return { name, expected, observed: NOT_AVAILABLE, status: 'n/a', ...(essential ? { essential } : {}) };
}

/** The case's client certificate fixture as `cert` / `key` PEM text (files of the run's PKI). */
function clientCertificateOptions(testCase: ConformanceCase, env: RunEnvironment): { cert?: string; key?: string } {
  const fixture = testCase.clientCertificate;
  if (fixture === undefined) return {};
  const read = (file: string): string => readFileSync(join(env.pki.dir, file), 'utf8');
  return { cert: read(`${fixture.name}.chain.pem`), key: read(fixture.keyFile ?? `${fixture.name}.key`) };
}

/** Runs one case (gnutls cases are delegated to a netns child unless already inside one). */
export async function runCase(testCase: ConformanceCase, client: ClientUnderTest, env: RunEnvironment): Promise<CaseResult> {
  const started = Date.now();
  if (testCase.client.requireExtendedMasterSecret === true && !client.capabilities.requireExtendedMasterSecret) {
    return finish(testCase, client, started, [notAvailable('requireExtendedMasterSecret option', 'supported', true)], { observed: NOT_AVAILABLE });
  }
  // The options of every connection of the case (a resumption case's second one may add its own).
  const allOptions = [testCase.client, testCase.resumption?.secondClient ?? {}];
  if (allOptions.some((o) => o.pskModes !== undefined) && client.capabilities.pskModes !== true) {
    return finish(testCase, client, started, [notAvailable('pskModes option', 'supported', true)], { observed: NOT_AVAILABLE });
  }
  if ((testCase.client.requestOCSP === true || testCase.client.ocspPolicy !== undefined) && client.capabilities.ocsp !== true) {
    return finish(testCase, client, started, [notAvailable('OCSP staple checking', 'supported', true)], { observed: NOT_AVAILABLE });
  }
  if (testCase.client.postHandshakeAuth === true && client.capabilities.postHandshakeAuth !== true) {
    return finish(testCase, client, started, [notAvailable('postHandshakeAuth option', 'supported', true)], { observed: NOT_AVAILABLE });
  }
  if (allOptions.some((o) => o.clockSkewSeconds !== undefined) && client.capabilities.clock !== true) {
    return finish(testCase, client, started, [notAvailable('injected clock (clockSkewSeconds)', 'supported', true)], { observed: NOT_AVAILABLE });
  }
  if (NETNS_KINDS.has(testCase.server.kind) && env.insideNetns !== true) {
    const unavailable = await unavailableReason(testCase.server.kind, env);
    if (unavailable !== undefined) {
      return finish(testCase, client, started, [], { status: 'skipped', observed: 'skipped', note: unavailable });
    }
    try {
      return (await runInNetns(testCase.id, client.name, env.pki.dir)) as CaseResult;
    } catch (error) {
      return finish(testCase, client, started, [check('netns child', 'result', (error as Error).message)], { observed: 'harness error' });
    }
  }

  if (testCase.resumption !== undefined) return runResumptionCase(testCase, testCase.resumption, client, env, started);

  const checks: CheckResult[] = [];
  let observed = '';
  let server: RunningServer | undefined;
  let proxy: RunningProxy | undefined;
  let serverLog: ServerLog | undefined;
  let connection: ClientConnection | undefined;
  let clientKeylog: readonly string[] = [];
  try {
    server = await startServer(testCase, env);
    if (testCase.server.proxy !== undefined) proxy = await startDowngradeProxy(server.port, testCase.server.proxy);
    const outcome = await client.connect({
      host: '127.0.0.1',
      port: proxy?.port ?? server.port,
      servername: 'localhost',
      ca: env.pki.caRootPem,
      ...clientCertificateOptions(testCase, env),
      ...testCase.client,
    });
    const expectation = testCase.expect;
    if (!outcome.ok) {
      observed = describeError(outcome.error);
      clientKeylog = outcome.keylog;
      if (expectation.ok) {
        checks.push(check('handshake', 'accepted', observed, true));
      } else {
        checks.push(...failureChecks(expectation, outcome.error, client));
      }
    } else {
      connection = outcome.connection;
      const info = connection.info;
      observed = `${info.version} ${info.suite} ${info.group} ${info.sigScheme} alpn=${info.alpn ?? '-'}`;
      if (!expectation.ok) {
        checks.push(check('handshake', 'refused', 'accepted', true));
      } else {
        checks.push(...successChecks(expectation, connection, client));
        checks.push(...(await runSteps(testCase.steps, connection, server, env, client)));
      }
    }
  } catch (error) {
    checks.push(check('harness', 'no error', (error as Error).message));
    observed = observed || 'harness error';
  } finally {
    if (connection !== undefined) {
      clientKeylog = connection.keylogLines();
      connection.destroy();
      await Promise.race([connection.closed, delay(2000)]);
    }
    // The server logs what it received (a client's alert) a moment after the client gave up.
    if (server !== undefined && testCase.serverOutput !== undefined) await settleServerOutput(server, testCase.serverOutput);
    if (proxy !== undefined) await proxy.stop();
    if (server !== undefined) serverLog = await server.stop();
  }

  if (proxy !== undefined && testCase.server.proxy === 'strip-tls13') {
    const errors = proxy.errors();
    checks.push(check('proxy stripped TLS 1.3 from the ClientHello', 'yes', errors.length > 0 ? `error: ${errors.join('; ')}` : proxy.removedExtensions().length > 0 ? 'yes' : 'no', true));
  }
  const accepted = connection !== undefined;
  const harnessError = checks.some((c) => c.name === 'harness');
  if (serverLog !== undefined && !harnessError) {
    for (const outputCheck of testCase.serverOutput ?? []) {
      const count = [...serverLog.output.matchAll(new RegExp(outputCheck.pattern, 'gm'))].length;
      checks.push(check(outputCheck.name, String(outputCheck.count), String(count)));
    }
  }
  if (serverLog !== undefined && testCase.expect.ok && accepted && !harnessError) {
    if (testCase.checkKeylog ?? true) {
      if (!client.capabilities.keylog) {
        checks.push(notAvailable('key log = server key log', 'equal'));
      } else if (clientKeylog.every((line) => !EARLY_LABELS.has(line.split(' ')[0] ?? ''))) {
        // gnutls-serv logs the early secrets of every accepted PSK (an external one too); without
        // 0-RTT the client derives none (as in the resumption legs below).
        const serverLines = serverLog.keylog.filter((line) => !EARLY_LABELS.has(line.split(' ')[0] ?? ''));
        const note = serverLines.length !== serverLog.keylog.length ? ' (server early secrets left out: no 0-RTT)' : '';
        const result = keylogCheck(clientKeylog, serverLines);
        checks.push({ ...result, name: `${result.name}${note}` });
      } else {
        checks.push(keylogCheck(clientKeylog, serverLog.keylog));
      }
    }
  }
  return finish(testCase, client, started, checks, { observed });
}

/** How long the first connection of a resumption case waits for a session after its steps (TLS 1.3 tickets). */
const SESSION_WAIT_MS = 300;

/** One connection of a resumption case, with everything the checks need after the server stopped. */
interface ResumptionLeg {
  readonly connection?: ClientConnection;
  readonly keylog: readonly string[];
  readonly sessions: readonly Uint8Array[];
}

/**
 * A two-connection resumption case ({@link Resumption}): connection 1 (checked against
 * `testCase.expect`) runs the steps and keeps its last session; connection 2 offers it, to the same
 * server or to a restarted one on the same port, with the case's `secondClient` options (another
 * server name, a clock past the session's lifetime), and must be Reused (or not) with the expected
 * version, suite and group. `sessionCount` pins the number of sessions the first connection got. Each connection's key log must equal the server's lines for its client
 * random (RFC 8446 §7.1 / RFC 5246 §8.1 secrets, NSS key log format).
 */
async function runResumptionCase(testCase: ConformanceCase, resumption: Resumption, client: ClientUnderTest, env: RunEnvironment, started: number): Promise<CaseResult> {
  const checks: CheckResult[] = [];
  let observed = '';
  const servers: RunningServer[] = [];
  const logs: ServerLog[] = [];
  let first: ResumptionLeg | undefined;
  let second: ResumptionLeg | undefined;
  const base = { host: '127.0.0.1', servername: 'localhost', ca: env.pki.caRootPem, ...clientCertificateOptions(testCase, env), ...testCase.client };
  try {
    const serverA = await startServer(testCase, env, { naccept: resumption.server === 'same' ? 2 : 1 });
    servers.push(serverA);
    first = await resumptionLeg(await client.connect({ ...base, port: serverA.port }), testCase, serverA, env, client, checks, 'first connection');
    const expectation = testCase.expect;
    if (first.connection !== undefined && expectation.ok) checks.push(...successChecks(expectation, first.connection, client).map((c) => ({ ...c, name: `first connection ${c.name}` })));
    if (first.connection === undefined || checks.some((c) => c.status === 'fail')) throw new Abort();
    checks.push(check('first connection resumable session', resumption.expectSession ? 'received' : 'none', first.sessions.length > 0 ? 'received' : 'none', true));
    if (resumption.sessionCount !== undefined) checks.push(check('first connection sessions received', String(resumption.sessionCount), String(first.sessions.length), true));
    let serverB = serverA;
    if (resumption.server === 'restart') {
      logs.push(await serverA.stop());
      serverB = await startServer(testCase, env, { naccept: 1, port: serverA.port, ...(resumption.restartedServerArgs === undefined ? {} : { args: resumption.restartedServerArgs }) });
      servers.push(serverB);
    }
    const offered = first.sessions.at(-1);
    const outcome = await client.connect({ ...base, ...resumption.secondClient, port: serverB.port, ...(offered === undefined ? {} : { session: offered }) });
    second = await resumptionLeg(outcome, testCase, serverB, env, client, checks, 'second connection');
    if (second.connection !== undefined) {
      const info = second.connection.info;
      observed = `${info.resumed === true ? 'Reused' : info.resumed === false ? 'New' : 'n/a'} ${info.version} ${info.suite} ${info.group}`;
      checks.push(
        info.resumed === NOT_AVAILABLE ? notAvailable('second connection reused', String(resumption.expectReused), true) : check('second connection reused', String(resumption.expectReused), String(info.resumed), true),
        check('second connection version', resumption.version, info.version, true),
        check('second connection suite', resumption.suite, info.suite),
      );
      if (resumption.group !== undefined) {
        checks.push(client.capabilities.group ? check('second connection group', resumption.group, info.group === NOT_AVAILABLE ? 'none' : info.group) : notAvailable('second connection group', resumption.group));
      }
    }
  } catch (error) {
    if (!(error instanceof Abort)) {
      checks.push(check('harness', 'no error', (error as Error).message));
      observed = observed || 'harness error';
    }
  } finally {
    if (servers.length > 0 && testCase.serverOutput !== undefined) await settleServerOutput(servers.at(-1)!, testCase.serverOutput);
    for (const server of servers.slice(logs.length)) logs.push(await server.stop());
  }
  const harnessError = checks.some((c) => c.name === 'harness');
  if (!harnessError && logs.length > 0) {
    for (const outputCheck of testCase.serverOutput ?? []) {
      const count = logs.reduce((sum, log) => sum + [...log.output.matchAll(new RegExp(outputCheck.pattern, 'gm'))].length, 0);
      checks.push(check(outputCheck.name, String(outputCheck.count), String(count)));
    }
    const legs: [string, ResumptionLeg | undefined, ServerLog | undefined][] = [
      ['first connection', first, logs[0]],
      ['second connection', second, logs.at(-1)],
    ];
    for (const [label, leg, log] of legs) {
      if (leg?.connection === undefined || log === undefined || !(testCase.checkKeylog ?? true)) continue;
      if (!client.capabilities.keylog) {
        checks.push(notAvailable(`${label} key log = server key log`, 'equal'));
        continue;
      }
      const random = randomOf(leg.keylog);
      let serverLines = log.keylog.filter((line) => randomOf([line]) === random);
      if (serverLines.length === 0 && leg === second && resumption.version === 'TLSv1.2' && first?.connection !== undefined) {
        // gnutls-serv logs nothing for an abbreviated TLS 1.2 handshake; a resumed session keeps its
        // master secret (RFC 5246 §7.3), so it must equal the server's for the first connection.
        const firstRandom = randomOf(first.keylog);
        const secretOf = (lines: readonly string[], r: string | undefined): string => lines.find((l) => l.startsWith('CLIENT_RANDOM ') && randomOf([l]) === r)?.split(' ')[2]?.toLowerCase() ?? 'none';
        checks.push(check(`${label} master secret = server's for the first connection (no server key log line)`, secretOf(logs[0]!.keylog, firstRandom), secretOf(leg.keylog, random)));
        continue;
      }
      let note = '';
      if (leg.keylog.every((line) => !EARLY_LABELS.has(line.split(' ')[0] ?? ''))) {
        // gnutls-serv logs the early secrets of every offered PSK; without 0-RTT the client derives none.
        const before = serverLines.length;
        serverLines = serverLines.filter((line) => !EARLY_LABELS.has(line.split(' ')[0] ?? ''));
        if (serverLines.length !== before) note = ', server early secrets left out (no 0-RTT)';
      }
      checks.push({ ...keylogCheck(leg.keylog, serverLines), name: `${label} key log = server key log (same client random${note})` });
    }
  }
  return finish(testCase, client, started, checks, { observed: observed || 'harness error' });
}

/** TLS 1.3 early secrets (RFC 8446 §7.1), logged only when 0-RTT is used. */
const EARLY_LABELS: ReadonlySet<string> = new Set(['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET']);

/** The client random (lower-case hex) of a connection's key log lines. */
function randomOf(lines: readonly string[]): string | undefined {
  return lines[0]?.split(' ')[1]?.toLowerCase();
}

/** Thrown to skip the rest of a resumption case after a failed essential check. */
class Abort extends Error {}

/** Runs the steps on one connection of a resumption case, waits for a session, and closes it. */
async function resumptionLeg(
  outcome: Awaited<ReturnType<ClientUnderTest['connect']>>,
  testCase: ConformanceCase,
  server: RunningServer,
  env: RunEnvironment,
  client: ClientUnderTest,
  checks: CheckResult[],
  label: string,
): Promise<ResumptionLeg> {
  if (!outcome.ok) {
    checks.push(check(`${label} handshake`, 'accepted', describeError(outcome.error), true));
    return { keylog: outcome.keylog, sessions: [] };
  }
  const connection = outcome.connection;
  try {
    const stepChecks = await runSteps(testCase.steps, connection, server, env, client);
    checks.push(...stepChecks.map((c) => ({ ...c, name: `${label} ${c.name}` })));
    await connection.waitForSession(SESSION_WAIT_MS);
  } finally {
    // close_notify first: a TLS 1.2 session of a connection torn down without it leaves the server's cache.
    connection.end();
    await Promise.race([connection.closed, delay(2000)]);
    connection.destroy();
  }
  return { connection, keylog: [...connection.keylogLines()], sessions: [...connection.sessions()] };
}

/** Waits (at most 1.5 s) until every server output check has reached its count. */
async function settleServerOutput(server: RunningServer, outputChecks: readonly ServerOutputCheck[]): Promise<void> {
  const deadline = Date.now() + 1500;
  const satisfied = (): boolean =>
    outputChecks.every((c) => [...server.output().matchAll(new RegExp(c.pattern, 'gm'))].length >= c.count);
  // A referenced timer: the server may have exited already, and an unref'd one would let Node exit here.
  while (!satisfied() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Overrides for a resumption case's s_server: connections accepted, and the port of a restarted server. */
interface ServerOverrides {
  readonly naccept?: number;
  readonly port?: number;
  /** Replaces the case's server command line (a restarted server that changed its configuration). */
  readonly args?: readonly string[];
}

/**
 * How long a stopping s_server may take to exit by itself when the case counts its output: its
 * -msg / -trace lines sit in a stdout buffer flushed only at exit (openssl-server.ts).
 */
const OUTPUT_FLUSH_GRACE_MS = 2000;

function startServer(testCase: ConformanceCase, env: RunEnvironment, overrides: ServerOverrides = {}): Promise<RunningServer> {
  const { kind, configText } = testCase.server;
  const args = overrides.args ?? testCase.server.args;
  const withConfig = configText === undefined ? {} : { configText };
  const { naccept, port } = overrides;
  switch (kind) {
    case 'openssl':
      return startOpensslServer({
        args,
        cwd: env.pki.dir,
        keylog: true,
        ...withConfig,
        ...(testCase.serverOutput === undefined ? {} : { exitGraceMs: OUTPUT_FLUSH_GRACE_MS }),
        ...(naccept === undefined ? {} : { naccept }),
        ...(port === undefined ? {} : { pickPort: () => port }),
      });
    case 'gnutls':
      return startGnutlsServer({ args, cwd: env.pki.dir, keylog: true });
    case 'botan':
      return startBotanServer({ args, cwd: env.pki.dir, ...(configText === undefined ? {} : { policy: configText }) });
  }
}

function finish(
  testCase: ConformanceCase,
  client: ClientUnderTest,
  started: number,
  checks: readonly CheckResult[],
  extra: { status?: CaseStatus; observed: string; note?: string },
): CaseResult {
  let status: CaseStatus = extra.status ?? 'pass';
  let note = extra.note;
  if (extra.status === undefined) {
    if (checks.some((c) => c.status === 'fail')) {
      const deviation = client.knownDeviations[testCase.id];
      status = deviation === undefined ? 'fail' : 'deviation';
      if (deviation !== undefined) note = deviation;
    } else if (checks.some((c) => c.status === 'n/a' && c.essential === true)) {
      status = 'n/a';
    }
  }
  const failed = checks.filter((c) => c.status === 'fail').map((c) => `${c.name}: expected ${c.expected}, observed ${c.observed}`);
  if (failed.length > 0 && note === undefined) note = failed.join('; ');
  return {
    id: testCase.id,
    section: testCase.section,
    description: testCase.description,
    server: testCase.server.kind,
    client: client.name,
    status,
    expected: describeExpectation(testCase.expect),
    observed: extra.observed,
    checks,
    ...(note === undefined ? {} : { note }),
    durationMs: Date.now() - started,
  };
}

function successChecks(expectation: ExpectSuccess, connection: ClientConnection, client: ClientUnderTest): CheckResult[] {
  const info = connection.info;
  const checks = [check('version', expectation.version, info.version, true), check('suite', expectation.suite, info.suite)];
  checks.push(client.capabilities.group ? check('group', expectation.group, info.group) : notAvailable('group', expectation.group));
  checks.push(client.capabilities.sigScheme ? check('signature scheme', expectation.sigScheme, info.sigScheme) : notAvailable('signature scheme', expectation.sigScheme));
  checks.push(check('alpn', expectation.alpn ?? '-', info.alpn ?? '-'));
  return checks;
}

function failureChecks(expectation: ExpectFailure, error: ObservedError, client: ClientUnderTest): CheckResult[] {
  const checks: CheckResult[] = [{ name: 'handshake', expected: 'refused', observed: 'refused', status: 'pass' }];
  if (expectation.alertReceived !== undefined) {
    checks.push(check('alert received', String(expectation.alertReceived), error.alertReceived === undefined ? 'none' : String(error.alertReceived), true));
  }
  if (expectation.certReason !== undefined) {
    const observed = error.certReason ?? `none (${error.code ?? ''} ${error.message})`;
    checks.push({
      name: 'certificate reason',
      expected: expectation.certReason.join('|'),
      observed,
      status: expectation.certReason.includes(observed) ? 'pass' : 'fail',
      essential: true,
    });
  }
  if (expectation.reason !== undefined) {
    if (!client.capabilities.errorReason) {
      checks.push(notAvailable('error reason', expectation.reason.join('|')));
    } else {
      const observed = error.reason ?? `none (${error.code ?? ''} ${error.message})`;
      checks.push({ name: 'error reason', expected: expectation.reason.join('|'), observed, status: expectation.reason.includes(observed) ? 'pass' : 'fail' });
    }
  }
  if (expectation.alertSent !== undefined) {
    if (!client.capabilities.alertSent) {
      checks.push(notAvailable('alert sent', expectation.alertSent.join('|')));
    } else {
      const observed = error.alertSent === undefined ? 'none' : String(error.alertSent);
      checks.push({ name: 'alert sent', expected: expectation.alertSent.join('|'), observed, status: expectation.alertSent.map(String).includes(observed) ? 'pass' : 'fail' });
    }
  }
  return checks;
}

/**
 * The labels of the NSS key log format (also draft-ietf-tls-keylogfile). OpenSSL 3.0 also writes
 * `SERVER_TRAFFIC_SECRET_N` / `CLIENT_TRAFFIC_SECRET_N` (literally "_N") after a KeyUpdate; those
 * are not part of the format and are left out of the comparison.
 */
export const NSS_KEYLOG_LABELS: ReadonlySet<string> = new Set([
  'CLIENT_RANDOM',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'EARLY_EXPORTER_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EXPORTER_SECRET',
]);

/** Set equality of the NSS-format key log lines (both sides log the same secrets, possibly in another order). */
export function keylogCheck(clientLines: readonly string[], serverLines: readonly string[]): CheckResult {
  const standard = (line: string): boolean => NSS_KEYLOG_LABELS.has(line.split(' ')[0] ?? '');
  const clientSet = new Set(clientLines.filter(standard));
  const serverSet = new Set(serverLines.filter(standard));
  const missing = [...serverSet].filter((line) => !clientSet.has(line)).map((line) => line.split(' ')[0]);
  const extra = [...clientSet].filter((line) => !serverSet.has(line)).map((line) => line.split(' ')[0]);
  const equal = serverSet.size > 0 && missing.length === 0 && extra.length === 0;
  return {
    name: 'key log = server key log',
    expected: `${serverSet.size} lines equal`,
    observed: equal ? `${serverSet.size} lines equal` : `client ${clientSet.size}, server ${serverSet.size}; missing [${missing.join(',')}] extra [${extra.join(',')}]`,
    status: equal ? 'pass' : 'fail',
  };
}

async function runSteps(steps: readonly Step[], connection: ClientConnection, server: RunningServer, env: RunEnvironment, client: ClientUnderTest): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  for (const step of steps) {
    const result = await runStep(step, connection, server, env, client);
    if (result !== undefined) checks.push(...result);
    if (result?.some((c) => c.status === 'fail')) break;
  }
  return checks;
}

async function runStep(step: Step, connection: ClientConnection, server: RunningServer, env: RunEnvironment, client: ClientUnderTest): Promise<CheckResult[] | undefined> {
  switch (step.op) {
    case 'send':
      connection.write(step.text);
      return undefined;
    case 'sleep':
      await delay(step.ms);
      return undefined;
    case 'server-stdin':
      server.sendStdin(step.text);
      return undefined;
    case 'expect':
      return [await outcomeOf(`receive ${JSON.stringify(step.text.trim())}`, connection.waitForText(step.text, STEP_TIMEOUT_MS))];
    case 'expect-server-output':
      return [await outcomeOf(`server receives/logs ${JSON.stringify(step.text.trim())}`, server.waitForOutput(step.text, STEP_TIMEOUT_MS))];
    case 'end': {
      connection.end();
      const closed = await Promise.race([connection.closed, delay(STEP_TIMEOUT_MS).then(() => undefined)]);
      return [{ name: 'close after end()', expected: 'closed', observed: closed === undefined ? 'still open' : 'closed', status: closed === undefined ? 'fail' : 'pass' }];
    }
    case 'expect-close': {
      const name = step.kind === 'clean' ? 'server close_notify' : 'truncation detected';
      const closed = await Promise.race([connection.closed, delay(STEP_TIMEOUT_MS).then(() => undefined)]);
      if (closed === undefined) return [check(name, step.kind, 'still open', step.essential ?? false)];
      if (!client.capabilities.closeNotify && closed.kind === 'eof') return [notAvailable(name, step.kind, step.essential ?? false)];
      return [check(name, step.kind, closed.kind === 'error' ? `error: ${closed.error?.message ?? ''}` : closed.kind, step.essential ?? false)];
    }
    case 'expect-alert': {
      const name = `connection ended by alert ${step.alert}`;
      const closed = await Promise.race([connection.closed, delay(STEP_TIMEOUT_MS).then(() => undefined)]);
      if (closed === undefined) return [check(name, 'yes', 'still open', true)];
      const received = closed.error?.alertReceived;
      return [check(name, 'yes', received === step.alert ? 'yes' : `closed (${closed.kind}${received === undefined ? '' : `, alert ${received}`})`, true)];
    }
    case 'download':
      return download(connection, env);
  }
}

async function download(connection: ClientConnection, env: RunEnvironment): Promise<CheckResult[]> {
  const file = env.pki.bigFile;
  connection.write(`GET /${file.name} HTTP/1.0\r\n\r\n`);
  const closed = await Promise.race([connection.closed, delay(DOWNLOAD_TIMEOUT_MS).then(() => undefined)]);
  const data = Buffer.from(connection.received());
  const headerEnd = data.indexOf('\r\n\r\n');
  const status = data.subarray(0, Math.max(0, data.indexOf('\r\n'))).toString('latin1');
  const body = headerEnd < 0 ? Buffer.alloc(0) : data.subarray(headerEnd + 4);
  return [
    { name: 'download finished', expected: 'closed', observed: closed === undefined ? 'timed out' : 'closed', status: closed === undefined ? 'fail' : 'pass' },
    check('HTTP status', 'HTTP/1.0 200 ok', status),
    check('body size', String(file.bytes), String(body.length)),
    check('body sha256', file.sha256, createHash('sha256').update(body).digest('hex')),
  ];
}

async function outcomeOf(name: string, promise: Promise<void>): Promise<CheckResult> {
  try {
    await promise;
    return { name, expected: 'yes', observed: 'yes', status: 'pass' };
  } catch (error) {
    return { name, expected: 'yes', observed: (error as Error).message, status: 'fail' };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export interface MatrixOptions {
  readonly concurrency?: number;
  readonly onResult?: (result: CaseResult) => void;
}

/** The run environment, with the netns peers that cannot run here probed once. */
export async function probeEnvironment(cases: readonly ConformanceCase[], pki: Pki): Promise<RunEnvironment> {
  const gnutlsUnavailable = cases.some((c) => c.server.kind === 'gnutls') ? await gnutlsUnavailableReason() : undefined;
  const botanUnavailable = cases.some((c) => c.server.kind === 'botan') ? await botanUnavailableReason() : undefined;
  return {
    pki,
    ...(gnutlsUnavailable === undefined ? {} : { gnutlsUnavailable }),
    ...(botanUnavailable === undefined ? {} : { botanUnavailable }),
  };
}

/** Runs cases with at most `concurrency` (1 or 2) in flight, in case order. */
export async function runMatrix(cases: readonly ConformanceCase[], client: ClientUnderTest, pki: Pki, options: MatrixOptions = {}): Promise<CaseResult[]> {
  const env = await probeEnvironment(cases, pki);
  const results: CaseResult[] = new Array<CaseResult>(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const index = next++;
      const result = await runCase(cases[index]!, client, env);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  const concurrency = Math.min(2, Math.max(1, options.concurrency ?? 1));
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return results;
}

/** Renders the results as a fixed-width table (case, expected, observed, result). */
export function formatTable(results: readonly CaseResult[]): string {
  const rows = results.map((r) => [r.id, r.expected, r.observed, r.status === 'pass' ? 'PASS' : r.status.toUpperCase()]);
  const header = ['case', 'expected', 'observed', 'result'];
  const widths = header.map((h, i) => Math.min(70, Math.max(h.length, ...rows.map((row) => row[i]!.length))));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface MatrixSummary {
  readonly client: string;
  readonly total: number;
  readonly pass: number;
  readonly fail: number;
  readonly notAvailable: number;
  readonly deviation: number;
  readonly skipped: number;
}

export function summarize(client: string, results: readonly CaseResult[]): MatrixSummary {
  const count = (status: CaseStatus): number => results.filter((r) => r.status === status).length;
  return { client, total: results.length, pass: count('pass'), fail: count('fail'), notAvailable: count('n/a'), deviation: count('deviation'), skipped: count('skipped') };
}

/** Writes report.json and report.md into `outDir`. */
export async function writeReports(outDir: string, results: readonly CaseResult[], summary: MatrixSummary): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'report.json'), JSON.stringify({ generatedAt: new Date().toISOString(), summary, results }, null, 2) + '\n');
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const lines = [
    `# puretls conformance report: client \`${summary.client}\``,
    '',
    `${summary.pass} pass, ${summary.fail} fail, ${summary.notAvailable} n/a, ${summary.deviation} known deviation, ${summary.skipped} skipped (of ${summary.total}).`,
    '',
    '| case | server | expected | observed | result | note |',
    '|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.id} | ${r.server} | ${escape(r.expected)} | ${escape(r.observed)} | ${r.status} | ${escape(r.note ?? naNote(r))} |`),
    '',
  ];
  await writeFile(join(outDir, 'report.md'), lines.join('\n'));
}

function naNote(result: CaseResult): string {
  const skipped = result.checks.filter((c) => c.status === 'n/a').map((c) => c.name);
  return skipped.length === 0 ? '' : `n/a for ${result.client}: ${skipped.join(', ')}`;
}
