/**
 * Resumption against `openssl s_server` (CONFORMANCE.md §2.1 rows 13–22): TLS 1.3 psk_dhe_ke,
 * psk_ke only, ticket counts, HRR, -no_ticket; TLS 1.2 session ID and ticket; a restarted
 * server; an expired session; another SNI. In every resumed case the client's key log equals
 * the server's (-keylogfile) for that client random.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CipherSuite, NamedGroup } from '@puretls/tls-core';
import { Context, type ContextOptions } from '../src/index.ts';
import { opensslAvailable, runConnection, serverKeyLines, startServer, type LiveServer, exited, useLivePeers, type RunResult } from './helpers/live.ts';

const live = opensslAvailable();
const peers = useLivePeers();
const { servers } = peers;

let serial = 0;
async function server(args: string[], port?: number): Promise<{ srv: LiveServer; keylog: string }> {
  const keylog = join(peers.pki.dir, `server-keylog-${++serial}.txt`);
  const srv = await startServer([...peers.pki.ec, '-keylogfile', keylog, ...args], port);
  servers.push(srv);
  return { srv, keylog };
}

function context(extra: ContextOptions = {}): Context {
  return new Context({ trustStore: peers.trustStore, ...extra });
}

/** The client's key log for one connection equals the server's lines for the same client random. */
function expectKeyLogsEqual(run: RunResult, serverFile: string): void {
  expect(run.keyLog.length).toBeGreaterThan(0);
  const random = run.keyLog[0]!.split(' ')[1]!;
  expect([...run.keyLog].sort()).toEqual([...serverKeyLines(serverFile, random)].sort());
}

async function twice(ctx: Context, args: string[]): Promise<{ first: RunResult; second: RunResult; keylog: string; srv: LiveServer }> {
  const { srv, keylog } = await server(['-naccept', '2', ...args]);
  const first = await runConnection(ctx.createConnection({ host: 'localhost', port: srv.port, keyLog: true }), srv.port);
  const second = await runConnection(ctx.createConnection({ host: 'localhost', port: srv.port, keyLog: true }), srv.port);
  return { first, second, keylog, srv };
}

