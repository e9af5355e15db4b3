/**
 * The scanner's reply reader faces hostile bytes: known answers for each reply shape (built with
 * tls-core's wire encoders, independent of the reader), and fast-check fuzzing that it never
 * throws, always decides, and reads the same reply however the bytes are chunked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExtensionType, HandshakeType, encodeRecordHeader, extension, wire } from '@puretls/tls-core';
import { FirstFlightReader } from '../../src/probe/first-flight.ts';
import type { HelloReply } from '../../src/probe/hello-scan.ts';

function record(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  const h = encodeRecordHeader({ contentType: type, legacyVersion: version, length: body.length });
  const out = new Uint8Array(5 + body.length);
  out.set(h);
  out.set(body, 5);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function serverHello(opts: { version: number; suite: number; random?: Uint8Array; exts?: wire.Extension[]; hrr?: boolean }): Uint8Array {
  const random = opts.hrr === true ? wire.HELLO_RETRY_REQUEST_RANDOM : (opts.random ?? new Uint8Array(32).fill(7));
  return wire.encodeHandshake({
    type: HandshakeType.ServerHello,
    isHelloRetryRequest: opts.hrr === true,
    legacyVersion: opts.version,
    random,
    legacySessionIdEcho: new Uint8Array(0),
    cipherSuite: opts.suite,
    legacyCompressionMethod: 0,
    extensions: opts.exts ?? [],
  });
}

function readAll(bytes: Uint8Array, cuts: readonly number[] = [], readKeyExchange = false): HelloReply {
  const r = new FirstFlightReader({ readKeyExchange });
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const got = r.push(bytes.subarray(at, cut));
    at = cut;
    if (got !== undefined) return got;
  }
  return r.push(bytes.subarray(at)) ?? r.end();
}

describe('FirstFlightReader known answers', () => {
  it('alert', () => {
    expect(readAll(record(21, new Uint8Array([2, 70])))).toEqual({ kind: 'alert', level: 2, description: 70, descriptionName: 'ProtocolVersion' });
  });

  it('TLS 1.3 ServerHello: version from supported_versions, key_share group', () => {
    const sh = serverHello({
      version: 0x0303,
      suite: 0x1302,
      exts: [
        extension(ExtensionType.SupportedVersions, { form: 'SH', selectedVersion: 0x0304 }),
        extension(ExtensionType.KeyShare, { form: 'SH', entry: { group: 0x0017, keyExchange: new Uint8Array(65).fill(4) } }),
      ],
    });
    expect(readAll(record(22, sh), [3, 9, 40])).toMatchObject({ kind: 'server-hello', version: 0x0304, cipherSuite: 0x1302, group: 0x0017, groupName: 'secp256r1' });
  });

  it('HelloRetryRequest with selected group and cookie', () => {
    const hrr = serverHello({
      version: 0x0303,
      suite: 0x1301,
      hrr: true,
      exts: [
        extension(ExtensionType.SupportedVersions, { form: 'SH', selectedVersion: 0x0304 }),
        extension(ExtensionType.KeyShare, { form: 'HRR', selectedGroup: 0x0018 }),
        extension(ExtensionType.Cookie, { cookie: new Uint8Array([1, 2, 3]) }),
      ],
    });
    expect(readAll(record(22, hrr))).toMatchObject({ kind: 'hello-retry-request', cipherSuite: 0x1301, selectedGroup: 0x0018, cookie: true });
  });

  it('TLS 1.2 ServerHello + Certificate + ServerKeyExchange: the named curve and the downgrade sentinel', () => {
    const random = new Uint8Array(32).fill(1);
    random.set(wire.DOWNGRADE_SENTINEL_TLS12, 24);
    const sh = serverHello({ version: 0x0303, suite: 0xc02f, random, exts: [extension(ExtensionType.ExtendedMasterSecret, {})] });
    const cert = concat(new Uint8Array([11, 0, 0, 3]), new Uint8Array(3));
    const ske = wire.encodeHandshake({ type: HandshakeType.ServerKeyExchange, curveType: 3, group: 0x001d, publicPoint: new Uint8Array(32).fill(9), scheme: 0x0804, signature: new Uint8Array(256) });
    const bytes = concat(record(22, concat(sh, cert)), record(22, ske));
    expect(readAll(bytes, [], true)).toMatchObject({ kind: 'server-hello', version: 0x0303, group: 0x001d, downgradeSentinel: 'tls12', extensions: [23] });
    // Without readKeyExchange the reader stops at the ServerHello.
    expect(readAll(bytes, [], false)).not.toHaveProperty('group');
  });

  it('DHE ServerKeyExchange: dh_p size in bits', () => {
    const sh = serverHello({ version: 0x0303, suite: 0x009e });
    const p = new Uint8Array(256).fill(0xff);
    const body = concat(new Uint8Array([1, 0]), p, new Uint8Array([0, 1, 2, 0, 1, 5]));
    const ske = concat(new Uint8Array([12, 0, body.length >> 8, body.length & 0xff]), body);
    expect(readAll(concat(record(22, sh), record(22, ske)), [], true)).toMatchObject({ kind: 'server-hello', cipherSuite: 0x009e, dhBits: 2048 });
  });

  it('an SSL 3.0 reply (record version 0x0300) is read', () => {
    expect(readAll(record(22, serverHello({ version: 0x0300, suite: 0x002f }), 0x0300))).toMatchObject({ kind: 'server-hello', version: 0x0300, versionName: 'SSLv3' });
  });

  it('garbage, HTTP and SSLv2-looking replies are malformed; a close before anything is closed', () => {
    expect(readAll(new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n\r\n')).kind).toBe('malformed');
    expect(readAll(new Uint8Array([0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02])).kind).toBe('malformed');
    expect(readAll(new Uint8Array(0)).kind).toBe('closed');
    expect(readAll(record(23, new Uint8Array(10))).kind).toBe('malformed');
  });

  it('the byte cap decides without a ServerHello', () => {
    const r = new FirstFlightReader({ readKeyExchange: true, maxBytes: 1000 });
    // A handshake message that never completes: header says 60000 bytes.
    expect(r.push(record(22, new Uint8Array([2, 0, 0xea, 0x60, ...new Uint8Array(600)])))).toBeUndefined();
    expect(r.push(new Uint8Array(600))).toMatchObject({ kind: 'malformed' });
  });
});

const KINDS = new Set(['server-hello', 'hello-retry-request', 'alert', 'closed', 'timeout', 'malformed', 'connect-failed']);

/** A reply kind we know, and no malformed reply caused by an error that is not a typed TlsError (a parser bug). */
function sane(reply: HelloReply): boolean {
  return KINDS.has(reply.kind) && !(reply.kind === 'malformed' && reply.error.startsWith('unexpected'));
}

