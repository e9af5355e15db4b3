/**
 * TCP input without the stream machinery, for the connections puretls opens itself
 * (`connect()` without `socket`): the socket is made with net's `onread` option (Node >= 20,
 * `net.connect({ onread: { buffer, callback } })`), so the kernel's bytes are read straight into
 * one reused 64 KiB buffer and handed to the pump, which feeds them to the engine inside the
 * callback. No Buffer is allocated per read and no Readable buffering, 'readable' event or
 * `read()` call sits between the socket and the engine (node:tls reads into OpenSSL's BIO the
 * same way). A caller-supplied `socket` (any Duplex) keeps the Readable path of pump.ts.
 *
 * One buffer for the whole process, shared by every connection, is safe because no byte of it
 * outlives the callback that delivered it:
 * - Node reads into the buffer, calls the callback synchronously, and reads into it again only
 *   after the callback returned (one thread; a read never starts from inside JavaScript).
 * - The pump passes the bytes to the engine's `receive()` before it runs any other code, and
 *   `receive()` finishes with them before it returns when the engine is a @puretls/session
 *   `Connection` over tls-core's `ClientConnection` (`Connection.receiveCopiesInput`: records are
 *   decrypted into fresh memory, partial records and handshake fragments copied). Any other
 *   engine (`connect({ engineFactory })`, a Context with its own factory) gets a copy.
 * - Bytes that arrive before the pump is attached are copied and replayed on attach.
 *
 * Backpressure: the callback returns the sink's answer; false pauses the socket (Node stops
 * reading the kernel, and TCP flow control pushes back on the server), {@link TcpInput.resume}
 * starts it again. Each chunk is always consumed whole, so at most one read (64 KiB) is taken
 * beyond what the consumer asked for. EOF, errors and 'close' come as the usual socket events.
 *
 * A socket in onread mode emits no 'data' of its own. So that code watching the raw TCP socket
 * (`tlsSocket.socket.on('data')`, as the s_client command does to recognise a peer that does not
 * speak TLS) still sees the bytes, each chunk is also emitted as 'data' (a copy) while the socket
 * has 'data' listeners; without listeners this costs one `listenerCount` per read.
 * @module
 */
import { connect as netConnect, type Socket } from 'node:net';

/** Takes one chunk (valid only during the call); returns false to pause the socket. */
export type InputSink = (bytes: Uint8Array) => boolean;

/** Size of the shared read buffer: as large as one read of Node's default socket path. */
export const TCP_INPUT_BUFFER_SIZE = 64 * 1024;

let sharedBuffer: Buffer | undefined;

/** A TCP connection whose input goes to one sink through net's `onread`. */
export class TcpInput {
  readonly socket: Socket;
  #sink: InputSink | undefined;
  /** Copies of what arrived before {@link attach}. */
  #early: Uint8Array[] = [];
  #paused = false;

  /** Open a TCP connection to `host`:`port` (as `net.connect`), reading through `onread`. */
  constructor(host: string, port: number) {
    sharedBuffer ??= Buffer.allocUnsafe(TCP_INPUT_BUFFER_SIZE);
    this.socket = netConnect({ host, port, onread: { buffer: sharedBuffer, callback: (n, buf) => this.#onRead(n, buf) } });
  }

  /** Whether the last chunk paused the socket (until {@link resume}). */
  get paused(): boolean {
    return this.#paused;
  }

  /** Deliver input to `sink` from now on; bytes that came earlier go first. */
  attach(sink: InputSink): void {
    this.#sink = sink;
    const early = this.#early.splice(0);
    let more = true;
    for (const chunk of early) more = sink(chunk);
    if (!more) this.pause();
  }

  /** Stop reading the socket (from outside a callback). */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.socket.pause();
  }

  /** Read again after the sink returned false or {@link pause}. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.socket.destroyed) this.socket.resume();
  }

  #onRead(n: number, buf: Uint8Array): boolean {
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, n);
    if (this.socket.listenerCount('data') > 0) this.socket.emit('data', Buffer.from(bytes));
    const sink = this.#sink;
    if (sink === undefined) {
      this.#early.push(bytes.slice());
      return true;
    }
    const more = sink(bytes);
    if (!more) this.#paused = true;
    return more;
  }
}
