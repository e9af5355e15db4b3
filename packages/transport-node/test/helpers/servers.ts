/**
 * Test peers: a throw-away PKI made with the openssl CLI by @puretls/test-support (a CA, and
 * leaves signed by it for localhost/127.0.0.1 with RSA and ECDSA P-256 keys, plus a self-signed
 * leaf), `openssl s_server` on 127.0.0.1 (from @puretls/test-support), and how a socket ended.
 */
import { existsSync } from 'node:fs';
import { CA_EXTENSIONS, opensslPki, type OpensslPki } from '@puretls/test-support/pki';
import type { TLSSocket } from '../../src/tls-socket.ts';

export { freePort, opensslAvailable, startOpensslServer } from '@puretls/test-support/openssl';

export interface TestPki {
  dir: string;
  caPem: string;
  rsa: { cert: string; key: string; certFile: string; keyFile: string };
  ecdsa: { cert: string; key: string; certFile: string; keyFile: string };
  selfSigned: { cert: string; key: string };
  caFile: string;
  /** The builder that made it (for a test's extra certificates under `ca`). */
  builder: OpensslPki;
  cleanup(): void;
}

/** Resolves once the socket closed, with the error it emitted first (undefined: a clean close); drains data. */
export const closeOutcome = (s: TLSSocket): Promise<Error | undefined> =>
  new Promise((r) => {
    let err: Error | undefined;
    s.on('error', (e) => (err = e));
    s.on('data', () => {});
    s.on('close', () => r(err));
  });

/** True once the lead's engine exists (integration tests run only then). */
export const engineReady = existsSync(new URL('../../../tls-core/src/client/connection.ts', import.meta.url));

/** The extensions of the server leaves (RFC 5280 §4.2.1.3, §4.2.1.9, §4.2.1.12, §4.2.1.6). */
export const SERVER_LEAF_EXTENSIONS = ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature,keyEncipherment', 'extendedKeyUsage = serverAuth', 'subjectAltName = DNS:localhost,IP:127.0.0.1'];

export function makePki(): TestPki {
  const pki = opensslPki('transport');
  pki.certificate('ca', { keyType: 'P-256', subject: '/CN=puretls transport test CA', days: 30, extensions: CA_EXTENSIONS });
  for (const [name, keyType] of [['rsa', 'RSA-2048'], ['ecdsa', 'P-256']] as const) {
    pki.certificate(name, { keyType, subject: `/CN=localhost/O=puretls ${name}`, days: 30, extensions: SERVER_LEAF_EXTENSIONS, issuer: 'ca' });
  }
  // Self-signed, and a CA itself (as `req -x509` makes it by default): trusted by nobody.
  pki.certificate('self', { keyType: 'P-256', subject: '/CN=localhost', days: 30, extensions: ['basicConstraints = critical,CA:TRUE', 'subjectKeyIdentifier = hash', 'subjectAltName = DNS:localhost,IP:127.0.0.1'] });
  const pair = (n: string) => ({ cert: pki.text(`${n}.pem`), key: pki.text(`${n}.key`), certFile: pki.path(`${n}.pem`), keyFile: pki.path(`${n}.key`) });
  return {
    dir: pki.dir,
    caPem: pki.text('ca.pem'),
    caFile: pki.path('ca.pem'),
    rsa: pair('rsa'),
    ecdsa: pair('ecdsa'),
    selfSigned: { cert: pki.text('self.pem'), key: pki.text('self.key') },
    builder: pki,
    cleanup: pki.cleanup,
  };
}
