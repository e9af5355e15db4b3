/**
 * The seam between the transport and the session package: how a resumable session crosses the
 * API boundary. Node hands sessions out as opaque Buffers (`'session'` event, `getSession()`)
 * and takes them back in `connect({ session })`. Connections made by connect() run on a
 * @puretls/session `Connection`, which turns each engine session into a `Session`; connect()
 * serializes it (`Session.toBytes()`, docs/session.md) in the Connection's new-session callback,
 * while it is certainly alive, and registers the bytes here for the engine data it came from.
 * Engines made by a custom `engineFactory` keep the older behaviour: the engine's
 * {@link ResumptionData} objects, or a registered codec's bytes.
 * @module
 */
import { UsageError, type ResumptionData } from '@puretls/tls-core';

/** Serialized Sessions for the engine data they were made from (registered by connect()). */
const serialized = new WeakMap<ResumptionData, Uint8Array>();

/** Remember the serialized Session made from an engine session event, for exportSession(). */
export function registerSessionBytes(data: ResumptionData, bytes: Uint8Array): void {
  serialized.set(data, bytes);
}

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

/**
 * A copy of engine session data whose secret buffers (`psk` / `masterSecret`) and tickets belong
 * to the copy: for handing a caller's Session to a custom engine, which may wipe what it owns.
 */
export function copyResumptionData(data: ResumptionData): ResumptionData {
  const peerCertificates = data.peerCertificates.map((c) => c.slice());
  if (data.version === 'TLSv1.3') return { ...data, psk: data.psk.slice(), ticket: data.ticket.slice(), peerCertificates };
  return { ...data, masterSecret: data.masterSecret.slice(), sessionId: data.sessionId.slice(), ticket: data.ticket?.slice(), peerCertificates };
}

/** True when {@link exportSession} has serialized bytes for this engine data (no raw secrets leave). */
export function hasSessionBytes(data: ResumptionData): boolean {
  return serialized.has(data);
}

/** The value handed to the application for a session. */
export function exportSession(session: ResumptionData): SessionValue {
  const bytes = serialized.get(session);
  if (bytes !== undefined) return Buffer.from(bytes);
  // A custom engine without a codec: the application gets its own copy (the engine may wipe its object).
  return registered === undefined ? copyResumptionData(session) : Buffer.from(registered.encode(session));
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
