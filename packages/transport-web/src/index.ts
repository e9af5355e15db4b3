/**
 * @puretls/transport-web: TLS 1.2/1.3 client connections over Web Streams, for browsers,
 * Workers, Deno, Bun and any host with `ReadableStream`/`WritableStream`: `connect()` over a
 * `{ readable, writable }` byte pipe, and `webSocketStreams()` for a WebSocket to a relay.
 * No Node modules. See packages/transport-web/README.md and docs/embedding.md.
 * @module
 */
export { connect, trustStoreFromPem, type WebConnectOptions, type HandshakeResult, type TlsConnection } from './connect.ts';
export { Pump, type ByteStreamPair, type PumpOptions } from './pump.ts';
export { webSocketStreams, type WebSocketLike, type WebSocketStreamsOptions } from './websocket.ts';
export { TransportError, type TransportErrorReason } from './errors.ts';
export { hostRandomBytes } from './random.ts';
