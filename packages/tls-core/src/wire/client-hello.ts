/**
 * ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) and the PSK binder workflow of
 * RFC 8446 §4.2.11.2: encode with placeholder binders, hash the prefix that excludes the binders
 * list, then patch the real binders in.
 *
 * @example
 * const ch = { ...hello, extensions: [...others, extension(ExtensionType.PreSharedKey,
 *   { form: 'CH', identities, binders: identities.map(() => new Uint8Array(32)) })] };
 * const placeholder = encodeHandshake(ch);
 * const prefix = truncateClientHelloForBinders(placeholder, ch);   // hash this
 * const final = patchBinders(placeholder, [hmac(binderKey, transcriptHash(prefix))]);
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { UsageError } from '../errors.ts';
import { ExtensionType, HandshakeType } from './enums.ts';
import { encodeBinders } from './extension-bodies.ts';
import { decodeExtensions, encodeExtensions, findExtension } from './extensions.ts';
import type { Extension } from './extensions.ts';

/** A ClientHello. Without an extensions block on the wire, `extensions` is empty. */
export interface ClientHello {
  readonly type: typeof HandshakeType.ClientHello;
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionId: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly legacyCompressionMethods: readonly number[];
  readonly extensions: readonly Extension[];
}

/**
 * Decode a ClientHello body (after the handshake header).
 * @throws InvalidMessage
 */
export function decodeClientHello(r: Reader): ClientHello {
  const legacyVersion = r.u16('ClientHello.legacy_version');
  const random = r.bytes(32, 'ClientHello.random');
  const legacySessionId = r.opaque8('ClientHello.legacy_session_id', { max: 32 });
  const suites = r.vec16('ClientHello.cipher_suites', { min: 2, multipleOf: 2 });
  const cipherSuites: number[] = [];
  while (!suites.atEnd) cipherSuites.push(suites.u16('ClientHello.cipher_suite'));
  const methods = r.vec8('ClientHello.legacy_compression_methods', { nonEmpty: true });
  const legacyCompressionMethods: number[] = [];
  while (!methods.atEnd) legacyCompressionMethods.push(methods.u8('ClientHello.compression_method'));
  // RFC 5246 §7.4.1.2: a ClientHello may end without an extensions block.
  const extensions = r.atEnd ? [] : decodeExtensions(r, 'CH', 'ClientHello');
  return { type: HandshakeType.ClientHello, legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
}

/**
 * Encode a ClientHello body. The extensions block is always written.
 * @throws UsageError if pre_shared_key is present but not last (RFC 8446 §4.2.11), or the random is not 32 bytes
 */
export function encodeClientHello(w: Writer, m: ClientHello): void {
  if (m.random.length !== 32) throw new UsageError('ClientHello.random must be 32 bytes');
  const pskAt = m.extensions.findIndex((e) => e.type === ExtensionType.PreSharedKey);
  if (pskAt !== -1 && pskAt !== m.extensions.length - 1) throw new UsageError('pre_shared_key must be the last ClientHello extension');
  w.u16(m.legacyVersion).bytes(m.random).opaque(1, m.legacySessionId);
  w.prefixed(2, (w) => m.cipherSuites.forEach((s) => w.u16(s)));
  w.prefixed(1, (w) => m.legacyCompressionMethods.forEach((c) => w.u8(c)));
  encodeExtensions(w, m.extensions);
}

/**
 * Length in bytes of the encoded binders list, including its 2-byte length prefix (0 without a
 * pre_shared_key extension). It is the tail of the encoded ClientHello that RFC 8446 §4.2.11.2 excludes.
 */
export function clientHelloBindersLength(m: ClientHello): number {
  const psk = findExtension(m.extensions, ExtensionType.PreSharedKey);
  if (psk === undefined || psk.form !== 'CH') return 0;
  return psk.binders.reduce((n, b) => n + 1 + b.length, 2);
}

/**
 * The bytes the binders are computed over: the encoded ClientHello (with its handshake header, whose
 * length still covers the binders) minus the binders list (RFC 8446 §4.2.11.2 "Truncate").
 * @param encoded the full handshake message from `encodeHandshake(m)`
 */
export function truncateClientHelloForBinders(encoded: Uint8Array, m: ClientHello): Uint8Array {
  return encoded.subarray(0, encoded.length - clientHelloBindersLength(m));
}

/**
 * Replace the binders at the end of an encoded ClientHello with `binders`. Each must have the
 * length of the placeholder it replaces.
 * @returns a new array; `encoded` is not modified
 * @throws UsageError when the tail of `encoded` is not a binders list of the same shape
 */
export function patchBinders(encoded: Uint8Array, binders: readonly Uint8Array[]): Uint8Array {
  const w = new Writer();
  encodeBinders(w, binders);
  const list = w.finish();
  const start = encoded.length - list.length;
  if (start < 0 || !sameShape(encoded.subarray(start), list))
    throw new UsageError('patchBinders: binder lengths differ');
  const out = encoded.slice();
  out.set(list, start);
  return out;
}

/** True when `old` parses as a binders list whose entry lengths equal those of `fresh`. */
function sameShape(old: Uint8Array, fresh: Uint8Array): boolean {
  const a = new Reader(old);
  const b = new Reader(fresh);
  if (a.u16('binders') !== b.u16('binders')) return false;
  while (!b.atEnd) {
    const n = b.u8('binder');
    if (a.remaining < 1 || a.u8('binder') !== n || a.remaining < n) return false;
    a.bytes(n, 'binder');
    b.bytes(n, 'binder');
  }
  return a.atEnd;
}