describe('FirstFlightReader fuzz', () => {
  it('arbitrary bytes in arbitrary chunks: never throws, always decides', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(3000), { maxLength: 8 }), fc.boolean(), (bytes, cuts, kx) => {
        const reply = readAll(bytes, cuts.map((c) => c % (bytes.length + 1)), kx);
        expect(sane(reply)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('records with a valid header and random bodies: never throws', () => {
    const rec = fc.tuple(fc.constantFrom(20, 21, 22, 23), fc.constantFrom(0x0300, 0x0301, 0x0303), fc.uint8Array({ maxLength: 600 })).map(([t, v, b]) => record(t, b, v));
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 5 }), fc.boolean(), (recs, kx) => {
        expect(sane(readAll(concat(...recs), [], kx))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('a valid ServerHello flight with one byte changed: never throws; unchanged, chunking does not matter', () => {
    const random = new Uint8Array(32).fill(3);
    const sh = serverHello({
      version: 0x0303,
      suite: 0xc030,
      random,
      exts: [extension(ExtensionType.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(0) }), extension(ExtensionType.ExtendedMasterSecret, {})],
    });
    const ske = wire.encodeHandshake({ type: HandshakeType.ServerKeyExchange, curveType: 3, group: 0x0018, publicPoint: new Uint8Array(97).fill(4), scheme: 0x0804, signature: new Uint8Array(64) });
    const flight = concat(record(22, sh), record(22, ske));
    const whole = readAll(flight, [], true);
    expect(whole).toMatchObject({ kind: 'server-hello', cipherSuite: 0xc030, group: 0x0018, extensions: [0xff01, 23] });
    fc.assert(
      fc.property(fc.nat(flight.length - 1), fc.integer({ min: 1, max: 255 }), fc.array(fc.nat(flight.length), { maxLength: 6 }), (at, xor, cuts) => {
        expect(readAll(flight, cuts, true)).toEqual(whole);
        const bad = flight.slice();
        bad[at]! ^= xor;
        expect(sane(readAll(bad, cuts, true))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
