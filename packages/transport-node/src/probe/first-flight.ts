/**
 * Reads a server's reply to one scanner ClientHello, from hostile bytes, up to the first fact:
 * the first record is an alert (RFC 8446 §6, RFC 5246 §7.2), or a ServerHello / HelloRetryRequest
 * (RFC 8446 §4.1.3-§4.1.4, RFC 5246 §7.4.1.3); for TLS 1.2 and below, optionally on to the
 * ServerKeyExchange (RFC 8422 §5.4 named curve, RFC 5246 §7.4.3 dh_p) or ServerHelloDone.
 *
 * Records are split here rather than with tls-core's RecordDeframer because that deframer refuses
 * the record version 0x0300 an SSL 3.0 server answers with (RFC 6101 §5.2.1); each header is
 * checked (content type 20..23, version 0x0300..0x0303, length ≤ 2^14 + 2048) before its length
 * is used. Handshake reassembly and message decoding are tls-core's (HandshakeReassembler,
 * decodeHandshake). Total bytes are capped; a message over the cap ends the read.
 *
 * The reader never throws: every malformed input becomes a `malformed` reply, and once a
 * ServerHello is decoded, any later problem returns what the ServerHello said.
 * @module
 */
import { AlertDescription, ExtensionType, HandshakeType, ProtocolVersion, TlsError, nameOf } from '@puretls/tls-core';
import {
  DOWNGRADE_SENTINEL_TLS11,
  DOWNGRADE_SENTINEL_TLS12,
  HandshakeReassembler,
  Reader,
  decodeHandshake,
  equalBytes,
  findExtension,
  hasExtension,
  type ServerHello,
} from '@puretls/tls-core/wire';
import type { HelloReply } from './scan-types.ts';
import { SCAN_GROUPS, TLS12_SCAN_SUITES, TLS13_SCAN_SUITES, scanName, suiteKeyExchange } from './scan-tables.ts';

export interface FirstFlightOptions {
  /** For TLS 1.2 and below with an (EC)DHE suite: read on to the ServerKeyExchange. */
  readonly readKeyExchange: boolean;
  /** Most bytes read in all (default 128 KiB). */
  readonly maxBytes?: number;
}

const HEADER = 5;
const MAX_RECORD_BODY = 16384 + 2048;
const DEFAULT_MAX_BYTES = 128 * 1024;
const MAX_MESSAGE = 64 * 1024;
const ALL_SUITES: readonly { readonly code: number; readonly name: string }[] = [...TLS13_SCAN_SUITES, ...TLS12_SCAN_SUITES];

type ServerHelloReply = Extract<HelloReply, { kind: 'server-hello' }>;

/** Incremental reader: push chunks until a reply is returned, then call nothing else. */
export class FirstFlightReader {
  readonly #readKeyExchange: boolean;
  readonly #maxBytes: number;
  #received = 0;
  #pending: Uint8Array = new Uint8Array(0);
  readonly #handshake = new HandshakeReassembler(MAX_MESSAGE);
  #serverHello: ServerHelloReply | undefined;
  #done: HelloReply | undefined;

