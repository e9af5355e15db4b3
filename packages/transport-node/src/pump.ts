/**
 * The I/O loop between a Node Duplex socket and a sans-IO engine (tls-core's `ClientEngine`, in
 * practice a @puretls/session `Connection`), after BearSSL's
 * `run_until` (ssl_io.c): flush the engine's outgoing records first, then deliver what was
 * decrypted, then feed socket bytes only while the handshake needs them or the consumer asks
 * for more. Reading the socket in paused mode (`'readable'` + `read()`) is what makes
 * backpressure work: when the consumer stops reading, so do we, and TCP flow control pushes
 * back on the server. Writes honour `socket.write()`'s return value through `'drain'`.
 *
 * RFC 8446 §6.1: EOF without close_notify is a truncation, reported as the engine's
 * UnexpectedEof error, never as a clean end (unless the socket opted into
 * `allowUnauthenticatedEnd`, and only after the handshake).
 *
 * Output the protocol makes by itself in answer to what the server sent (alerts, KeyUpdate
 * replies) obeys backpressure too: while such output sits above the socket's write high-water
 * mark, no more socket input is fed to the engine, so a server that never reads cannot make the
 * client queue unbounded replies. Application writes do not stop reading (as in node:tls: a peer
 * that echoes must be able to drain).
 *
 * Two input paths: a caller-supplied transport (any Duplex) is read in paused mode as above; a
 * TCP connection puretls opened itself comes through tcp-input.ts (net's `onread`), whose chunks
 * are fed to the engine inside the read callback, which pauses the socket by returning false
 * when no more input is wanted. Both paths obey the same rules (what to read when, EOF, errors).
 *
 * The flight that completes the handshake (TLS 1.3: the client Finished, with Certificate and
 * CertificateVerify when asked; a resumed TLS 1.2 handshake: ChangeCipherSpec and Finished) is
 * held until the first application write or `end()` in the same turn, or else until
 * `setImmediate`, so that it leaves in one write (one TCP segment) with the first request, as
 * node:tls over OpenSSL sends it. `destroy()` writes a held flight before closing the socket, so
 * the peer sees a completed handshake; node:tls does not: destroyed in 'secureConnect', it closes
 * without writing its Finished (strace: one 349-byte write per connection, the ClientHello;
 * s_server: "unexpected eof while reading"). Dropping the flight as node:tls does saved no
 * measurable client CPU (docs/performance.md, Stop 29). A failure sends it ahead of the alert.
 * @module
 */
import type { Duplex } from 'node:stream';
import { UnexpectedEof, type ClientEngine } from '@puretls/tls-core';
import { Connection, type ConnectionEvent } from '@puretls/session';
import type { TcpInput } from './tcp-input.ts';

/** The side of the pump that faces the application (the TLSSocket). */
export interface PumpHost {
  /** Push decrypted bytes to the consumer; returns false when its buffer is full. */
  deliver(chunk: Uint8Array): boolean;
  /** Engine events, in order (handshakeDone, session, keyLog, ...). */
  handleEvents(events: ConnectionEvent[]): void;
  /**
   * The peer's close_notify arrived and every byte before it was delivered (`authenticated`), or,
   * with `allowUnauthenticatedEnd`, the transport reached EOF without it after the handshake.
   */
  peerClosed(authenticated: boolean): void;
  /** A fatal error: the alert, if any, is on its way; the host must destroy itself with `err`. */
  fail(err: Error): void;
}

/**
 * Moves bytes between `socket` and `engine`. Call {@link start} once, {@link wantRead} from
 * `_read`, {@link writeApplicationData} from `_write`, {@link finish} from `_final` and
 * {@link destroy} from `_destroy`.
 */
export class Pump {
  readonly engine: ClientEngine<ConnectionEvent>;
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
  /** Output generated in answer to socket input is waiting above the high-water mark: read no more. */
  #replyBlocked = false;
  readonly #allowUnauthenticatedEnd: boolean;
  /** The onread input of a TCP connection puretls opened, or undefined: read `socket` as a Readable. */
  readonly #input: TcpInput | undefined;
  /** The handshake-completing flight waits in the engine for the first write or setImmediate. */
  #holding = false;
  #holdTimer: ReturnType<typeof setImmediate> | undefined;
  #drainWaiters: Array<() => void> = [];
  readonly #listeners: Array<[string, SocketListener]> = [];

