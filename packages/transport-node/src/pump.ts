/**
 * The I/O loop between a Node Duplex socket and a sans-IO {@link TlsEngine}, after BearSSL's
 * `run_until` (ssl_io.c): flush the engine's outgoing records first, then deliver what was
 * decrypted, then feed socket bytes only while the handshake needs them or the consumer asks
 * for more. Reading the socket in paused mode (`'readable'` + `read()`) is what makes
 * backpressure work: when the consumer stops reading, so do we, and TCP flow control pushes
 * back on the server. Writes honour `socket.write()`'s return value through `'drain'`.
 *
 * RFC 8446 §6.1: EOF without close_notify is a truncation, reported as the engine's
 * UnexpectedEof error, never as a clean end.
 * @module
 */
import type { Duplex } from 'node:stream';
import type { ClientEvent } from '@puretls/tls-core';
import type { TlsEngine } from './engine.ts';

/** The side of the pump that faces the application (the TLSSocket). */
export interface PumpHost {
  /** Push decrypted bytes to the consumer; returns false when its buffer is full. */
  deliver(chunk: Uint8Array): boolean;
  /** Engine events, in order (handshakeDone, session, keyLog, ...). */
  handleEvents(events: ClientEvent[]): void;
  /** The peer's close_notify arrived and every byte before it was delivered. */
  peerClosed(): void;
  /** A fatal error: the alert, if any, is on its way; the host must destroy itself with `err`. */
  fail(err: Error): void;
}

/**
 * Moves bytes between `socket` and `engine`. Call {@link start} once, {@link wantRead} from
 * `_read`, {@link writeApplicationData} from `_write`, {@link finish} from `_final` and
 * {@link destroy} from `_destroy`.
 */
export class Pump {
  readonly engine: TlsEngine;
  readonly socket: Duplex;
  readonly #host: PumpHost;
  /**
   * Whether the consumer has room for more plaintext. True from the start, as a Readable whose
   * buffer is below its high-water mark: post-handshake messages (NewSessionTicket, KeyUpdate)
   * and the first application data are read even before anyone calls `read()`, as Node's
   * TLSSocket does; it turns false when `deliver()` reports a full buffer.
   */
  #consumerWants = true;
  #eofSeen = false;
  #peerClosedReported = false;
  #failed = false;
  #destroyed = false;
  #running = false;
  #runAgain = false;
  #needsDrain = false;
  #drainWaiters: Array<() => void> = [];
  readonly #listeners: Array<[string, SocketListener]> = [];

  constructor(engine: TlsEngine, socket: Duplex, host: PumpHost) {
    this.engine = engine;
    this.socket = socket;
    this.#host = host;
  }

