/**
 * The rows against Node's own TLS server (`tls.createServer` in a child process, servers/node.ts):
 * this machine's Node 20 (OpenSSL 3.0) and Node 26 from npm (OpenSSL 3.5, with X25519MLKEM768).
 * The same rows run against both; the server's 'keylog' event lines are its key log.
 *
 * @module
 */
import type { NodeServerConfig } from '../servers/node-server-child.ts';
import type { NodeServerKind } from '../servers/node.ts';
import { AES128, authOf, certName, EC, LINE_ECHO, ok12, ok13, type CertFixture } from './common.ts';
import type { ConformanceCase, Expectation, Resumption, WireCheck } from './schema.ts';
import { GROUPS, TLS12_SUITES, TLS13_SUITES, X25519MLKEM768 } from './suites.ts';

const cases: ConformanceCase[] = [];

interface NodeRow {
  readonly id: string;
  readonly description: string;
  readonly config: Omit<NodeServerConfig, 'keylogPath' | 'cert' | 'key'>;
  readonly cert?: CertFixture;
  readonly client?: ConformanceCase['client'];
  readonly expect: Expectation;
  readonly wire?: readonly WireCheck[];
  readonly resumption?: Resumption;
}

function rowsFor(kind: NodeServerKind): void {
  const add = (row: NodeRow): void => {
    const cert = row.cert ?? EC;
    cases.push({
      id: `${kind}-${row.id}`,
      section: `${kind} tls.createServer`,
      description: `${kind === 'node20' ? 'Node 20' : 'Node 26'} ${row.description}`,
      server: { kind, args: [], node: { cert: `${cert.leaf}.chain.pem`, key: `${cert.leaf}.key`, ...row.config } },
      certificate: certName(cert),
      client: row.client ?? {},
      steps: LINE_ECHO,
      expect: row.expect,
      ...(row.wire === undefined ? {} : { wire: row.wire }),
      ...(row.resumption === undefined ? {} : { resumption: row.resumption }),
    });
  };
  // The server's suite preference is pinned (Node prefers AES-256), so expectations hold for any client.
  const tls13 = { minVersion: 'TLSv1.3', ciphersuites: AES128 } as const;
  for (const { iana: suite, openssl } of TLS13_SUITES) {
    add({ id: `13-suite-${suite}`, description: `TLS 1.3 restricted to ${suite}`, config: { ...tls13, ciphersuites: openssl }, expect: ok13({ suite }) });
  }
  for (const { option, iana, openssl } of GROUPS.filter((g) => g.iana !== 'secp384r1')) {
    add({ id: `13-group-${iana}`, description: `TLS 1.3 key exchange on ${option} (ecdhCurve ${openssl})`, config: { ...tls13, ecdhCurve: openssl }, client: { groups: [option] }, expect: ok13({ group: iana }) });
  }
  add({ id: '13-hrr-p256', description: 'HelloRetryRequest (ecdhCurve P-256, client key share X25519)', config: { ...tls13, ecdhCurve: 'P-256' }, expect: ok13({ group: 'secp256r1' }), wire: ['hrr'] });
  add({
    id: '13-resume-ticket',
    description: 'TLS 1.3 ticket resumption (psk_dhe_ke) on the same server',
    config: tls13,
    expect: ok13(),
    resumption: { server: 'same', expectSession: true, expectReused: true, version: 'TLSv1.3', suite: AES128, group: 'x25519' },
  });
  for (const { iana: suite, openssl, auth } of TLS12_SUITES.filter((s) => !s.iana.includes('AES_256'))) {
    const { cert, sigScheme } = authOf(auth);
    add({ id: `12-suite-${suite}`, description: `TLS 1.2 ${suite}`, cert, config: { maxVersion: 'TLSv1.2', ciphers: openssl }, expect: ok12({ suite, sigScheme }) });
  }
  if (kind === 'node26') {
    add({
      id: '13-group-x25519mlkem768',
      description: 'TLS 1.3 key exchange on X25519MLKEM768 (ecdhCurve X25519MLKEM768, client key share X25519MLKEM768)',
      config: { ...tls13, ecdhCurve: X25519MLKEM768.openssl },
      client: { groups: [X25519MLKEM768.option] },
      expect: ok13({ group: X25519MLKEM768.iana }),
    });
  }
}
rowsFor('node20');
rowsFor('node26');

/** The Node server rows, in run order. */
export const NODE_CASES: readonly ConformanceCase[] = cases;
