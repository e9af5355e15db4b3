/**
 * What Node loads from the three published packages (scripts/bundle-packages.mjs, docs/design.md
 * "Packages"): under Node's own resolution (no `source` condition, unlike vitest's), every export
 * of @puretls/tls-core, @puretls/session and @puretls/transport-node resolves to its one bundled
 * module in dist/bundle/, and the bundles share their classes instead of copying them: tls-core's
 * five entries hand out the same TrustStore / Reader objects, and the errors transport-node throws
 * and the provider objects it maps option strings to are tls-core's own. A session Connection
 * over the bundled tls-core ClientConnection reports `receiveCopiesInput` (the check
 * transport-node's pump makes, by instanceof across bundles, before it feeds the shared onread
 * buffer of tcp-input.ts without a copy), another engine does not. Runs a plain `node`
 * child (vitest itself resolves to src/), on the bundles `pnpm test` builds before vitest.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const PROBE = `
const resolved = {};
for (const specifier of ['@puretls/tls-core', '@puretls/tls-core/internal', '@puretls/tls-core/wire', '@puretls/tls-core/pq', '@puretls/tls-core/ocsp', '@puretls/session', '@puretls/transport-node']) {
  resolved[specifier] = import.meta.resolve(specifier).replace(/^.*\\/packages\\//, '');
}
const core = await import('@puretls/tls-core');
const internal = await import('@puretls/tls-core/internal');
const wire = await import('@puretls/tls-core/wire');
const pq = await import('@puretls/tls-core/pq');
const session = await import('@puretls/session');
const transport = await import('@puretls/transport-node');
let thrown;
try { transport.connect({ host: '127.0.0.1', port: 9, handshakeTimeout: -1 }); } catch (error) { thrown = error; }
const sessionContext = new session.Context({ verifyCertificates: false, sessionCacheMode: 'off' });
const coreConnection = sessionContext.createConnection({ host: 'localhost', port: 443 });
const beforeStart = coreConnection.receiveCopiesInput;
coreConnection.start();
const fake = { start() {}, takeEvents: () => [], takeOutgoing: () => undefined, isHandshaking: true, error: undefined };
const fakeContext = new session.Context({ verifyCertificates: false, sessionCacheMode: 'off', engineFactory: () => fake });
const fakeConnection = fakeContext.createConnection({ host: 'localhost', port: 443 });
fakeConnection.start();
const groups = transport.toConfigOptions({ groups: 'X25519MLKEM768:X25519', rejectUnauthorized: false }).groups;
console.log(JSON.stringify({
  resolved,
  trustStoreShared: core.TrustStore === internal.TrustStore,
  readerShared: wire.Reader === internal.Reader,
  errorName: thrown?.name,
  transportErrorIsCoreClass: thrown instanceof core.UsageError && thrown instanceof core.TlsError,
  pqProviderShared: groups?.[0] === pq.x25519MLKEM768,
  sessionLoaded: typeof session.Context === 'function',
  receiveCopiesInput: [beforeStart, coreConnection.receiveCopiesInput, fakeConnection.receiveCopiesInput],
}));
`;

describe('the packages as Node loads them', () => {
  it('resolve every export to dist/bundle/ and share one copy of each class', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
    expect(report.resolved).toEqual({
      '@puretls/tls-core': 'tls-core/dist/bundle/index.js',
      '@puretls/tls-core/internal': 'tls-core/dist/bundle/internal.js',
      '@puretls/tls-core/wire': 'tls-core/dist/bundle/wire-codec.js',
      '@puretls/tls-core/pq': 'tls-core/dist/bundle/pq.js',
      '@puretls/tls-core/ocsp': 'tls-core/dist/bundle/ocsp.js',
      '@puretls/session': 'session/dist/bundle/index.js',
      '@puretls/transport-node': 'transport-node/dist/bundle/index.js',
    });
    expect(report).toMatchObject({
      trustStoreShared: true,
      readerShared: true,
      errorName: 'UsageError',
      transportErrorIsCoreClass: true,
      pqProviderShared: true,
      sessionLoaded: true,
      receiveCopiesInput: [false, true, false],
    });
  });

  describe.skipIf(!engineReady || !opensslAvailable())('over a real connection', () => {
    let pki: TestPki | undefined;
    afterAll(() => pki?.cleanup());

    it("feed connect()'s own TCP input to the engine from the one shared onread buffer, without a copy", () => {
      pki = makePki();
      const env = { ...process.env, PKI_KEY: pki.ecdsa.key, PKI_CERT: pki.ecdsa.cert, PKI_CA: pki.caPem };
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', DOWNLOAD_PROBE], { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 60_000, env });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout.trim())).toEqual({ intact: true, bufferSizes: [65536] });
    });
  });
});

/** A 1 MB download over the bundled connect(), recording the memory every engine input lives in. */
const DOWNLOAD_PROBE = `
import { createServer } from 'node:tls';
const session = await import('@puretls/session');
const transport = await import('@puretls/transport-node');
const payload = Buffer.alloc(1_000_000, 7);
const server = createServer({ key: process.env.PKI_KEY, cert: process.env.PKI_CERT }, (s) => s.once('data', () => s.end(payload)));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const buffers = new Set();
const receive = session.Connection.prototype.receive;
session.Connection.prototype.receive = function (bytes) { buffers.add(bytes.buffer); return receive.call(this, bytes); };
const socket = transport.connect({ host: '127.0.0.1', port: server.address().port, servername: 'localhost', ca: process.env.PKI_CA }, () => socket.write('go'));
const chunks = [];
socket.on('data', (d) => chunks.push(d));
await new Promise((resolve, reject) => { socket.on('end', resolve); socket.on('error', reject); });
server.close();
console.log(JSON.stringify({ intact: Buffer.concat(chunks).equals(payload), bufferSizes: [...buffers].map((b) => b.byteLength) }));
`;
