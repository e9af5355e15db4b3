/**
 * 0-RTT through the session layer against `openssl s_server -early_data` (RFC 8446 §4.2.10,
 * CONFORMANCE.md row 23): `ConnectionTarget.earlyData` reaches the engine on the first start()
 * only, a cached Session and one read back from its serialized bytes both keep the ticket's
 * max_early_data_size, the server receives the early data once, and the client's key log
 * (CLIENT_EARLY_TRAFFIC_SECRET included) equals the server's.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClientConnection, type ClientConnectionOptions } from '@puretls/tls-core';
import { Context, Session } from '../src/index.ts';
import { opensslAvailable, runConnection, serverKeyLines, startServer, exited, useLivePeers } from './helpers/live.ts';

const live = opensslAvailable();
const peers = useLivePeers();
const { servers } = peers;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

describe.skipIf(!live)('early data through a session Connection', () => {
  it('a cached session and its serialized copy both send accepted early data; the server gets each once; key logs equal', async () => {
    const keylog = join(peers.pki.dir, 'early-keylog.txt');
    const srv = await startServer([...peers.pki.ec, '-tls1_3', '-early_data', '-naccept', '3', '-keylogfile', keylog]);
    servers.push(srv);
    const ctx = new Context({ trustStore: peers.trustStore });
    const first = await runConnection(ctx.createConnection({ host: 'localhost', port: srv.port, keyLog: true }), srv.port);
    expect(first.earlyData).toBe('not-offered');
    // s_server sends two tickets; the cache offers the newest, and its anti-replay takes a ticket's early data once: the bytes are of the other.
    expect(first.sessions.length).toBe(2);
    expect(first.sessions.map((s) => s.maxEarlyData)).toEqual([16384, 16384]);
    const bytes = first.sessions[0]!.toBytes();

    // From the cache.
    const cached = await runConnection(ctx.createConnection({ host: 'localhost', port: srv.port, keyLog: true, earlyData: text('EARLY-FROM-CACHE\n') }), srv.port);
    expect(cached.reused).toBe(true);
    expect(cached.earlyData).toBe('accepted');
    expect(cached.keyLog.map((l) => l.split(' ')[0])).toEqual(expect.arrayContaining(['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET']));
    const random = cached.keyLog[0]!.split(' ')[1]!;
    expect([...cached.keyLog].sort()).toEqual([...serverKeyLines(keylog, random)].sort());

    // From the serialized bytes, on a cache-less Context of the same configuration: another ticket of the first connection.
    const restored = Session.fromBytes(ctx, bytes);
    expect(restored.maxEarlyData).toBe(16384);
    const conn = new Context({ trustStore: peers.trustStore, sessionCacheMode: 'off' }).createConnection({ host: 'localhost', port: srv.port, earlyData: text('EARLY-FROM-BYTES\n') });
    conn.setSession(Session.fromBytes(conn.context, restored.toBytes()));
    restored.free();
    const fromBytes = await runConnection(conn, srv.port);
    expect(fromBytes.earlyData).toBe('accepted');

    await exited(srv);
    expect(count(srv.output(), 'EARLY-FROM-CACHE')).toBe(1);
    expect(count(srv.output(), 'EARLY-FROM-BYTES')).toBe(1);
  });

  it('the target early data goes to the first handshake only', () => {
    const seen: (Uint8Array | undefined)[] = [];
    const ctx = new Context({
      verifyCertificates: false,
      engineFactory: (config, options: ClientConnectionOptions) => {
        seen.push(options.earlyData);
        return new ClientConnection(config, options);
      },
    });
    const conn = ctx.createConnection({ host: 'localhost', earlyData: text('once') });
    conn.start();
    // A fatal handshake_failure alert ends the first handshake.
    expect(() => conn.receive(new Uint8Array([21, 3, 3, 0, 2, 2, 40]))).toThrow();
    conn.start();
    expect(seen.map((d) => (d === undefined ? undefined : new TextDecoder().decode(d)))).toEqual(['once', undefined]);
  });
});
