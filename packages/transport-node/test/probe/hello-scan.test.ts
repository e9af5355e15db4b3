/**
 * Known answers for the ClientHello scanner: real servers started here on 127.0.0.1 (openssl
 * s_server 3.0, Node's tls.createServer) and stopped by PID, each configured with the versions,
 * suites (and order) and groups the scan must report, field by field.
 */
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanHellos } from '../../src/probe/hello-scan.ts';
import type { HelloScanFacts } from '../../src/probe/hello-scan.ts';
import { TLS12_SCAN_SUITES } from '../../src/probe/scan-tables.ts';
import { makePki, opensslAvailable, startOpensslServer, type TestPki } from '../helpers/servers.ts';

const hasOpenssl = opensslAvailable();
let pki: TestPki;
const stops: (() => void)[] = [];

beforeAll(() => {
  if (hasOpenssl) pki = makePki();
});
afterAll(() => {
  for (const stop of stops) stop();
  pki?.cleanup();
});

async function openssl(args: string[]): Promise<number> {
  const server = await startOpensslServer(['-cert', pki.rsa.certFile, '-key', pki.rsa.keyFile, ...args]);
  stops.push(server.stop);
  return server.port;
}

async function scan(label: string, port: number): Promise<HelloScanFacts> {
  const facts = await scanHellos({ host: '127.0.0.1', port, deadlineMs: 20_000, maxConnections: 40 });
  console.log(`hello-scan ${label}: ${facts.connectionsUsed} connections, ${facts.durationMs} ms`);
  expect(facts.connectionsUsed).toBe(facts.probes.length);
  expect(facts.connectionsUsed).toBeLessThanOrEqual(40);
  expect(facts.durationMs).toBeLessThan(20_000);
  return facts;
}

const names = (list: readonly { name: string }[]): string[] => list.map((e) => e.name);
/** IANA names of OpenSSL suite names, via the table (OpenSSL names in the order given). */
const OPENSSL_TO_IANA: Record<string, string> = {
  'ECDHE-RSA-AES128-SHA': 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'AES256-GCM-SHA384': 'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'DHE-RSA-AES128-GCM-SHA256': 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-RSA-CHACHA20-POLY1305': 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
};
const TABLE_ORDER = (iana: readonly string[]): string[] => TLS12_SCAN_SUITES.map((s) => s.name as string).filter((n) => iana.includes(n));