  constructor(opts: FirstFlightOptions) {
    this.#readKeyExchange = opts.readKeyExchange;
    this.#maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** The reply once decided (the same object push returned). */
  get reply(): HelloReply | undefined {
    return this.#done;
  }

  /** Feed bytes from the server; returns the reply once it is decided. */
  push(chunk: Uint8Array): HelloReply | undefined {
    if (this.#done !== undefined) return this.#done;
    this.#received += chunk.length;
    try {
      if (this.#received > this.#maxBytes) return this.#finish(this.#serverHello ?? malformed(`over ${this.#maxBytes} bytes without a ServerHello`));
      const joined = new Uint8Array(this.#pending.length + chunk.length);
      joined.set(this.#pending);
      joined.set(chunk, this.#pending.length);
      let at = 0;
      while (joined.length - at >= HEADER) {
        const type = joined[at]!;
        const version = (joined[at + 1]! << 8) | joined[at + 2]!;
        const length = (joined[at + 3]! << 8) | joined[at + 4]!;
        if (type < 20 || type > 23) return this.#fail(`record content type ${type}`);
        if (version < 0x0300 || version > 0x0303) return this.#fail(`record version 0x${version.toString(16).padStart(4, '0')}`);
        if (length > MAX_RECORD_BODY) return this.#fail(`record of ${length} bytes`);
        if (joined.length - at - HEADER < length) break;
        const body = joined.subarray(at + HEADER, at + HEADER + length);
        at += HEADER + length;
        const reply = this.#record(type, body);
        if (reply !== undefined) return this.#finish(reply);
      }
      this.#pending = joined.slice(at);
      return undefined;
    } catch (error) {
      return this.#fail(error instanceof TlsError ? error.message : `unexpected ${String(error)}`);
    }
  }

  /** The connection ended (or timed out: pass `timeout`); decide with what was read. */
  end(timeout?: HelloReply): HelloReply {
    if (this.#done !== undefined) return this.#done;
    return this.#finish(this.#serverHello ?? timeout ?? { kind: 'closed' });
  }

  #finish(reply: HelloReply): HelloReply {
    this.#done = reply;
    this.#pending = new Uint8Array(0);
    return reply;
  }

  #fail(error: string): HelloReply {
    return this.#finish(this.#serverHello ?? malformed(error));
  }

  #record(type: number, body: Uint8Array): HelloReply | undefined {
    if (type === 21) {
      if (this.#serverHello !== undefined) return this.#serverHello;
      if (body.length !== 2) return malformed(`alert record of ${body.length} bytes`);
      return { kind: 'alert', level: body[0]!, description: body[1]!, descriptionName: nameOf(AlertDescription, body[1]!, 2) };
    }
    if (type === 20) return this.#serverHello === undefined ? malformed('change_cipher_spec before ServerHello') : undefined;
    if (type === 23) return this.#serverHello ?? malformed('application_data before ServerHello');
    if (body.length === 0) return malformed('empty handshake record');
    this.#handshake.push(body);
    for (let m = this.#handshake.next(); m !== undefined; m = this.#handshake.next()) {
      const reply = this.#message(m.type, m.raw);
      if (reply !== undefined) return reply;
    }
    return undefined;
  }

  #message(type: number, raw: Uint8Array): HelloReply | undefined {
    const sh = this.#serverHello;
    if (sh === undefined) {
      if (type !== HandshakeType.ServerHello) return malformed(`${nameOf(HandshakeType, type, 2)} before ServerHello`);
      const msg = decodeHandshake(raw, 'tls12');
      if (msg.type !== HandshakeType.ServerHello) return malformed('not a ServerHello');
      return this.#serverHelloReply(msg);
    }
    if (type === HandshakeType.ServerKeyExchange) return { ...sh, ...keyExchangeOf(sh.cipherSuite, raw) };
    if (type === HandshakeType.ServerHelloDone) return sh;
    return undefined;
  }

  #serverHelloReply(m: ServerHello): HelloReply | undefined {
    const exts = m.extensions.map((e) => e.type);
    const sv = findExtension(m.extensions, ExtensionType.SupportedVersions);
    const version = sv?.form === 'SH' ? sv.selectedVersion : m.legacyVersion;
    const suite = { cipherSuite: m.cipherSuite, cipherSuiteName: scanName(ALL_SUITES, m.cipherSuite) };
    if (m.isHelloRetryRequest) {
      const ks = findExtension(m.extensions, ExtensionType.KeyShare);
      const group = ks?.form === 'HRR' ? ks.selectedGroup : undefined;
      return {
        kind: 'hello-retry-request',
        ...suite,
        ...(group === undefined ? {} : { selectedGroup: group, selectedGroupName: scanName(SCAN_GROUPS, group) }),
        cookie: hasExtension(m.extensions, ExtensionType.Cookie),
        extensions: exts,
      };
    }
    const tail = m.random.subarray(24);
    const sentinel = equalBytes(tail, DOWNGRADE_SENTINEL_TLS12) ? 'tls12' : equalBytes(tail, DOWNGRADE_SENTINEL_TLS11) ? 'tls11' : undefined;
    const ks = findExtension(m.extensions, ExtensionType.KeyShare);
    const group = ks?.form === 'SH' ? ks.entry.group : undefined;
    const reply: ServerHelloReply = {
      kind: 'server-hello',
      version,
      versionName: versionName(version),
      ...suite,
      ...(group === undefined ? {} : { group, groupName: scanName(SCAN_GROUPS, group) }),
      extensions: exts,
      ...(sentinel === undefined ? {} : { downgradeSentinel: sentinel }),
    };
    this.#serverHello = reply;
    if (version >= ProtocolVersion.TLSv1_3 || !this.#readKeyExchange) return reply;
    const kx = suiteKeyExchange(suite.cipherSuiteName);
    return kx === 'ECDHE' || kx === 'DHE' || kx === 'ECDH_anon' || kx === 'DH_anon' ? undefined : reply;
  }
}

/** The named curve (ECDHE) or dh_p size (DHE) of a TLS 1.2 ServerKeyExchange (`raw` includes the header). */
function keyExchangeOf(suite: number, raw: Uint8Array): { group?: number; groupName?: string; dhBits?: number } {
  const kx = suiteKeyExchange(scanName(ALL_SUITES, suite));
  const r = new Reader(raw.subarray(4));
  if (kx === 'ECDHE' || kx === 'ECDH_anon') {
    if (r.u8('ServerKeyExchange.curve_type') !== 3) return {};
    const group = r.u16('ServerKeyExchange.namedcurve');
    return { group, groupName: scanName(SCAN_GROUPS, group) };
  }
  const p = r.opaque16('ServerDHParams.dh_p', { nonEmpty: true });
  let i = 0;
  while (i < p.length && p[i] === 0) i++;
  if (i === p.length) return { dhBits: 0 };
  return { dhBits: (p.length - i - 1) * 8 + (32 - Math.clz32(p[i]!)) };
}

/** `TLSv1.2`-style name of a protocol version. */
export function versionName(v: number): string {
  if (v === 0x0300) return 'SSLv3';
  if (v === 0x0301) return 'TLSv1.0';
  if (v >= 0x0302 && v <= 0x0304) return `TLSv1.${v - 0x0301}`;
  return `0x${v.toString(16).padStart(4, '0')}`;
}

function malformed(error: string): HelloReply {
  return { kind: 'malformed', error };
}
