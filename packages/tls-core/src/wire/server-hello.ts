/**
 * ServerHello and HelloRetryRequest (RFC 8446 §4.1.3 and §4.1.4, RFC 5246 §7.4.1.3). A
 * HelloRetryRequest is a ServerHello whose random is the SHA-256 of "HelloRetryRequest"; its
 * extensions are decoded in the HRR context (key_share carries only the selected group).
 * @module
 */
import type { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { equalBytes, fromHex } from '../codec/bytes.ts';
import { UsageError } from '../errors.ts';
import { HandshakeType } from './enums.ts';
import { decodeExtensions, encodeExtensions } from './extensions.ts';
import type { Extension } from './extensions.ts';

/** A ServerHello, TLS 1.2 or 1.3, or a HelloRetryRequest. */
export interface ServerHello {
  readonly type: typeof HandshakeType.ServerHello;
  /** True when `random` is {@link HELLO_RETRY_REQUEST_RANDOM} (RFC 8446 §4.1.3). */
  readonly isHelloRetryRequest: boolean;
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  readonly legacyCompressionMethod: number;
  /** Empty when a TLS 1.2 ServerHello has no extensions block; an empty list is encoded that way. */
  readonly extensions: readonly Extension[];
}

/**
 * Decode a ServerHello body; recognises a HelloRetryRequest by its random.
 * @throws InvalidMessage
 */
export function decodeServerHello(r: Reader): ServerHello {
  const legacyVersion = r.u16('ServerHello.legacy_version');
  const random = r.bytes(32, 'ServerHello.random');
  const legacySessionIdEcho = r.opaque8('ServerHello.legacy_session_id_echo', { max: 32 });
  const cipherSuite = r.u16('ServerHello.cipher_suite');
  const legacyCompressionMethod = r.u8('ServerHello.legacy_compression_method');
  const isHelloRetryRequest = equalBytes(random, HELLO_RETRY_REQUEST_RANDOM);
  const what = isHelloRetryRequest ? 'HelloRetryRequest' : 'ServerHello';
  // RFC 5246 §7.4.1.3: a TLS 1.2 ServerHello may end without an extensions block.
  const extensions = r.atEnd ? [] : decodeExtensions(r, isHelloRetryRequest ? 'HRR' : 'SH', what);
  return {
    type: HandshakeType.ServerHello,
    isHelloRetryRequest,
    legacyVersion,
    random,
    legacySessionIdEcho,
    cipherSuite,
    legacyCompressionMethod,
    extensions,
  };
}

/**
 * Encode a ServerHello body. An empty extension list is omitted (the TLS 1.2 form).
 * @throws UsageError if `isHelloRetryRequest` disagrees with the random, or the random is not 32 bytes
 */
export function encodeServerHello(w: Writer, m: ServerHello): void {
  if (m.random.length !== 32) throw new UsageError('ServerHello.random must be 32 bytes');
  if (m.isHelloRetryRequest !== equalBytes(m.random, HELLO_RETRY_REQUEST_RANDOM))
    throw new UsageError('ServerHello.isHelloRetryRequest disagrees with its random');
  w.u16(m.legacyVersion).bytes(m.random).opaque(1, m.legacySessionIdEcho).u16(m.cipherSuite).u8(m.legacyCompressionMethod);
  if (m.extensions.length > 0) encodeExtensions(w, m.extensions);
}

/** RFC 8446 §4.1.3: SHA-256("HelloRetryRequest"), the random of every HelloRetryRequest. */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = /* @__PURE__ */ fromHex(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
);

/** RFC 8446 §4.1.3: last 8 bytes of a TLS 1.3 server's random when it negotiates TLS 1.2 ("DOWNGRD\x01"). */
export const DOWNGRADE_SENTINEL_TLS12: Uint8Array = /* @__PURE__ */ fromHex('444f574e47524401');

/** RFC 8446 §4.1.3: last 8 bytes of the random when negotiating TLS 1.1 or below ("DOWNGRD\x00"). */
export const DOWNGRADE_SENTINEL_TLS11: Uint8Array = /* @__PURE__ */ fromHex('444f574e47524400');