describe.skipIf(!hasOpenssl)('scanHellos against openssl s_server 3.0', () => {
  it('default server: TLS 1.3 and 1.2, legacy versions refused, groups, tolerance', async () => {
    const f = await scan('s_server default', await openssl([]));
    expect(f.versions.tls13.value).toBe(true);
    expect(f.versions.tls12.value).toBe(true);
    // OpenSSL 3.0's default security level 1 refuses TLS 1.0/1.1 (no SHA-1 / MD5 signatures).
    expect(f.versions.tls11.value).toBe(false);
    expect(f.versions.tls10.value).toBe(false);
    expect(f.versions.ssl3.value).toBe(false);
    expect(f.versions.tls11.evidence[0]?.reply.kind).toBe('alert');
    expect(names(f.tls13.suites.accepted)).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
    expect(f.tls13.suites.complete).toBe(true);
    // s_server 3.0 takes the client's order unless -serverpref.
    expect(f.tls13.suites.serverPreference.value).toBe(false);
    // OpenSSL 3.0's default groups: x25519, P-256, x448, P-521, P-384, ffdhe2048..8192 (no ML-KEM in 3.0).
    expect(names(f.tls13.groups.accepted).sort()).toEqual(['ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'secp256r1', 'secp384r1', 'secp521r1', 'x25519', 'x448']);
    expect(f.tls13.groups.complete).toBe(true);
    expect(f.tls13.hrrWhenShareNotPreferred.value).toBe(false);
    expect(f.tls13.hrrCookie.value).toBe(false);
    expect(names(f.tls12.groups.accepted).sort()).toEqual(['secp256r1', 'secp384r1', 'secp521r1', 'x25519', 'x448']);
    expect(f.tls12.secureRenegotiation.value).toBe(true);
    expect(f.tls12.extendedMasterSecret.value).toBe(true);
    expect(f.tls12.downgradeSentinel.value).toBe(true);
    // The default server accepts more TLS 1.2 suites than the budget leaves: reported, not hidden.
    expect(f.tls12.suites.accepted.length).toBeGreaterThan(3);
    expect(f.tls12.suites.accepted.some((s) => !s.puretlsUses)).toBe(true);
    for (const t of Object.values(f.tolerance)) expect(t.outcome).toBe('accepted');
    expect(f.tolerance.helloIn256To511.helloLength).toBe(400);
    expect(f.tolerance.helloOver16k.helloLength).toBeGreaterThan(16384);
  });

  it('TLS 1.2 only, -cipher in a chosen order with -serverpref: exact list and order', async () => {
    const order = ['ECDHE-RSA-AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256'];
    const f = await scan('s_server tls1_2 serverpref', await openssl(['-tls1_2', '-cipher', order.join(':'), '-serverpref']));
    expect(f.versions.tls13.value).toBe(false);
    expect(f.versions.tls12.value).toBe(true);
    expect(names(f.tls12.suites.accepted)).toEqual(order.map((n) => OPENSSL_TO_IANA[n]));
    expect(f.tls12.suites.complete).toBe(true);
    expect(f.tls12.suites.serverPreference.value).toBe(true);
    expect(f.tls12.suites.accepted.map((s) => s.puretlsUses)).toEqual([false, false, true, false]);
    expect(f.tls12.suites.accepted[3]?.dhBits).toBeGreaterThanOrEqual(2048);
    expect(f.tls12.suites.accepted[0]?.groupName).toBe('x25519');
    expect(f.tls13.suites.accepted).toEqual([]);
    // No TLS 1.3, so no sentinel question.
    expect(f.tls12.downgradeSentinel.value).toBeUndefined();
    expect(f.complete).toBe(true);
  });

  it('TLS 1.2 only, same suites without -serverpref: the client order', async () => {
    const order = ['ECDHE-RSA-AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256'];
    const f = await scan('s_server tls1_2 client order', await openssl(['-tls1_2', '-cipher', order.join(':')]));
    const iana = order.map((n) => OPENSSL_TO_IANA[n]!);
    expect(names(f.tls12.suites.accepted)).toEqual(TABLE_ORDER(iana));
    expect(f.tls12.suites.serverPreference.value).toBe(false);
  });

  it('-groups P-384: only secp384r1, in TLS 1.3 (by HelloRetryRequest) and TLS 1.2', async () => {
    const f = await scan('s_server groups P-384', await openssl(['-groups', 'P-384']));
    expect(names(f.tls13.groups.accepted)).toEqual(['secp384r1']);
    expect(names(f.tls12.groups.accepted)).toEqual(['secp384r1']);
    // The x25519 share is refused, so the first suite probe is answered by a HelloRetryRequest.
    expect(f.versions.tls13.evidence[0]?.reply).toMatchObject({ kind: 'hello-retry-request', selectedGroup: 0x0018 });
    expect(f.tls13.hrrWhenShareNotPreferred.value).toBeUndefined();
  });

  it('-tls1 at SECLEVEL=0: TLS 1.0 accepted (and nothing else)', async () => {
    const f = await scan('s_server tls1 seclevel0', await openssl(['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0']));
    expect(f.versions.tls10.value).toBe(true);
    expect(f.versions.tls10.evidence[0]?.reply).toMatchObject({ kind: 'server-hello', version: 0x0301 });
    expect(f.versions.tls11.value).toBe(false);
    expect(f.versions.tls12.value).toBe(false);
    expect(f.versions.tls13.value).toBe(false);
    expect(f.versions.ssl3.value).toBe(false);
  });
});

describe('scanHellos against Node tls.createServer', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it.skipIf(!hasOpenssl)('TLS 1.2, honorCipherOrder with two suites, two curves', async () => {
    server = createServer({
      key: pki.rsa.key,
      cert: pki.rsa.cert,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256',
      honorCipherOrder: true,
      ecdhCurve: 'P-256:X25519',
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const f = await scan('node tls 1.2', (server.address() as AddressInfo).port);
    expect(f.versions.tls13.value).toBe(false);
    expect(f.versions.tls12.value).toBe(true);
    expect(names(f.tls12.suites.accepted)).toEqual(['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
    expect(f.tls12.suites.serverPreference.value).toBe(true);
    expect(names(f.tls12.groups.accepted)).toEqual(['secp256r1', 'x25519']);
    expect(f.versions.tls10.value).toBe(false);
    expect(f.complete).toBe(true);
  });
});
