/**
 * The reusable server modules and the report: a Node 20 server started alone (port, PID, key log
 * file, stopped by PID), the wire reader on bytes recorded through the wire tap, and the console
 * table's width and reasons.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../src/pki.ts';
import { formatTable, TABLE_WIDTH } from '../src/report/index.ts';
import type { CaseResult } from '../src/runner/checks.ts';
import { wireCheck } from '../src/runner/run-case.ts';
import { hellos, HRR_RANDOM } from '../src/runner/wire.ts';
import { startNodeServer } from '../src/servers/node.ts';
import { liveProcessCount } from '@puretls/test-support/process';
import { startWireTap } from '../src/servers/wire-tap.ts';

describe('Node 20 server module with the wire tap', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
  });
  afterAll(async () => {
    await pki?.dispose();
  });

  it('starts on 127.0.0.1, logs the keys node:tls derived, shows the HRR on the wire, stops by PID', async () => {
    const server = await startNodeServer({ node: 'node20', cwd: pki.dir, config: { cert: 'leaf-ecdsa-p256.chain.pem', key: 'leaf-ecdsa-p256.key', ecdhCurve: 'P-256', minVersion: 'TLSv1.3' } });
    expect(server.port).toBeGreaterThan(0);
    expect(server.keylogPath).toMatch(/server\.keys$/);
    const tap = await startWireTap(server.port);
    const clientLines: string[] = [];
    const echoed = await new Promise<string>((resolve, reject) => {
      // node:tls as the client: key share X25519 first, P-256 only on request (HelloRetryRequest).
      const socket = connect({ host: '127.0.0.1', port: tap.port, servername: 'localhost', ca: readFileSync(pki.path('ca-root.pem')), ecdhCurve: 'X25519:P-256' }, () => socket.write('ping\n'));
      socket.on('keylog', (line: Buffer) => clientLines.push(line.toString('latin1').trim()));
      socket.on('data', (data: Buffer) => {
        resolve(data.toString());
        socket.end();
      });
      socket.on('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [recorded] = tap.connections();
    await tap.stop();
    const log = await server.stop();
    expect(echoed).toBe('ping\n');
    expect(hellos(recorded!.fromServer).map((h) => (h.random === HRR_RANDOM ? 'HRR' : 'SH'))).toEqual(['HRR', 'SH']);
    expect(hellos(recorded!.fromClient)).toHaveLength(2);
    expect(new Set(log.keylog)).toEqual(new Set(clientLines));
    expect(log.keylog.length).toBe(5);
    expect(() => process.kill(server.pid, 0)).toThrow();
    expect(liveProcessCount()).toBe(0);
  });
});

describe('console table', () => {
  const result = (id: string, status: CaseResult['status'], note?: string): CaseResult => ({
    id,
    section: 's',
    description: 'd',
    server: 'node26',
    client: 'puretls',
    status,
    expected: 'TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256 alpn=-',
    observed: status === 'pass' ? 'TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256 alpn=-' : 'skipped',
    checks: [],
    ...(note === undefined ? {} : { note }),
    durationMs: 1,
  });

  it(`fits ${TABLE_WIDTH} columns and keeps the skip reason`, () => {
    const table = formatTable([
      result('node26-13-suite-TLS_CHACHA20_POLY1305_SHA256-and-a-very-long-id', 'pass'),
      result('node26-13-group-x25519', 'skipped', 'Node 26 is not installed at node_modules/.cache/node26'),
    ]);
    const lines = table.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(TABLE_WIDTH);
    expect(lines[3]).toMatch(/^SKIPPED\s+node26\s+node26-13-group-x25519\s+Node 26 is not installed/);
  });
});

describe('wire check of the HRR cookie', () => {
  const u16 = (n: number): number[] => [n >> 8, n & 0xff];
  const record = (type: 1 | 2, random: number[], extensions: number[]): number[] => {
    const body = type === 2 ? [3, 3, ...random, 0, 0x13, 0x01, 0, ...u16(extensions.length), ...extensions] : [3, 3, ...random, 0, ...u16(2), 0x13, 0x01, 1, 0, ...u16(extensions.length), ...extensions];
    const handshake = [type, 0, ...u16(body.length), ...body];
    return [22, 3, 3, ...u16(handshake.length), ...handshake];
  };
  const cookieExt = (cookie: number[]): number[] => [0, 44, ...u16(cookie.length + 2), ...u16(cookie.length), ...cookie];
  const hrrRandom = [...Buffer.from(HRR_RANDOM, 'hex')];
  const random = Array.from({ length: 32 }, (_, i) => i);
  const fromServer = Uint8Array.from([...record(2, hrrRandom, cookieExt([1, 2, 3, 4])), ...record(2, random, [])]);
  const connection = (secondCookie: number[] | undefined) => ({
    fromServer,
    fromClient: Uint8Array.from([...record(1, random, []), ...record(1, random, secondCookie === undefined ? [] : cookieExt(secondCookie))]),
  });

  it('passes only when the second ClientHello carries the same cookie bytes', () => {
    expect(wireCheck('hrr', [connection([1, 2, 3, 4])])).toMatchObject({ status: 'pass', observed: 'HRR,SH' });
    expect(wireCheck('hrr-cookie-echoed', [connection([1, 2, 3, 4])])).toMatchObject({ status: 'pass', observed: 'cookie echoed' });
    expect(wireCheck('hrr-cookie-echoed', [connection([1, 2, 3, 5])])).toMatchObject({ status: 'fail', observed: 'second ClientHello carries another cookie' });
    expect(wireCheck('hrr-cookie-echoed', [connection(undefined)])).toMatchObject({ status: 'fail' });
    expect(wireCheck('hrr', [{ fromServer: Uint8Array.from(record(2, random, [])), fromClient: new Uint8Array() }])).toMatchObject({ status: 'fail', observed: 'SH' });
  });
});
