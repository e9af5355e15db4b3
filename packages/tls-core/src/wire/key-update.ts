/**
 * KeyUpdate (RFC 8446 §4.6.3) and the messages with an empty body: EndOfEarlyData
 * (RFC 8446 §4.5), HelloRequest (RFC 5246 §7.4.1.1) and ServerHelloDone (RFC 5246 §7.4.5).
 * Whether a KeyUpdate request value is legal is the engine's check (IllegalKeyUpdateRequest).
 * @module
 */
import type { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { HandshakeType } from './enums.ts';

/** KeyUpdate. */
export interface KeyUpdate {
  readonly type: typeof HandshakeType.KeyUpdate;
  readonly request: number;
}

/** EndOfEarlyData (client to server, TLS 1.3). */
export interface EndOfEarlyData {
  readonly type: typeof HandshakeType.EndOfEarlyData;
}

/** HelloRequest (server to client, TLS 1.2 renegotiation request). */
export interface HelloRequest {
  readonly type: typeof HandshakeType.HelloRequest;
}

/** ServerHelloDone (TLS 1.2). */
export interface ServerHelloDone {
  readonly type: typeof HandshakeType.ServerHelloDone;
}

/** Decode a KeyUpdate body. @throws InvalidMessage */
export function decodeKeyUpdate(r: Reader): KeyUpdate {
  return { type: HandshakeType.KeyUpdate, request: r.u8('KeyUpdate.request_update') };
}

/** Encode a KeyUpdate body. */
export function encodeKeyUpdate(w: Writer, m: KeyUpdate): void {
  w.u8(m.request);
}
