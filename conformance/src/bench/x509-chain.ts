/**
 * Benchmark section: the cost of validating one server certificate chain (parse, path building,
 * signatures, validity, host name) with puretls' X.509 code on noble, against node:crypto
 * (OpenSSL) doing the same checks on the same DER: `X509Certificate` parsing, `verify()` of each
 * link, `checkHost()` and the validity window. Trust anchors are parsed once on both sides, and
 * puretls precomputes the anchor's EC tables where noble allows it (TrustStore does that).
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TrustStore, clearVerificationCaches, decodePemCertificates, verifyServerCertificateChain } from '@puretls/tls-core';
import { registerSection, type BenchContext, type BenchRow } from './registry.ts';

const CHAINS = [
  ['ECDSA P-256 leaf ← P-384 intermediate ← RSA-3072 root', 'leaf-ecdsa-p256.pem', 'ca-int.pem'],
  ['RSA-2048 leaf (RSA-PSS signed) ← RSA-2048 intermediate ← RSA-3072 root', 'leaf-rsa2048-pss-signed.pem', 'ca-int-rsa.pem'],
] as const;

/** Operations per second of a synchronous function over about `ms` milliseconds (after a warm-up). */
function rate(fn: () => void, ms: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
  let n = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    fn();
    n++;
    elapsed = performance.now() - started;
  }
  return (n * 1000) / elapsed;
}

registerSection({
  id: 'x509',
  title: 'certificate chain validation per second (same DER, same checks; noble vs node:crypto)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const rootPem = context.pki.caRootPem;
    const trust = TrustStore.fromPem(rootPem);
    const nodeRoot = new X509Certificate(rootPem);
    for (const [label, leafFile, intermediateFile] of CHAINS) {
      const leafDer = decodePemCertificates(await readFile(join(context.pki.dir, leafFile), 'utf8'))[0]!;
      const intDer = decodePemCertificates(await readFile(join(context.pki.dir, intermediateFile), 'utf8'))[0]!;
      const chain = [leafDer, intDer];
      const puretls = (): void => {
        clearVerificationCaches();
        verifyServerCertificateChain({ chain, trust, hostname: 'localhost', now: Date.now() });
      };
      const node = (): void => {
        const leaf = new X509Certificate(leafDer);
        const intermediate = new X509Certificate(intDer);
        const now = Date.now();
        for (const c of [leaf, intermediate]) {
          if (Date.parse(c.validFrom) > now || Date.parse(c.validTo) < now) throw new Error('node: outside validity');
        }
        if (leaf.checkHost('localhost') === undefined) throw new Error('node: host mismatch');
        if (!leaf.verify(intermediate.publicKey) || !intermediate.verify(nodeRoot.publicKey)) throw new Error('node: bad signature');
      };
      const subject = rate(puretls, 2000, 20);
      const baseline = rate(node, 2000, 20);
      context.log(`  ${label}: puretls ${subject.toFixed(1)}/s, node:crypto ${baseline.toFixed(1)}/s`);
      rows.push({ section: 'x509', name: label, unit: 'chains/s', subject, baseline, baselineName: 'node:crypto', note: 'puretls/noble vs node:crypto (OpenSSL) on the same chain' });
    }
    return rows;
  },
});