  /** Attach to the socket, queue the ClientHello and start the loop. */
  start(): void {
    this.#listen('readable', () => this.run());
    this.#listen('end', () => {
      this.#eofSeen = true;
      this.run();
    });
    this.#listen('drain', () => this.#drained());
    this.#listen('error', (err: Error) => this.#fail(err, false));
    this.#listen('close', () => this.#socketClosed());
    try {
      this.engine.start();
    } catch (e) {
      this.#fail(asError(e), true);
      return;
    }
    this.run();
  }

  /** The consumer wants more plaintext (Readable `_read`). */
  wantRead(): void {
    this.#consumerWants = true;
    this.run();
  }

  /** True while `socket.write()` has returned false and 'drain' has not come yet. */
  get needsDrain(): boolean {
    return this.#needsDrain;
  }

  /**
   * The run_until loop. Re-entrant calls (an event handler that writes, a push that calls
   * `_read`) only mark the loop to run once more.
   */
  run(): void {
    if (this.#running) {
      this.#runAgain = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#runAgain = false;
        this.#step();
      } while (this.#runAgain && !this.#failed && !this.#destroyed);
    } finally {
      this.#running = false;
    }
  }

  /**
   * Encrypt and send application data; `done` runs once the socket accepted it (after 'drain'
   * when `socket.write()` returned false).
   */
  writeApplicationData(chunk: Uint8Array, done: (err?: Error | null) => void): void {
    try {
      this.engine.write(chunk);
    } catch (e) {
      done(asError(e));
      return;
    }
    this.#flush();
    this.#afterDrain(done);
  }

  /** Send close_notify, then FIN once everything is flushed. Reading continues (half-close). */
  finish(done: (err?: Error | null) => void): void {
    if (this.#failed || this.#destroyed) {
      done();
      return;
    }
    try {
      this.engine.close();
    } catch {
      // A failed engine has nothing left to say; the FIN still goes out.
    }
    this.#flush();
    if (this.socket.writableEnded) done();
    else this.socket.end(() => done());
  }

  /** Detach and close the socket. Lets a queued alert or close_notify reach the wire first. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const [event, fn] of this.#listeners) this.socket.off(event, fn);
    this.socket.on('error', () => {}); // a late ECONNRESET must not become an uncaught error
    for (const waiter of this.#drainWaiters.splice(0)) waiter();
    if (this.socket.destroyed) return;
    if (this.socket.writableEnded && !this.socket.writableFinished) this.socket.once('finish', () => this.socket.destroy());
    else this.socket.destroy();
  }

  #step(): void {
    if (this.#failed || this.#destroyed) return;
    // 1. Outgoing records first (BearSSL: the engine must not hold records while we wait on input).
    this.#flush();
    // 2. Events, in the order the engine produced them.
    const events = this.engine.takeEvents();
    if (events.length > 0) this.#host.handleEvents(events);
    if (this.#failed || this.#destroyed) return;
    this.#flush();
    // 3. Everything decrypted so far goes to the consumer. This is bounded by one socket chunk
    //    because we stop reading the socket as soon as the consumer's buffer is full.
    for (let chunk = this.engine.readPlaintext(); chunk !== undefined; chunk = this.engine.readPlaintext()) {
      if (!this.#host.deliver(chunk)) this.#consumerWants = false;
    }
    if (this.engine.isClosed && !this.#peerClosedReported) {
      this.#peerClosedReported = true;
      this.#host.peerClosed();
      return;
    }
    // 4. Read more only when the handshake needs it or the consumer asked for it.
    const wantInput = this.engine.isHandshaking || (this.#consumerWants && !this.#peerClosedReported);
    if (!wantInput || this.engine.error !== undefined) return;
    if (this.#eofSeen) {
      this.#endOfInput();
      return;
    }
    const data = this.socket.read() as Buffer | string | null;
    if (data === null) return; // wait for 'readable' or 'end'
    try {
      // A plain Uint8Array view of the same memory (no copy): the engine and noble then only ever see
      // one array class, which keeps V8's element accesses in the AEAD loops monomorphic.
      const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      this.engine.receive(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      this.#fail(asError(e), true);
      return;
    }
    this.#runAgain = true;
  }

  #endOfInput(): void {
    try {
      this.engine.receiveEof();
    } catch (e) {
      this.#fail(asError(e), true);
      return;
    }
    // EOF after close_notify is clean; the engine reports it through isClosed.
    if (!this.#peerClosedReported && this.engine.isClosed) {
      this.#peerClosedReported = true;
      this.#host.peerClosed();
    }
  }

  #socketClosed(): void {
    if (this.#destroyed || this.#failed || this.#peerClosedReported) return;
    // The socket went away without us seeing EOF through read() (destroyed elsewhere).
    this.#eofSeen = true;
    this.#endOfInput();
    if (!this.#peerClosedReported && !this.#failed) this.#fail(new Error('tls: underlying socket closed'), false);
  }

  #flush(): void {
    const out = this.engine.takeOutgoing();
    if (out === undefined || out.length === 0) return;
    if (this.socket.destroyed || this.socket.writableEnded) return;
    if (!this.socket.write(out)) this.#needsDrain = true;
  }

  #afterDrain(done: () => void): void {
    if (this.#needsDrain && !this.#destroyed) this.#drainWaiters.push(done);
    else done();
  }

  #drained(): void {
    this.#needsDrain = false;
    for (const waiter of this.#drainWaiters.splice(0)) waiter();
  }

  /**
   * On a TlsError the engine may have queued an alert: send it and FIN, then let the host
   * destroy itself. Socket errors (`sendAlert` false) have nothing to flush.
   */
  #fail(err: Error, sendAlert: boolean): void {
    if (this.#failed || this.#destroyed) return;
    this.#failed = true;
    // Events the engine queued before it failed (the messages and the alert of a refused
    // handshake, for 'message' / 'alert' listeners such as `s_client -msg`) still go out, in order.
    if (sendAlert) {
      const events = this.engine.takeEvents();
      if (events.length > 0) this.#host.handleEvents(events);
    }
    if (sendAlert && !this.socket.destroyed && !this.socket.writableEnded) {
      const alert = this.engine.takeOutgoing();
      if (alert !== undefined && alert.length > 0) this.socket.end(alert);
      else this.socket.end();
    }
    this.#host.fail(err);
  }

  #listen(event: string, listener: SocketListener): void {
    this.#listeners.push([event, listener]);
    this.socket.on(event, listener);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the EventEmitter listener type
type SocketListener = (...args: any[]) => void;

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
