/**
 * A byte-recording TCP relay on 127.0.0.1 between the client and a peer server: it forwards both
 * directions unchanged and keeps the first bytes of each direction of each connection, so that a
 * case can assert what was on the wire (a HelloRetryRequest and its cookie, the server random of
 * a TLS 1.2 handshake) with runner/wire.ts, independently of the client under test.
 *
 * @module
 */
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';

/** How much of each direction of a connection is kept (the unencrypted handshake fits). */
const KEEP_BYTES = 64 * 1024;

export interface TappedConnection {
  /** Client-to-server bytes (the first {@link KEEP_BYTES}). */
  readonly fromClient: Uint8Array;
  /** Server-to-client bytes (the first {@link KEEP_BYTES}). */
  readonly fromServer: Uint8Array;
}

export interface RunningWireTap {
  readonly port: number;
  /** Connections so far, in accept order. */
  connections(): TappedConnection[];
  stop(): Promise<void>;
}

/** Starts a relay on 127.0.0.1 (port 0) to 127.0.0.1:`targetPort`. */
export async function startWireTap(targetPort: number): Promise<RunningWireTap> {
  const recorded: { fromClient: Buffer[]; fromServer: Buffer[] }[] = [];
  const sockets = new Set<Socket>();
  const keep = (chunks: Buffer[], chunk: Buffer): void => {
    const have = chunks.reduce((n, c) => n + c.length, 0);
    if (have < KEEP_BYTES) chunks.push(chunk.subarray(0, KEEP_BYTES - have));
  };
  const server = createServer((client) => {
    const record = { fromClient: [] as Buffer[], fromServer: [] as Buffer[] };
    recorded.push(record);
    const upstream = netConnect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      keep(record.fromClient, chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      keep(record.fromServer, chunk);
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => recorded.map((r) => ({ fromClient: Buffer.concat(r.fromClient), fromServer: Buffer.concat(r.fromServer) })),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
