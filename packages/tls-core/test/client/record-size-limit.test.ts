/**
 * record_size_limit (RFC 8449 §4) against the scripted TLS 1.3 and TLS 1.2 servers: offered only
 * when configured; the server's limit bounds every protected record the client sends (TLS 1.3:
 * TLSInnerPlaintext, content type byte included; TLS 1.2: the plaintext), read from the record
 * headers on the wire; a server record over our limit is record_overflow; a value below 64 is
 * illegal_parameter; an unsolicited one is unsupported_extension.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientConfig } from '../../src/client/config.ts';
import { PeerMisbehaved, UsageError } from '../../src/errors.ts';
import { RecordDeframer } from '../../src/record/deframer.ts';
import { AlertDescription as A, ContentType, ExtensionType } from '../../src/wire/enums.ts';
import { extension, findExtension, type Extension } from '../../src/wire/extensions.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';
import type { ClientRecord } from './helpers/harness.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const TAG = 16;
const rsl = (limit: number): Extension => extension(ExtensionType.RecordSizeLimit, { limit });
const bytes = (n: number, seed = 7): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const encryptedAlert = { encrypted: true } as const;

/** The client's pending output: every record's header length (from the wire), then decrypted by the server's reader. */
function takeClientRecords(s: Server12 | Server13): { lengths: number[]; types: number[]; records: ClientRecord[] } {
  const out = s.conn.takeOutgoing();
  const lengths: number[] = [];
  const types: number[] = [];
  if (out !== undefined) {
    const d = new RecordDeframer();
    d.push(out.slice());
    for (let r = d.next(); r !== undefined; r = d.next()) {
      lengths.push(r.fragment.length);
      types.push(r.type);
    }
  }
  const records = s.reader.read(out);
  s.fromClient.push(...records);
  return { lengths, types, records };
}

const dataOf = (records: readonly ClientRecord[]): Uint8Array =>
  Uint8Array.from(records.filter((r) => r.type === ContentType.ApplicationData).flatMap((r) => [...r.content]));

/** TLS 1.3 handshake whose EncryptedExtensions carry `exts`; returns the server (handshake not asserted). */
function tls13(clientLimit: number | undefined, exts: Extension[]): Server13 {
  const s = new Server13(pki, { client: clientLimit === undefined ? {} : { recordSizeLimit: clientLimit } });
  s.sendPlain(s.serverHello());
  s.useHandshakeKeys();
  s.sendEncrypted([s.encryptedExtensions((m) => ({ ...m, extensions: exts })), s.certificate(), s.certificateVerify(), s.finished()]);
  return s;
}

function tls12(clientLimit: number | undefined, exts: Extension[]): Server12 {
  const s = new Server12(pki, { client: clientLimit === undefined ? {} : { recordSizeLimit: clientLimit } });
  s.sendPlain(s.serverHello((m) => ({ ...m, extensions: [...m.extensions, ...exts] })), s.certificate(), s.serverKeyExchange(), s.serverHelloDone());
  return s;
}

describe('record_size_limit configuration and offer (RFC 8449 §4)', () => {
  it('is not offered by default', () => {
    const s = new Server13(pki);
    expect(findExtension(s.clientHello.extensions, ExtensionType.RecordSizeLimit)).toBeUndefined();
  });

  it('is offered with the configured value', () => {
    const s = new Server13(pki, { client: { recordSizeLimit: 512 } });
    expect(findExtension(s.clientHello.extensions, ExtensionType.RecordSizeLimit)).toEqual({ limit: 512 });
  });

  it('refuses values outside 64..16385', () => {
    const base = { verifyCertificates: false, checkServerIdentity: () => undefined };
    for (const v of [63, 16386, 0, 100.5]) expect(() => createClientConfig({ ...base, recordSizeLimit: v })).toThrow(UsageError);
    expect(createClientConfig({ ...base, recordSizeLimit: 64 }).recordSizeLimit).toBe(64);
    expect(createClientConfig({ ...base, recordSizeLimit: 16385 }).recordSizeLimit).toBe(16385);
  });
});

