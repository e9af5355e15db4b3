/**
 * `pnpm replays:record [flow-id...]`: records the replay fixtures of docs/testing.md against
 * real servers (openssl s_server, gnutls-serv, Botan's tls_server) started here on 127.0.0.1
 * with the committed fixture PKI, and writes one JSON file per flow into
 * packages/tls-core/test/replay/fixtures/. Run it again only when a recording must change (the
 * engine's wire bytes changed on purpose, or a new flow was added); the replay tests then check
 * the new bytes.
 *
 * gnutls-serv and Botan listen on all interfaces, so the whole recorder re-executes itself in a
 * private network namespace (`unshare -n`, netns.ts) where only `lo` exists; without it, only
 * the s_server flows are recorded.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TrustStore, createClientConfig, type ResumptionData } from '@puretls/tls-core';
import { REPO_ROOT } from '../pki.ts';
import { netnsUnavailableReason } from '../servers/netns.ts';
import { spawnTracked } from '@puretls/test-support/process';
import type { RunningServer } from '../types.ts';
import { FLOWS, type FlowDefinition } from './flows.ts';
import { FIXED_NOW_MS, FIXTURE_DIR, PKI_DIR, REPLAY_FORMAT, seededRandomBytes, type RecordedConnection, type ReplayFixture } from '@puretls/test-support/replay-format';
import { SocketRecorder } from './recorder.ts';
import { startOpensslServer } from '@puretls/test-support/openssl';
import { startGnutlsServer } from '../servers/gnutls.ts';
import { startBotanServer } from '../servers/botan.ts';

const run = promisify(execFile);

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  if (process.env.PURETLS_CONFORMANCE_NETNS !== '1') {
    const reason = await netnsUnavailableReason();
    if (reason === undefined) {
      // Re-run this script once per flow, each in a fresh private network namespace (only lo,
      // brought up first): the netns servers all listen on NETNS_PORT, which a previous flow's
      // server may leave in TIME_WAIT (Botan then cannot bind it).
      const self = fileURLToPath(import.meta.url);
      const ids = selectFlows(wanted).map((flow) => flow.id);
      for (const id of ids) {
        const child = spawnTracked('unshare', ['-n', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, self, id], {
          env: { ...process.env, PURETLS_CONFORMANCE_NETNS: '1' },
          lifetimeSeconds: 120,
        });
        child.child.stdout?.pipe(process.stdout);
        child.child.stderr?.pipe(process.stderr);
        const exit = await child.exited;
        if (exit.code !== 0) process.exitCode = 1;
      }
      return;
    }
    console.log(`no private network namespace (${reason}): recording the openssl s_server flows only`);
  }
  const inNetns = process.env.PURETLS_CONFORMANCE_NETNS === '1';
  const flows = selectFlows(wanted);
  let failed = 0;
  for (const flow of flows) {
    if (flow.server.kind !== 'openssl' && !inNetns) {
      console.log(`skip ${flow.id}: ${flow.server.kind} needs a private network namespace`);
      continue;
    }
    try {
      const fixture = await recordFlow(flow);
      const path = join(REPO_ROOT, FIXTURE_DIR, `${flow.id}.json`);
      await writeFile(path, JSON.stringify(fixture, null, 2) + '\n');
      const chunks = fixture.connections.reduce((n, c) => n + c.steps.filter((s) => 'dir' in s).length, 0);
      console.log(`recorded ${flow.id}: ${fixture.connections.length} connection(s), ${chunks} chunks -> ${FIXTURE_DIR}/${flow.id}.json`);
    } catch (error) {
      failed++;
      console.error(`FAILED ${flow.id}: ${(error as Error).stack ?? String(error)}`);
    }
  }
  if (failed > 0) process.exitCode = 1;
}

/** The flows named on the command line (all when none is named). */
function selectFlows(wanted: readonly string[]): readonly FlowDefinition[] {
  const flows = FLOWS.filter((flow) => wanted.length === 0 || wanted.includes(flow.id));
  if (flows.length === 0) throw new Error(`no flow matches ${wanted.join(' ')}; known: ${FLOWS.map((f) => f.id).join(' ')}`);
  return flows;
}

