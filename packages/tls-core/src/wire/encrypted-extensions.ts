/**
 * EncryptedExtensions (RFC 8446 §4.3.1).
 * @module
 */
import type { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { HandshakeType } from './enums.ts';
import { decodeExtensions, encodeExtensions } from './extensions.ts';
import type { Extension } from './extensions.ts';

/** TLS 1.3 EncryptedExtensions. */
export interface EncryptedExtensions {
  readonly type: typeof HandshakeType.EncryptedExtensions;
  readonly extensions: readonly Extension[];
}

/** Decode an EncryptedExtensions body. @throws InvalidMessage */
export function decodeEncryptedExtensions(r: Reader): EncryptedExtensions {
  return { type: HandshakeType.EncryptedExtensions, extensions: decodeExtensions(r, 'EE', 'EncryptedExtensions') };
}

/** Encode an EncryptedExtensions body. */
export function encodeEncryptedExtensions(w: Writer, m: EncryptedExtensions): void {
  encodeExtensions(w, m.extensions);
}
