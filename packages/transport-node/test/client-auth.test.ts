/**
 * Client certificates through connect({ key, cert }) against Node's own TLS server (in process,
 * 127.0.0.1) with `requestCert`: what the *server* saw (authorized, the peer certificate's
 * fingerprint, its own verification) is the independent oracle, for TLS 1.3 and 1.2 and every
 * supported client key type; no credential gives an empty Certificate; a server that trusts
 * another CA refuses (node:tls drops the connection without an alert).
 * Keys and certificates come from the project's test PKI (test-pki/gen-pki.sh).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket as NodeTLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertReceived, InvalidPrivateKey } from '@puretls/tls-core';
import { connect, type ConnectOptions } from '../src/connect.ts';
import type { TLSSocket } from '../src/tls-socket.ts';
import { generateFixturePki, type FixturePki } from '@puretls/test-support/pki';
import { thrownReason } from '@puretls/test-support/errors';
import { closeOutcome, engineReady, opensslAvailable } from './helpers/servers.ts';

let pki: FixturePki | undefined;
const read = (f: string): string => pki!.text(f);
beforeAll(() => {
  if (!engineReady || !opensslAvailable()) return;
  pki = generateFixturePki('client-auth');
});
afterAll(() => pki?.cleanup());

interface Seen {
  authorized: boolean;
  authorizationError: string | undefined;
  fingerprint: string | undefined;
}

/** Node's TLS server asking for a client certificate; resolves what it saw of the first client. */
async function server(options: { version: 'TLSv1.3' | 'TLSv1.2'; requireCert: boolean; ca?: string }): Promise<{ port: number; seen: Promise<Seen>; close: () => void }> {
  let resolve!: (s: Seen) => void;
  const seen = new Promise<Seen>((r) => (resolve = r));
  const srv = createServer(
    {
      key: read('leaf-ecdsa-p256.key'),
      cert: read('leaf-ecdsa-p256.chain.pem'),
      ca: options.ca ?? read('ca-root.pem'),
      requestCert: true,
      rejectUnauthorized: options.requireCert,
      minVersion: options.version,
      maxVersion: options.version,
    },
    (s: NodeTLSSocket) => {
      s.on('error', () => {});
      const peer = s.getPeerCertificate();
      resolve({ authorized: s.authorized, authorizationError: s.authorizationError === null ? undefined : String(s.authorizationError), fingerprint: peer.fingerprint256 });
      s.pipe(s); // echo; the client closes
    },
  );
  srv.on('tlsClientError', () => {});
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return { port: (srv.address() as AddressInfo).port, seen, close: () => srv.close() };
}

function open(port: number, extra: ConnectOptions): TLSSocket {
  return connect({ host: '127.0.0.1', port, servername: 'localhost', ca: read('ca-root.pem'), ...extra });
}

const outcome = closeOutcome;

/** An echo round trip after the handshake, then our close_notify: the connection works end to end. */
async function echoAndClose(s: TLSSocket, done: Promise<Error | undefined>): Promise<Error | undefined> {
  const got = new Promise<string>((r) => s.once('data', (b: Buffer) => r(b.toString())));
  s.write('ping');
  expect(await got).toBe('ping');
  s.end();
  return done;
}

const CLIENTS = [
  ['client-ecdsa', 'P-256', /^ecdsa_secp256r1_sha256$/],
  ['client-ecdsa-p384', 'P-384', /^ecdsa_secp(256r1_sha256|384r1_sha384)$/],
  ['client-ed25519', 'Ed25519', /^ed25519$/],
  ['client-rsa', 'RSA', /^rsa_pss_rsae_sha(256|384|512)$/],
  ['client-rsapss', 'RSA-PSS', /^rsa_pss_pss_sha(256|384|512)$/],
] as const;