/** Starts the flow's server, runs its connections with one seeded random stream, checks what the server saw. */
async function recordFlow(flow: FlowDefinition): Promise<ReplayFixture> {
  const pkiDir = join(REPO_ROOT, PKI_DIR);
  const trustAnchors = 'pki/ca-root.pem';
  const trustStore = TrustStore.fromPem(await readFile(join(REPO_ROOT, FIXTURE_DIR, trustAnchors), 'utf8'));
  const config = createClientConfig({ ...flow.client.options, trustStore, now: () => FIXED_NOW_MS, randomBytes: seededRandomBytes(flow.client.seed) });
  const { server, command, serverVersion } = await startServer(flow, pkiDir);
  const connections: RecordedConnection[] = [];
  const sessions: (readonly ResumptionData[])[] = [];
  try {
    for (const [index, script] of flow.connections.entries()) {
      const resume = script.resume;
      let session: ResumptionData | undefined;
      if (resume !== undefined) {
        session = sessions[resume.fromConnection]?.[resume.sessionIndex];
        if (session === undefined) throw new Error(`connection ${index}: no session ${resume.sessionIndex} from connection ${resume.fromConnection}`);
      }
      const recorder = new SocketRecorder(config, flow.client.host, session);
      await recorder.open(server.port);
      await script.run(recorder, server);
      const outcome = await recorder.finish();
      const problem = script.check(outcome);
      if (problem !== undefined) throw new Error(`connection ${index}: ${problem}; outcome ${JSON.stringify(outcome)}`);
      sessions.push(recorder.sessions);
      connections.push({ ...(resume === undefined ? {} : { resume }), steps: recorder.steps, outcome });
    }
  } finally {
    await server.stop();
  }
  const output = server.output().split('\n');
  const serverSaw: string[] = [];
  for (const pattern of flow.serverSaw) {
    const lines = output.filter((line) => pattern.test(line)).map((line) => line.trimEnd());
    if (lines.length === 0) throw new Error(`the server never printed ${String(pattern)}:\n${server.output().slice(-3000)}`);
    serverSaw.push(...lines.filter((line) => !serverSaw.includes(line)));
  }
  return {
    format: REPLAY_FORMAT,
    id: flow.id,
    description: flow.description,
    provenance: {
      server: flow.server.kind === 'openssl' ? 'openssl s_server' : flow.server.kind === 'gnutls' ? 'gnutls-serv' : 'botan tls_server',
      serverVersion,
      command,
      ...(flow.server.kind === 'botan' ? { serverConfig: flow.server.policy } : {}),
      recordedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      recorder: 'conformance/src/replay/record.ts (pnpm replays:record)',
      serverSaw,
    },
    client: { seed: flow.client.seed, nowMs: FIXED_NOW_MS, host: flow.client.host, trustAnchors, options: flow.client.options },
    connections,
  };
}

async function startServer(flow: FlowDefinition, pkiDir: string): Promise<{ server: RunningServer; command: string; serverVersion: string }> {
  const spec = flow.server;
  switch (spec.kind) {
    case 'openssl': {
      const naccept = flow.connections.length;
      const server = await startOpensslServer({ args: spec.args, cwd: pkiDir, naccept, exitGraceMs: 1000 });
      const { stdout } = await run('openssl', ['version']);
      return { server, command: `openssl s_server -accept 127.0.0.1:PORT -naccept ${naccept} ${spec.args.join(' ')}`, serverVersion: stdout.trim() };
    }
    case 'gnutls': {
      const server = await startGnutlsServer({ args: spec.args, cwd: pkiDir });
      const { stdout } = await run('gnutls-serv', ['--version']);
      return { server, command: `gnutls-serv -p PORT ${spec.args.join(' ')}`, serverVersion: stdout.split('\n')[0]?.trim() ?? '' };
    }
    case 'botan': {
      const server = await startBotanServer({ args: spec.args, cwd: pkiDir, policy: spec.policy });
      const { stdout } = await run('botan', ['version']);
      return { server, command: `botan tls_server ${spec.args.join(' ')} --port=PORT --policy=policy.txt`, serverVersion: `Botan ${stdout.trim()}` };
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
