/**
 * connect() over a TCP socket turned into Web Streams (`Duplex.toWeb`) against `openssl
 * s_server` on 127.0.0.1. Expected values come from the server (its key log, its certificate
 * files, what its -rev mode sends back, the file -WWW serves), never from puretls.
 */
import { createHash, randomFillSync as randomFill, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { ClientConnection, DecryptError, InvalidCertificate, TrustStore, UnexpectedEof, UsageError } from '@puretls/tls-core';
import { Context } from '@puretls/session';
import { connect, TransportError, type WebConnectOptions } from '../src/index.ts';
import { counting, createPki, keylogCheck, readAll, readUntil, tcpProxy, withOpensslServer, tcpStreams, type Pki, type TcpProxy } from './helpers/peers.ts';
import type { OpensslServer, OpensslServerOptions } from '@puretls/test-support/openssl';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});
afterAll(() => pki?.dispose());

const EC = ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-cert_chain', 'ca-int.pem'];
const RSA = ['-cert', 'leaf-rsa2048.pem', '-key', 'leaf-rsa2048.key', '-cert_chain', 'ca-int.pem'];
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function options(extra: Partial<WebConnectOptions> = {}): WebConnectOptions {
  return { host: 'localhost', ca: pki.caRootPem, ...extra };
}

const der = (file: string): Uint8Array => new Uint8Array(new X509Certificate(readFileSync(pki.path(file))).raw);

/**
 * s_server behind a {@link tcpProxy} (which can cut or inject bytes), a client connected through
 * it with its writer and reader; after `body`, the proxy is closed and the server stopped.
 */
async function throughProxy(serverOptions: OpensslServerOptions, body: (c: { server: OpensslServer; proxy: TcpProxy; tls: Awaited<ReturnType<typeof connect>>; writer: WritableStreamDefaultWriter<Uint8Array>; reader: ReadableStreamDefaultReader<Uint8Array> }) => Promise<void>): Promise<void> {
  await withOpensslServer(serverOptions, async (server) => {
    const proxy = await tcpProxy(server.port);
    try {
      const { pair } = await tcpStreams(proxy.port);
      const tls = await connect(pair, options());
      await body({ server, proxy, tls, writer: tls.writable.getWriter(), reader: tls.readable.getReader() });
    } finally {
      await proxy.close();
    }
  });
}

