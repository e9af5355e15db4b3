/**
 * The seam between the transport and the session package (a later issue): how a resumable
 * session crosses the API boundary. Node hands sessions out as opaque Buffers (`'session'`
 * event, `getSession()`) and takes them back in `connect({ session })`. Until a codec is
 * registered, puretls hands out the engine's {@link ResumptionData} objects as they are, and
 * accepts those objects back; a serialized Buffer then needs the codec.
 * @module
 */
import { UsageError, type ResumptionData } from '@puretls/tls-core';

/** Turns resumption data into bytes and back (implemented by @puretls/session). */
export interface SessionCodec {
  encode(session: ResumptionData): Uint8Array;
  decode(bytes: Uint8Array): ResumptionData;
}

/** What the `'session'` event and `getSession()` hand out. */
export type SessionValue = Buffer | ResumptionData;

let registered: SessionCodec | undefined;

/**
 * Register (or with undefined, remove) the process-wide session codec.
 * @example setSessionCodec({ encode: (s) => serializeSession(s), decode: (b) => parseSession(b) })
 */
export function setSessionCodec(codec: SessionCodec | undefined): void {
  registered = codec;
}

/** The value handed to the application for a session. */
export function exportSession(session: ResumptionData): SessionValue {
  return registered === undefined ? session : Buffer.from(registered.encode(session));
}

/**
 * The resumption data for `connect({ session })`.
 * @throws UsageError for bytes when no codec is registered
 */
export function importSession(value: Uint8Array | ResumptionData): ResumptionData {
  if (!(value instanceof Uint8Array)) return value;
  if (registered === undefined) throw new UsageError('a serialized session needs a codec: call setSessionCodec() first');
  return registered.decode(value);
}
