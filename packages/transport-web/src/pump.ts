/**
 * The I/O loop between a Web Streams byte pipe and a sans-IO TLS engine (tls-core's
 * `ClientEngine`: a @puretls/session `Connection`), after BearSSL's `run_until` as the Node transport's pump.ts does it: outgoing
 * records are flushed before anything else, and the transport is read only while the handshake
 * needs input or the application's TLS readable asks for more (its `pull`), so a consumer that
 * stops reading stops us reading and the transport's own flow control pushes back on the server.
 * Every write to the transport waits for `writer.ready` (the transport's backpressure signal)
 * first, and the TLS writable's `write()` settles only once the transport has room again.
 *
 * RFC 8446 §6.1: EOF without close_notify is a truncation, reported as tls-core's
 * `UnexpectedEof`, never as a clean end; plaintext authenticated before a close_notify, an EOF
 * or a fatal error is delivered to the reader first, and the error (or the end) comes after it.
 * @module
 */
import { UsageError, type ClientEngine, type TlsError } from '@puretls/tls-core';
import type { ConnectionEvent } from '@puretls/session';
import { TransportError, asTlsError } from './errors.ts';

/** Any bidirectional byte stream: a WebSocketStream, a Deno/Bun/Worker socket, `Duplex.toWeb(socket)`. */
export interface ByteStreamPair {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

export interface PumpOptions {
  /** Engine events in order (keyLog, session, ...); must not throw. */
  readonly onEvents: (events: ConnectionEvent[]) => void;
  /** Plaintext chunks the TLS readable buffers before it stops reading the transport (default 1). */
  readonly readableHighWaterMark?: number;
  /** Called once when both directions are finished or the connection failed. */
  readonly onFinished?: (error: TlsError | undefined) => void;
}

/** One TLS connection over one byte stream pair. */
export class Pump {
  readonly #engine: ClientEngine<ConnectionEvent>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #options: PumpOptions;
  readonly #highWaterMark: number;
  #failure: TlsError | undefined;
  #writerClosed = false;
  #readDone = false;
  #writeDone = false;
  #finished = false;
  #writableController: WritableStreamDefaultController | undefined;

  constructor(engine: ClientEngine<ConnectionEvent>, transport: ByteStreamPair, options: PumpOptions) {
    this.#engine = engine;
    this.#options = options;
    this.#highWaterMark = options.readableHighWaterMark ?? 1;
    if (!Number.isInteger(this.#highWaterMark) || this.#highWaterMark < 1) throw new UsageError('readableHighWaterMark must be a positive integer');
    // Locks both streams: nobody else may read or write the transport under TLS.
    if (transport.readable.locked || transport.writable.locked) throw new UsageError('the transport streams are locked (already in use)');
    this.#reader = transport.readable.getReader();
    this.#writer = transport.writable.getWriter();
  }

  /**
   * Give up on the connection (the caller's AbortSignal): no close_notify, the transport is
   * aborted and cancelled, a pending handshake rejects and both TLS streams fail with
   * `TransportError('Aborted')`. Nothing happens once the connection failed or finished.
   */
  abort(reason: unknown): void {
    if (this.#finished) return;
    this.#fail(new TransportError('Aborted', reason), false);
  }

  /** The sticky error, once the connection failed. */
  get failure(): TlsError | undefined {
    return this.#failure;
  }

  /**
   * Send the ClientHello and run until the handshake is done.
   * @throws TlsError the handshake's failure (the alert, if any, was sent and the transport closed)
   */
  async handshake(): Promise<void> {
    try {
      this.#engine.start();
    } catch (e) {
      throw this.#fail(asTlsError(e, 'WriteFailed'), true);
    }
    this.#takeEvents();
    await this.#flush();
    while (this.#engine.isHandshaking) {
      await this.#readOnce();
      if (this.#failure !== undefined) throw this.#failure;
    }
  }

  /** The application's plaintext side, for use once {@link handshake} resolved. */
  streams(): ByteStreamPair {
    const readable = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => this.#pull(controller),
        cancel: (reason) => this.#cancelRead(reason),
      },
      new CountQueuingStrategy({ highWaterMark: this.#highWaterMark }),
    );
    const writable = new WritableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#writableController = controller;
        },
        write: (chunk) => this.#write(chunk),
        close: () => this.#close(),
        abort: (reason) => this.#abort(reason),
      },
      new CountQueuingStrategy({ highWaterMark: 1 }),
    );
    return { readable, writable };
  }

  /**
   * Fill the TLS readable: deliver what is decrypted, else read one transport chunk and retry.
   * An error (or truncation) is raised only once every chunk decrypted before it was read.
   */
  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      if (this.#readDone) return;
      let delivered = false;
      for (let chunk = this.#engine.readPlaintext(); chunk !== undefined; chunk = this.#engine.readPlaintext()) {
        controller.enqueue(chunk);
        delivered = true;
      }
      if (delivered) return;
      if (this.#engine.isClosed) {
        // close_notify received: every byte before it is queued; end the stream cleanly.
        this.#readDone = true;
        controller.close();
        this.#maybeFinished();
        return;
      }
      if (this.#failure !== undefined) {
        // Error only on an empty queue: ReadableStream.error() discards chunks still queued.
        if (controller.desiredSize === this.#highWaterMark) {
          this.#readDone = true;
          controller.error(this.#failure);
        }
        return;
      }
      await this.#readOnce();
    }
  }

  /** Read one chunk (or EOF) from the transport into the engine, then flush what it answered. */
  async #readOnce(): Promise<void> {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.#reader.read();
    } catch (e) {
      this.#fail(asTlsError(e, 'ReadFailed'), false);
      return;
    }
    // Failed meanwhile, or the application cancelled the TLS readable (which cancels the
    // transport's, ending this read): that EOF is ours, not the peer's.
    if (this.#failure !== undefined || (this.#readDone && !this.#engine.isHandshaking)) return;
    try {
      if (result.done) this.#engine.receiveEof();
      else this.#engine.receive(asBytes(result.value));
    } catch (e) {
      this.#fail(asTlsError(e, 'ReadFailed'), true);
      return;
    }
    this.#takeEvents();
    await this.#flush();
  }

