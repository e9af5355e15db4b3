/**
 * Test peers: a throw-away PKI made with the openssl CLI (a CA, and leaves signed by it for
 * localhost/127.0.0.1 with RSA and ECDSA P-256 keys, plus a self-signed leaf), Node's own
 * `tls.createServer`, and `openssl s_server` on 127.0.0.1 (from @puretls/test-support).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { freePort, opensslAvailable, startOpensslServer } from '@puretls/test-support/openssl';

export interface TestPki {
  dir: string;
  caPem: string;
  rsa: { cert: string; key: string; certFile: string; keyFile: string };
  ecdsa: { cert: string; key: string; certFile: string; keyFile: string };
  selfSigned: { cert: string; key: string };
  caFile: string;
  cleanup(): void;
}

/** True once the lead's engine exists (integration tests run only then). */
export const engineReady = existsSync(new URL('../../../tls-core/src/client/connection.ts', import.meta.url));

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-transport-'));
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  writeFileSync(join(dir, 'leaf.cnf'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=puretls transport test CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const leaf = (name: string, keyArgs: string[]): void => {
    run('req', '-new', '-newkey', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=localhost/O=puretls ${name}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'leaf.cnf', '-out', `${name}.pem`);
  };
  leaf('rsa', ['rsa:2048']);
  leaf('ecdsa', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-subj', '/CN=localhost', '-days', '30', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  const pair = (n: string) => ({ cert: read(`${n}.pem`), key: read(`${n}.key`), certFile: join(dir, `${n}.pem`), keyFile: join(dir, `${n}.key`) });
  return {
    dir,
    caPem: read('ca.pem'),
    caFile: join(dir, 'ca.pem'),
    rsa: pair('rsa'),
    ecdsa: pair('ecdsa'),
    selfSigned: { cert: read('self.pem'), key: read('self.key') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
