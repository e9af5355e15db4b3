/**
 * Runs one conformance case against a {@link ClientUnderTest}: one runner for one-connection and
 * two-connection (resumption) cases.
 *
 * For each case: gate on the client's capabilities; start the peer through ../servers/index.ts
 * (a peer without a bind-address option is run by a netns child, runner/netns-child.ts); put the
 * downgrade proxy or the wire tap in front when the case needs it; connect and check the outcome
 * against the expectation; run the steps; for a resumption case keep the last session, optionally
 * restart the server, connect again offering it and check Reused / version / suite / group; stop
 * everything by PID; then count server output, check wire facts and compare key logs with the
 * server's oracle (runner/keylog.ts).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceCase, EarlyDataExpectation, ExpectSuccess, ServerOutputCheck, WireCheck } from '../cases/schema.ts';
import type { Pki } from '../pki.ts';
import { startDowngradeProxy, type RunningProxy } from '../servers/downgrade-proxy.ts';
import { SERVERS, type StartOverrides } from '../servers/index.ts';
import { runInNetns } from '../servers/netns.ts';
import { startWireTap, type RunningWireTap, type TappedConnection } from '../servers/wire-tap.ts';
import { NOT_AVAILABLE, type ClientConnection, type ClientUnderTest, type ConnectOutcome, type EarlyDataOutcome, type RunningServer, type ServerKind, type ServerLog } from '../types.ts';
import { check, describeError, failureChecks, finish, notAvailable, successChecks, type CaseResult, type CheckResult } from './checks.ts';
import { exporterKeylogCheck, fileKeylogCheck } from './keylog.ts';
import { delay, runSteps } from './steps.ts';
import { EXTENSION_COOKIE, hellos, HRR_RANDOM } from './wire.ts';

export type { CaseResult, CaseStatus, CheckResult, CheckStatus } from './checks.ts';
export { keylogCheck, NSS_KEYLOG_LABELS } from './keylog.ts';

export interface RunEnvironment {
  readonly pki: Pki;
  /** True inside the netns child: netns peers are started directly. */
  readonly insideNetns?: boolean;
  /** Why a peer cannot run here, probed once per run (runner/matrix.ts); kinds absent are probed per case. */
  readonly unavailable?: ReadonlyMap<ServerKind, string | undefined>;
}

/** How long the first connection of a resumption case waits for a session after its steps (TLS 1.3 tickets). */
const SESSION_WAIT_MS = 300;
/**
 * How long a stopping s_server may take to exit by itself when the case counts its output: its
 * -msg / -trace lines sit in a stdout buffer flushed only at exit (@puretls/test-support/openssl).
 */
const OUTPUT_FLUSH_GRACE_MS = 2000;

/** The first option of the case the client cannot take, as an essential 'n/a' check. */
function capabilityGate(testCase: ConformanceCase, client: ClientUnderTest): CheckResult | undefined {
  const caps = client.capabilities;
  const all = [testCase.client, testCase.resumption?.secondClient ?? {}];
  const gates: [boolean, string][] = [
    [testCase.client.requireExtendedMasterSecret === true && !caps.requireExtendedMasterSecret, 'requireExtendedMasterSecret option'],
    [all.some((o) => o.pskModes !== undefined) && caps.pskModes !== true, 'pskModes option'],
    [(testCase.client.requestOCSP === true || testCase.client.ocspPolicy !== undefined) && caps.ocsp !== true, 'OCSP staple checking'],
    [testCase.client.postHandshakeAuth === true && caps.postHandshakeAuth !== true, 'postHandshakeAuth option'],
    [all.some((o) => o.clockSkewSeconds !== undefined) && caps.clock !== true, 'injected clock (clockSkewSeconds)'],
    [testCase.resumption?.earlyData !== undefined && caps.earlyData !== true, 'early data (0-RTT)'],
  ];
  const failed = gates.find(([blocked]) => blocked);
  return failed === undefined ? undefined : notAvailable(failed[1], 'supported', true);
}

/** Runs one case (netns peers are delegated to a netns child unless already inside one). */
export async function runCase(testCase: ConformanceCase, client: ClientUnderTest, env: RunEnvironment): Promise<CaseResult> {
  const started = Date.now();
  const gate = capabilityGate(testCase, client);
  if (gate !== undefined) return finish(testCase, client, started, [gate], { observed: NOT_AVAILABLE });
  const kind = testCase.server.kind;
  const entry = SERVERS[kind];
  if (env.insideNetns !== true) {
    const unavailable = env.unavailable?.has(kind) === true ? env.unavailable.get(kind) : await entry.unavailable();
    if (unavailable !== undefined) return finish(testCase, client, started, [], { status: 'skipped', observed: 'skipped', note: unavailable });
    if (entry.netns) {
      try {
        return (await runInNetns(testCase.id, client.name, env.pki.dir)) as CaseResult;
      } catch (error) {
        return finish(testCase, client, started, [check('netns child', 'result', (error as Error).message)], { observed: 'harness error' });
      }
    }
  }
  return runConnections(testCase, client, env, started);
}

