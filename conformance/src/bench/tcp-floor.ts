/**
 * The transport floor of a handshake row: this process's CPU time for the same exchange of bytes
 * over a plain Node TCP socket, with no TLS and no crypto. A TLS client on a Node socket pays at
 * least this per connection (connect, the writes and reads of its flights, close: socket
 * syscalls, which on loopback also run the receive path of the other end's segments in this
 * process's system time, libuv and stream machinery, GC), so a row's protocol overhead above the
 * crypto floor (floor.ts) can only fall below this figure by not using a socket. It runs as one
 * more side of the row's interleaved rounds (measure.ts), against a responder in another process
 * (tcp-responder.ts).
 *
 * The byte counts are those of the handshake the row measures, rounded (ClientHello, the server's
 * flight, the client's last flight); a few hundred bytes more or less do not change the cost.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const RESPONDER = fileURLToPath(new URL('./tcp-responder.js', import.meta.url));

/** One round trip of a handshake: the client writes `client` bytes, then reads `server` bytes (0: reads nothing). */
export interface FlightPattern {
  readonly client: number;
  readonly server: number;
}

/** Rounded flight sizes of the rows' handshakes (measured on the wire with the bench's chains). */
export const PATTERNS = {
  /** ClientHello; ServerHello..Finished with a certificate chain; client Finished. */
  tls13Full: [
    { client: 300, server: 3000 },
    { client: 80, server: 0 },
  ],
  /** ClientHello with the ticket; ServerHello..Finished; client Finished. */
  tls13Resumed: [
    { client: 600, server: 250 },
    { client: 80, server: 0 },
  ],
  /** ClientHello; ServerHello..ServerHelloDone; ClientKeyExchange, CCS, Finished; the server's ticket, CCS, Finished. */
  tls12Full: [
    { client: 300, server: 3000 },
    { client: 130, server: 250 },
  ],
  /** ClientHello with the ticket; ServerHello, CCS, Finished; client CCS and Finished. */
  tls12Resumed: [
    { client: 450, server: 150 },
    { client: 60, server: 0 },
  ],
} as const satisfies Record<string, readonly FlightPattern[]>;

export interface TransportFloor {
  /** One connection: connect, the flights, destroy, wait for 'close'. */
  readonly op: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

/** Starts a responder for `pattern` and returns the client side of one exchange. */
export async function startTransportFloor(pattern: readonly FlightPattern[]): Promise<TransportFloor> {
  const child = spawn(process.execPath, [RESPONDER, pattern.map((f) => f.client).join(','), pattern.map((f) => f.server).join(',')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  const flights = pattern.map((f) => ({ data: Buffer.alloc(f.client, 0x16), server: f.server }));
  const op = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      let round = 0;
      let expected = 0;
      const next = (): void => {
        while (round < flights.length) {
          const flight = flights[round++]!;
          socket.write(flight.data);
          if (flight.server > 0) {
            expected = flight.server;
            return;
          }
        }
        socket.destroy();
      };
      socket.once('connect', next);
      socket.on('data', (chunk: Buffer) => {
        expected -= chunk.length;
        if (expected <= 0) next();
      });
      socket.once('error', reject);
      socket.once('close', () => resolve());
    });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return { op, stop };
}
