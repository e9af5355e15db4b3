/**
 * The downgrade proxy's ClientHello rewrite, on a ClientHello produced by Node's own TLS client
 * (OpenSSL, independent of puretls): TLS 1.3-only extensions gone, every length consistent, the
 * rest of the hello unchanged; split across records and with trailing bytes.
 */
import { connect as tlsConnect } from 'node:tls';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ExtensionType, HandshakeType, decodeHandshake } from '@puretls/tls-core';
import { TLS13_ONLY_EXTENSIONS, handshakeRecords, startDowngradeProxy, takeClientHello } from '../src/servers/downgrade-proxy.ts';
import { findCase } from '../src/cases/index.ts';
import { nodeClient } from '../src/clients/node.ts';
import { runCase } from '../src/runner/run-case.ts';
import type { Pki } from '../src/pki.ts';

/** Captures the first flight Node's TLS client sends (a ClientHello offering TLS 1.3 and 1.2). */
async function nodeClientHelloRecords(): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const captured = new Promise<Buffer>((resolve) => {
    server.once('connection', (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        const all = Buffer.concat(chunks);
        if (all.length >= 5 && all.length >= 5 + all.readUInt16BE(3)) {
          socket.destroy();
          resolve(all);
        }
      });
    });
  });
  const client = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
  client.on('error', () => {});
  const records = await captured;
  client.destroy();
  server.close();
  return records;
}

function decodeRecordsHello(records: Uint8Array): ReturnType<typeof decodeHandshake> {
  let offset = 0;
  const parts: Uint8Array[] = [];
  while (offset < records.length) {
    const length = (records[offset + 3]! << 8) | records[offset + 4]!;
    expect(records[offset]).toBe(22);
    parts.push(records.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  expect(offset).toBe(records.length);
  return decodeHandshake(Buffer.concat(parts), 'tls13');
}

describe('downgrade proxy ClientHello rewrite', () => {
  it('removes exactly the TLS 1.3-only extensions and keeps everything else', async () => {
    const records = await nodeClientHelloRecords();
    const original = decodeRecordsHello(records);
    if (original.type !== HandshakeType.ClientHello) throw new Error('not a ClientHello');
    expect(original.extensions.map((e) => e.type)).toContain(ExtensionType.SupportedVersions);

    const taken = takeClientHello(records);
    expect(taken).toBeDefined();
    expect(taken!.rest.length).toBe(0);
    expect(taken!.removed).toContain(ExtensionType.SupportedVersions);
    expect(taken!.removed).toContain(ExtensionType.KeyShare);
    const rewritten = decodeRecordsHello(taken!.records);
    if (rewritten.type !== HandshakeType.ClientHello) throw new Error('not a ClientHello');
    expect(rewritten.extensions.map((e) => e.type)).toEqual(original.extensions.map((e) => e.type).filter((t) => !TLS13_ONLY_EXTENSIONS.includes(t)));
    expect(rewritten.random).toEqual(original.random);
    expect(rewritten.cipherSuites).toEqual(original.cipherSuites);
    expect(rewritten.legacyVersion).toBe(0x0303);
  });

  it('waits for a ClientHello split across records and forwards bytes after it', async () => {
    const records = await nodeClientHelloRecords();
    const handshake = records.subarray(5);
    const split = Buffer.concat([handshake.subarray(0, 40), handshake.subarray(40)].flatMap((part) => [Buffer.from([22, 3, 1, part.length >> 8, part.length & 0xff]), part]));
    const trailing = Buffer.from([20, 3, 3, 0, 1, 1]);
    expect(takeClientHello(split.subarray(0, 50))).toBeUndefined();
    const taken = takeClientHello(Buffer.concat([split, trailing]));
    expect(Buffer.from(taken!.rest)).toEqual(trailing);
    expect(decodeRecordsHello(taken!.records).type).toBe(HandshakeType.ClientHello);
  });

  it('frames long handshakes in records of at most 16384 bytes', () => {
    const framed = handshakeRecords(new Uint8Array(40000), 0x0301);
    expect(framed.length).toBe(40000 + 3 * 5);
    expect((framed[3]! << 8) | framed[4]!).toBe(16384);
  });

  it('passes bytes through unchanged in passthrough mode', async () => {
    const target = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const proxy = await startDowngradeProxy((target.address() as AddressInfo).port, 'passthrough');
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    const echoed = await new Promise<string>((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      socket.write('not a TLS record');
    });
    socket.destroy();
    await proxy.stop();
    target.close();
    expect(echoed).toBe('not a TLS record');
    expect(proxy.removedExtensions()).toEqual([]);
  });
});

describe('client capabilities', () => {
  it('reports n/a, without starting a server, when the client cannot require the extended master secret', async () => {
    const pki = { dir: '/nonexistent', caRootPem: '' } as unknown as Pki;
    const result = await runCase(findCase('s12-ems-required-refused')!, nodeClient, { pki });
    expect(result.status).toBe('n/a');
  });
});