/** One connection of a case. */
interface Leg {
  /** '' for a one-connection case, else 'first connection ' / 'second connection '. */
  readonly prefix: string;
  readonly connection?: ClientConnection;
  /** Key log lines of a refused handshake (an accepted one reads its connection's). */
  readonly refusedKeylog: readonly string[];
  readonly observed: string;
}

const keylogOf = (leg: Leg): readonly string[] => leg.connection?.keylogLines() ?? leg.refusedKeylog;

/** Thrown to skip the rest of a resumption case after a failed essential check. */
class Abort extends Error {}

/** The case's client certificate fixture as `cert` / `key` PEM text (files of the run's PKI). */
function clientCertificateOptions(testCase: ConformanceCase, pki: Pki): { cert?: string; key?: string } {
  const fixture = testCase.clientCertificate;
  if (fixture === undefined) return {};
  const read = (file: string): string => readFileSync(join(pki.dir, file), 'utf8');
  return { cert: read(`${fixture.name}.chain.pem`), key: read(fixture.keyFile ?? `${fixture.name}.key`) };
}

async function runConnections(testCase: ConformanceCase, client: ClientUnderTest, env: RunEnvironment, started: number): Promise<CaseResult> {
  const resumption = testCase.resumption;
  const entry = SERVERS[testCase.server.kind];
  const checks: CheckResult[] = [];
  const servers: RunningServer[] = [];
  const logs: ServerLog[] = [];
  const legs: Leg[] = [];
  let observed = '';
  let proxy: RunningProxy | undefined;
  let tap: RunningWireTap | undefined;
  let tapped: TappedConnection[] = [];
  const start = (overrides: StartOverrides): Promise<RunningServer> =>
    entry.start(testCase.server, env.pki.dir, { ...overrides, ...(testCase.serverOutput === undefined ? {} : { exitGraceMs: OUTPUT_FLUSH_GRACE_MS }) });
  const base = { host: '127.0.0.1', servername: 'localhost', ca: env.pki.caRootPem, ...clientCertificateOptions(testCase, env.pki), ...testCase.client };
  const prefix = resumption === undefined ? '' : 'first connection ';

  /** Checks one connection's outcome; runs the steps; a resumption leg then waits for a session and closes. */
  const openLeg = async (outcome: ConnectOutcome, legPrefix: string, expectation: ConformanceCase['expect'] | undefined, server: RunningServer): Promise<Leg> => {
    if (!outcome.ok) {
      const text = describeError(outcome.error);
      if (expectation !== undefined && !expectation.ok) checks.push(...failureChecks(expectation, outcome.error, client));
      else checks.push(check(`${legPrefix}handshake`, 'accepted', text, true));
      return { prefix: legPrefix, refusedKeylog: outcome.keylog, observed: text };
    }
    const connection = outcome.connection;
    const info = connection.info;
    const leg: Leg = { prefix: legPrefix, connection, refusedKeylog: [], observed: `${info.version} ${info.suite} ${info.group} ${info.sigScheme} alpn=${info.alpn ?? '-'}` };
    if (expectation !== undefined && !expectation.ok) {
      checks.push(check('handshake', 'refused', 'accepted', true));
      return leg;
    }
    if (expectation !== undefined) checks.push(...successChecks(expectation, connection, client).map((c) => ({ ...c, name: `${legPrefix}${c.name}` })));
    const stepChecks = await runSteps(testCase.steps, connection, server, env.pki, client);
    checks.push(...stepChecks.map((c) => ({ ...c, name: `${legPrefix}${c.name}` })));
    if (resumption !== undefined) {
      await connection.waitForSession(SESSION_WAIT_MS);
      // close_notify first: a TLS 1.2 session of a connection torn down without it leaves the server's cache.
      connection.end();
      await Promise.race([connection.closed, delay(2000)]);
      connection.destroy();
    }
    return leg;
  };

  try {
    let server = await start(resumption === undefined ? {} : { naccept: resumption.server === 'same' ? (resumption.replay === undefined ? 2 : 3) : 1 });
    servers.push(server);
    let port = server.port;
    if (testCase.server.proxy !== undefined) {
      proxy = await startDowngradeProxy(server.port, testCase.server.proxy);
      port = proxy.port;
    } else if (testCase.wire !== undefined || entry.keylog === 'exporter') {
      tap = await startWireTap(server.port);
      port = tap.port;
    }
    const first = await openLeg(await client.connect({ ...base, port }), prefix, testCase.expect, server);
    legs.push(first);
    observed = first.observed;
    if (resumption !== undefined) {
      if (first.connection === undefined || checks.some((c) => c.status === 'fail')) throw new Abort();
      const sessions = first.connection.sessions();
      checks.push(check('first connection resumable session', resumption.expectSession ? 'received' : 'none', sessions.length > 0 ? 'received' : 'none', true));
      if (resumption.sessionCount !== undefined) checks.push(check('first connection sessions received', String(resumption.sessionCount), String(sessions.length), true));
      if (resumption.server === 'restart') {
        logs.push(await server.stop());
        server = await start({ naccept: 1, port: server.port, ...(resumption.restartedServerArgs === undefined ? {} : { args: resumption.restartedServerArgs }) });
        servers.push(server);
      }
      const offered = sessions.at(-1);
      const early = resumption.earlyData === undefined ? {} : { earlyData: resumption.earlyData.text };
      const outcome = await client.connect({ ...base, ...resumption.secondClient, port, ...(offered === undefined ? {} : { session: offered }), ...early });
      const second = await openLeg(outcome, 'second connection ', undefined, server);
      legs.push(second);
      observed = second.observed;
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
        if (resumption.earlyData !== undefined) checks.push(...earlyDataChecks('second connection ', resumption.earlyData, info.earlyData));
      }
      if (resumption.replay !== undefined && second.connection !== undefined) {
        // RFC 8446 §8: the same ClientHello data again (the same ticket, new early data): a replay.
        const replay = resumption.replay;
        const again = await client.connect({ ...base, ...resumption.secondClient, port, ...(offered === undefined ? {} : { session: offered }), earlyData: replay.earlyData.text });
        const third = await openLeg(again, 'third connection ', undefined, server);
        legs.push(third);
        if (third.connection !== undefined) {
          const info = third.connection.info;
          observed = `${observed}; replay ${info.resumed === true ? 'Reused' : 'New'} early data ${info.earlyData?.status ?? 'n/a'}`;
          checks.push(check('third connection reused', String(replay.expectReused), String(info.resumed), true));
          checks.push(...earlyDataChecks('third connection ', replay.earlyData, info.earlyData));
        }
      }
    }
  } catch (error) {
    if (!(error instanceof Abort)) {
      checks.push(check('harness', 'no error', (error as Error).message));
      observed = observed || 'harness error';
    }
  } finally {
    for (const leg of legs) {
      if (leg.connection === undefined || resumption !== undefined) continue;
      leg.connection.destroy();
      await Promise.race([leg.connection.closed, delay(2000)]);
    }
    // The server logs what it received (a client's alert) a moment after the client gave up.
    if (servers.length > 0 && testCase.serverOutput !== undefined) await settleServerOutput(servers.at(-1)!, testCase.serverOutput);
    if (proxy !== undefined) await proxy.stop();
    if (tap !== undefined) {
      tapped = tap.connections();
      await tap.stop();
    }
    for (const server of servers.slice(logs.length)) logs.push(await server.stop());
  }

  if (proxy !== undefined && testCase.server.proxy === 'strip-tls13') {
    const errors = proxy.errors();
    checks.push(check('proxy stripped TLS 1.3 from the ClientHello', 'yes', errors.length > 0 ? `error: ${errors.join('; ')}` : proxy.removedExtensions().length > 0 ? 'yes' : 'no', true));
  }
  if (checks.some((c) => c.name === 'harness') || logs.length === 0) return finish(testCase, client, started, checks, { observed: observed || 'harness error' });
  for (const outputCheck of testCase.serverOutput ?? []) {
    const count = logs.reduce((sum, log) => sum + [...log.output.matchAll(new RegExp(outputCheck.pattern, 'gm'))].length, 0);
    checks.push(check(outputCheck.name, String(outputCheck.count), String(count)));
  }
  for (const wire of testCase.wire ?? []) checks.push(wireCheck(wire, tapped));
  const accepted = legs.filter((leg) => leg.connection !== undefined);
  if (testCase.expect.ok && accepted.length > 0 && (testCase.checkKeylog ?? true) && entry.keylog !== 'none') {
    if (!client.capabilities.keylog) {
      checks.push(notAvailable('key log = server key log', 'equal'));
    } else if (entry.keylog === 'exporter') {
      checks.push(exporterKeylogCheck(accepted.map(keylogOf), (testCase.expect as ExpectSuccess).suite, logs.map((l) => l.output).join('\n'), serverRandoms(tapped)));
    } else {
      for (const [index, leg] of accepted.entries()) {
        const log = index === 0 ? logs[0]! : logs.at(-1)!;
        const resumedFrom = index > 0 ? { keylog: keylogOf(accepted[0]!), log: logs[0]! } : undefined;
        const version = index > 0 ? (resumption?.version ?? '') : (testCase.expect as ExpectSuccess).version;
        const earlyDataRejected = leg.connection?.info.earlyData !== undefined && leg.connection.info.earlyData.status !== 'accepted';
        checks.push(fileKeylogCheck({ prefix: leg.prefix, keylog: keylogOf(leg), log, version, earlyDataRejected, ...(resumedFrom === undefined ? {} : { resumedFrom }) }, resumption === undefined));
      }
    }
  }
  return finish(testCase, client, started, checks, { observed: observed || 'harness error' });
}

