/**
 * The session-resumption rows against s_server (CONFORMANCE.md §2.1 rows 13-22, issue 6; RFC 8446
 * §4.6.1, §2.2; RFC 5077): two connections each, with the offer read from the server's -trace.
 * Part of the s_server rows (./index.ts); the row builder is ./spec.ts.
 *
 * @module
 */
import { AES128, EC, full13, ok12, ok13, RESUMED12, resumed13 } from '../common.ts';
import type { ConformanceCase, ServerOutputCheck } from '../schema.ts';
import { opensslCase, type OpensslCaseSpec, opensslCert, TWO_SERVER_HELLOS } from './spec.ts';

const cases: ConformanceCase[] = [];
const openssl = (spec: OpensslCaseSpec): void => {
  cases.push(opensslCase(spec));
};

// ======================= s_server: session resumption (§2.1 rows 13–22, issue 6) =======================
// Two connections per row (s_server -naccept 2); the first runs the -rev echo (so TLS 1.3 tickets
// have arrived) and closes cleanly, the second offers the first's last session.
//
// Whether a session was *offered* is read from the wire, on the server: s_server -trace prints
// every pre_shared_key extension (RFC 8446 §4.2.11) as `extension_type=psk(41)`, once in a
// ClientHello that offers a session and once more in a ServerHello that accepts it. The first
// connection has nothing to offer, so the count covers the second connection's hellos only.
const PSK_TRACE = 'extension_type=psk\\(41\\)';
const pskTrace = (count: number, name: string): ServerOutputCheck => ({ name, pattern: PSK_TRACE, count });
openssl({
  id: 's13-resume-psk-dhe-ke',
  section: 'openssl resumption',
  description: 'TLS 1.3 ticket resumption, psk_dhe_ke (default): 2 sessions (2 tickets by default), second connection offers pre_shared_key and is Reused with an x25519 key share',
  flags: ['-trace'],
  expect: ok13(),
  resumption: { ...resumed13(), sessionCount: 2 },
  serverOutput: [pskTrace(2, 'pre_shared_key in the second ClientHello and ServerHello (-trace)')],
});
openssl({
  id: 's13-resume-psk-ke',
  section: 'openssl resumption',
  description: 'TLS 1.3 psk_ke only (server -allow_no_dhe_kex, client pskModes psk_ke): Reused without a key exchange',
  flags: ['-allow_no_dhe_kex'],
  client: { pskModes: ['psk_ke'] },
  expect: ok13(),
  resumption: resumed13('none'),
});
openssl({
  id: 's13-psk-ke-ticket-to-dhe-only-server',
  section: 'openssl resumption',
  description:
    'TLS 1.3 ticket offered for psk_ke only (so with an empty key_share, tls-core emptyKeyShareWithPskKeOnly) to a server without -allow_no_dhe_kex: it refuses the PSK, asks for x25519 with a HelloRetryRequest, full handshake',
  flags: ['-trace'],
  expect: ok13(),
  resumption: full13({ secondClient: { pskModes: ['psk_ke'] } }),
  serverOutput: [{ name: 'one HelloRetryRequest, on the second connection (-trace: the special ServerHello.random)', pattern: 'gmt_unix_time=0xCF21AD74', count: 1 }],
});
openssl({
  id: 's13-resume-num-tickets-0',
  section: 'openssl resumption',
  description: 'TLS 1.3 -num_tickets 0: no session arrives, the second connection is a full handshake',
  flags: ['-num_tickets', '0'],
  expect: ok13(),
  resumption: { server: 'same', expectSession: false, sessionCount: 0, expectReused: false, version: 'TLSv1.3', suite: AES128, group: 'x25519' },
});
for (const tickets of [1, 5]) {
  openssl({
    id: `s13-resume-num-tickets-${tickets}`,
    section: 'openssl resumption',
    description: `TLS 1.3 -num_tickets ${tickets}: exactly ${tickets} session${tickets === 1 ? '' : 's'} on the first connection; the second offers the last one and is Reused`,
    flags: ['-num_tickets', String(tickets)],
    expect: ok13(),
    resumption: { ...resumed13(), sessionCount: tickets },
  });
}
openssl({
  id: 's13-resume-hrr',
  section: 'openssl resumption',
  description: 'TLS 1.3 resumption after a HelloRetryRequest (server -groups P-256, client key share X25519 only): Reused on secp256r1',
  flags: ['-groups', 'P-256', '-msg'],
  client: { groups: ['X25519', 'P-256'] },
  expect: ok13({ group: 'secp256r1' }),
  resumption: resumed13('secp256r1'),
  serverOutput: [{ ...TWO_SERVER_HELLOS, name: 'HelloRetryRequest on both connections (4 ServerHellos in -msg)', count: 4 }],
});
openssl({
  id: 's13-resume-no-ticket',
  section: 'openssl resumption',
  description: 'TLS 1.3 -no_ticket (stateful tickets from the server cache): still Reused',
  flags: ['-no_ticket'],
  expect: ok13(),
  resumption: resumed13(),
});
openssl({
  id: 's13-resume-restarted-server',
  section: 'openssl resumption',
  description: 'TLS 1.3 ticket offered to a restarted s_server (new ticket keys): declined, full handshake',
  expect: ok13(),
  resumption: full13({ server: 'restart' }),
});
// Expiry (RFC 8446 §4.6.1: a client MUST NOT cache a ticket for longer than its ticket_lifetime):
// s_server's tickets carry ticket_lifetime 7200 s (SSL_CTX's default session timeout, asserted
// from -trace). The client's clock is injected (tls-core `now`): on the second connection it runs
// 7201 s ahead, so the session is past its lifetime and must not appear in the ClientHello. The
// control row runs the clock 7100 s ahead (still within the lifetime): offered and Reused, which
// shows the skew itself (certificates are then checked at that time too) is not what stops it.
const TICKET_LIFETIME_7200: ServerOutputCheck = { name: 'NewSessionTickets with ticket_lifetime_hint=7200 (2 per connection)', pattern: 'ticket_lifetime_hint=7200\\b', count: 4 };
openssl({
  id: 's13-resume-expired-not-offered',
  section: 'openssl resumption',
  description: 'TLS 1.3 session past its ticket_lifetime (7200 s; client clock 7201 s ahead on the second connection): not offered (no pre_shared_key in -trace), full handshake',
  flags: ['-trace'],
  expect: ok13(),
  resumption: full13({ secondClient: { clockSkewSeconds: 7201 } }),
  serverOutput: [TICKET_LIFETIME_7200, pskTrace(0, 'no pre_shared_key in any hello (-trace)')],
});
openssl({
  id: 's13-resume-clock-ahead-within-lifetime',
  section: 'openssl resumption',
  description: 'control for the expiry row: client clock 7100 s ahead, within the 7200 s ticket_lifetime: offered (pre_shared_key in -trace) and Reused',
  flags: ['-trace'],
  expect: ok13(),
  resumption: { ...resumed13(), secondClient: { clockSkewSeconds: 7100 } },
  serverOutput: [pskTrace(2, 'pre_shared_key in the second ClientHello and ServerHello (-trace)')],
});
// Server name (RFC 8446 §4.6.1: resume only if the SNI is valid for the original certificate;
// SHOULD only if it matches the original SNI): a session for 'localhost' is not offered to
// 'test.local' on the same s_server (the test certificate covers both names, gen-pki.sh SAN_LOCAL).
openssl({
  id: 's13-resume-other-sni-not-offered',
  section: 'openssl resumption',
  description: "TLS 1.3 session of server name 'localhost' not offered to 'test.local' (same s_server; the certificate covers both): no pre_shared_key in -trace, full handshake",
  flags: ['-trace'],
  expect: ok13(),
  resumption: full13({ secondClient: { servername: 'test.local' } }),
  serverOutput: [
    { name: "second ClientHello's server_name is test.local (-trace hex dump)", pattern: '\\.{5}test\\.local$', count: 1 },
    pskTrace(0, 'no pre_shared_key in any hello (-trace)'),
  ],
});
/** The second connection resumes the TLS 1.2 session (ECDHE-ECDSA-AES128-GCM-SHA256). */
openssl({
  id: 's12-resume-session-id',
  section: 'openssl resumption',
  description: 'TLS 1.2 session-ID resumption (-no_ticket, server session cache): Reused',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-no_ticket'],
  expect: ok12(),
  resumption: RESUMED12,
});
openssl({
  id: 's12-resume-ticket',
  section: 'openssl resumption',
  description: 'TLS 1.2 RFC 5077 ticket resumption: Reused',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  expect: ok12(),
  resumption: RESUMED12,
});

