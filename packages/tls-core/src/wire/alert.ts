/**
 * The Alert message (RFC 8446 §6, RFC 5246 §7.2): a level and a description, two bytes.
 * @module
 */
import { Reader } from '../codec/reader.ts';

/** A decoded alert. Unknown levels and descriptions stay representable. */
export interface Alert {
  readonly level: number;
  readonly description: number;
}

/**
 * Decode an alert record body (exactly two bytes).
 * @throws InvalidMessage on any other length
 * @example decodeAlert(new Uint8Array([2, 40])) // { level: 2, description: 40 }
 */
export function decodeAlert(body: Uint8Array): Alert {
  const r = new Reader(body);
  const level = r.u8('Alert.level');
  const description = r.u8('Alert.description');
  r.expectEnd('Alert');
  return { level, description };
}

/** Encode an alert record body. */
export function encodeAlert(a: Alert): Uint8Array {
  return new Uint8Array([a.level & 0xff, a.description & 0xff]);
}