  async #write(chunk: Uint8Array): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (!ArrayBuffer.isView(chunk)) throw this.#fail(new UsageError('the TLS writable takes Uint8Array chunks'), false);
    try {
      this.#engine.write(asBytes(chunk));
    } catch (e) {
      throw this.#fail(asTlsError(e, 'WriteFailed'), true);
    }
    await this.#flush();
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** close_notify, then close the transport's writable (a half-close where the transport has one). */
  async #close(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      this.#engine.close();
    } catch (e) {
      throw this.#fail(asTlsError(e, 'WriteFailed'), true);
    }
    if (this.#engine.isClosed) {
      // The peer closed first (its close_notify was read): the exchange is complete, and the
      // peer may already have closed the transport (a WebSocket relay closes with TCP), so our
      // reply close_notify is sent if the transport still takes it, and its loss is no error.
      this.#writerClosed = true;
      const out = this.#engine.takeOutgoing();
      if (out !== undefined && out.length > 0) this.#writer.write(out).catch(() => {});
      this.#writer.close().catch(() => {});
      this.#writeDone = true;
      this.#maybeFinished();
      return;
    }
    await this.#flush();
    if (this.#failure !== undefined) throw this.#failure;
    this.#writerClosed = true;
    try {
      await this.#writer.close();
    } catch (e) {
      throw this.#fail(asTlsError(e, 'WriteFailed'), false);
    }
    this.#writeDone = true;
    this.#maybeFinished();
  }

  /** The application aborted its writable: no close_notify (the peer will see a truncation). */
  async #abort(reason: unknown): Promise<void> {
    this.#fail(new TransportError('Aborted', reason), false);
  }

  /** The application stopped reading: stop reading the transport. Writing may go on. */
  async #cancelRead(reason: unknown): Promise<void> {
    this.#readDone = true;
    await this.#reader.cancel(reason).catch(() => {});
    this.#maybeFinished();
  }

  #takeEvents(): void {
    const events = this.#engine.takeEvents();
    if (events.length > 0) this.#options.onEvents(events);
  }

  /**
   * Move every queued record to the transport, each after `writer.ready`: the take and the
   * write happen in one turn, so records from the read and the write side never interleave.
   */
  async #flush(): Promise<void> {
    for (;;) {
      if (this.#writerClosed || this.#failure !== undefined) return;
      try {
        await this.#writer.ready;
      } catch (e) {
        this.#fail(asTlsError(e, 'WriteFailed'), false);
        return;
      }
      if (this.#writerClosed || this.#failure !== undefined) return;
      const out = this.#engine.takeOutgoing();
      if (out === undefined || out.length === 0) return;
      this.#writer.write(out).catch((e: unknown) => this.#fail(asTlsError(e, 'WriteFailed'), false));
    }
  }

  /**
   * Make `err` sticky. On a TLS error the engine may have queued an alert: it goes out before
   * the transport's writable is closed; transport failures abort it. The transport's readable
   * is cancelled. The TLS readable raises `err` once its queued chunks are read.
   */
  #fail(err: TlsError, sendAlert: boolean): TlsError {
    if (this.#failure !== undefined) return this.#failure;
    this.#failure = err;
    const cancelRead = (): void => void this.#reader.cancel(err).catch(() => {});
    if (!this.#writerClosed && sendAlert) {
      this.#writerClosed = true;
      // The alert, then the writable's close, and only then the readable's cancel: a transport
      // whose two halves share one socket (a WebSocket) closes it on cancel, and would drop the alert.
      const alert = this.#engine.takeOutgoing();
      const written = alert !== undefined && alert.length > 0 ? this.#writer.write(alert) : Promise.resolve();
      written
        .then(() => this.#writer.close())
        .catch(() => {})
        .then(cancelRead);
    } else {
      if (!this.#writerClosed) {
        this.#writerClosed = true;
        this.#writer.abort(err).catch(() => {});
      }
      cancelRead();
    }
    this.#writableController?.error(err);
    this.#finish(err);
    return err;
  }

  #maybeFinished(): void {
    if (this.#readDone && this.#writeDone) {
      this.#reader.cancel().catch(() => {});
      this.#finish(undefined);
    }
  }

  #finish(error: TlsError | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    // Both streams are done with the engine (any alert or close_notify was taken before this):
    // it wipes its record keys.
    this.#engine.destroy?.();
    this.#options.onFinished?.(error);
  }
}

/** A transport chunk as a plain Uint8Array view (WebSocket relays may hand out ArrayBuffers). */
function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TransportError('ReadFailed', new TypeError('the transport produced a chunk that is not bytes'));
}
