/**
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem, 0x11EC) against a real peer: Node 26's TLS server
 * (OpenSSL 3.5), installed into node_modules/.cache by conformance/test/setup/node26.ts, started on
 * 127.0.0.1 as a child process and stopped by PID. puretls connects with @puretls/transport-node's
 * connect(): the handshake completes on the hybrid group, data echoes, and every key log line
 * puretls emits equals one the server's 'keylog' event emitted for the same connection (so both
 * sides derived the same ML-KEM ‖ X25519 secret). HelloRetryRequest both ways: the server allows
 * only the hybrid while puretls sends an X25519 share first, and the reverse.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@puretls/transport-node';
import { opensslPki, type OpensslPki } from '@puretls/test-support/pki';
import { startNodeServer, type RunningNodeServer } from '../src/servers/node.ts';

type Peer = RunningNodeServer;

let pki: OpensslPki;
let cert: string;
const peers: Peer[] = [];

beforeAll(() => {
  pki = opensslPki('mlkem');
  // Self-signed (a CA itself, as `req -x509` makes it by default), trusted as the client's `ca`.
  pki.certificate('server', { keyType: 'P-256', subject: '/CN=localhost', days: 2, extensions: ['basicConstraints = critical,CA:TRUE', 'subjectKeyIdentifier = hash', 'subjectAltName = DNS:localhost'] });
  cert = pki.text('server.pem');
});

afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  pki.cleanup();
});

async function startServer(curve: string): Promise<Peer> {
  const peer = await startNodeServer({ node: 'node26', cwd: pki.dir, config: { cert: 'server.pem', key: 'server.key', ecdhCurve: curve, minVersion: 'TLSv1.3' } });
  peers.push(peer);
  return peer;
}

async function stop(peer: Peer): Promise<void> {
  await peer.stop(); // SIGTERM to its PID
}

/** Connect, send one line, read its echo, close; returns the socket facts and puretls' key log lines. */
async function talk(port: number, groups: readonly string[], keyShareGroups?: readonly string[]) {
  const lines: string[] = [];
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: cert, groups, minVersion: 'TLSv1.3', ...(keyShareGroups === undefined ? {} : { keyShareGroups }) });
  socket.on('keylog', (line: Buffer) => lines.push(line.toString('latin1').trimEnd()));
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  const echoed = await new Promise<string>((resolve, reject) => {
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\n')) resolve(got);
    });
    socket.once('error', reject);
    socket.write('post-quantum hello\n');
  });
  const facts = { group: socket.getNegotiatedGroup(), hrr: socket.negotiated?.helloRetryRequest, protocol: socket.getProtocol(), echoed };
  socket.end();
  return { facts, lines };
}

/** The server's key log lines for the connection whose client random is in `lines`. */
async function serverLines(peer: Peer, lines: readonly string[]): Promise<string[]> {
  const random = lines[0]!.split(' ')[1]!;
  const logged = (): string[] => {
    try {
      return readFileSync(peer.keylogPath, 'latin1').split('\n').filter((l) => l.includes(` ${random} `));
    } catch {
      return []; // no 'keylog' event yet
    }
  };
  for (let i = 0; i < 100; i++) {
    const mine = logged();
    if (mine.length >= lines.length) return mine;
    await new Promise((r) => setTimeout(r, 20));
  }
  return logged();
}

describe('X25519MLKEM768 against Node 26 (OpenSSL 3.5) tls.createServer', () => {
  it('handshake on the hybrid group; key log lines equal the server keylog event lines', async () => {
    const peer = await startServer('X25519MLKEM768');
    expect(peer.openssl).toMatch(/^3\.[5-9]/);
    const { facts, lines } = await talk(peer.port, ['X25519MLKEM768']);
    expect(facts).toEqual({ group: 'X25519MLKEM768', hrr: false, protocol: 'TLSv1.3', echoed: 'post-quantum hello\n' });
    const labels = lines.map((l) => l.split(' ')[0]);
    for (const label of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) expect(labels).toContain(label);
    expect((await serverLines(peer, lines)).sort()).toEqual([...lines].sort());
    await stop(peer);
  });

  it('HelloRetryRequest from X25519 to X25519MLKEM768 (server allows only the hybrid)', async () => {
    const peer = await startServer('X25519MLKEM768');
    const { facts, lines } = await talk(peer.port, ['X25519', 'X25519MLKEM768']);
    expect(facts).toEqual({ group: 'X25519MLKEM768', hrr: true, protocol: 'TLSv1.3', echoed: 'post-quantum hello\n' });
    expect((await serverLines(peer, lines)).sort()).toEqual([...lines].sort());
    await stop(peer);
  });

  it('HelloRetryRequest from X25519MLKEM768 to X25519 (server allows only X25519)', async () => {
    const peer = await startServer('X25519');
    const { facts, lines } = await talk(peer.port, ['X25519MLKEM768', 'X25519']);
    expect(facts).toEqual({ group: 'X25519', hrr: true, protocol: 'TLSv1.3', echoed: 'post-quantum hello\n' });
    expect((await serverLines(peer, lines)).sort()).toEqual([...lines].sort());
    await stop(peer);
  });

  it('both key shares (X25519MLKEM768 and X25519): no HelloRetryRequest with a hybrid server or an X25519-only server', async () => {
    for (const [curve, group] of [['X25519MLKEM768', 'X25519MLKEM768'], ['X25519', 'X25519']] as const) {
      const peer = await startServer(curve);
      const { facts, lines } = await talk(peer.port, ['X25519MLKEM768', 'X25519'], ['X25519MLKEM768', 'X25519']);
      expect(facts).toEqual({ group, hrr: false, protocol: 'TLSv1.3', echoed: 'post-quantum hello\n' });
      expect((await serverLines(peer, lines)).sort()).toEqual([...lines].sort());
      await stop(peer);
    }
  });
});
