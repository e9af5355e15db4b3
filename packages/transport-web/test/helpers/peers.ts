/**
 * Test peers for the Web Streams transport: the conformance PKI (test-pki/gen-pki.sh: an RSA
 * root, a P-384 intermediate, leaves for localhost/127.0.0.1, an untrusted "evil" root),
 * `openssl s_server` on 127.0.0.1 (stopped by PID), a TCP socket as a Web Streams pair
 * (`Duplex.toWeb`), and a TCP proxy that can append bytes to what the server sends or cut the
 * client's side (truncation).
 */
import { once } from 'node:events';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { ByteStreamPair } from '../../src/pump.ts';

export { createPki, type Pki } from '../../../../conformance/src/pki.ts';
export { startOpensslServer, withOpensslServer } from '@puretls/test-support/openssl';
export { keylogCheck } from '../../../../conformance/src/runner/run-case.ts';

/** A connected TCP socket to 127.0.0.1:port as `{ readable, writable }`. */
export async function tcpStreams(port: number): Promise<{ pair: ByteStreamPair; socket: Socket }> {
  const socket = netConnect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const web = Duplex.toWeb(socket) as unknown as ByteStreamPair;
  return { pair: web, socket };
}

/** A readable wrapper that counts the bytes taken from `readable` (what the TLS layer pulled). */
export function counting(pair: ByteStreamPair): { pair: ByteStreamPair; pulled: () => number } {
  let pulled = 0;
  const reader = pair.readable.getReader();
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const r = await reader.read();
        if (r.done) controller.close();
        else {
          pulled += r.value.length;
          controller.enqueue(r.value);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { pair: { readable, writable: pair.writable }, pulled: () => pulled };
}

export interface TcpProxy {
  readonly port: number;
  /** Forward the next server chunk followed by `extra` in the same write. */
  appendToNextServerChunk(extra: Uint8Array): void;
  /** End the client's side now (FIN), forwarding nothing more from the server. */
  cutClient(): void;
  close(): Promise<void>;
}

/** A one-connection TCP proxy 127.0.0.1 -> 127.0.0.1:targetPort. */
export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  let client: Socket | undefined;
  let upstream: Socket | undefined;
  let append: Uint8Array | undefined;
  let cut = false;
  const server: Server = createServer((c) => {
    client = c;
    c.on('error', () => {});
    const up = netConnect({ host: '127.0.0.1', port: targetPort });
    upstream = up;
    up.on('error', () => {});
    c.on('data', (b) => up.write(b));
    c.on('end', () => up.end());
    up.on('data', (b: Buffer) => {
      if (cut) return;
      if (append !== undefined) {
        c.write(Buffer.concat([b, append]));
        append = undefined;
      } else c.write(b);
    });
    up.on('end', () => {
      if (!cut) c.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    appendToNextServerChunk: (extra) => {
      append = extra;
    },
    cutClient: () => {
      cut = true;
      client?.end();
      upstream?.destroy();
    },
    close: async () => {
      client?.destroy();
      upstream?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Read everything from `readable` until it ends; rejects with its error. */
export async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of readable as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Read from `reader` until the text collected contains `text`. */
export async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string): Promise<string> {
  let got = '';
  while (!got.includes(text)) {
    const r = await reader.read();
    if (r.done) throw new Error(`stream ended before ${JSON.stringify(text)}; got ${JSON.stringify(got)}`);
    got += Buffer.from(r.value).toString('latin1');
  }
  return got;
}
