/**
 * TLS 1.3 0-RTT early data against s_server (CONFORMANCE.md §2.1 rows 23-26; RFC 8446 §2.3,
 * §4.2.10, §4.5, §8, Appendix E.5; docs/early-data.md): two connections each (three for the
 * replay row); the second offers the first's last ticket with early data. s_server runs in its
 * default mode (not -rev), the one that reads early data (`SSL_read_early_data`) and prints it
 * between `Early data received:` and `End of early data`; data after the handshake is printed as
 * it comes. So the server's output says how often each text arrived, whatever the client reports.
 * Part of the s_server rows (./index.ts); the row builder is ./spec.ts.
 *
 * @module
 */
import { full13, HELLO, ok13, resumed13 } from '../common.ts';
import type { ConformanceCase, ServerOutputCheck, Step } from '../schema.ts';
import { opensslCase, type OpensslCaseSpec } from './spec.ts';

const cases: ConformanceCase[] = [];
const openssl = (spec: OpensslCaseSpec): void => {
  cases.push(opensslCase(spec));
};

/** s_server's default mode prints what it receives; the client then closes with close_notify. */
const PRINTED: readonly Step[] = [{ op: 'send', text: HELLO }, { op: 'expect-server-output', text: HELLO.trim() }, { op: 'end' }];
const DEFAULT_MODE: readonly string[] = [];
/** How often `text` arrived at the server (printed in its output), over all its connections. */
const arrived = (text: string, count: number): ServerOutputCheck => ({ name: `"${text.trim()}" arrived at the server ${count === 1 ? 'once' : `${count} times`}`, pattern: text.trim().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), count });
/** s_server's report of an early data read that got data. */
const EARLY_READS = (count: number): ServerOutputCheck => ({ name: `s_server read early data on ${count} connection(s) ("Early data received:")`, pattern: '^Early data received:$', count });

const ACCEPTED = 'EARLY-DATA-ACCEPTED\n';
openssl({
  id: 's13-early-data-accepted',
  section: 'openssl early data',
  description: 'TLS 1.3 0-RTT (s_server -early_data): the resumed connection sends early data with the ticket; accepted, EndOfEarlyData, the server prints it exactly once; key logs equal, CLIENT_EARLY_TRAFFIC_SECRET included',
  flags: ['-early_data'],
  mode: DEFAULT_MODE,
  steps: PRINTED,
  expect: ok13(),
  resumption: { ...resumed13(), earlyData: { text: ACCEPTED, status: 'accepted', sentAsEarlyData: ACCEPTED.length, sentAfterHandshake: 0 } },
  serverOutput: [arrived(ACCEPTED, 1), EARLY_READS(1)],
});

// -max_early_data 1024: the ticket allows 1024 bytes; the client sends those early and the rest
// as ordinary data right after its Finished. The head and tail markers arrive once each.
const HEAD = 'MAX-EARLY-HEAD';
const TAIL = 'MAX-EARLY-TAIL\n';
const LONG = `${HEAD}${'.'.repeat(1500 - HEAD.length - TAIL.length)}${TAIL}`;
openssl({
  id: 's13-early-data-max-early-data',
  section: 'openssl early data',
  description: 's_server -early_data -max_early_data 1024, 1500 bytes of early data: 1024 go as 0-RTT (accepted), the other 476 right after the handshake; each part arrives once',
  flags: ['-early_data', '-max_early_data', '1024'],
  mode: DEFAULT_MODE,
  steps: PRINTED,
  expect: ok13(),
  resumption: { ...resumed13(), earlyData: { text: LONG, status: 'accepted', sentAsEarlyData: 1024, sentAfterHandshake: 476 } },
  serverOutput: [arrived(HEAD, 1), arrived(TAIL, 1), EARLY_READS(1)],
});

