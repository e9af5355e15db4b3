/**
 * `connect({ session, earlyData })` (puretls extra; RFC 8446 §4.2.10, docs/early-data.md) against
 * `openssl s_server -early_data`: `'earlyData'` comes before `'secureConnect'`, with
 * `socket.earlyDataStatus` set; accepted data reaches the server once; data that cannot be
 * offered comes back in the event. And the `s_client -early_data` flag rules.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '@puretls/tls-core';
import { connect, type ConnectOptions } from '../src/connect.ts';
import { parseSClientArgs } from '../src/cli.ts';
import type { EarlyDataInfo, TLSSocket } from '../src/tls-socket.ts';
import { engineReady, makePki, opensslAvailable, startOpensslServer, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
beforeAll(() => {
  if (engineReady && opensslAvailable()) pki = makePki();
});
afterAll(() => pki?.cleanup());

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

/** One connection to the end: the events in order, the early data info, the sessions. */
async function run(port: number, extra: ConnectOptions): Promise<{ socket: TLSSocket; order: string[]; info: EarlyDataInfo | undefined; sessions: Buffer[]; statusAtSecure: string | undefined }> {
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, ...extra });
  const order: string[] = [];
  const sessions: Buffer[] = [];
  let info: EarlyDataInfo | undefined;
  let statusAtSecure: string | undefined;
  socket.on('session', (s: Buffer) => sessions.push(s));
  socket.on('earlyData', (i: EarlyDataInfo) => {
    order.push('earlyData');
    info = i;
  });
  socket.on('secureConnect', () => {
    order.push('secureConnect');
    statusAtSecure = socket.earlyDataStatus;
    // Read the tickets, then close.
    setTimeout(() => socket.end(), 200);
  });
  socket.on('error', () => {});
  socket.resume();
  await once(socket, 'close');
  return { socket, order, info, sessions, statusAtSecure };
}

describe.skipIf(!engineReady || !opensslAvailable())('connect({ earlyData })', () => {
  it('accepted: the event before secureConnect, earlyDataStatus set, the server prints the data once', async () => {
    const server = await startOpensslServer({ args: ['-cert', pki.ecdsa.certFile, '-key', pki.ecdsa.keyFile, '-tls1_3', '-early_data'], naccept: 2 });
    try {
      const first = await run(server.port, {});
      expect(first.info).toBeUndefined();
      expect(first.socket.earlyDataStatus).toBeUndefined();
      expect(first.sessions.length).toBeGreaterThan(0);
      const second = await run(server.port, { session: first.sessions[0]!, earlyData: 'EARLY-VIA-CONNECT\n' });
      expect(second.order).toEqual(['earlyData', 'secureConnect']);
      expect(second.statusAtSecure).toBe('accepted');
      expect(second.info).toEqual({ status: 'accepted', sentAsEarlyData: 18, sentAfterHandshake: 0, unsent: undefined });
      expect(second.socket.isSessionReused()).toBe(true);
      await once(server.proc, 'exit');
      expect(count(server.output(), 'EARLY-VIA-CONNECT')).toBe(1);
    } finally {
      server.stop();
    }
  });

  it('not offered (no session): status not-offered, nothing sent, the bytes handed back as a Buffer', async () => {
    const server = await startOpensslServer({ args: ['-cert', pki.ecdsa.certFile, '-key', pki.ecdsa.keyFile, '-tls1_3', '-early_data'], naccept: 0 });
    try {
      const r = await run(server.port, { earlyData: Buffer.from('NOT-SENT-DATA') });
      expect(r.statusAtSecure).toBe('not-offered');
      expect(r.info?.status).toBe('not-offered');
      expect(Buffer.isBuffer(r.info?.unsent)).toBe(true);
      expect(r.info?.unsent?.toString()).toBe('NOT-SENT-DATA');
      server.stop();
      expect(count(server.output(), 'NOT-SENT-DATA')).toBe(0);
    } finally {
      server.stop();
    }
  });

  it('refuses an earlyData that is not bytes or a string, synchronously', () => {
    expect(() => connect({ host: '127.0.0.1', port: 1, earlyData: 42 as unknown as string })).toThrow(UsageError);
  });
});

describe('s_client -early_data', () => {
  it('needs -sess_in', () => {
    expect(() => parseSClientArgs(['-early_data', 'file'])).toThrow(/-early_data needs -sess_in/);
    expect(parseSClientArgs(['-early_data', 'file', '-sess_in', 'sess.pem']).earlyData).toBe('file');
  });
});