describe('TLS 1.3: the server limit bounds what the client sends', () => {
  it('limit 256: every protected record has at most 256 bytes of inner plaintext, data intact', () => {
    const s = tls13(16385, [rsl(256)]);
    expect(s.deliver()).toBeUndefined();
    s.useApplicationKeys();
    expect(s.conn.isHandshaking).toBe(false);
    expect(s.conn.recordSizeLimit).toEqual({ send: 256, receive: 16385 });
    expect(s.conn.negotiated?.recordSizeLimit).toEqual({ send: 256, receive: 16385 });
    const data = bytes(5000);
    s.conn.write(data);
    const { lengths, records } = takeClientRecords(s);
    // 255 content bytes + the inner content type byte per record: ceil(5000 / 255) = 20 records.
    expect(lengths.length).toBe(20);
    for (const n of lengths) expect(n - TAG).toBeLessThanOrEqual(256);
    expect(Math.max(...lengths) - TAG).toBe(256);
    expect(dataOf(records)).toEqual(data);
  });

  it('limit 64 (the minimum): 63 content bytes per record', () => {
    const s = tls13(1000, [rsl(64)]);
    expect(s.deliver()).toBeUndefined();
    s.useApplicationKeys();
    s.conn.write(bytes(200));
    const { lengths, records } = takeClientRecords(s);
    expect(lengths.map((n) => n - TAG)).toEqual([64, 64, 64, 12]);
    expect(dataOf(records)).toEqual(bytes(200));
  });

  it('a value above 2^14 + 1 is read as 2^14 + 1', () => {
    const s = tls13(16385, [rsl(0xffff)]);
    expect(s.deliver()).toBeUndefined();
    s.useApplicationKeys();
    expect(s.conn.recordSizeLimit).toEqual({ send: 16385, receive: 16385 });
    s.conn.write(bytes(40000));
    const { lengths, records } = takeClientRecords(s);
    expect(lengths.map((n) => n - TAG)).toEqual([16385, 16385, 40000 - 2 * 16384 + 1]);
    expect(dataOf(records)).toEqual(bytes(40000));
  });

  it('maxFragmentLength stays a local cap below the server limit', () => {
    const s = new Server13(pki, { client: { recordSizeLimit: 16385, maxFragmentLength: 100 } });
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions((m) => ({ ...m, extensions: [rsl(4096)] })), s.certificate(), s.certificateVerify(), s.finished()]);
    expect(s.deliver()).toBeUndefined();
    s.useApplicationKeys();
    s.conn.write(bytes(250));
    expect(takeClientRecords(s).lengths.map((n) => n - TAG)).toEqual([101, 101, 51]);
  });

  it('without the server answering, nothing is limited', () => {
    const s = tls13(256, []);
    expect(s.deliver()).toBeUndefined();
    s.useApplicationKeys();
    expect(s.conn.recordSizeLimit).toBeUndefined();
    expect(s.conn.negotiated).toBeDefined();
    expect(s.conn.negotiated?.recordSizeLimit).toBeUndefined();
    s.conn.write(bytes(3000));
    expect(takeClientRecords(s).lengths.map((n) => n - TAG)).toEqual([3001]);
    // and the server may send more than our (unanswered) limit
    s.sendData(bytes(3000));
    expect(s.deliver()).toBeUndefined();
    expect(s.readAll()).toEqual(bytes(3000));
  });
});

describe('TLS 1.3: our limit bounds what the server sends', () => {
  function connected(limit: number): Server13 {
    const s = tls13(limit, [rsl(16385)]);
    expect(s.deliver()).toBeUndefined();
    s.useApplicationKeys();
    expect(s.conn.recordSizeLimit).toEqual({ send: 16385, receive: limit });
    return s;
  }

  it('a record whose inner plaintext is exactly our limit is accepted', () => {
    const s = connected(512);
    s.sendData(bytes(511));
    expect(s.deliver()).toBeUndefined();
    expect(s.readAll()).toEqual(bytes(511));
  });

  it('one byte over (content + type byte = 513): record_overflow', () => {
    const s = connected(512);
    s.sendData(bytes(512));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...encryptedAlert });
    expect(s.readAll()).toEqual(new Uint8Array(0));
  });

  it('padding counts: 500 content bytes + 12 zero bytes of padding is over 512', () => {
    const s = connected(512);
    s.wire.record(ContentType.ApplicationData, bytes(500), { padding: 11 });
    expect(s.deliver()).toBeUndefined();
    s.wire.record(ContentType.ApplicationData, bytes(500), { padding: 12 });
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...encryptedAlert });
  });

  it('the limit survives a server KeyUpdate (new keys, same limit)', () => {
    const s = connected(512);
    s.sendKeyUpdate();
    s.sendData(bytes(511));
    expect(s.deliver()).toBeUndefined();
    expect(s.readAll()).toEqual(bytes(511));
    s.sendData(bytes(512));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...encryptedAlert });
  });

  it('the limit applies to the protected handshake flight after EncryptedExtensions too', () => {
    const s = new Server13(pki, { client: { recordSizeLimit: 128 } });
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    // EncryptedExtensions in its own record, then a Certificate record far over 128 bytes.
    s.sendEncrypted([s.encryptedExtensions((m) => ({ ...m, extensions: [rsl(16385)] }))]);
    s.sendEncrypted([s.certificate(), s.certificateVerify(), s.finished()]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...encryptedAlert });
  });

  it('the same flight cut into 127-byte records completes', () => {
    const s = new Server13(pki, { client: { recordSizeLimit: 128 } });
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions((m) => ({ ...m, extensions: [rsl(16385)] }))]);
    s.sendEncrypted([s.certificate(), s.certificateVerify(), s.finished()], 127);
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
  });
});

