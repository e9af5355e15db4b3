/**
 * The key-log oracle (CONFORMANCE.md §2.1 row 47): the client's NSS-format key log lines of each
 * connection must equal the server's lines for the same client random (RFC 8446 §7.1 secrets,
 * RFC 5246 §8.1 master secret), or, for a server that logs no secrets but prints an exporter
 * (NSS selfserv), the exporter derived from the client's lines must equal the one it printed.
 *
 * @module
 */
import { expectedExporters, printedExporters } from '../servers/nss.ts';
import type { ServerLog } from '../types.ts';
import { check, type CheckResult } from './checks.ts';

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

/** TLS 1.3 early secrets (RFC 8446 §7.1), logged only when 0-RTT is used. */
const EARLY_LABELS: ReadonlySet<string> = new Set(['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET']);

const labelOf = (line: string): string => line.split(' ')[0] ?? '';

/** The client random (lower-case hex) of a connection's key log lines. */
export function randomOf(lines: readonly string[]): string | undefined {
  return lines[0]?.split(' ')[1]?.toLowerCase();
}

/** Set equality of the NSS-format key log lines (both sides log the same secrets, possibly in another order). */
export function keylogCheck(clientLines: readonly string[], serverLines: readonly string[]): CheckResult {
  const standard = (line: string): boolean => NSS_KEYLOG_LABELS.has(labelOf(line));
  const clientSet = new Set(clientLines.filter(standard));
  const serverSet = new Set(serverLines.filter(standard));
  const missing = [...serverSet].filter((line) => !clientSet.has(line)).map(labelOf);
  const extra = [...clientSet].filter((line) => !serverSet.has(line)).map(labelOf);
  const equal = serverSet.size > 0 && missing.length === 0 && extra.length === 0;
  return {
    name: 'key log = server key log',
    expected: `${serverSet.size} lines equal`,
    observed: equal ? `${serverSet.size} lines equal` : `client ${clientSet.size}, server ${serverSet.size}; missing [${missing.join(',')}] extra [${extra.join(',')}]`,
    status: equal ? 'pass' : 'fail',
  };
}

/** One connection's key log, with what the server-side comparison needs. */
export interface KeylogLeg {
  /** '' for a one-connection case, else 'first connection ' / 'second connection '. */
  readonly prefix: string;
  readonly keylog: readonly string[];
  readonly log: ServerLog;
  /** The TLS 1.2 master secret the server logged for an earlier connection this one resumed. */
  readonly resumedFrom?: { readonly keylog: readonly string[]; readonly log: ServerLog };
  readonly version: string;
  /** The connection sent early data that the server did not accept: the server may have derived no early secrets. */
  readonly earlyDataRejected?: boolean;
}

/** Compares one connection's key log with a server that writes a key log file. */
export function fileKeylogCheck(legIn: KeylogLeg, oneConnection: boolean): CheckResult {
  let leg = legIn;
  const random = randomOf(leg.keylog);
  let serverLines = oneConnection ? leg.log.keylog : leg.log.keylog.filter((line) => randomOf([line]) === random);
  if (serverLines.length === 0 && leg.resumedFrom !== undefined && leg.version === 'TLSv1.2') {
    // gnutls-serv logs nothing for an abbreviated TLS 1.2 handshake; a resumed session keeps its
    // master secret (RFC 5246 §7.3), so it must equal the server's for the first connection.
    const firstRandom = randomOf(leg.resumedFrom.keylog);
    const secretOf = (lines: readonly string[], r: string | undefined): string =>
      lines.find((l) => l.startsWith('CLIENT_RANDOM ') && randomOf([l]) === r)?.split(' ')[2]?.toLowerCase() ?? 'none';
    return check(`${leg.prefix}master secret = server's for the first connection (no server key log line)`, secretOf(leg.resumedFrom.log.keylog, firstRandom), secretOf(leg.keylog, random));
  }
  let note = oneConnection ? '' : ' (same client random';
  if (leg.keylog.every((line) => !EARLY_LABELS.has(labelOf(line)))) {
    // gnutls-serv logs the early secrets of every accepted PSK (an external one too); without
    // 0-RTT the client derives none.
    const before = serverLines.length;
    serverLines = serverLines.filter((line) => !EARLY_LABELS.has(labelOf(line)));
    if (serverLines.length !== before) note += oneConnection ? ' (server early secrets left out: no 0-RTT)' : ', server early secrets left out (no 0-RTT)';
  }
  if (leg.earlyDataRejected === true && serverLines.every((line) => !EARLY_LABELS.has(labelOf(line)))) {
    // Rejected 0-RTT (RFC 8446 §4.2.10): a server that could not or would not take it (an unknown
    // ticket, a replay) derives no early secrets; the client's are compared only when it has them.
    const before = leg.keylog.length;
    const keylog = leg.keylog.filter((line) => !EARLY_LABELS.has(labelOf(line)));
    if (keylog.length !== before) note += ', client early secrets left out (0-RTT rejected, none on the server)';
    leg = { ...leg, keylog };
  }
  if (!oneConnection) note += ')';
  const result = keylogCheck(leg.keylog, serverLines);
  return { ...result, name: `${leg.prefix}${result.name}${note}` };
}

/**
 * NSS: the exporter values selfserv printed (one per connection) must equal the ones derived from
 * the client's key log lines (servers/nss.ts), for every connection of the case.
 */
export function exporterKeylogCheck(clientKeylogs: readonly (readonly string[])[], suite: string, serverOutput: string, serverRandoms: ReadonlyMap<string, string>): CheckResult {
  const printed = printedExporters(serverOutput);
  const derived = clientKeylogs.flatMap((lines) => expectedExporters(lines, suite, serverRandoms));
  const equal = derived.length === clientKeylogs.length && printed.length === derived.length && derived.every((value, i) => printed[i] === value);
  return {
    name: 'key log = server (exporter printed by selfserv, derived from the client key log)',
    expected: `${printed.length} exporters equal`,
    observed: equal ? `${printed.length} exporters equal` : `derived ${derived.length} of ${clientKeylogs.length} connections, printed ${printed.length}, ${derived.filter((v, i) => printed[i] === v).length} equal`,
    status: equal && printed.length > 0 ? 'pass' : 'fail',
  };
}
