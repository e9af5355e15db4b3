/**
 * A small reader of the unencrypted start of a TLS connection as recorded by servers/wire-tap.ts:
 * the ClientHellos and ServerHellos (RFC 8446 §4.1.2-4.1.4, RFC 5246 §7.4.1) with their random and
 * extensions. Written apart from @puretls/tls-core on purpose: it is the independent witness of
 * what the client under test sent. Only handshake records that begin with a hello message are
 * read; anything else (encrypted records, messages split across records) is passed over.
 *
 * @module
 */

/** The ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3). */
export const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

/** extension_type cookie (RFC 8446 §4.2). */
export const EXTENSION_COOKIE = 44;

export interface Hello {
  /** 1 ClientHello, 2 ServerHello (a HelloRetryRequest is a ServerHello with {@link HRR_RANDOM}). */
  readonly type: 1 | 2;
  /** The 32-byte random, hex. */
  readonly random: string;
  /** extension_type -> extension_data, hex. */
  readonly extensions: ReadonlyMap<number, string>;
}

/** The hello messages at the start of each handshake record of `bytes` (one direction). */
export function hellos(bytes: Uint8Array): Hello[] {
  const found: Hello[] = [];
  let offset = 0;
  while (offset + 5 <= bytes.length) {
    const contentType = bytes[offset]!;
    const length = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
    const fragment = bytes.subarray(offset + 5, offset + 5 + length);
    offset += 5 + length;
    if (contentType === 23) break; // application data: the plaintext part is over
    if (contentType !== 22 || fragment.length < 4) continue;
    const type = fragment[0];
    if (type !== 1 && type !== 2) continue;
    const bodyLength = (fragment[1]! << 16) | (fragment[2]! << 8) | fragment[3]!;
    if (bodyLength + 4 > fragment.length) continue;
    const hello = parseHello(type, fragment.subarray(4, 4 + bodyLength));
    if (hello !== undefined) found.push(hello);
  }
  return found;
}

function parseHello(type: 1 | 2, body: Uint8Array): Hello | undefined {
  let at = 2; // legacy_version
  const random = Buffer.from(body.subarray(at, at + 32)).toString('hex');
  at += 32;
  at += 1 + (body[at] ?? 0); // legacy_session_id
  if (type === 1) {
    at += 2 + (((body[at] ?? 0) << 8) | (body[at + 1] ?? 0)); // cipher_suites
    at += 1 + (body[at] ?? 0); // legacy_compression_methods
  } else {
    at += 3; // cipher_suite, legacy_compression_method
  }
  const extensions = new Map<number, string>();
  if (at + 2 > body.length) return { type, random, extensions };
  const end = at + 2 + ((body[at]! << 8) | body[at + 1]!);
  if (end > body.length) return undefined;
  at += 2;
  while (at + 4 <= end) {
    const extType = (body[at]! << 8) | body[at + 1]!;
    const extLength = (body[at + 2]! << 8) | body[at + 3]!;
    extensions.set(extType, Buffer.from(body.subarray(at + 4, at + 4 + extLength)).toString('hex'));
    at += 4 + extLength;
  }
  return at === end ? { type, random, extensions } : undefined;
}