// A restarted server has new ticket keys: it cannot read the ticket, so it makes a full
// handshake and skips the 0-RTT records (-no_anti_replay: the rejection is the ticket's, not the
// replay cache's). The negotiated ALPN is the session's (none), so the client re-sends the data
// after the handshake (docs/early-data.md): it arrives once.
const RESENT = 'EARLY-DATA-RESENT\n';
openssl({
  id: 's13-early-data-rejected-restarted',
  section: 'openssl early data',
  description: 'TLS 1.3 0-RTT to a restarted s_server -early_data -no_anti_replay (new ticket keys): full handshake, early data rejected, re-sent after the handshake (same ALPN: none) and arriving exactly once',
  flags: ['-early_data', '-no_anti_replay'],
  mode: DEFAULT_MODE,
  steps: PRINTED,
  expect: ok13(),
  resumption: full13({
    server: 'restart',
    earlyData: { text: RESENT, status: 'rejected', sentAsEarlyData: RESENT.length, sentAfterHandshake: RESENT.length },
  }),
  serverOutput: [arrived(RESENT, 1), EARLY_READS(0)],
});

// The session was made with ALPN h2 (s_server -alpn h2); the second connection goes to a
// restarted s_server -alpn http/1.1 (its ALPN differs from the session's; a Context's sessions
// are for one client configuration, so the client offers h2,http/1.1 both times and the server
// decides). The restarted server cannot read the ticket (new keys): full handshake, early data
// rejected, http/1.1 selected. RFC 8446 §4.2.10 forbids an automatic resend with another ALPN:
// the data is handed back to the application and never arrives.
const H2_ONLY = 'EARLY-DATA-H2-ONLY\n';
/** The restarted server's command line: the row's, with -alpn http/1.1. */
const HTTP11_SERVER = opensslCase({ id: 'restarted', section: '', description: '', flags: ['-early_data', '-alpn', 'http/1.1'], mode: DEFAULT_MODE, expect: ok13() }).server.args;
openssl({
  id: 's13-early-data-rejected-other-alpn',
  section: 'openssl early data',
  description:
    "TLS 1.3 0-RTT with a session of ALPN h2, offered to a restarted s_server -alpn http/1.1 (new ticket keys: full handshake, http/1.1): early data rejected, not re-sent (another ALPN than the session's) but handed back to the application; it never arrives",
  flags: ['-early_data', '-alpn', 'h2'],
  mode: DEFAULT_MODE,
  steps: PRINTED,
  client: { alpnProtocols: ['h2', 'http/1.1'] },
  expect: ok13({ alpn: 'h2' }),
  resumption: full13({
    server: 'restart',
    restartedServerArgs: HTTP11_SERVER,
    earlyData: { text: H2_ONLY, status: 'rejected', sentAsEarlyData: H2_ONLY.length, sentAfterHandshake: 0, unsentBytes: H2_ONLY.length },
  }),
  serverOutput: [arrived(H2_ONLY, 0), EARLY_READS(0)],
});

// s_server's anti-replay (on by default, RFC 8446 §8): a ticket's early data is taken once. The
// third connection offers the same ticket again: its early data is rejected; the ALPN is the
// session's (none), so it is re-sent after the handshake and arrives once, as ordinary data.
const FIRST_USE = 'EARLY-DATA-FIRST-USE\n';
const REPLAYED = 'EARLY-DATA-REPLAYED\n';
openssl({
  id: 's13-early-data-replay-rejected',
  section: 'openssl early data',
  description: 'TLS 1.3 0-RTT anti-replay (s_server -early_data, anti-replay on by default): the first use of a ticket is accepted, a second use of the same ticket is rejected; each text arrives exactly once',
  flags: ['-early_data'],
  mode: DEFAULT_MODE,
  steps: PRINTED,
  expect: ok13(),
  resumption: {
    ...resumed13(),
    earlyData: { text: FIRST_USE, status: 'accepted', sentAsEarlyData: FIRST_USE.length, sentAfterHandshake: 0 },
    replay: { expectReused: false, earlyData: { text: REPLAYED, status: 'rejected', sentAsEarlyData: REPLAYED.length, sentAfterHandshake: REPLAYED.length } },
  },
  serverOutput: [arrived(FIRST_USE, 1), arrived(REPLAYED, 1), EARLY_READS(1)],
});

/** The 0-RTT rows against s_server, in run order. */
export const OPENSSL_EARLY_DATA_CASES: readonly ConformanceCase[] = cases;
