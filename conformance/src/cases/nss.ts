/**
 * The rows against NSS `selfserv` (NSS 3.87, Debian libnss3-tools; CONFORMANCE.md §3.2), run
 * inside the private network namespace (selfserv listens on all interfaces). Every row goes
 * through the wire tap: the HelloRetryRequest row asserts from the recorded bytes that NSS's HRR
 * carries a cookie and that the client echoes it, and the key-log check uses the exporter value
 * selfserv prints (servers/nss.ts: Debian's NSS writes no key log) with the server random read
 * from the wire for TLS 1.2.
 *
 * selfserv answers a request with `HTTP/1.0 200 OK` and the request echoed back, then closes.
 *
 * @module
 */
import { NSS_NICKNAMES } from '../servers/nss.ts';
import { AES128, authOf, certName, EC, ok12, ok13, RSA, RSA_PSS_RSAE_SHA256 } from './common.ts';
import type { ConformanceCase, Expectation, Resumption, Step, WireCheck } from './schema.ts';
import { group, GROUPS, TLS12_SUITES, TLS13_SUITES } from './suites.ts';

const REQUEST = 'GET /puretls HTTP/1.0\r\n\r\n';
/** selfserv's reply: status line, then the request echoed in the body, then its close. */
const HTTP_ECHO: readonly Step[] = [
  { op: 'send', text: REQUEST },
  { op: 'expect', text: 'HTTP/1.0 200 OK' },
  { op: 'expect', text: 'GET /puretls HTTP/1.0' },
  { op: 'expect-close', kind: 'clean' },
];

const TLS13 = ['-V', 'tls1.3:tls1.3'];
const TLS12 = ['-V', 'tls1.2:tls1.2'];
const ECDSA_ARGS = ['-e', NSS_NICKNAMES.ecdsa];
const RSA_ARGS = ['-n', NSS_NICKNAMES.rsa];

const cases: ConformanceCase[] = [];

interface NssRow {
  readonly id: string;
  readonly section?: string;
  readonly description: string;
  readonly args: readonly string[];
  readonly rsa?: boolean;
  readonly client?: ConformanceCase['client'];
  readonly expect: Expectation;
  readonly wire?: readonly WireCheck[];
  readonly resumption?: Resumption;
  readonly checkKeylog?: boolean;
}

function nss(row: NssRow): void {
  cases.push({
    id: row.id,
    section: row.section ?? 'nss selfserv',
    description: row.description,
    server: { kind: 'nss', args: [...(row.rsa === true ? RSA_ARGS : ECDSA_ARGS), ...row.args] },
    certificate: certName(row.rsa === true ? RSA : EC),
    client: row.client ?? {},
    steps: row.expect.ok ? HTTP_ECHO : [],
    expect: row.expect,
    ...(row.wire === undefined ? {} : { wire: row.wire }),
    ...(row.resumption === undefined ? {} : { resumption: row.resumption }),
    ...(row.checkKeylog === undefined ? {} : { checkKeylog: row.checkKeylog }),
  });
}

for (const { iana: suite, nss: code } of TLS13_SUITES) {
  nss({ id: `nss13-suite-${suite}`, description: `NSS TLS 1.3 restricted to ${suite} (-c ${code})`, args: [...TLS13, '-c', code], expect: ok13({ suite }) });
}
for (const { option, iana, nss: nssGroup } of GROUPS.filter((g) => g.iana !== 'secp384r1')) {
  nss({ id: `nss13-group-${iana}`, description: `NSS TLS 1.3 key exchange on ${option} (-I ${nssGroup}, client key share ${option})`, args: [...TLS13, '-I', nssGroup], client: { groups: [option] }, expect: ok13({ group: iana }) });
}
nss({
  id: 'nss13-hrr-cookie',
  description: 'NSS HelloRetryRequest with a cookie (-I P384, client key share X25519): the client echoes the cookie',
  args: [...TLS13, '-I', group('secp384r1').nss],
  expect: ok13({ group: 'secp384r1' }),
  wire: ['hrr', 'hrr-cookie-echoed'],
});
nss({ id: 'nss13-cert-rsa2048', description: 'NSS TLS 1.3 with the RSA certificate: CertificateVerify with rsa_pss_rsae_sha256', args: TLS13, rsa: true, expect: ok13({ sigScheme: RSA_PSS_RSAE_SHA256 }) });
nss({
  id: 'nss13-resume-ticket',
  section: 'nss selfserv resumption',
  description: 'NSS TLS 1.3 ticket (-u): the second connection resumes with psk_dhe_ke',
  args: [...TLS13, '-u'],
  expect: ok13(),
  resumption: { server: 'same', expectSession: true, expectReused: true, version: 'TLSv1.3', suite: AES128, group: 'x25519' },
});
for (const { iana: suite, nss: code, auth } of TLS12_SUITES) {
  const { sigScheme } = authOf(auth);
  // Observed with selfserv 3.87: for the TLS 1.2 *_SHA384 suites it prints no exporter value (with
  // OpenSSL's s_client and Node as clients too), so those rows have no key-log oracle.
  const noExporter = suite.endsWith('SHA384');
  nss({ id: `nss12-suite-${suite}`, description: `NSS TLS 1.2 ${suite} (-c ${code})`, args: [...TLS12, '-c', code], rsa: auth === 'rsa', expect: ok12({ suite, sigScheme }), ...(noExporter ? { checkKeylog: false } : {}) });
}
nss({
  id: 'nss12-resume-session-id',
  section: 'nss selfserv resumption',
  description: 'NSS TLS 1.2 session-ID resumption from its server session cache',
  args: TLS12,
  expect: ok12(),
  resumption: { server: 'same', expectSession: true, expectReused: true, version: 'TLSv1.2', suite: ok12().suite },
});

/** The selfserv rows, in run order. */
export const NSS_CASES: readonly ConformanceCase[] = cases;