  /**
   * @param options.input the tcp-input.ts reader of `socket` when puretls opened the connection;
   *   `socket` is then not read as a Readable
   */
  constructor(engine: ClientEngine<ConnectionEvent>, socket: Duplex, host: PumpHost, options: { allowUnauthenticatedEnd?: boolean; input?: TcpInput | undefined } = {}) {
    this.engine = engine;
    this.socket = socket;
    this.#host = host;
    this.#allowUnauthenticatedEnd = options.allowUnauthenticatedEnd === true;
    this.#input = options.input;
  }

  /** Attach to the socket, queue the ClientHello and start the loop. */
  start(): void {
    if (this.#input === undefined) this.#listen('readable', () => this.run());
    this.#listen('end', () => {
      this.#eofSeen = true;
      this.run();
    });
    this.#listen('drain', () => this.#drained());
    // After end() Node emits no 'drain'; 'finish' means everything was flushed all the same.
    this.#listen('finish', () => this.#drained());
    this.#listen('error', (err: Error) => this.#socketError(err));
    this.#listen('close', () => this.#socketClosed());
    try {
      this.engine.start();
    } catch (e) {
      this.#fail(asError(e), true);
      return;
    }
    this.#input?.attach((bytes) => this.#onInput(bytes));
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

  /** True while generated replies wait for 'drain' and socket input is not read. */
  get readBlockedByReplies(): boolean {
    return this.#replyBlocked;
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
    this.#release(); // the held flight leaves with this data, in the same socket write
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
    this.#release();
    try {
      this.engine.close();
    } catch {
      // A failed engine has nothing left to say; the FIN still goes out.
    }
    this.#flush();
    if (this.socket.writableEnded || this.socket.destroyed) {
      done();
      return;
    }
    // Once: 'finish' normally; 'close' when the peer reset the connection first (the write error
    // itself is then handled by #socketError).
    let called = false;
    const once = (): void => {
      if (called) return;
      called = true;
      this.socket.off('close', once);
      done();
    };
    this.socket.once('close', once);
    this.socket.end(once);
  }

