/**
 * The rows against Botan 2.19's `botan tls_server` (CONFORMANCE.md §3.2): TLS 1.2 only, inside the
 * private network namespace, suites / groups / signature hashes pinned by a text policy. Botan 2
 * writes no key log, so these rows cannot compare key logs.
 *
 * @module
 */
import { authOf, certName, LINE_ECHO, ok12, RSA, RSA_PSS_RSAE_SHA256, S12, type CertFixture } from './common.ts';
import { GROUPS, TLS12_SUITES } from './suites.ts';
import type { ConformanceCase, Expectation } from './schema.ts';

const cases: ConformanceCase[] = [];
// ======================= Botan 2.19 tls_server (§3.2), TLS 1.2 only, inside `unshare -n` =======================
// Each row pins Botan's text policy: one cipher, one group, SHA-256 signatures, so the suite,
// group and signature scheme do not depend on the client's preference order. Botan 2 writes no
// key log, so these rows cannot compare key logs.
function botan(id: string, description: string, cert: CertFixture, policy: Readonly<Record<string, string>>, expect: Expectation): void {
  cases.push({
    id,
    section: 'botan tls_server',
    description,
    server: {
      kind: 'botan',
      args: [`${cert.leaf}.chain.pem`, `${cert.leaf}.key`],
      configText: Object.entries(policy).map(([key, value]) => `${key} = ${value}\n`).join(''),
    },
    certificate: certName(cert),
    client: {},
    steps: expect.ok ? LINE_ECHO : [],
    expect,
    checkKeylog: false,
  });
}
for (const { iana: suite, botan: cipher, auth } of TLS12_SUITES) {
  const { cert, sigScheme } = authOf(auth);
  botan(`botan12-suite-${suite}`, `Botan TLS 1.2 ${suite} (${cert.leaf})`, cert, { ciphers: cipher, key_exchange_groups: 'x25519', signature_hashes: 'SHA-256' }, ok12({ suite, sigScheme }));
}
for (const { iana, botan: botanGroup } of GROUPS.filter((g) => g.iana !== 'x25519')) {
  botan(
    `botan12-group-${iana}`,
    `Botan TLS 1.2 ECDHE on ${iana} (RSA cert, policy key_exchange_groups = ${botanGroup})`,
    RSA,
    { ciphers: 'AES-128/GCM', key_exchange_groups: botanGroup, signature_hashes: 'SHA-256' },
    ok12({ suite: S12.rsaAes128, group: iana, sigScheme: RSA_PSS_RSAE_SHA256 }),
  );
}


/** The Botan rows, in run order. */
export const BOTAN_CASES: readonly ConformanceCase[] = cases;