openssl({
  id: 's12-resume-restarted-server',
  section: 'openssl resumption',
  description: 'TLS 1.2 RFC 5077 ticket offered (-trace: a non-empty session_ticket) to a restarted s_server (new ticket keys, empty cache): full TLS 1.2 handshake',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-trace'],
  expect: ok12(),
  resumption: { ...RESUMED12, server: 'restart', expectReused: false },
  serverOutput: [{ name: 'the ticket was offered to the restarted server (non-empty session_ticket)', pattern: 'extension_type=session_ticket\\(35\\), length=[1-9]', count: 1 }],
});
// A TLS 1.3-capable client offering a TLS 1.2 session sends key_share with no entries (RFC 8446
// §4.2.8 "MAY be empty"; tls-core config emptyKeyShareWhenResumingTls12): no key generation for
// the likely TLS 1.2 answer. -trace prints the extension's length: 2 = an empty client_shares
// list (a HelloRetryRequest's key_share is 2 bytes too, but a NamedGroup line follows it), 38 =
// one X25519 entry (2 + 2 + 2 + 32). A HelloRetryRequest is the ServerHello whose random is the
// RFC 8446 §4.1.3 constant, which -trace prints as gmt_unix_time=0xCF21AD74.
const KEY_SHARE_EMPTY: ServerOutputCheck = { name: 'ClientHellos with an empty key_share (-trace length=2)', pattern: 'extension_type=key_share\\(51\\), length=2\\n(?! +NamedGroup)', count: 1 };
const HRR_TRACE: ServerOutputCheck = { name: 'HelloRetryRequest sent (-trace: the special ServerHello.random)', pattern: 'gmt_unix_time=0xCF21AD74', count: 1 };
const KEY_SHARE_X25519: ServerOutputCheck = { name: 'ClientHellos with one X25519 key share (-trace length=38)', pattern: 'extension_type=key_share\\(51\\), length=38$', count: 1 };
openssl({
  id: 's12-resume-empty-key-share',
  section: 'openssl resumption',
  description: 'TLS 1.2 ticket resumption by a client that also offers TLS 1.3: the second ClientHello has an empty key_share (no key generation); Reused',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-trace'],
  expect: ok12(),
  resumption: RESUMED12,
  serverOutput: [KEY_SHARE_X25519, KEY_SHARE_EMPTY],
});
openssl({
  id: 's12-session-to-upgraded-server',
  section: 'openssl resumption',
  description:
    'a TLS 1.2 session offered to a restarted server that now also speaks TLS 1.3: empty key_share, HelloRetryRequest for X25519, full TLS 1.3 handshake (the 1.2 session is not resumed)',
  version: 'tls1_2',
  flags: ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  expect: ok12(),
  resumption: full13({ server: 'restart', restartedServerArgs: [...opensslCert(EC), '-ciphersuites', AES128, '-trace', '-rev'] }),
  serverOutput: [KEY_SHARE_EMPTY, HRR_TRACE, { ...KEY_SHARE_X25519, name: 'second ClientHello (after the HelloRetryRequest) has one X25519 key share' }],
});

export const OPENSSL_RESUMPTION_CASES: readonly ConformanceCase[] = cases;