/** The client's early data report against the row's expectation (RFC 8446 §4.2.10; docs/early-data.md). */
function earlyDataChecks(prefix: string, expected: EarlyDataExpectation, observed: EarlyDataOutcome | undefined): CheckResult[] {
  if (observed === undefined) return [check(`${prefix}early data status`, expected.status, 'no report', true)];
  const checks = [check(`${prefix}early data status`, expected.status, observed.status, true)];
  if (expected.sentAsEarlyData !== undefined) checks.push(check(`${prefix}bytes sent as early data`, String(expected.sentAsEarlyData), String(observed.sentAsEarlyData)));
  if (expected.sentAfterHandshake !== undefined) checks.push(check(`${prefix}bytes sent after the handshake`, String(expected.sentAfterHandshake), String(observed.sentAfterHandshake)));
  checks.push(check(`${prefix}bytes handed back unsent`, String(expected.unsentBytes ?? 0), String(observed.unsentBytes)));
  return checks;
}

/** ClientHello.random -> the final ServerHello.random of each tapped connection (TLS 1.2 exporters). */
function serverRandoms(tapped: readonly TappedConnection[]): Map<string, string> {
  const randoms = new Map<string, string>();
  for (const connection of tapped) {
    const clientHello = hellos(connection.fromClient)[0];
    const serverHello = hellos(connection.fromServer).find((h) => h.random !== HRR_RANDOM);
    if (clientHello !== undefined && serverHello !== undefined) randoms.set(clientHello.random, serverHello.random);
  }
  return randoms;
}