describe.skipIf(!engineReady || !opensslAvailable())('client certificates against node:tls with requestCert', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    for (const [name, label, scheme] of CLIENTS) {
      it(`${version}: a ${label} client certificate is sent, signed for, and verified by the server`, async () => {
        const srv = await server({ version, requireCert: true });
        const client = open(srv.port, { key: read(`${name}.key`), cert: read(`${name}.chain.pem`) });
        const done = outcome(client);
        await once(client, 'secureConnect');
        const seen = await srv.seen;
        expect(seen.authorizationError).toBeUndefined();
        expect(seen.authorized).toBe(true);
        expect(seen.fingerprint).toBe(new X509Certificate(read(`${name}.pem`)).fingerprint256);
        expect(client.getProtocol()).toBe(version);
        expect(client.getCertificate()?.fingerprint256).toBe(seen.fingerprint);
        expect(client.getX509Certificate()?.fingerprint256).toBe(seen.fingerprint);
        // the modulus field Node prints, for RSA and id-RSASSA-PSS keys alike (node:crypto has no JWK for the latter)
        if (label.startsWith('RSA')) expect(client.getCertificate()?.modulus).toBe(new X509Certificate(read(`${name}.pem`)).publicKey.export({ format: 'der', type: 'spki' }).toString('hex').toUpperCase().match(/02820101(00)?([0-9A-F]{512})/)?.[2]);
        expect(client.getClientSignatureScheme()).toMatch(scheme);
        expect(await echoAndClose(client, done)).toBeUndefined();
        srv.close();
      });
    }
  }

  it('TLS 1.2 with a PKCS#1 key file and an RSA-only server list signs PKCS#1 v1.5 or PSS as the server allows', async () => {
    const srv = await server({ version: 'TLSv1.2', requireCert: true });
    const client = open(srv.port, { key: read('client-rsa.pkcs1.key'), cert: read('client-rsa.chain.pem') });
    const done = outcome(client);
    await once(client, 'secureConnect');
    expect((await srv.seen).authorized).toBe(true);
    expect(await echoAndClose(client, done)).toBeUndefined();
    srv.close();
  });

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: with no credential an empty Certificate is sent and a server that only asks goes on`, async () => {
      const srv = await server({ version, requireCert: false });
      const client = open(srv.port, {});
      const done = outcome(client);
      await once(client, 'secureConnect');
      const seen = await srv.seen;
      expect(seen.fingerprint).toBeUndefined();
      expect(seen.authorized).toBe(false);
      expect(client.getCertificate()).toBeNull();
      expect(client.getX509Certificate()).toBeUndefined();
      expect(await echoAndClose(client, done)).toBeUndefined();
      srv.close();
    });
  }

  it('TLS 1.3: a server requiring a certificate refuses an empty one with certificate_required (116)', async () => {
    const srv = await server({ version: 'TLSv1.3', requireCert: true });
    const err = await outcome(open(srv.port, {}));
    expect(err).toBeInstanceOf(AlertReceived);
    expect((err as AlertReceived).alert).toBe(116);
    srv.close();
  });

  it('a node:tls server that trusts another CA drops the connection without an alert, in both versions; the client reports it', async () => {
    // Node checks rejectUnauthorized in JavaScript after its handshake and destroys the socket:
    // `openssl s_client -msg` against the same server also receives no alert, only EOF. (The alert
    // OpenSSL itself sends is checked against s_server in the conformance matrix.)
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      const srv = await server({ version, requireCert: true, ca: read('evil-root.pem') });
      const err = await outcome(open(srv.port, { key: read('client-ecdsa.key'), cert: read('client-ecdsa.chain.pem') }));
      expect(err?.name, version).toBe('UnexpectedEof');
      srv.close();
    }
  });
});

describe.skipIf(!engineReady || !opensslAvailable())('key / cert / passphrase / pfx options', () => {
  const reason = (f: () => unknown): string => thrownReason(f, InvalidPrivateKey);
  const opts = (o: ConnectOptions): ConnectOptions => ({ host: '127.0.0.1', port: 9, ca: read('ca-root.pem'), ...o });

  it('pfx is a typed error, not silence', () => {
    expect(reason(() => connect(opts({ pfx: Buffer.from([0x30, 0x00]) })).destroy())).toBe('UnsupportedFormat');
  });

  it('an encrypted key is refused as Encrypted, with or without a passphrase', () => {
    const encrypted = execFileSync('openssl', ['pkcs8', '-topk8', '-in', pki!.path('client-ecdsa.key'), '-passout', 'pass:pw', '-v2', 'aes-256-cbc'], { encoding: 'utf8' });
    expect(reason(() => connect(opts({ key: encrypted, cert: read('client-ecdsa.pem'), passphrase: 'pw' })).destroy())).toBe('Encrypted');
    expect(reason(() => connect(opts({ key: encrypted, cert: read('client-ecdsa.pem') })).destroy())).toBe('Encrypted');
  });

  it('a key without a cert, or a key of another certificate, is refused', () => {
    expect(reason(() => connect(opts({ key: read('client-ecdsa.key') })).destroy())).toBe('KeyMismatch');
    expect(reason(() => connect(opts({ key: read('client-ecdsa.key'), cert: read('client-rsa.pem') })).destroy())).toBe('KeyMismatch');
  });

  it('several keys pair with their certificates by public key, as in Node', async () => {
    const srv = await server({ version: 'TLSv1.3', requireCert: true });
    const client = open(srv.port, { key: [read('client-ed25519.key'), read('client-rsa.key')], cert: [read('client-rsa.chain.pem'), read('client-ed25519.chain.pem')] });
    const done = outcome(client);
    await once(client, 'secureConnect');
    const seen = await srv.seen;
    expect(seen.authorized).toBe(true);
    expect(seen.fingerprint).toBe(new X509Certificate(read('client-ed25519.pem')).fingerprint256);
    expect(await echoAndClose(client, done)).toBeUndefined();
    srv.close();
  });
});
