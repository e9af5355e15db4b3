/**
 * The packages as a user installs them (issue 13): `pnpm pack` the three packages, install the
 * tarballs with plain npm into a scratch project in os.tmpdir() (outside the workspace), then
 * - check the tarballs hold README, LICENSE, the bundled modules (dist/bundle/) and declarations, and no
 *   src/, source maps or build info;
 * - typecheck a consumer (strict, skipLibCheck off) with TypeScript 5.0 under moduleResolution
 *   node16, node10 and bundler, and with the workspace's TypeScript under nodenext, plus the
 *   README's TypeScript examples;
 * - run the compiled ESM consumer (import) and the compiled node10 consumer (require(), Node >=
 *   20.19's require(esm)) against a local openssl s_server: both must complete a handshake;
 * - run the packed `puretls s_client -brief` bin against the same server.
 * Needs the npm registry (typescript@5.0, @types/node, @noble/*). Skipped without openssl.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, opensslAvailable, startOpensslServer, type TestPki } from './helpers/servers.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = ['tls-core', 'session', 'transport-node'] as const;
const WORKSPACE_TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const CONSUMER_ESM = `import { readFileSync } from 'node:fs';
import { connect, type ConnectOptions, type TLSSocket } from '@puretls/transport-node';
import { TrustStore, createClientConfig, ClientConnection, InvalidCertificate, type ClientEvent } from '@puretls/tls-core';
import { Context, Session } from '@puretls/session';

const [port, caFile] = process.argv.slice(2);
const ca = readFileSync(caFile!, 'latin1');
const options: ConnectOptions = { host: '127.0.0.1', port: Number(port), servername: 'localhost', ca };
// the engine and the session package typecheck from the published declarations too
const config = createClientConfig({ trustStore: TrustStore.fromPem(ca) });
const engine = new ClientConnection(config, { host: 'localhost' });
const events: ClientEvent[] = engine.takeEvents();
const context = new Context({ trustStore: TrustStore.fromPem(ca), sessionCacheMode: 'client' });
const isSession = (v: unknown): v is Session => v instanceof Session;
void events;
void isSession;
void context;
const socket: TLSSocket = connect(options, () => {
  console.log(\`HANDSHAKE esm \${socket.getProtocol()} \${socket.getCipher()?.name ?? '?'}\`);
  socket.end();
});
socket.on('error', (e: Error) => {
  console.error(e instanceof InvalidCertificate ? \`certificate: \${e.reason}\` : e.message);
  process.exitCode = 1;
});
`;

const CONSUMER_CJS = `import { readFileSync } from 'fs';
import { connect } from '@puretls/transport-node';

const [port, caFile] = process.argv.slice(2);
const socket = connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: readFileSync(caFile!, 'latin1') }, () => {
  console.log(\`HANDSHAKE cjs \${socket.getProtocol()} \${socket.getCipher()?.name ?? '?'}\`);
  socket.end();
});
socket.on('error', (e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
`;

function tsconfig(options: Record<string, unknown>, files: string[]): string {
  return JSON.stringify({ compilerOptions: { strict: true, skipLibCheck: false, target: 'es2022', types: ['node'], ...options }, files }, null, 2);
}

function run(cmd: string, args: string[], cwd: string, timeout = 240_000): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The ```ts blocks of a README. */
function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

let npmAvailable = true;
try {
  execFileSync('npm', ['--version'], { stdio: 'ignore' });
} catch {
  npmAvailable = false;
}
const built = PACKAGES.every((p) => {
  try {
    readFileSync(join(ROOT, 'packages', p, 'dist', 'index.js'));
    return true;
  } catch {
    return false;
  }
});

