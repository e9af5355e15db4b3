/**
 * The rows against `gnutls-serv` (GnuTLS 3.7; CONFORMANCE.md §3.1), run inside the private network
 * namespace (it listens on all interfaces); its key log comes from `SSLKEYLOGFILE`.
 *
 * @module
 */
import { NOT_AVAILABLE } from '../types.ts';
import { AES256, ALERT, authOf, certName, EC, LINE_ECHO, ok12, ok13, full13, resumed13, RESUMED12, RSA, RSA_PSS_RSAE_SHA256, S12, type CertFixture } from './common.ts';
import type { ConformanceCase, Expectation, ExpectSuccess, Resumption, ServerOutputCheck, Step } from './schema.ts';
import { GROUPS, TLS12_SUITES, TLS13_SUITES } from './suites.ts';

const cases: ConformanceCase[] = [];
// ======================= gnutls-serv (§3.1), run inside `unshare -n` =======================
const GNUTLS_TLS13 = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';
const GNUTLS_TLS12 = 'NORMAL:-VERS-ALL:+VERS-TLS1.2';
function gnutls(id: string, description: string, priority: string, extra: readonly string[], client: ConformanceCase['client'], expect: Expectation, steps: readonly Step[] = LINE_ECHO, cert: CertFixture = EC): void {
  cases.push({
    id,
    section: expect.ok && expect.version === 'TLSv1.2' ? 'gnutls-serv tls1.2' : 'gnutls-serv',
    description,
    server: {
      kind: 'gnutls',
      args: ['-a', '--echo', '--x509certfile', `${cert.leaf}.chain.pem`, '--x509keyfile', `${cert.leaf}.key`, '--priority', priority, ...extra],
    },
    certificate: certName(cert),
    client,
    steps: expect.ok ? steps : [],
    expect,
  });
}
for (const { iana: suite, gnutls: cipher } of TLS13_SUITES) {
  gnutls(`gnutls13-suite-${suite}`, `gnutls TLS 1.3 restricted to ${cipher}`, `${GNUTLS_TLS13}:-CIPHER-ALL:+${cipher}`, [], {}, ok13({ suite }));
}
for (const { option, iana, gnutls: gnutlsGroup } of GROUPS) {
  gnutls(`gnutls13-group-${iana}`, `gnutls TLS 1.3 key exchange on ${option}`, `${GNUTLS_TLS13}:-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:+${gnutlsGroup}`, [], { groups: [option] }, ok13({ group: iana }));
}
gnutls('gnutls13-hrr-p384', 'gnutls forced HelloRetryRequest: server SECP384R1 only, client default key share (X25519)', `${GNUTLS_TLS13}:-CIPHER-ALL:+AES-256-GCM:-GROUP-ALL:+GROUP-SECP384R1`, [], {}, ok13({ group: 'secp384r1', suite: AES256 }));
gnutls('gnutls13-alpn-fatal', 'gnutls --alpn-fatal without overlap: fatal no_application_protocol (120)', GNUTLS_TLS13, ['--alpn', 'h2', '--alpn-fatal'], { alpnProtocols: ['foo'] }, { ok: false, alertReceived: ALERT.noApplicationProtocol });
gnutls('gnutls13-sni-fatal', 'gnutls --sni-hostname localhost --sni-hostname-fatal, client SNI other.example: fatal unrecognized_name (112)', GNUTLS_TLS13, ['--sni-hostname', 'localhost', '--sni-hostname-fatal'], { servername: 'other.example' }, { ok: false, alertReceived: ALERT.unrecognizedName });
gnutls('gnutls13-alpn-match', 'gnutls ALPN h2 + http/1.1, client offers http/1.1', `${GNUTLS_TLS13}:-CIPHER-ALL:+AES-128-GCM`, ['--alpn', 'h2', '--alpn', 'http/1.1'], { alpnProtocols: ['http/1.1'] }, ok13({ alpn: 'http/1.1' }));