describe('transport-web over TCP (Duplex.toWeb) against openssl s_server', () => {
  it('TLS 1.3 ChaCha20 X25519: result from the server files, key log = server key log, data both ways, close_notify both ways', async () => {
    await withOpensslServer({ args: [...EC, '-tls1_3', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', '-rev'], cwd: pki.dir, keylog: true }, async (server) => {
      const { pair } = await tcpStreams(server.port);
      const keylog: string[] = [];
      const given: string[] = [];
      const randomBytes = (n: number): Uint8Array => {
        const out = new Uint8Array(randomFill(Buffer.alloc(n)));
        given.push(Buffer.from(out).toString('hex'));
        return out;
      };
      const tls = await connect(pair, options({ onKeyLog: (l) => keylog.push(l), alpnProtocols: ['http/1.1'], randomBytes }));
      // The client random in the (server-confirmed) key log is bytes the randomBytes option returned.
      expect(given).toContain(keylog[0]!.split(' ')[1]);
      expect(tls.handshake.protocol).toBe('TLSv1.3');
      expect(tls.handshake.cipher).toBe('TLS_CHACHA20_POLY1305_SHA256');
      expect(tls.handshake.group).toBe('x25519');
      expect(tls.handshake.helloRetryRequest).toBe(false);
      expect(tls.handshake.peerCertificates.map((c) => Buffer.from(c).toString('hex'))).toEqual([der('leaf-ecdsa-p256.pem'), der('ca-int.pem')].map((c) => Buffer.from(c).toString('hex')));
      const writer = tls.writable.getWriter();
      const reader = tls.readable.getReader();
      await writer.write(utf8('hello world\n'));
      expect(await readUntil(reader, '\n')).toBe('dlrow olleh\n');
      // CLOSE makes s_server send close_notify: the readable ends cleanly, after the data.
      await writer.write(utf8('CLOSE\n'));
      const rest = await reader.read();
      expect(rest.done).toBe(true);
      await writer.close(); // our close_notify
      expect(await tls.closed).toBeUndefined();
      const log = await server.stop();
      expect(keylogCheck(keylog, log.keylog).status).toBe('pass');
      expect(keylog.length).toBe(5);
    });
  });

  it('TLS 1.2 ECDHE-RSA AES-128-GCM: result, key log, and a serialized session at the end of the handshake that resumes', async () => {
    await withOpensslServer({ args: [...RSA, '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-rev'], cwd: pki.dir, keylog: true, naccept: 2 }, async (server) => {
      const first = await tcpStreams(server.port);
      const keylog: string[] = [];
      const tls = await connect(first.pair, options({ onKeyLog: (l) => keylog.push(l), port: server.port }));
      expect(tls.handshake.protocol).toBe('TLSv1.2');
      expect(tls.handshake.cipher).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
      expect(tls.handshake.sessionReused).toBe(false);
      expect(tls.handshake.session).toBeInstanceOf(Uint8Array);
      const writer = tls.writable.getWriter();
      const reader = tls.readable.getReader();
      await writer.write(utf8('abc\n'));
      expect(await readUntil(reader, '\n')).toBe('cba\n');
      await writer.close();
      reader.releaseLock();
      await tls.readable.cancel();
      expect(await tls.closed).toBeUndefined();

      const second = await tcpStreams(server.port);
      const keylog2: string[] = [];
      const resumed = await connect(second.pair, options({ onKeyLog: (l) => keylog2.push(l), port: server.port, session: tls.handshake.session! }));
      expect(resumed.handshake.sessionReused).toBe(true);
      expect(resumed.handshake.protocol).toBe('TLSv1.2');
      const w2 = resumed.writable.getWriter();
      await w2.write(utf8('xyz\n'));
      expect(await readUntil(resumed.readable.getReader(), '\n')).toBe('zyx\n');
      await w2.close();
      const log = await server.stop();
      // A resumed TLS 1.2 session logs the same master secret under the new client random.
      expect(keylogCheck([...keylog, ...keylog2], log.keylog).status).toBe('pass');
    });
  });

  it('TLS 1.3 resumption with the serialized session from a NewSessionTicket (onSession and connection.session agree)', async () => {
    await withOpensslServer({ args: [...EC, '-tls1_3', '-rev'], cwd: pki.dir, keylog: true, naccept: 2 }, async (server) => {
      const first = await tcpStreams(server.port);
      const sessions: Uint8Array[] = [];
      const tls = await connect(first.pair, options({ port: server.port, onSession: (s) => sessions.push(s) }));
      expect(tls.handshake.session).toBeUndefined(); // tickets come after the handshake
      const writer = tls.writable.getWriter();
      const reader = tls.readable.getReader();
      await writer.write(utf8('one\n'));
      expect(await readUntil(reader, '\n')).toBe('eno\n');
      expect(sessions.length).toBeGreaterThanOrEqual(1); // s_server sends 2 tickets
      expect(Buffer.from(tls.session!).equals(Buffer.from(sessions.at(-1)!))).toBe(true);
      await writer.close();

      const second = await tcpStreams(server.port);
      const keylog: string[] = [];
      const resumed = await connect(second.pair, options({ port: server.port, session: sessions[0]!, onKeyLog: (l) => keylog.push(l) }));
      expect(resumed.handshake.sessionReused).toBe(true);
      // The certificates validated in the original handshake, carried in the session.
      expect(resumed.handshake.peerCertificates.map((c) => Buffer.from(c).toString('hex'))).toEqual(tls.handshake.peerCertificates.map((c) => Buffer.from(c).toString('hex')));
      const w2 = resumed.writable.getWriter();
      await w2.write(utf8('two\n'));
      expect(await readUntil(resumed.readable.getReader(), '\n')).toBe('owt\n');
      await w2.close();
      const log = await server.stop();
      const random = keylog[0]!.split(' ')[1];
      expect(keylogCheck(keylog, log.keylog.filter((l) => l.split(' ')[1] === random)).status).toBe('pass');
    });
  });

  it('HelloRetryRequest to P-256 (server -groups P-256, client share X25519)', async () => {
    await withOpensslServer({ args: [...EC, '-tls1_3', '-groups', 'P-256', '-rev'], cwd: pki.dir, keylog: true }, async (server) => {
      const { pair } = await tcpStreams(server.port);
      const keylog: string[] = [];
      const tls = await connect(pair, options({ onKeyLog: (l) => keylog.push(l) }));
      expect(tls.handshake.helloRetryRequest).toBe(true);
      expect(tls.handshake.group).toBe('secp256r1');
      const writer = tls.writable.getWriter();
      await writer.write(utf8('hrr\n'));
      expect(await readUntil(tls.readable.getReader(), '\n')).toBe('rrh\n');
      await writer.close();
      expect(keylogCheck(keylog, (await server.stop()).keylog).status).toBe('pass');
    });
  });

  it('an untrusted root and a wrong host name are refused with InvalidCertificate, and the server gets the alert', async () => {
    await withOpensslServer({ args: ['-cert', 'bad-untrusted.pem', '-key', 'bad-untrusted.key', '-cert_chain', 'evil-root.pem', '-tls1_3', '-rev'], cwd: pki.dir }, async (evil) => {
      const { pair } = await tcpStreams(evil.port);
      const err = await connect(pair, options()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidCertificate);
      expect((err as InvalidCertificate).reason).toBe('UnknownIssuer');
      await evil.waitForOutput('SSL alert number 48', 5000); // unknown_ca
    });
    // The explicit opt-out: the same chain connects, and the failure stays visible.
    await withOpensslServer({ args: ['-cert', 'bad-untrusted.pem', '-key', 'bad-untrusted.key', '-cert_chain', 'evil-root.pem', '-tls1_3', '-rev'], cwd: pki.dir }, async (evil2) => {
      const { pair } = await tcpStreams(evil2.port);
      const tls = await connect(pair, options({ verifyCertificates: false }));
      expect(tls.handshake.certificateError).toBeInstanceOf(InvalidCertificate);
      expect((tls.handshake.certificateError as InvalidCertificate).reason).toBe('UnknownIssuer');
      await tls.writable.getWriter().close();
    });
    await withOpensslServer({ args: [...EC, '-tls1_2', '-rev'], cwd: pki.dir }, async (good) => {
      const { pair } = await tcpStreams(good.port);
      const err = await connect(pair, options({ host: 'wrong.example' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidCertificate);
      expect((err as InvalidCertificate).reason).toBe('NotValidForName');
      await good.waitForOutput('SSL alert number 42', 5000); // bad_certificate
    });
  });

  it('read backpressure: a consumer that stops reading stops the transport being read; then the whole 1.33 MB arrives intact before close_notify', async () => {
    await withOpensslServer({ args: [...EC, '-tls1_3', '-WWW'], cwd: pki.dir }, async (server) => {
      const { pair: raw } = await tcpStreams(server.port);
      const { pair, pulled } = counting(raw);
      const tls = await connect(pair, options());
      const writer = tls.writable.getWriter();
      await writer.write(utf8(`GET /${pki.bigFile.name} HTTP/1.0\r\n\r\n`));
      const reader = tls.readable.getReader();
      const firstChunk = await reader.read();
      expect(firstChunk.done).toBe(false);
      // Give the server time to push the whole file; we must not have pulled it.
      await new Promise((r) => setTimeout(r, 500));
      const pulledWhilePaused = pulled();
      expect(pulledWhilePaused).toBeLessThan(256 * 1024);
      reader.releaseLock();
      const rest = await readAll(tls.readable);
      const all = Buffer.concat([firstChunk.value!, rest]);
      const body = all.subarray(all.indexOf('\r\n\r\n') + 4);
      expect(body.length).toBe(pki.bigFile.bytes);
      expect(createHash('sha256').update(body).digest('hex')).toBe(pki.bigFile.sha256);
      expect(pulled()).toBeGreaterThan(pki.bigFile.bytes);
      await writer.close().catch(() => {});
    });
  });

  it('write backpressure: write() settles only once the transport accepted the record', async () => {
    await withOpensslServer({ args: [...EC, '-tls1_3', '-rev'], cwd: pki.dir }, async (server) => {
      const { pair: raw } = await tcpStreams(server.port);
      const realWriter = raw.writable.getWriter();
      let open!: () => void;
      let gate: Promise<void> = Promise.resolve();
      let sinkWrites = 0;
      const gated = new WritableStream<Uint8Array>(
        {
          async write(chunk) {
            sinkWrites++;
            await gate;
            await realWriter.write(chunk);
          },
          close: () => realWriter.close(),
          abort: (r) => realWriter.abort(r),
        },
        { highWaterMark: 1 },
      );
      const tls = await connect({ readable: raw.readable, writable: gated }, options());
      gate = new Promise<void>((r) => (open = r));
      sinkWrites = 0; // the handshake's records went through the open gate
      const writer = tls.writable.getWriter();
      const lines = Array.from({ length: 4 }, (_, i) => `${String(i).repeat(40)}\n`).join('');
      let settled = false;
      const first = writer.write(utf8(lines)).then(() => (settled = true));
      const second = writer.write(utf8('tail\n'));
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(settled).toBe(false); // the sink holds the first record; the transport queue is full
      expect(sinkWrites).toBe(1);
      open();
      await first;
      await second;
      const reader = tls.readable.getReader();
      const echoed = await readUntil(reader, 'liat\n');
      expect(echoed).toContain('0'.repeat(40));
      expect(echoed).toContain('3'.repeat(40));
      await writer.close();
    });
  });

  it('truncation: EOF without close_notify is UnexpectedEof, after the data already received', async () => {
    await throughProxy({ args: [...EC, '-tls1_3', '-rev'], cwd: pki.dir }, async ({ proxy, tls, writer, reader }) => {
      await writer.write(utf8('before\n'));
      expect(await readUntil(reader, '\n')).toBe('erofeb\n');
      proxy.cutClient();
      const err = await reader.read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnexpectedEof);
      expect(await tls.closed).toBeInstanceOf(UnexpectedEof);
      await expect(writer.write(utf8('after\n'))).rejects.toBeInstanceOf(UnexpectedEof);
    });
  });

  it('a transport failure after the handshake is a TransportError on both streams (no close_notify is pretended)', async () => {
    await withOpensslServer({ args: [...EC, '-tls1_3', '-rev'], cwd: pki.dir }, async (server) => {
      const { pair, socket } = await tcpStreams(server.port);
      const tls = await connect(pair, options());
      const reader = tls.readable.getReader();
      const writer = tls.writable.getWriter();
      socket.destroy(new Error('cable cut'));
      const err = await reader.read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).reason).toBe('ReadFailed');
      expect(await tls.closed).toBe(err);
      await expect(writer.write(utf8('x\n'))).rejects.toBe(err);
    });
  });

  it('an AbortSignal ends a handshake with a server that never answers, and an established connection', async () => {
    // Reads (and drops) the ClientHello, answers nothing; sees our close once aborted.
    const silent = createNetServer((s) => s.on('error', () => {}).resume());
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { pair } = await tcpStreams((silent.address() as AddressInfo).port);
      const controller = new AbortController();
      const pending = connect(pair, options({ signal: controller.signal })).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      controller.abort(new Error('gave up'));
      const err = await pending;
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).reason).toBe('Aborted');
      expect(((err as TransportError).cause as Error).message).toBe('gave up');
    } finally {
      await new Promise<void>((r) => silent.close(() => r()));
    }
    await withOpensslServer({ args: [...EC, '-tls1_3', '-rev'], cwd: pki.dir }, async (server) => {
      const { pair } = await tcpStreams(server.port);
      const controller = new AbortController();
      const tls = await connect(pair, options({ signal: controller.signal }));
      const reader = tls.readable.getReader();
      const read = reader.read().catch((e: unknown) => e);
      controller.abort();
      expect(await read).toBeInstanceOf(TransportError);
      expect(await tls.closed).toBeInstanceOf(TransportError);
      await expect(connect(pair, options())).rejects.toBeInstanceOf(UsageError); // streams still locked
    });
  });

  it('once the connection is aborted the engine has wiped its record keys', async () => {
    const engines: ClientConnection[] = [];
    const context = new Context({
      trustStore: TrustStore.fromPem(pki.caRootPem),
      sessionCacheMode: 'off',
      randomBytes: (n) => new Uint8Array(randomFill(Buffer.alloc(n))),
      engineFactory: (config, o) => {
        const engine = new ClientConnection(config, o);
        engines.push(engine);
        return engine;
      },
    });
    await withOpensslServer({ args: [...EC, '-tls1_3', '-rev'], cwd: pki.dir }, async (server) => {
      const { pair } = await tcpStreams(server.port);
      const controller = new AbortController();
      const tls = await connect(pair, options({ context, signal: controller.signal }));
      const engine = engines.at(-1)!;
      // Live keys until then (the sealed record is taken and dropped; the connection ends next).
      engine.write(utf8('sealed while connected'));
      expect(engine.takeOutgoing()?.length).toBeGreaterThan(0);
      controller.abort();
      expect(await tls.closed).toBeInstanceOf(TransportError);
      expect(engine.error).toBeUndefined();
      expect(() => engine.write(utf8('after the abort'))).toThrow(/key wiped/);
    });
    expect(engines).toHaveLength(1);
  });

  it('cancelling the TLS readable during a pending read is the application\'s doing, not a truncation', async () => {
    await withOpensslServer({ args: [...EC, '-tls1_3', '-rev'], cwd: pki.dir }, async (server) => {
      const { pair } = await tcpStreams(server.port);
      const tls = await connect(pair, options());
      const reader = tls.readable.getReader();
      const pending = reader.read(); // waits on the transport: the server sends nothing unasked
      await new Promise((r) => setTimeout(r, 50));
      await reader.cancel('not interested');
      expect((await pending).done).toBe(true);
      // Duplex.toWeb destroys the socket when its readable is cancelled, so writing may now fail
      // (TransportError) or not, depending on when the destroy lands; but our own cancel must not
      // be taken for the peer's EOF (UnexpectedEof, with an alert).
      const writer = tls.writable.getWriter();
      await writer.write(utf8('x\n')).catch(() => {});
      await writer.close().catch(() => {});
      const closed = await tls.closed;
      expect(closed).not.toBeInstanceOf(UnexpectedEof);
      if (closed !== undefined) expect(closed).toBeInstanceOf(TransportError);
    });
  });

  it('a forged record right after real data: the data is delivered first, then DecryptError (bad_record_mac sent)', async () => {
    await throughProxy({ args: [...EC, '-tls1_3', '-msg', '-rev'], cwd: pki.dir, exitGraceMs: 3000 }, async ({ server, proxy, writer, reader }) => {
      await writer.write(utf8('warm up\n'));
      expect(await readUntil(reader, '\n')).toBe('pu mraw\n');
      // application_data record of 32 bytes that no key authenticates, in the same TCP write as the reply.
      proxy.appendToNextServerChunk(new Uint8Array([0x17, 0x03, 0x03, 0x00, 0x20, ...new Uint8Array(32).fill(0xa5)]));
      await writer.write(utf8('real data\n'));
      expect(await readUntil(reader, '\n')).toBe('atad laer\n');
      const err = await reader.read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DecryptError);
      // s_server -msg logs the alert it received (its stdout is flushed when it exits after the connection).
      expect((await server.stop()).output).toMatch(/<<< .*Alert .*fatal bad_record_mac/);
    });
  });
});