describe('TLS 1.3: bad and unsolicited values', () => {
  it('a value below 64: illegal_parameter', () => {
    const s = tls13(512, [rsl(63)]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalRecordSizeLimit', alert: A.IllegalParameter, ...encryptedAlert });
  });

  it('record_size_limit not offered: unsupported_extension', () => {
    const s = tls13(undefined, [rsl(512)]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension, ...encryptedAlert });
  });

  it('in a TLS 1.3 ServerHello (EncryptedExtensions only): illegal_parameter', () => {
    const s = new Server13(pki, { client: { recordSizeLimit: 512 } });
    s.sendPlain(s.serverHello((m) => ({ ...m, extensions: [...m.extensions, rsl(512)] })));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'ExtensionNotAllowedHere', alert: A.IllegalParameter });
  });
});

describe('TLS 1.2 (ServerHello extension)', () => {
  function connected12(clientLimit: number, serverLimit: number): Server12 {
    const s = tls12(clientLimit, [rsl(serverLimit)]);
    expect(s.deliver()).toBeUndefined();
    s.sendCcsAndFinished();
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
    return s;
  }

  it('limit 256: every protected record carries at most 256 plaintext bytes, data intact', () => {
    const s = connected12(16385, 256);
    expect(s.conn.recordSizeLimit).toEqual({ send: 256, receive: 16384 });
    expect(s.conn.negotiated?.recordSizeLimit).toEqual({ send: 256, receive: 16384 });
    s.conn.write(bytes(1000));
    const { lengths, records } = takeClientRecords(s);
    const overhead = 8 + TAG; // AES-GCM explicit nonce and tag
    expect(lengths.map((n) => n - overhead)).toEqual([256, 256, 256, 232]);
    expect(dataOf(records)).toEqual(bytes(1000));
  });

  it('the client Finished record respects the limit too (64: Finished fits, 16 bytes)', () => {
    const s = tls12(16385, [rsl(64)]);
    expect(s.deliver()).toBeUndefined();
    const enc = s.fromClient.filter((r) => r.encrypted);
    expect(enc.length).toBeGreaterThan(0);
    for (const r of enc) expect(r.content.length).toBeLessThanOrEqual(64);
  });

  it('a value above 2^14 is read as 2^14', () => {
    const s = connected12(16385, 16385);
    expect(s.conn.recordSizeLimit).toEqual({ send: 16384, receive: 16384 });
  });

  it('our limit 300: a 300-byte record is accepted, a 301-byte one is record_overflow', () => {
    const s = connected12(300, 16384);
    expect(s.conn.recordSizeLimit).toEqual({ send: 16384, receive: 300 });
    s.sendData(bytes(300));
    expect(s.deliver()).toBeUndefined();
    expect(s.readAll()).toEqual(bytes(300));
    s.sendData(bytes(301));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...encryptedAlert });
  });

  it('a value below 64: illegal_parameter', () => {
    const s = tls12(512, [rsl(10)]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalRecordSizeLimit', alert: A.IllegalParameter, encrypted: false });
  });

  it('record_size_limit not offered: unsupported_extension', () => {
    const s = tls12(undefined, [rsl(512)]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension, encrypted: false });
  });
});
