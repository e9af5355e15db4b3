/**
 * One scanner connection: open, write one ClientHello, read the first flight with
 * {@link FirstFlightReader} under a timeout, then end the attempt with a fatal handshake_failure
 * alert (RFC 8446 §6.2) and close. No handshake is ever completed. Resolves once the socket is
 * closed, so a caller limiting parallel connections counts each until it is really gone.
 * @module
 */
import { connect as netConnect } from 'node:net';
import type { HelloReply, ScanSocket } from './scan-types.ts';
import { FirstFlightReader } from './first-flight.ts';
import type { FirstFlightOptions } from './first-flight.ts';
import { fatalAlertRecord } from './hello-builder.ts';

export type Opener = (host: string, port: number) => Promise<ScanSocket>;

/** The default opener: a plain TCP connection. */
export const tcpOpener: Opener = (host, port) =>
  new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });

export interface ProbeConnectionOptions extends FirstFlightOptions {
  readonly host: string;
  readonly port: number;
  readonly open: Opener;
  readonly records: Uint8Array;
  readonly recordVersion: number;
  readonly timeoutMs: number;
}

/** Send one hello and read the reply; never rejects. */
export async function probeConnection(o: ProbeConnectionOptions): Promise<HelloReply> {
  const started = Date.now();
  const timedOut = (): HelloReply => ({ kind: 'timeout', afterMs: Date.now() - started });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), o.timeoutMs);
  });
  let socket: ScanSocket;
  try {
    const opening = o.open(o.host, o.port);
    const first = await Promise.race([opening, deadline]);
    if (first === 'timeout') {
      opening.then((s) => s.destroy(), () => undefined);
      return timedOut();
    }
    socket = first;
  } catch (error) {
    clearTimeout(timer);
    return { kind: 'connect-failed', error: error instanceof Error ? error.message : String(error) };
  }
  const reader = new FirstFlightReader(o);
  const reply = await new Promise<HelloReply>((resolve) => {
    let settled = false;
    const settle = (r: HelloReply): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    socket.on('data', (chunk: Uint8Array) => {
      if (settled) return;
      const r = reader.push(chunk);
      if (r !== undefined) settle(r);
    });
    socket.on('end', () => settle(reader.end()));
    socket.on('close', () => settle(reader.end()));
    socket.on('error', (error: Error) => settle(reader.end({ kind: 'closed', error: error.message })));
    void deadline.then(() => settle(reader.end(timedOut())));
    // A socket handed over after STARTTLS is paused (cli/starttls.ts detach): a 'data' listener
    // alone does not restart an explicitly paused stream.
    socket.resume();
    socket.write(o.records);
  });
  clearTimeout(timer);
  await closeSocket(socket, o.recordVersion);
  return reply;
}

/** Send the ending alert and close; resolves when closed (destroyed after 1 s at the latest). */
function closeSocket(socket: ScanSocket, recordVersion: number): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const force = setTimeout(() => socket.destroy(), 1000);
    socket.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    socket.on('error', () => undefined);
    socket.resume();
    if (socket.writable) socket.end(fatalAlertRecord(recordVersion), () => socket.destroy());
    else socket.destroy();
  });
}
