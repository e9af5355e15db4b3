/**
 * Known answers for the ClientHello scanner: real servers started here on 127.0.0.1 (openssl
 * s_server 3.0, Node's tls.createServer, gnutls-serv 3.7) and stopped by PID, each configured with
 * the versions, suites (and order) and groups the scan must report, field by field.
 *
 * gnutls-serv has no bind-address option (CONFORMANCE.md §3), so it runs inside `unshare -n` (a
 * private network namespace with only `lo`) next to a child Node process that runs the scanner
 * (bundled from source with esbuild) and prints the facts as JSON; the shell kills the server by PID.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:tls';
import { build } from 'esbuild';
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
  const server = await startOpensslServer({ args: ['-cert', pki.rsa.certFile, '-key', pki.rsa.keyFile, ...args], naccept: 0 });
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
    // Without -serverpref, TLS 1.2 takes the client's curve order; the TLS 1.3 HelloRetryRequest
    // group comes from OpenSSL's own list whatever the offer's order (the reversed offer still
    // gets x25519), so the groups are found in OpenSSL's default order.
    expect(f.tls13.groups.serverPreference.value).toBe(true);
    expect(names(f.tls13.groups.accepted)).toEqual(['x25519', 'secp256r1', 'x448', 'secp521r1', 'secp384r1', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096']);
    expect(f.tls12.groups.serverPreference.value).toBe(false);
    expect(f.tls12.secureRenegotiation.value).toBe(true);
    expect(f.tls12.extendedMasterSecret.value).toBe(true);
    expect(f.tls12.downgradeSentinel.value).toBe(true);
    // The default server accepts more TLS 1.2 suites than the budget leaves: reported, not hidden.
    expect(f.tls12.suites.accepted.length).toBeGreaterThan(3);
    expect(f.tls12.suites.accepted.some((s) => !s.puretlsUses)).toBe(true);
    // Cut short, but the weak suites were offered alone once and refused (DEFAULT has no NULL/anon).
    expect(f.tls12.suites.complete).toBe(false);
    expect(f.tls12.suites.unresolved.filter((n) => /NULL|_anon_|EXPORT|_DES_|RC4|3DES/.test(n))).toEqual([]);
    expect(f.probes.find((p) => p.id === 'tls12-weak-suites')?.reply.kind).toBe('alert');
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

  it('-stateless: every HelloRetryRequest carries a cookie', async () => {
    const f = await scan('s_server stateless', await openssl(['-stateless']));
    expect(f.tls13.hrrCookie.value).toBe(true);
    expect(f.tls13.hrrCookie.evidence[0]?.reply).toMatchObject({ kind: 'hello-retry-request', cookie: true });
    // Its HRRs still name the suite, so the suites are found as usual.
    expect(names(f.tls13.suites.accepted)).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
  });

  it('ALL:eNULL at SECLEVEL=0: the weak-suite check finds an accepted NULL or anonymous suite the budget left unresolved', async () => {
    const f = await scan('s_server ALL:eNULL seclevel0', await openssl(['-cipher', 'ALL:eNULL:@SECLEVEL=0']));
    const weak = f.tls12.suites.accepted.filter((s) => s.outOfOrder === true);
    expect(weak).toHaveLength(1);
    expect(weak[0]!.name).toMatch(/NULL|_anon_/);
    expect(weak[0]!.probe).toBe('tls12-weak-suites');
    expect(f.tls12.suites.unresolved).not.toContain(weak[0]!.name);
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
    expect(f.tls12.groups.serverPreference.value).toBe(true); // honorCipherOrder: ecdhCurve's order
    expect(f.versions.tls10.value).toBe(false);
    expect(f.complete).toBe(true);
  });
});

function gnutlsUnavailable(): string | undefined {
  try {
    execFileSync('gnutls-serv', ['--version'], { stdio: 'ignore' });
    execFileSync('unshare', ['-n', '--', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' });
  } catch (error) {
    return (error as Error).message;
  }
  return hasOpenssl ? undefined : 'no openssl for the PKI';
}

/** Run the scanner against gnutls-serv with `priority` inside a private network namespace. */
async function scanGnutls(priority: string): Promise<HelloScanFacts> {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-hello-scan-'));
  try {
    const entry = fileURLToPath(new URL('../../src/probe/hello-scan.ts', import.meta.url));
    const child = join(dir, 'child.mjs');
    await build({
      stdin: {
        contents: `import { scanHellos } from ${JSON.stringify(entry)};\n` +
          `const f = await scanHellos({ host: '127.0.0.1', port: 5601, deadlineMs: 20000, maxConnections: 40 });\n` +
          `console.log('RESULT ' + JSON.stringify(f));\n`,
        resolveDir: dir,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: child,
      conditions: ['source'],
      logLevel: 'silent',
    });
    const log = join(dir, 'server.log');
    const script = [
      'ip link set lo up',
      `gnutls-serv -p 5601 -a --x509certfile "$1" --x509keyfile "$2" --priority "$3" >"$4" 2>&1 & pid=$!`,
      'i=0; while ! grep -q "listening on IPv4" "$4" && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
      `"$5" "$6"; status=$?`,
      'kill $pid; exit $status',
    ].join('\n');
    writeFileSync(join(dir, 'run.sh'), script);
    const run = spawnSync('unshare', ['-n', '--', 'sh', join(dir, 'run.sh'), pki.rsa.certFile, pki.rsa.keyFile, priority, log, process.execPath, child], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (line === undefined) throw new Error(`no result: ${run.stdout} ${run.stderr}`);
    const facts = JSON.parse(line.slice('RESULT '.length)) as HelloScanFacts;
    console.log(`hello-scan gnutls ${priority}: ${facts.connectionsUsed} connections, ${facts.durationMs} ms`);
    expect(facts.connectionsUsed).toBeLessThanOrEqual(40);
    expect(facts.durationMs).toBeLessThan(20_000);
    return facts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const noGnutls = gnutlsUnavailable();

describe.skipIf(noGnutls !== undefined)('scanHellos against gnutls-serv 3.7 (private network namespace)', () => {
  it('%SERVER_PRECEDENCE: server order for TLS 1.3 and 1.2 suites and groups, HRR for its preferred group', async () => {
    const f = await scanGnutls(
      'NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-GCM:-KX-ALL:+ECDHE-RSA:-GROUP-ALL:+GROUP-SECP384R1:+GROUP-X25519:%SERVER_PRECEDENCE',
    );
    expect([f.versions.tls13.value, f.versions.tls12.value, f.versions.tls11.value, f.versions.tls10.value, f.versions.ssl3.value]).toEqual([true, true, false, false, false]);
    expect(f.versions.tls10.evidence[0]?.reply).toMatchObject({ kind: 'alert', description: 70 });
    expect(names(f.tls13.suites.accepted)).toEqual(['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256']);
    expect(f.tls13.suites.serverPreference.value).toBe(true);
    expect(names(f.tls12.suites.accepted)).toEqual([
      'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    ]);
    expect(f.tls12.suites.serverPreference.value).toBe(true);
    expect(f.tls12.suites.complete).toBe(true);
    expect(names(f.tls13.groups.accepted)).toEqual(['secp384r1', 'x25519']);
    expect(names(f.tls12.groups.accepted)).toEqual(['secp384r1', 'x25519']);
    expect(f.tls13.groups.serverPreference.value).toBe(true);
    expect(f.tls12.groups.serverPreference.value).toBe(true);
    // An x25519 share is answered with a HelloRetryRequest for secp384r1.
    expect(f.tls13.hrrWhenShareNotPreferred.value).toBe(true);
    expect(f.tls12.downgradeSentinel.value).toBe(true);
    expect(f.complete).toBe(true);
  });

  it('client order (no %SERVER_PRECEDENCE), TLS 1.2 only', async () => {
    const f = await scanGnutls('NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:-KX-ALL:+ECDHE-RSA');
    expect(f.versions.tls13.value).toBe(false);
    // Our table lists AES-256-GCM first too, so the reversed offer is what tells the orders apart.
    expect(names(f.tls12.suites.accepted)).toEqual(['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
    expect(f.tls12.suites.serverPreference.value).toBe(false);
    expect(f.tls12.downgradeSentinel.value).toBeUndefined();
  });
});

describe('scanHellos bounds', () => {
  it('a silent server: at most 4 connections at once, the deadline holds, every probe a timeout', async () => {
    let open = 0;
    let maxOpen = 0;
    let accepted = 0;
    const silent = createNetServer((socket) => {
      accepted++;
      open++;
      maxOpen = Math.max(maxOpen, open);
      socket.on('error', () => undefined);
      socket.on('close', () => open--);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (silent.address() as AddressInfo).port;
      const f = await scanHellos({ host: '127.0.0.1', port, deadlineMs: 1500, maxConnections: 40 });
      console.log(`hello-scan silent server: ${f.connectionsUsed} connections, ${f.durationMs} ms, at most ${maxOpen} open`);
      expect(f.durationMs).toBeLessThan(1500 + 1200);
      expect(maxOpen).toBeLessThanOrEqual(4);
      expect(f.connectionsUsed).toBe(accepted);
      expect(f.probes.every((p) => p.reply.kind === 'timeout')).toBe(true);
      expect(f.complete).toBe(false);
      expect(f.versions.tls13.value).toBeUndefined();
      expect(f.tolerance.grease.outcome).toMatch(/timeout|not-probed/);
    } finally {
      silent.close();
    }
  });

  it.skipIf(!hasOpenssl)('maxConnections and the connect option are honoured; what is cut short is listed', async () => {
    const port = await openssl([]);
    let opened = 0;
    const f = await scanHellos({
      host: '127.0.0.1',
      port,
      deadlineMs: 20_000,
      maxConnections: 12,
      connect: (host, p) => {
        opened++;
        return new Promise((resolve, reject) => {
          const s = netConnect({ host, port: p }, () => resolve(s));
          s.once('error', reject);
        });
      },
    });
    expect(opened).toBe(f.connectionsUsed);
    expect(f.connectionsUsed).toBeLessThanOrEqual(12);
    expect(f.complete).toBe(false);
    const cut = [f.tls13.suites, f.tls13.groups, f.tls12.suites, f.tls12.groups].filter((e) => !e.complete);
    expect(cut.length).toBeGreaterThan(0);
    for (const e of cut) expect(e.unresolved.length).toBeGreaterThan(0);
  });

  it('bad options are a usage error', async () => {
    await expect(scanHellos({ host: '127.0.0.1', port: 1, deadlineMs: 1000, maxConnections: 0 })).rejects.toThrow(/maxConnections/);
  });
});