describe.skipIf(!opensslAvailable() || !npmAvailable || !built)('packed packages installed with npm outside the workspace', () => {
  let scratch: string;
  let pki: TestPki;
  const tarballs: Record<string, string> = {};

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'puretls-pack-'));
    pki = makePki();
    for (const p of PACKAGES) {
      const out = run('pnpm', ['pack', '--pack-destination', scratch], join(ROOT, 'packages', p));
      const name = readdirSync(scratch).find((f) => f.startsWith(`puretls-${p}-`) && f.endsWith('.tgz'));
      if (name === undefined) throw new Error(`no tarball for ${p}: ${out}`);
      tarballs[p] = join(scratch, name);
    }
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'puretls-consumer', version: '1.0.0', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...PACKAGES.map((p) => tarballs[p]!), 'typescript50@npm:typescript@~5.0.4', '@types/node@^20.19.0'], scratch);
    writeFileSync(join(scratch, 'consumer.mts'), CONSUMER_ESM);
    writeFileSync(join(scratch, 'consumer-cjs.ts'), CONSUMER_CJS);
    const readmes = [readFileSync(join(ROOT, 'README.md'), 'utf8'), ...PACKAGES.map((p) => readFileSync(join(ROOT, 'packages', p, 'README.md'), 'utf8'))];
    tsBlocks(readmes.join('\n')).forEach((code, i) => writeFileSync(join(scratch, `readme-${i}.mts`), code));
    const readmeFiles = readdirSync(scratch).filter((f) => f.startsWith('readme-'));
    writeFileSync(join(scratch, 'tsconfig.node16.json'), tsconfig({ module: 'node16', moduleResolution: 'node16', outDir: 'out-node16' }, ['consumer.mts']));
    writeFileSync(join(scratch, 'tsconfig.nodenext.json'), tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', noEmit: true }, ['consumer.mts', ...readmeFiles]));
    writeFileSync(join(scratch, 'tsconfig.bundler.json'), tsconfig({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }, ['consumer.mts', ...readmeFiles]));
    writeFileSync(join(scratch, 'tsconfig.node10.json'), tsconfig({ module: 'commonjs', moduleResolution: 'node10', outDir: 'out-node10' }, ['consumer-cjs.ts']));
  }, 300_000);

  afterAll(() => {
    pki?.cleanup();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('tarballs hold README, LICENSE and dist, without src/, source maps or build info', () => {
    for (const p of PACKAGES) {
      const files = execFileSync('tar', ['-tzf', tarballs[p]!], { encoding: 'utf8' }).trim().split('\n');
      expect(files).toContain('package/README.md');
      expect(files).toContain('package/LICENSE');
      // Node loads dist/bundle/ (scripts/bundle-packages.mjs); tsc's per-file JavaScript ships only
      // where something runs it: transport-node's bin falls back to dist/cli.js.
      expect(files).toContain('package/dist/bundle/index.js');
      expect(files).toContain('package/dist/index.d.ts');
      expect(files.includes('package/dist/index.js')).toBe(p === 'transport-node');
      expect(files.filter((f) => f.startsWith('package/src/') || f.endsWith('.map') || f.endsWith('.tsbuildinfo'))).toEqual([]);
      const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarballs[p]!, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
      expect(manifest).toMatchObject({ license: 'MIT', engines: { node: '>=20.19' }, main: './dist/bundle/index.js', types: './dist/index.d.ts' });
      expect(JSON.stringify(manifest.exports)).not.toContain('source');
      expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain('workspace:');
      expect(manifest.repository).toMatchObject({ type: 'git', directory: `packages/${p}` });
    }
  });

  // One tsc run costs 10-40 s here (@types/node is checked too, skipLibCheck is off): TypeScript 5.0
  // covers node16, node10 and bundler (and emits the consumers run below), the workspace's
  // TypeScript nodenext; the README examples are in the bundler and nodenext runs.
  const TS50 = (): string => join(scratch, 'node_modules', 'typescript50', 'bin', 'tsc');
  for (const [ts, mode] of [['5.0', 'node16'], ['5.0', 'node10'], ['5.0', 'bundler'], ['workspace', 'nodenext']] as const) {
    it(`typechecks (strict, no skipLibCheck) with TypeScript ${ts}, moduleResolution ${mode}`, () => {
      run(process.execPath, [ts === '5.0' ? TS50() : WORKSPACE_TSC, '-p', `tsconfig.${mode}.json`], scratch);
    }, 240_000);
  }

  it('TypeScript 5.0 is the version under test', () => {
    expect(run(process.execPath, [join(scratch, 'node_modules', 'typescript50', 'bin', 'tsc'), '--version'], scratch)).toMatch(/^Version 5\.0\./);
  });

  it('the compiled consumers complete a handshake with s_server: ESM import and CommonJS require()', async () => {
    // Compiled by TypeScript 5.0 (the node16 and node10 runs above emit them).
    for (const mode of ['node16', 'node10']) if (!existsSync(join(scratch, `out-${mode}`))) run(process.execPath, [TS50(), '-p', `tsconfig.${mode}.json`], scratch);
    expect(readFileSync(join(scratch, 'out-node10', 'consumer-cjs.js'), 'utf8')).toContain('require("@puretls/transport-node")');
    const server = await startOpensslServer({ args: ['-cert', pki.ecdsa.certFile, '-key', pki.ecdsa.keyFile], naccept: 0 });
    try {
      expect(run(process.execPath, [join('out-node16', 'consumer.mjs'), String(server.port), pki.caFile], scratch, 30_000)).toMatch(/^HANDSHAKE esm TLSv1\.3 TLS_\w+$/m);
      expect(run(process.execPath, [join('out-node10', 'consumer-cjs.js'), String(server.port), pki.caFile], scratch, 30_000)).toMatch(/^HANDSHAKE cjs TLSv1\.3 TLS_\w+$/m);
      const cli = spawnSync(join(scratch, 'node_modules', '.bin', 'puretls'), ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-brief'], { input: '', encoding: 'utf8', timeout: 30_000 });
      expect(cli.stderr).toContain('CONNECTION ESTABLISHED');
      expect(cli.stderr).toContain('Verification: OK');
    } finally {
      await server.stop();
    }
  }, 240_000);
});