describe.skipIf(!live)('TLS 1.3 resumption against openssl s_server', () => {
  it('psk_dhe_ke (default): Reused, with a key share; two tickets cached; key logs equal', async () => {
    const ctx = context();
    const { first, second, keylog } = await twice(ctx, ['-tls1_3']);
    expect(first.reused).toBe(false);
    expect(first.sessions).toHaveLength(2);
    expect(second.reused).toBe(true);
    expect(second.group).toBe(NamedGroup.x25519);
    expect(second.version).toBe('TLSv1.3');
    expectKeyLogsEqual(first, keylog);
    expectKeyLogsEqual(second, keylog);
    // The ticket used was taken from the cache (single use); the resumed connection's new tickets were added.
    expect(second.sessions.length).toBeGreaterThan(0);
    expect(ctx.cachedSessionCount).toBe(1 + second.sessions.length);
  });

  it('psk_ke only with -allow_no_dhe_kex: Reused without any key exchange group', async () => {
    const ctx = context({ pskModes: ['psk_ke'] });
    const { second, keylog } = await twice(ctx, ['-tls1_3', '-allow_no_dhe_kex']);
    expect(second.reused).toBe(true);
    expect(second.group).toBeUndefined();
    expectKeyLogsEqual(second, keylog);
  });

  it('psk_ke only without -allow_no_dhe_kex: the server declines, full handshake', async () => {
    const ctx = context({ pskModes: ['psk_ke'] });
    const { second } = await twice(ctx, ['-tls1_3']);
    expect(second.reused).toBe(false);
    expect(second.group).toBe(NamedGroup.x25519);
  });

  for (const n of [0, 1, 5]) {
    it(`-num_tickets ${n}: exactly ${n} sessions`, async () => {
      const ctx = context();
      const { srv } = await server(['-tls1_3', '-naccept', '1', '-num_tickets', String(n)]);
      const run = await runConnection(ctx.createConnection({ host: 'localhost', port: srv.port }), srv.port);
      expect(run.sessions).toHaveLength(n);
      expect(ctx.cachedSessionCount).toBe(n);
    });
  }

  it('with a HelloRetryRequest (server wants P-256, client shares X25519): Reused after HRR', async () => {
    const ctx = context({ groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] });
    const { first, second, keylog } = await twice(ctx, ['-tls1_3', '-groups', 'P-256']);
    expect(first.helloRetryRequest).toBe(true);
    expect(second.helloRetryRequest).toBe(true);
    expect(second.reused).toBe(true);
    expect(second.group).toBe(NamedGroup.secp256r1);
    expectKeyLogsEqual(second, keylog);
  });

  it('-no_ticket (stateful tickets): still Reused', async () => {
    const ctx = context();
    const { second, keylog } = await twice(ctx, ['-tls1_3', '-no_ticket']);
    expect(second.reused).toBe(true);
    expectKeyLogsEqual(second, keylog);
  });

  it('a restarted server (new ticket keys) declines the ticket: full handshake, sessionReused false', async () => {
    const ctx = context();
    const a = await server(['-tls1_3', '-naccept', '1']);
    const c1 = ctx.createConnection({ host: 'localhost', port: a.srv.port });
    await runConnection(c1, a.srv.port);
    c1.free(); // it sent close_notify: its session stays cached, only its reference goes
    await new Promise((r) => a.srv.proc.exitCode !== null ? r(undefined) : a.srv.proc.once('exit', r));
    const b = await server(['-tls1_3', '-naccept', '1'], a.srv.port);
    const conn = ctx.createConnection({ host: 'localhost', port: b.srv.port, keyLog: true });
    const offered = conn.getSession()!;
    expect(offered).toBeDefined();
    const run = await runConnection(conn, b.srv.port);
    expect(run.reused).toBe(false);
    expect(offered.refCount).toBe(0); // dropped during the handshake; not cached (taken: single use)
    expect(ctx.isCached(offered)).toBe(false);
    expectKeyLogsEqual(run, b.keylog);
  });

  it('an expired session (injected clock) is not offered', async () => {
    let skewMs = 0;
    const ctx = context({ now: () => Date.now() + skewMs });
    const { srv } = await server(['-tls1_3', '-naccept', '2', '-trace']);
    const first = await runConnection(ctx.createConnection({ host: 'localhost', port: srv.port }), srv.port);
    const s = first.sessions[0]!.upRef();
    skewMs = 7201 * 1000; // past the 7200 s ticket lifetime
    const conn = ctx.createConnection({ host: 'localhost', port: srv.port });
    expect(conn.getSession()).toBeUndefined(); // the cache does not hand it out
    conn.setSession(s);
    const run = await runConnection(conn, srv.port);
    expect(run.reused).toBe(false);
    await exited(srv); // -naccept 2: s_server exits and flushes its (block-buffered) trace
    expect(srv.output().match(/ClientHello, Length=/g)).toHaveLength(2); // the trace is really there
    expect(srv.output().match(/psk\(41\)|pre_shared_key/g) ?? []).toHaveLength(0);
  });

  it('a different SNI: the session is not offered', async () => {
    const ctx = context();
    const { srv } = await server(['-tls1_3', '-naccept', '2', '-trace']);
    const first = await runConnection(ctx.createConnection({ host: 'localhost', port: srv.port }), srv.port);
    const conn = ctx.createConnection({ host: 'test.local', port: srv.port });
    expect(conn.getSession()).toBeUndefined(); // another cache key
    conn.setSession(first.sessions[0]!);
    const run = await runConnection(conn, srv.port);
    expect(run.reused).toBe(false);
    await exited(srv);
    expect(srv.output().match(/ClientHello, Length=/g)).toHaveLength(2); // the trace is really there
    // The ClientHello of the second connection carried no pre_shared_key extension.
    expect(srv.output().match(/psk\(41\)|pre_shared_key/g) ?? []).toHaveLength(0);
  });
});

