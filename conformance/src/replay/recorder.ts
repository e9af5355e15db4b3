/**
 * Drives one sans-IO `ClientConnection` over a real TCP socket and records every chunk that
 * crosses it, in order, with the caller's actions in between (the fixture steps of @puretls/test-support/replay-format).
 * Each input (an action or a chunk from the server) is followed by one `takeOutgoing()`; what it
 * returns is written to the socket and recorded as the next step, so a replay can check that the
 * same input produces the same bytes.
 *
 * @module
 */
import { connect, type Socket } from 'node:net';
import { ClientConnection, type ClientConfig, type ResumptionData } from '@puretls/tls-core';
import { OutcomeCollector, describeRecords, toHexLines, type Outcome, type Step } from '@puretls/test-support/replay-format';

/** How long a recording waits for a condition before it gives up (ms). */
const WAIT_MS = 5000;

export class SocketRecorder {
  readonly steps: Step[] = [];
  readonly conn: ClientConnection;
  readonly #collector = new OutcomeCollector<ResumptionData>();
  #socket: Socket | undefined;
  #tcpEnded = false;
  #socketClosed = false;
  #serverCarry = 0;
  #clientCarry = 0;
  readonly #listeners = new Set<() => void>();

  constructor(config: ClientConfig, host: string, session: ResumptionData | undefined) {
    this.conn = new ClientConnection(config, session === undefined ? { host } : { host, session });
  }

  /** Opens the TCP connection and queues the ClientHello. */
  async open(port: number): Promise<void> {
    const socket = await connectWithRetry(port);
    socket.setNoDelay(true);
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
      const { summary, carry } = describeRecords(bytes, this.#serverCarry);
      this.#serverCarry = carry;
      this.#input({ dir: 'server', hex: toHexLines(bytes), records: summary }, () => this.conn.receive(bytes));
    });
    socket.on('end', () => {
      this.#tcpEnded = true;
      this.#input({ op: 'eof' }, () => this.conn.receiveEof());
      socket.end();
    });
    socket.on('close', () => {
      this.#socketClosed = true;
      this.#notify();
    });
    socket.on('error', () => {
      // ECONNRESET after the server went away: the close event ends the recording.
    });
    this.#input({ op: 'start' }, () => this.conn.start());
  }

  write(text: string): void {
    this.#input({ op: 'write', text }, () => this.conn.write(new TextEncoder().encode(text)));
  }

  keyUpdate(requestPeer: boolean): void {
    this.#input({ op: 'keyUpdate', requestPeer }, () => this.conn.requestKeyUpdate(requestPeer));
  }

  close(): void {
    this.#input({ op: 'close' }, () => this.conn.close());
  }

  get received(): string {
    return this.#collector.received;
  }

  get sessions(): readonly ResumptionData[] {
    return this.#collector.sessions;
  }

  /** Resolves once `condition` holds; rejects after a few seconds with `what`. */
  async until(what: string, condition: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`recording: timed out waiting for ${what}; ${this.#collector.error ?? 'no error'}; received ${JSON.stringify(this.received)}`));
      }, timeoutMs);
      this.#listeners.add(check);
    });
  }

  handshakeDone(): Promise<void> {
    return this.until('the handshake', () => !this.conn.isHandshaking || this.#collector.error !== null);
  }

  sessionCount(n: number): Promise<void> {
    return this.until(`${n} sessions`, () => this.sessions.length >= n);
  }

  text(wanted: string): Promise<void> {
    return this.until(`data ${JSON.stringify(wanted)}`, () => this.received.includes(wanted));
  }

  peerClosed(): Promise<void> {
    return this.until('close_notify from the server', () => this.conn.isClosed);
  }

  /** Waits until the socket is fully closed (both ends), then returns the outcome. */
  async finish(): Promise<Outcome> {
    await this.until('the end of the TCP connection', () => this.#socketClosed);
    return this.outcome();
  }

  /** Ends our side of TCP (after close_notify both ways, as a transport would). */
  endTcp(): void {
    this.#socket?.end();
  }

  outcome(): Outcome {
    return this.#collector.outcome(this.conn);
  }

  get tcpEnded(): boolean {
    return this.#tcpEnded;
  }

  /** Runs one input, records it and what the client queued after it, and sends those bytes. */
  #input(step: Step, action: () => void): void {
    let threw: string | undefined;
    try {
      action();
    } catch (error) {
      threw = (error as Error).constructor.name;
      this.#collector.error ??= threw;
    }
    this.steps.push(threw === undefined ? step : { ...step, throws: threw });
    const out = this.conn.takeOutgoing();
    if (out !== undefined && out.length > 0) {
      const { summary, carry } = describeRecords(out, this.#clientCarry);
      this.#clientCarry = carry;
      this.steps.push({ dir: 'client', hex: toHexLines(out), records: summary });
      if (this.#socket !== undefined && !this.#socket.destroyed && this.#socket.writable) this.#socket.write(out);
    }
    this.#collector.absorb(this.conn);
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

/** Connects to 127.0.0.1:port; a server that printed its ready line may still need a moment to accept (Botan). */
async function connectWithRetry(port: number): Promise<Socket> {
  for (let attempt = 0; ; attempt++) {
    const socket = connect({ host: '127.0.0.1', port });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      return socket;
    } catch (error) {
      socket.destroy();
      if (attempt >= 20 || (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
