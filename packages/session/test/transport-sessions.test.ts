/**
 * The transport surfaces against openssl s_server: `connect({ context })` with the context's
 * cache, the `'session'` event's bytes fed back through `connect({ session })`,
 * `isSessionReused()`, and `puretls s_client -sess_out / -sess_in / -reconnect`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SHA256, Tls12MasterSecret } from '@puretls/tls-core/internal';
import { connect, type ConnectOptions, type TLSSocket } from '../../transport-node/src/index.ts';
import { main } from '../../transport-node/src/cli.ts';
import { Context, Session, SessionError } from '../src/index.ts';
import { opensslAvailable, startServer, useLivePeers, type LiveServer } from './helpers/live.ts';

const live = opensslAvailable();
const peers = useLivePeers();
const { servers } = peers;

async function server(args: string[]): Promise<LiveServer> {
  const s = await startServer([...peers.pki.ec, ...args]);
  servers.push(s);
  return s;
}

/** Connect, collect 'session' events, end after the handshake, resolve on close. */
function once(options: ConnectOptions): Promise<{ reused: boolean; sessions: Buffer[]; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(options);
    const sessions: Buffer[] = [];
    socket.on('session', (s: Buffer) => sessions.push(s));
    socket.on('secureConnect', () => socket.end());
    socket.on('data', () => {});
    socket.on('error', reject);
    socket.on('close', () => resolve({ reused: socket.isSessionReused(), sessions, socket }));
  });
}

describe.skipIf(!live)('transport-node session surfaces', () => {
  it('connect({ context }) resumes from the context cache', async () => {
    const srv = await server(['-tls1_3', '-naccept', '2']);
    const context = new Context({ trustStore: peers.trustStore });
    const first = await once({ host: '127.0.0.1', servername: 'localhost', port: srv.port, context });
    expect(first.reused).toBe(false);
    expect(first.sessions).toHaveLength(2);
    expect(context.cachedSessionCount).toBe(2);
    const second = await once({ host: '127.0.0.1', servername: 'localhost', port: srv.port, context });
    expect(second.reused).toBe(true);
  });

  it("the 'session' event's bytes resume through connect({ session }) without a context; other settings are refused", async () => {
    const srv = await server(['-tls1_2', '-naccept', '2']);
    const base = { host: '127.0.0.1', servername: 'localhost', port: srv.port, ca: peers.pki.caPem, maxVersion: 'TLSv1.2' as const };
    const first = await once(base);
    expect(first.sessions).toHaveLength(1);
    const bytes = first.sessions[0]!;
    expect(() => connect({ ...base, ALPNProtocols: ['h2'], session: bytes })).toThrow(SessionError);
    const second = await once({ ...base, session: bytes });
    expect(second.reused).toBe(true);
  });

  it('connect({ context, session }) refuses a Session of another Context', async () => {
    const a = new Context({ verifyCertificates: false });
    const b = new Context({ verifyCertificates: false });
    const s = new Session(a, { version: 'TLSv1.2', suite: 0xc02b, masterSecret: Tls12MasterSecret.fromBytes(SHA256, new Uint8Array(48)), sessionId: new Uint8Array(32).fill(1), ticket: undefined, lifetimeSeconds: 60, receivedAtMs: Date.now(), extendedMasterSecret: true, alpn: undefined, serverName: 'x', peerCertificates: [] }, 'x', 1);
    expect(() => connect({ host: '127.0.0.1', port: 1, context: b, session: s })).toThrow(/ForeignContext/);
  });
});

function cliIo(): { io: Parameters<typeof main>[1] & object; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.on('data', (b: Buffer) => (err += b.toString()));
  const stdin = new PassThrough();
  stdin.end();
  return { io: { stdin, stdout, stderr }, out: () => out, err: () => err };
}

describe.skipIf(!live)('puretls s_client session flags', () => {
  it('-reconnect: one New and five Reused lines, as openssl prints them', async () => {
    const srv = await server(['-tls1_3', '-naccept', '6']);
    const { io, out, err } = cliIo();
    const code = await main(['s_client', '-connect', `127.0.0.1:${srv.port}`, '-servername', 'localhost', '-CAfile', join(peers.pki.dir, 'trust-root.pem'), '-reconnect'], io);
    expect(err()).not.toMatch(/puretls:/);
    expect(code).toBe(0);
    expect(out().match(/^New, TLSv1\.3, Cipher is TLS_\w+$/gm)).toHaveLength(1);
    expect(out().match(/^Reused, TLSv1\.3, Cipher is TLS_\w+$/gm)).toHaveLength(5);
    expect(out().match(/^drop connection and then reconnect$/gm)).toHaveLength(5);
  });

  it('-sess_out then -sess_in (TLS 1.2 and 1.3): Reused; a damaged file is refused', async () => {
    for (const version of ['-tls1_2', '-tls1_3']) {
      const srv = await server([version, '-naccept', '2']);
      const file = join(peers.pki.dir, `sess${version}.pem`);
      const args = ['s_client', '-connect', `127.0.0.1:${srv.port}`, '-servername', 'localhost', '-CAfile', join(peers.pki.dir, 'trust-root.pem'), version];
      const a = cliIo();
      expect(await main([...args, '-sess_out', file], a.io)).toBe(0);
      expect(a.out()).toMatch(new RegExp(`^New, TLSv1\\.${version.slice(-1)}`, 'm'));
      expect(readFileSync(file, 'latin1')).toMatch(/^-----BEGIN PURETLS SESSION-----\n/);
      const b = cliIo();
      expect(await main([...args, '-sess_in', file], b.io)).toBe(0);
      expect(b.out()).toMatch(new RegExp(`^Reused, TLSv1\\.${version.slice(-1)}`, 'm'));
    }
    const bad = join(peers.pki.dir, 'bad.pem');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, '-----BEGIN PURETLS SESSION-----\nAAAA\n-----END PURETLS SESSION-----\n');
    const c = cliIo();
    expect(await main(['s_client', '-connect', '127.0.0.1:1', '-CAfile', join(peers.pki.dir, 'trust-root.pem'), '-sess_in', bad], c.io)).toBe(1);
    expect(c.err()).toMatch(/-sess_in .*session: (BadMagic|Truncated)/);
  });
});
