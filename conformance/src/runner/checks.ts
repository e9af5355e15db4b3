/**
 * The result vocabulary of a case (a list of named checks, each expected vs observed) and the
 * checks of a handshake's outcome against the case's {@link Expectation}: version, suite, group,
 * signature scheme and ALPN of an accepted handshake; the alert received, the certificate or error
 * reason and the alert sent of a refused one. A check whose field the client cannot report is
 * 'n/a' for that client only.
 *
 * @module
 */
import type { ConformanceCase, Expectation, ExpectFailure, ExpectSuccess } from '../cases/schema.ts';
import { NOT_AVAILABLE, type ClientConnection, type ClientUnderTest, type ObservedError } from '../types.ts';

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
  /** Why it failed, was skipped, is n/a or a known deviation. */
  readonly note?: string;
  readonly durationMs: number;
}

export function check(name: string, expected: string, observed: string, essential = false): CheckResult {
  return { name, expected, observed, status: expected === observed ? 'pass' : 'fail', ...(essential ? { essential } : {}) };
}

export function notAvailable(name: string, expected: string, essential = false): CheckResult {
  return { name, expected, observed: NOT_AVAILABLE, status: 'n/a', ...(essential ? { essential } : {}) };
}

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

export function describeError(error: ObservedError): string {
  const parts: string[] = ['refused'];
  if (error.alertReceived !== undefined) parts.push(`alert ${error.alertReceived} received`);
  if (error.certReason !== undefined) parts.push(`cert ${error.certReason}`);
  if (error.reason !== undefined) parts.push(`reason ${error.reason}`);
  if (error.alertSent !== undefined) parts.push(`sent ${error.alertSent}`);
  if (error.alertReceived === undefined && error.certReason === undefined) parts.push(`${error.code ?? 'error'}: ${error.message}`);
  return parts.join(': ');
}

export function successChecks(expectation: ExpectSuccess, connection: ClientConnection, client: ClientUnderTest): CheckResult[] {
  const info = connection.info;
  const checks = [check('version', expectation.version, info.version, true), check('suite', expectation.suite, info.suite)];
  checks.push(client.capabilities.group ? check('group', expectation.group, info.group) : notAvailable('group', expectation.group));
  checks.push(client.capabilities.sigScheme ? check('signature scheme', expectation.sigScheme, info.sigScheme) : notAvailable('signature scheme', expectation.sigScheme));
  checks.push(check('alpn', expectation.alpn ?? '-', info.alpn ?? '-'));
  return checks;
}

/** Passes when `observed` is one of `allowed`. */
function oneOf(name: string, allowed: readonly (string | number)[], observed: string, essential = false): CheckResult {
  const expected = allowed.join('|');
  return { name, expected, observed, status: allowed.map(String).includes(observed) ? 'pass' : 'fail', ...(essential ? { essential } : {}) };
}

export function failureChecks(expectation: ExpectFailure, error: ObservedError, client: ClientUnderTest): CheckResult[] {
  const checks: CheckResult[] = [check('handshake', 'refused', 'refused')];
  const unexplained = `none (${error.code ?? ''} ${error.message})`;
  if (expectation.alertReceived !== undefined) {
    checks.push(check('alert received', String(expectation.alertReceived), error.alertReceived === undefined ? 'none' : String(error.alertReceived), true));
  }
  if (expectation.certReason !== undefined) checks.push(oneOf('certificate reason', expectation.certReason, error.certReason ?? unexplained, true));
  if (expectation.reason !== undefined) {
    checks.push(client.capabilities.errorReason ? oneOf('error reason', expectation.reason, error.reason ?? unexplained) : notAvailable('error reason', expectation.reason.join('|')));
  }
  if (expectation.alertSent !== undefined) {
    checks.push(client.capabilities.alertSent ? oneOf('alert sent', expectation.alertSent, error.alertSent === undefined ? 'none' : String(error.alertSent)) : notAvailable('alert sent', expectation.alertSent.join('|')));
  }
  return checks;
}

/** The case's result from its checks: fail (or a known deviation), n/a when an essential check was n/a, else pass. */
export function finish(
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
  const notObservable = checks.filter((c) => c.status === 'n/a').map((c) => c.name);
  if (note === undefined && notObservable.length > 0) note = `n/a for ${client.name}: ${notObservable.join(', ')}`;
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