  /** Detach and close the socket. Lets a queued alert or close_notify reach the wire first. */
  destroy(): void {
    if (this.#destroyed) return;
    if (this.#holding) {
      this.#release();
      this.#flush();
    }
    this.#destroyed = true;
    // No record will pass through the engine again: it wipes its record keys (records it sealed
    // already are bytes, flushed above or dropped with the socket).
    this.engine.destroy?.();
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
      this.#host.peerClosed(true);
      return;
    }
    // 4. Read more only when the handshake needs it or the consumer asked for it.
    const wantInput = this.engine.isHandshaking || (this.#consumerWants && !this.#peerClosedReported);
    if (!wantInput || this.engine.error !== undefined) return;
    if (this.#eofSeen) {
      this.#endOfInput();
      return;
    }
    if (this.#replyBlocked) return; // 'drain' resumes
    if (this.#input !== undefined) {
      this.#input.resume(); // chunks come to #onInput
      return;
    }
    const data = this.socket.read() as Buffer | string | null;
    if (data === null) return; // wait for 'readable' or 'end'
    // A plain Uint8Array view of the same memory (no copy): the engine and noble then only ever see
    // one array class, which keeps V8's element accesses in the AEAD loops monomorphic.
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (!this.#feed(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))) return;
    this.#runAgain = true;
  }

  /**
   * A chunk from tcp-input.ts, valid only during this call (the read buffer is reused): fed to
   * the engine at once (a copy unless the engine is known to keep nothing of it), then the loop
   * runs. Returns whether to keep reading: false pauses the socket until step 4 resumes it.
   */
  #onInput(view: Uint8Array): boolean {
    if (this.#failed || this.#destroyed || this.engine.error !== undefined) return false;
    if (!this.#feed(engineKeepsNoInput(this.engine) ? view : view.slice())) return false;
    this.run();
    if (this.#failed || this.#destroyed || this.#replyBlocked) return false;
    return this.engine.isHandshaking || (this.#consumerWants && !this.#peerClosedReported && this.engine.error === undefined);
  }

  /**
   * Give socket bytes to the engine and send what they made it say (alerts, KeyUpdate replies,
   * our handshake flight); if the socket is then over its high-water mark, stop reading until it
   * drains. The flight that completes the handshake is held instead (see the module comment).
   * @returns false when the engine failed (handled)
   */
  #feed(bytes: Uint8Array): boolean {
    const wasHandshaking = this.engine.isHandshaking;
    try {
      this.engine.receive(bytes);
    } catch (e) {
      this.#fail(asError(e), true);
      return false;
    }
    if (wasHandshaking && !this.engine.isHandshaking) this.#holdFinalFlight();
    if (this.#flush()) this.#replyBlocked = this.#needsDrain;
    return true;
  }

  #holdFinalFlight(): void {
    if (this.#holding) return;
    this.#holding = true;
    this.#holdTimer = setImmediate(() => {
      this.#holdTimer = undefined;
      if (!this.#holding) return;
      this.#holding = false;
      this.run();
    });
  }

  /** The held flight may go out with the next flush (which the caller makes). */
  #release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    if (this.#holdTimer !== undefined) clearImmediate(this.#holdTimer);
    this.#holdTimer = undefined;
  }

  #endOfInput(): void {
    try {
      this.engine.receiveEof();
    } catch (e) {
      if (this.#allowUnauthenticatedEnd && !this.engine.isHandshaking && !this.#peerClosedReported && isUnexpectedEof(e)) {
        this.#peerClosedReported = true;
        this.#host.peerClosed(false);
        return;
      }
      this.#fail(asError(e), true);
      return;
    }
    // EOF after close_notify is clean; the engine reports it through isClosed.
    if (!this.#peerClosedReported && this.engine.isClosed) {
      this.#peerClosedReported = true;
      this.#host.peerClosed(true);
    }
  }

  /**
   * A transport error. After the peer's close_notify the connection is complete: a reset or EPIPE
   * while our own close_notify or FIN goes out (the server closed first, as HTTP servers do) is not
   * an error of the TLS connection, and the socket just closes (as node:tls).
   */
  #socketError(err: Error): void {
    const code = (err as { code?: string }).code;
    if (this.#peerClosedReported && !this.#failed && (code === 'EPIPE' || code === 'ECONNRESET')) return;
    this.#fail(err, false);
  }

  #socketClosed(): void {
    if (this.#destroyed || this.#failed || this.#peerClosedReported) return;
    // The socket went away without us seeing EOF through read() (destroyed elsewhere).
    this.#eofSeen = true;
    this.#endOfInput();
    if (!this.#peerClosedReported && !this.#failed) this.#fail(Object.assign(new Error('tls: underlying socket closed'), { code: 'ECONNRESET' }), false);
  }

  /** @returns whether anything was written */
  #flush(): boolean {
    if (this.#holding) return false;
    const out = this.engine.takeOutgoing();
    if (out === undefined || out.length === 0) return false;
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    if (!this.socket.write(out)) this.#needsDrain = true;
    return true;
  }

  #afterDrain(done: () => void): void {
    if (this.#needsDrain && !this.#destroyed) this.#drainWaiters.push(done);
    else done();
  }

  #drained(): void {
    this.#needsDrain = false;
    for (const waiter of this.#drainWaiters.splice(0)) waiter();
    if (this.#replyBlocked) {
      this.#replyBlocked = false;
      this.run();
    }
  }

  /**
   * On a TlsError the engine may have queued an alert: send it and FIN, then let the host
   * destroy itself. Socket errors (`sendAlert` false) have nothing to flush.
   */
  #fail(err: Error, sendAlert: boolean): void {
    if (this.#failed || this.#destroyed) return;
    this.#failed = true;
    this.#release(); // a held flight goes out ahead of the alert
    // The diagnostic events the engine queued before it failed (the messages, alerts and key log
    // lines of a refused handshake, for 'message' / 'alert' / 'keylog' listeners such as
    // `s_client -msg`) still go out, in order. A handshake completion or a session queued in the
    // same read as the failure does not: a failed connection never reports 'secureConnect' or
    // hands out a session.
    if (sendAlert) {
      const events = this.engine.takeEvents().filter((e) => DIAGNOSTIC_EVENTS.has(e.type));
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

/**
 * Whether `engine.receive()` is done with its input when it returns (a @puretls/session
 * Connection over tls-core's ClientConnection), so a reused read buffer can be fed without a copy.
 */
function engineKeepsNoInput(engine: ClientEngine<ConnectionEvent>): boolean {
  return engine instanceof Connection && engine.receiveCopiesInput;
}

function isUnexpectedEof(e: unknown): boolean {
  return e instanceof UnexpectedEof;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Engine events passed on after a failure (see #fail). */
const DIAGNOSTIC_EVENTS: ReadonlySet<string> = new Set(['message', 'alert', 'keyLog']);