describe.skipIf(!live)('TLS 1.2 resumption against openssl s_server', () => {
  const tls12 = { maxVersion: 'TLSv1.2' as const, cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256] };

  it('session ID (-no_ticket): Reused; key logs equal', async () => {
    const ctx = context(tls12);
    const { first, second, keylog } = await twice(ctx, ['-tls1_2', '-no_ticket']);
    expect(first.sessions).toHaveLength(1);
    expect(first.sessions[0]!.sessionId).toHaveLength(32);
    expect(first.sessions[0]!.ticket).toBeUndefined();
    expect(first.sessions[0]!.extendedMasterSecret).toBe(true);
    expect(second.reused).toBe(true);
    expect(second.version).toBe('TLSv1.2');
    expectKeyLogsEqual(first, keylog);
    expectKeyLogsEqual(second, keylog);
  });

  it('RFC 5077 ticket: Reused; key logs equal', async () => {
    const ctx = context(tls12);
    const { first, second, keylog } = await twice(ctx, ['-tls1_2']);
    expect(first.sessions[0]!.ticket!.length).toBeGreaterThan(0);
    expect(second.reused).toBe(true);
    expectKeyLogsEqual(second, keylog);
  });

  it('no cache and no tickets on the server (-no_cache -no_ticket): New', async () => {
    const ctx = context(tls12);
    const { first, second } = await twice(ctx, ['-tls1_2', '-no_ticket', '-no_cache']);
    expect(second.reused).toBe(false);
    expect(first.reused).toBe(false);
  });

  it('a TLS 1.3-capable client resumes with an empty key_share (RFC 8446 §4.2.8): Reused, key logs equal', async () => {
    // Both versions offered; the ClientHello carries key_share with no entries (config
    // emptyKeyShareWhenResumingTls12), and s_server -trace shows it.
    const ctx = context();
    const { first, second, keylog, srv } = await twice(ctx, ['-tls1_2', '-trace']);
    await exited(srv); // -naccept 2: s_server exits and flushes its (block-buffered) trace
    expect(first.version).toBe('TLSv1.2');
    expect(second.reused).toBe(true);
    expect(second.helloRetryRequest).toBe(false);
    expectKeyLogsEqual(second, keylog);
    const hellos = srv.output().split('ClientHello').slice(1);
    expect(hellos).toHaveLength(2);
    expect(hellos[0]).toMatch(/extension_type=key_share\(51\), length=38/); // one X25519 entry: 2 + 2 + 2 + 32
    expect(hellos[1]).toMatch(/extension_type=key_share\(51\), length=2\b/); // an empty client_shares list
  });

  it('a TLS 1.2 session offered to a server that moved to TLS 1.3: HelloRetryRequest for a share, then a full TLS 1.3 handshake', async () => {
    const ctx = context();
    const a = await server(['-tls1_2', '-naccept', '1']);
    await runConnection(ctx.createConnection({ host: 'localhost', port: a.srv.port }), a.srv.port);
    await new Promise((r) => a.srv.proc.exitCode !== null ? r(undefined) : a.srv.proc.once('exit', r));
    const b = await server(['-naccept', '1'], a.srv.port);
    const conn = ctx.createConnection({ host: 'localhost', port: b.srv.port, keyLog: true });
    expect(conn.getSession()?.version).toBe('TLSv1.2');
    const run = await runConnection(conn, b.srv.port);
    expect(run.version).toBe('TLSv1.3');
    expect(run.helloRetryRequest).toBe(true);
    expect(run.reused).toBe(false);
    expect(run.group).toBe(NamedGroup.x25519);
    expectKeyLogsEqual(run, b.keylog);
  });

  it('a restarted server (new ticket keys) forces a full handshake', async () => {
    const ctx = context(tls12);
    const a = await server(['-tls1_2', '-naccept', '1']);
    await runConnection(ctx.createConnection({ host: 'localhost', port: a.srv.port }), a.srv.port);
    await new Promise((r) => a.srv.proc.exitCode !== null ? r(undefined) : a.srv.proc.once('exit', r));
    const b = await server(['-tls1_2', '-naccept', '1'], a.srv.port);
    const conn = ctx.createConnection({ host: 'localhost', port: b.srv.port });
    expect(conn.getSession()).toBeDefined();
    const run = await runConnection(conn, b.srv.port);
    expect(run.reused).toBe(false);
  });
});
