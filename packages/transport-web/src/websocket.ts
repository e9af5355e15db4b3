/**
 * A WebSocket (the browser's, a Worker's, or any object with the same API) as the
 * `{ readable, writable }` byte pipe `connect()` takes, for use with a WebSocket-to-TCP relay
 * (conformance/src/ws-relay.ts): binary messages carry the TCP byte stream, in order.
 *
 * The WebSocket API has no read backpressure: messages arrive as the relay sends them. They are
 * buffered up to `maxBufferedBytes` (default 16 MiB), and past that the stream fails rather
 * than grow without bound. Writes wait while `bufferedAmount` is above `writeHighWaterMark`
 * (polled, since the API has no event for it). A WebSocket has no half-close: closing the
 * writable (after TLS's close_notify) keeps the socket open for the server's reply; the socket
 * is closed once the readable has ended or is cancelled, or the writable is aborted.
 * @module
 */
import { TransportError } from './errors.ts';
import type { ByteStreamPair } from './pump.ts';

/** The part of the WebSocket API used here. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown; code?: number; reason?: string; wasClean?: boolean }) => void): void;
}

export interface WebSocketStreamsOptions {
  /** Most received bytes held unread before the stream fails (default 16 MiB). */
  maxBufferedBytes?: number;
  /** Writes wait while more than this many bytes are queued in the socket (default 1 MiB). */
  writeHighWaterMark?: number;
  /** How often `bufferedAmount` is polled while above the mark, in ms (default 10). */
  pollIntervalMs?: number;
}

const CONNECTING = 0;
const OPEN = 1;

/**
 * Wrap `ws` (new, or already open) as a byte stream pair. Text messages are a protocol error.
 * @example const tls = await connect(webSocketStreams(new WebSocket('ws://127.0.0.1:8080/')), { host: 'localhost', ca });
 */
export function webSocketStreams(ws: WebSocketLike, options: WebSocketStreamsOptions = {}): ByteStreamPair {
  const maxBuffered = options.maxBufferedBytes ?? 16 * 1024 * 1024;
  const writeHighWaterMark = options.writeHighWaterMark ?? 1024 * 1024;
  const pollMs = options.pollIntervalMs ?? 10;
  ws.binaryType = 'arraybuffer';
  let readEnded = false;
  let writeEnded = false;
  const closeSocket = (): void => {
    if (ws.readyState === CONNECTING || ws.readyState === OPEN) ws.close(1000);
  };
  const opened = new Promise<void>((resolve, reject) => {
    if (ws.readyState === OPEN) resolve();
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('close', (e) => reject(new TransportError('WriteFailed', `WebSocket closed (code ${e.code ?? 'unknown'})`)));
    ws.addEventListener('error', () => reject(new TransportError('WriteFailed', 'WebSocket error')));
  });
  opened.catch(() => {}); // observed by the writable; not an unhandled rejection

  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        ws.addEventListener('message', (e) => {
          if (readEnded) return;
          if (!(e.data instanceof ArrayBuffer)) {
            readEnded = true;
            controller.error(new TransportError('ReadFailed', 'a text WebSocket message: the relay sends binary messages only'));
            closeSocket();
            return;
          }
          const queued = -(controller.desiredSize ?? 0); // the strategy's high-water mark is 0
          if (queued + e.data.byteLength > maxBuffered) {
            readEnded = true;
            controller.error(new TransportError('ReadFailed', `more than ${maxBuffered} received bytes left unread`));
            closeSocket();
            return;
          }
          controller.enqueue(new Uint8Array(e.data));
        });
        ws.addEventListener('close', (e) => {
          if (readEnded) return;
          readEnded = true;
          // A close frame is the relay's EOF; TLS decides whether it came after close_notify.
          if (e.wasClean === false) controller.error(new TransportError('ReadFailed', `WebSocket closed abnormally (code ${e.code ?? 'unknown'})`));
          else controller.close();
          if (writeEnded) closeSocket();
        });
      },
      cancel() {
        readEnded = true;
        closeSocket();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );

  const writable = new WritableStream<Uint8Array>({
    start: () => opened,
    async write(chunk) {
      if (ws.readyState !== OPEN) throw new TransportError('WriteFailed', 'WebSocket is not open');
      ws.send(chunk);
      while (ws.bufferedAmount > writeHighWaterMark && ws.readyState === OPEN) await sleep(pollMs);
    },
    close() {
      writeEnded = true;
      if (readEnded) closeSocket();
    },
    abort() {
      writeEnded = true;
      closeSocket();
    },
  });
  return { readable, writable };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
