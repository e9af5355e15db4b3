/**
 * Finished (RFC 8446 §4.4.4; RFC 5246 §7.4.9): the verify_data is the whole body, whose length
 * depends on the negotiated hash (TLS 1.3) or is 12 bytes (TLS 1.2). The engine checks the length
 * and the value.
 * @module
 */
import type { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { HandshakeType } from './enums.ts';

/** Finished. */
export interface Finished {
  readonly type: typeof HandshakeType.Finished;
  readonly verifyData: Uint8Array;
}

/** Decode a Finished body (never fails: any length is syntactically valid). */
export function decodeFinished(r: Reader): Finished {
  return { type: HandshakeType.Finished, verifyData: r.rest() };
}

/** Encode a Finished body. */
export function encodeFinished(w: Writer, m: Finished): void {
  w.bytes(m.verifyData);
}