// ---- gnutls-serv external PSK (--pskpasswd, file from gen-pki.sh) ----
cases.push({
  id: 'gnutls13-extpsk-psk_dhe_ke',
  section: 'gnutls-serv external psk',
  description: 'gnutls-serv --pskpasswd, TLS 1.3 with ECDHE-PSK: the client authenticates the server with the external PSK (psk_dhe_ke)',
  server: { kind: 'gnutls', args: ['-a', '--echo', '--pskpasswd', 'psk.passwd', '--priority', `${GNUTLS_TLS13}:-CIPHER-ALL:+AES-128-GCM:+ECDHE-PSK:+DHE-PSK:+PSK`] },
  certificate: 'none (PSK)',
  client: { externalPsk: { identity: 'puretls-device-1', keyHex: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' } },
  steps: LINE_ECHO,
  expect: ok13({ sigScheme: NOT_AVAILABLE }),
});

// ---- gnutls-serv client certificates (--require-client-cert --verify-client-cert) ----
for (const [priority, v, ok] of [
  [`${GNUTLS_TLS13}:-CIPHER-ALL:+AES-128-GCM`, '13', ok13()],
  [`${GNUTLS_TLS12}:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-ECDSA`, '12', ok12()],
] as const) {
  for (const [fixture, name] of [
    ['client-ecdsa', 'ECDSA P-256'],
    ['client-ed25519', 'Ed25519'],
    ['client-rsa', 'RSA'],
  ] as const) {
    cases.push({
      id: `gnutls${v}-clientauth-${fixture}`,
      section: 'gnutls-serv client certificates',
      description: `gnutls-serv --require-client-cert --verify-client-cert, TLS 1.${v === '13' ? '3' : '2'}: the client authenticates with ${fixture} (${name})`,
      server: {
        kind: 'gnutls',
        args: ['--echo', '--require-client-cert', '--verify-client-cert', '--x509cafile', 'ca-root.pem', '--x509certfile', 'leaf-ecdsa-p256.chain.pem', '--x509keyfile', 'leaf-ecdsa-p256.key', '--priority', priority],
      },
      certificate: certName(EC),
      client: {},
      clientCertificate: { name: fixture },
      steps: LINE_ECHO,
      expect: ok,
      serverOutput: [{ name: `gnutls-serv received the client certificate CN=${fixture}`, pattern: `CN=${fixture}`, count: 1 }],
    });
  }
}

// ---- gnutls-serv TLS 1.2 (§3.1 priority strings) ----
for (const { iana: suite, gnutls: cipher, gnutlsKx: kx, auth } of TLS12_SUITES) {
  const { cert, sigScheme } = authOf(auth);
  gnutls(`gnutls12-suite-${suite}`, `gnutls TLS 1.2 ${kx} with ${cipher} (${cert.leaf})`, `${GNUTLS_TLS12}:-CIPHER-ALL:+${cipher}:-KX-ALL:+${kx}`, [], {}, ok12({ suite, sigScheme }), LINE_ECHO, cert);
}
for (const { option, iana, gnutls: gnutlsGroup } of GROUPS) {
  gnutls(
    `gnutls12-group-${iana}`,
    `gnutls TLS 1.2 ECDHE on ${option} (RSA cert, client supported_groups ${option})`,
    `${GNUTLS_TLS12}:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA:-GROUP-ALL:+${gnutlsGroup}`,
    [],
    { groups: [option] },
    ok12({ suite: S12.rsaAes128, group: iana, sigScheme: RSA_PSS_RSAE_SHA256 }),
    LINE_ECHO,
    RSA,
  );
}
// gnutls-serv --echo answers the line **REHANDSHAKE** with a HelloRequest in TLS 1.2 (§3.1). The
// client declines with a no_renegotiation warning; gnutls_handshake() on the server then returns
// GNUTLS_E_WARNING_ALERT_RECEIVED, which gnutls-serv treats as the end of the connection.
gnutls(
  'gnutls12-rehandshake-declined',
  'gnutls TLS 1.2 HelloRequest (**REHANDSHAKE**): the client declines with a no_renegotiation warning (gnutls-serv then closes by its own policy)',
  `${GNUTLS_TLS12}:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-ECDSA`,
  [],
  {},
  ok12(),
  [
    { op: 'send', text: '**REHANDSHAKE**\n' },
    { op: 'expect-server-output', text: 'A TLS warning alert has been received' },
    { op: 'expect-close', kind: 'truncated' },
  ],
);
gnutls('gnutls12-pkcs1-only', 'gnutls TLS 1.2 PKCS#1 v1.5 only (-SIGN-ALL:+SIGN-RSA-SHA256): rsa_pkcs1_sha256', `${GNUTLS_TLS12}:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA:-SIGN-ALL:+SIGN-RSA-SHA256`, [], {}, ok12({ suite: S12.rsaAes128, sigScheme: 'rsa_pkcs1_sha256' }), LINE_ECHO, RSA);
gnutls('gnutls12-ems-off', 'gnutls TLS 1.2 without extended master secret (%NO_SESSION_HASH): key logs equal', `${GNUTLS_TLS12}:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-ECDSA:%NO_SESSION_HASH`, [], {}, ok12());
gnutls('gnutls12-ems-required-refused', 'gnutls %NO_SESSION_HASH, client requires the extended master secret: handshake_failure (40) sent', `${GNUTLS_TLS12}:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-ECDSA:%NO_SESSION_HASH`, [], { requireExtendedMasterSecret: true }, { ok: false, reason: ['ExtendedMasterSecretRequired'], alertSent: [ALERT.handshakeFailure] });

// gnutls-serv resumption (issue 6): TLS 1.3 tickets (sent by default) and TLS 1.2 session IDs
// (--noticket) and RFC 5077 tickets (--nodb: no session cache, so only the ticket can resume).
// gnutls-serv accepts connections until it is stopped. `-d 4` makes it log every extension it
// parses; `Parsing extension 'Pre Shared Key/41'` is the server's view of a ClientHello that offers
// a TLS 1.3 session (RFC 8446 §4.2.11), the wire evidence for the "not offered" rows.
//
// psk_ke (RFC 8446 §4.2.9): gnutls picks the PSK mode from the key exchanges of its priority
// string (lib/ext/psk_ke_modes.c): DHE-PSK is implied whenever tickets are on, plain psk_ke
// needs `+PSK` in the priority. So with `+PSK` it resumes a psk_ke-only client without any key
// exchange; without it, it sends a psk_ke-only client no ticket at all (a control row).
//
// gnutls-serv has no option for the ticket lifetime, so the expiry row runs the client clock past
// RFC 8446 §4.6.1's seven-day cap, beyond any ticket's lifetime.
const GNUTLS_PSK_PARSED = "Parsing extension 'Pre Shared Key/41'";
const gnutlsPsk = (count: number, name: string): ServerOutputCheck => ({ name, pattern: GNUTLS_PSK_PARSED, count });
const gnutlsTickets = (count: number, name: string): ServerOutputCheck => ({ name, pattern: 'NEW SESSION TICKET was queued', count });
const GNUTLS13_AES128 = `${GNUTLS_TLS13}:-CIPHER-ALL:+AES-128-GCM`;
const GNUTLS12_ECDSA_AES128 = `${GNUTLS_TLS12}:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-ECDSA`;
const SEVEN_DAYS_S = 604800;
const GNUTLS_EARLY = 'EARLY-DATA-TO-GNUTLS\n';
const GNUTLS_MAX_EARLY = 12;
const GNUTLS_EARLY_HEAD = 'EARLY-GNUTLS';
const GNUTLS_AFTER = 'AFTER-THE-HANDSHAKE\n';
const GNUTLS_EARLY_ACCEPTED: ServerOutputCheck = { name: 'server log: early data accepted (once)', pattern: 'early data accepted', count: 1 };
const GNUTLS_END_OF_EARLY_DATA: ServerOutputCheck = { name: 'server log: EndOfEarlyData received (once)', pattern: 'END OF EARLY DATA \\(5\\) was received', count: 1 };
interface GnutlsResumptionRow {
  readonly id: string;
  readonly description: string;
  readonly priority: string;
  readonly extra?: readonly string[];
  readonly client?: ConformanceCase['client'];
  readonly expect: ExpectSuccess;
  readonly resumption: Resumption;
  readonly serverOutput?: readonly ServerOutputCheck[];
}
const gnutlsResumptionRows: readonly GnutlsResumptionRow[] = [
  {
    id: 'gnutls13-resume-ticket',
    description: 'gnutls TLS 1.3 ticket resumption (default: 2 tickets per connection): 2 sessions, pre_shared_key offered, Reused',
    priority: GNUTLS13_AES128,
    expect: ok13(),
    resumption: { ...resumed13(), sessionCount: 2 },
    serverOutput: [gnutlsTickets(4, 'server queued 2 NewSessionTickets per connection'), gnutlsPsk(1, 'server parsed a pre_shared_key (second ClientHello)')],
  },
  {
    id: 'gnutls13-resume-hrr',
    description: 'gnutls TLS 1.3 resumption after a HelloRetryRequest (server SECP256R1 only, client key share X25519 only): Reused on secp256r1',
    priority: `${GNUTLS13_AES128}:-GROUP-ALL:+GROUP-SECP256R1`,
    client: { groups: ['X25519', 'P-256'] },
    expect: ok13({ group: 'secp256r1' }),
    resumption: resumed13('secp256r1'),
    serverOutput: [
      { name: 'HelloRetryRequest on both connections', pattern: 'HELLO RETRY REQUEST was queued', count: 2 },
      gnutlsPsk(2, 'server parsed a pre_shared_key in both ClientHellos of the second connection'),
    ],
  },
  {
    id: 'gnutls13-resume-psk-ke',
    description: 'gnutls TLS 1.3 psk_ke only (server priority +PSK, client pskModes psk_ke): Reused without a key exchange',
    priority: `${GNUTLS13_AES128}:+PSK`,
    client: { pskModes: ['psk_ke'] },
    expect: ok13(),
    resumption: resumed13('none'),
    serverOutput: [gnutlsPsk(1, 'server parsed a pre_shared_key (second ClientHello)'), { name: 'server selected psk_ke', pattern: 'selected PSK mode', count: 1 }],
  },
  {
    id: 'gnutls13-psk-ke-only-no-ticket',
    description: 'gnutls TLS 1.3 without +PSK, client offers psk_ke only: gnutls issues no ticket it could not accept (RFC 8446 §4.2.9), so nothing is offered; full handshake on x25519',
    priority: GNUTLS13_AES128,
    client: { pskModes: ['psk_ke'] },
    expect: ok13(),
    resumption: full13({ expectSession: false, sessionCount: 0 }),
    serverOutput: [gnutlsTickets(0, 'server queued no NewSessionTicket'), gnutlsPsk(0, 'no pre_shared_key parsed by the server')],
  },
  {
    id: 'gnutls13-resume-restarted-server',
    description: 'gnutls TLS 1.3 ticket offered to a restarted gnutls-serv (new ticket keys): declined, full handshake',
    priority: GNUTLS13_AES128,
    expect: ok13(),
    resumption: full13({ server: 'restart' }),
    serverOutput: [gnutlsPsk(1, 'the restarted server parsed a pre_shared_key')],
  },
  {
    id: 'gnutls13-resume-expired-not-offered',
    description: `gnutls TLS 1.3 session past any ticket lifetime (client clock ${SEVEN_DAYS_S + 1} s ahead, RFC 8446 §4.6.1 cap): not offered, full handshake`,
    priority: GNUTLS13_AES128,
    expect: ok13(),
    resumption: full13({ secondClient: { clockSkewSeconds: SEVEN_DAYS_S + 1 } }),
    serverOutput: [gnutlsPsk(0, 'no pre_shared_key parsed by the server')],
  },
  {
    id: 'gnutls13-resume-other-sni-not-offered',
    description: "gnutls TLS 1.3 session of 'localhost' not offered to 'test.local' (same gnutls-serv; the certificate covers both): full handshake",
    priority: GNUTLS13_AES128,
    expect: ok13(),
    resumption: full13({ secondClient: { servername: 'test.local' } }),
    serverOutput: [gnutlsPsk(0, 'no pre_shared_key parsed by the server')],
  },
  // 0-RTT (CONFORMANCE.md §3, `--earlydata --maxearlydata N`; RFC 8446 §4.2.10, §4.5): gnutls-serv
  // does not print early data, so its -d 4 log is the server's word: `early data accepted` and
  // the EndOfEarlyData it received; what the client sent after the handshake is echoed and logged
  // as a `received cmd:` line.
  {
    id: 'gnutls13-early-data-accepted',
    description: 'gnutls TLS 1.3 0-RTT (--earlydata --maxearlydata 4096): the resumed connection sends early data; accepted (server log: early data accepted, EndOfEarlyData received), nothing left for after the handshake; key logs equal',
    priority: GNUTLS13_AES128,
    extra: ['--earlydata', '--maxearlydata', '4096'],
    expect: ok13(),
    resumption: { ...resumed13(), earlyData: { text: GNUTLS_EARLY, status: 'accepted', sentAsEarlyData: GNUTLS_EARLY.length, sentAfterHandshake: 0 } },
    serverOutput: [GNUTLS_EARLY_ACCEPTED, GNUTLS_END_OF_EARLY_DATA],
  },
  {
    id: 'gnutls13-early-data-beyond-max',
    description: `gnutls TLS 1.3 0-RTT with --maxearlydata ${GNUTLS_MAX_EARLY}: the first ${GNUTLS_MAX_EARLY} bytes go early (accepted), the rest right after the handshake, where the echo server logs it once`,
    priority: GNUTLS13_AES128,
    extra: ['--earlydata', '--maxearlydata', String(GNUTLS_MAX_EARLY)],
    expect: ok13(),
    resumption: { ...resumed13(), earlyData: { text: `${GNUTLS_EARLY_HEAD}${GNUTLS_AFTER}`, status: 'accepted', sentAsEarlyData: GNUTLS_MAX_EARLY, sentAfterHandshake: GNUTLS_AFTER.length } },
    serverOutput: [GNUTLS_EARLY_ACCEPTED, GNUTLS_END_OF_EARLY_DATA, { name: 'the part beyond max_early_data_size arrived once, after the handshake', pattern: `received cmd: ${GNUTLS_AFTER.trim()}`, count: 1 }],
  },
  {
    id: 'gnutls12-resume-session-id',
    description: 'gnutls TLS 1.2 session-ID resumption (--noticket, server session cache): Reused',
    priority: GNUTLS12_ECDSA_AES128,
    extra: ['--noticket'],
    expect: ok12(),
    resumption: RESUMED12,
  },
  {
    id: 'gnutls12-resume-ticket',
    description: 'gnutls TLS 1.2 RFC 5077 ticket resumption (--nodb: no session cache, only the ticket can resume): Reused',
    priority: GNUTLS12_ECDSA_AES128,
    extra: ['--nodb'],
    expect: ok12(),
    resumption: RESUMED12,
    serverOutput: [{ name: 'server parsed a non-empty SessionTicket (second ClientHello)', pattern: "Parsing extension 'Session Ticket/35' \\([1-9][0-9]* bytes\\)", count: 1 }],
  },
];
for (const row of gnutlsResumptionRows) {
  cases.push({
    id: row.id,
    section: 'gnutls-serv resumption',
    description: row.description,
    server: { kind: 'gnutls', args: ['-a', '--echo', '-d', '4', '--x509certfile', `${EC.leaf}.chain.pem`, '--x509keyfile', `${EC.leaf}.key`, '--priority', row.priority, ...(row.extra ?? [])] },
    certificate: certName(EC),
    client: row.client ?? {},
    steps: LINE_ECHO,
    expect: row.expect,
    resumption: row.resumption,
    ...(row.serverOutput === undefined ? {} : { serverOutput: row.serverOutput }),
  });
}


/** The gnutls-serv rows, in run order. */
export const GNUTLS_CASES: readonly ConformanceCase[] = cases;