/** A {@link WireCheck} on the first tapped connection. */
export function wireCheck(wire: WireCheck, tapped: readonly TappedConnection[]): CheckResult {
  const connection = tapped[0];
  const serverHellos = connection === undefined ? [] : hellos(connection.fromServer);
  const clientHellos = connection === undefined ? [] : hellos(connection.fromClient);
  const hrr = serverHellos[0]?.random === HRR_RANDOM ? serverHellos[0] : undefined;
  if (wire === 'hrr') {
    const shape = serverHellos.map((h) => (h.random === HRR_RANDOM ? 'HRR' : 'SH')).join(',') || 'none';
    return check('wire: HelloRetryRequest, then ServerHello', 'HRR,SH', shape, true);
  }
  const cookie = hrr?.extensions.get(EXTENSION_COOKIE);
  const echoed = clientHellos[1]?.extensions.get(EXTENSION_COOKIE);
  const observed = cookie === undefined ? 'no cookie in the HRR' : echoed === undefined ? `cookie of ${cookie.length / 2} bytes, not in the second ClientHello` : echoed === cookie ? 'cookie echoed' : 'second ClientHello carries another cookie';
  return check('wire: HRR cookie (RFC 8446 §4.2.2) echoed in the second ClientHello', 'cookie echoed', observed, true);
}

/** Waits (at most 1.5 s) until every server output check has reached its count. */
async function settleServerOutput(server: RunningServer, outputChecks: readonly ServerOutputCheck[]): Promise<void> {
  const deadline = Date.now() + 1500;
  const satisfied = (): boolean => outputChecks.every((c) => [...server.output().matchAll(new RegExp(c.pattern, 'gm'))].length >= c.count);
  // A referenced timer: the server may have exited already, and an unref'd one would let Node exit here.
  while (!satisfied() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
