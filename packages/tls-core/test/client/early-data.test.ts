/**
 * TLS 1.3 0-RTT early data on the client (RFC 8446 §2.3, §4.2.10, §4.5, §7.1, Appendix D.4)
 * against the scripted server: when early_data is offered, what goes on the wire under which keys,
 * EndOfEarlyData, the accepted / rejected / HelloRetryRequest paths, the max_early_data_size cap,
 * the resend-or-hand-back policy (docs/early-data.md), and the alerts for an early_data
 * acceptance the client cannot take.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerMisbehaved } from '../../src/errors.ts';
import { tls13SuiteById, type Tls13Suite } from '../../src/crypto/suites.ts';
import { EarlySecret, ResumptionPsk, deriveTrafficKeys, revealSecret, type TrafficKeys } from '../../src/tls13/key-schedule.ts';
import type { ClientEvent, Tls12SessionData, Tls13TicketData } from '../../src/client/events.ts';
import type { ClientConfigOptions } from '../../src/client/config.ts';
import { AlertDescription, CipherSuite, ContentType, ExtensionType, HandshakeType, NamedGroup } from '../../src/wire/enums.ts';
import { extension, findExtension } from '../../src/wire/extensions.ts';
import type { EncryptedExtensions } from '../../src/wire/encrypted-extensions.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server13 } from './helpers/server13.ts';
import { Tls13Sealer, type ClientRecord } from './helpers/harness.ts';
import { tls12Session } from './helpers/sessions.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);
const PSK = new Uint8Array(32).fill(7);

/** A TLS 1.3 ticket as the engine would have stored it, allowing `maxEarlyData` bytes of 0-RTT. */
function ticket(over: Partial<Tls13TicketData> = {}): Tls13TicketData {
  return {
    version: 'TLSv1.3',
    suite: CipherSuite.TLS_AES_128_GCM_SHA256,
    psk: ResumptionPsk.fromBytes(PSK.slice()),
    ticket: new Uint8Array(40).fill(0xaa),
    lifetimeSeconds: 3600,
    ageAdd: 1234,
    receivedAtMs: pki.validAt - 1000,
    maxEarlyData: 16384,
    alpn: undefined,
    serverName: 'localhost',
    peerCertificates: [pki.ecdsa.chain[0]!],
    ...over,
  };
}

/** EncryptedExtensions accepting early data (RFC 8446 §4.2.10), optionally with an ALPN. */
function acceptingEe(alpn?: string): (m: EncryptedExtensions) => EncryptedExtensions {
  return (m) => ({
    ...m,
    extensions: [
      ...m.extensions,
      ...(alpn === undefined ? [] : [extension(ExtensionType.ApplicationLayerProtocolNegotiation, { protocols: [text(alpn)] })]),
      extension(ExtensionType.EarlyData, { form: 'empty' }),
    ],
  });
}

function withAlpn(alpn: string): (m: EncryptedExtensions) => EncryptedExtensions {
  return (m) => ({ ...m, extensions: [...m.extensions, extension(ExtensionType.ApplicationLayerProtocolNegotiation, { protocols: [text(alpn)] })] });
}

/** client_early_traffic_secret over the first ClientHello (RFC 8446 §7.1), as the server derives it. */
function earlySecret(s: Server13, suite: Tls13Suite = tls13SuiteById(CipherSuite.TLS_AES_128_GCM_SHA256)!, psk: Uint8Array = PSK): Uint8Array {
  return revealSecret(EarlySecret.withPsk(suite, ResumptionPsk.fromBytes(psk)).clientEarlyTrafficSecret(suite.hash.digest(s.clientHellos[0]!.raw)));
}

/**
 * The client's 0-RTT records (as sent before any server reply) opened with the early keys: the
 * sealer is returned too, so that later records under the same keys continue its sequence.
 */
function openEarlyRecords(s: Server13, keys: TrafficKeys): { sealer: Tls13Sealer; records: { type: number; content: Uint8Array }[] } {
  const sealer = new Tls13Sealer(keys);
  const records = s.fromClient
    .filter((r) => r.type === ContentType.ApplicationData)
    .map((r) => sealer.open({ type: r.type, version: 0x0303, header: new Uint8Array([r.type, 3, 3, r.content.length >> 8, r.content.length & 0xff]), fragment: r.content }));
  return { sealer, records };
}

/** The server takes the PSK and sends its resumed flight: ServerHello, then EncryptedExtensions (edited by `ee`) and Finished under the handshake keys. */
function resumedFlight(s: Server13, ee?: (m: EncryptedExtensions) => EncryptedExtensions): void {
  s.acceptPsk = PSK;
  s.sendPlain(s.serverHello());
  s.useHandshakeKeys();
  s.sendEncrypted([s.encryptedExtensions(ee), s.finished()]);
}

const earlyEvents = (events: readonly ClientEvent[]): Extract<ClientEvent, { type: 'earlyData' }>[] => events.filter((e) => e.type === 'earlyData');

function offersEarlyData(s: Server13, index = 0): boolean {
  return findExtension(s.clientHellos[index]!.extensions, ExtensionType.EarlyData) !== undefined;
}

/** Data records the client wrote after its Finished. */
const dataAfterHandshake = (records: readonly ClientRecord[]): string => utf8(Uint8Array.from(records.filter((r) => r.type === ContentType.ApplicationData).flatMap((r) => [...r.content])));

describe('when early_data is offered (RFC 8446 §4.2.10)', () => {
  it('a resumption ticket with max_early_data_size > 0, its suite and ALPN offered: early_data, the CCS right after the ClientHello, then the data under the early keys', () => {
    const data = text('GET /early HTTP/1.1\r\n\r\n');
    const s = new Server13(pki, { session: ticket({ alpn: 'http/1.1' }), earlyData: data, client: { keyLog: true, alpnProtocols: ['h2', 'http/1.1'] } });
    expect(offersEarlyData(s)).toBe(true);
    const exts = s.clientHello.extensions.map((e) => e.type);
    // pre_shared_key stays last (§4.2.11); early_data comes with it (§4.2.10).
    expect(exts[exts.length - 1]).toBe(ExtensionType.PreSharedKey);
    // Appendix D.4: "If offering early data, the record is placed immediately after the first ClientHello."
    expect(s.fromClient.map((r) => [r.type, r.encrypted])).toEqual([
      [ContentType.Handshake, false],
      [ContentType.ChangeCipherSpec, false],
      [ContentType.ApplicationData, false], // still sealed: the harness has no key for it
    ]);
    const secret = earlySecret(s);
    const { records } = openEarlyRecords(s, deriveTrafficKeys(tls13SuiteById(CipherSuite.TLS_AES_128_GCM_SHA256)!, secret));
    expect(records.map((r) => r.type)).toEqual([ContentType.ApplicationData]);
    expect(utf8(records[0]!.content)).toBe('GET /early HTTP/1.1\r\n\r\n');
    const logged = s.conn.takeEvents().flatMap((e) => (e.type === 'keyLog' ? [e.entry] : []));
    expect(logged.map((e) => e.label)).toEqual(['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET']);
    expect([...logged[0]!.secret]).toEqual([...secret]);
    const suite = tls13SuiteById(CipherSuite.TLS_AES_128_GCM_SHA256)!;
    const exporter = revealSecret(EarlySecret.withPsk(suite, ResumptionPsk.fromBytes(PSK)).earlyExporterMasterSecret(suite.hash.digest(s.clientHellos[0]!.raw)));
    expect([...logged[1]!.secret]).toEqual([...exporter]);
  });

  it('with the middlebox CCS disabled, the early data follows the ClientHello directly', () => {
    const s = new Server13(pki, { session: ticket(), earlyData: text('x'), client: { middleboxCompatibility: false } });
    expect(s.fromClient.map((r) => r.type)).toEqual([ContentType.Handshake, ContentType.ApplicationData]);
  });

  const negatives: [string, () => { session?: Tls13TicketData | Tls12SessionData; earlyData?: Uint8Array; client?: ClientConfigOptions }][] = [
    ['no early data given', () => ({ session: ticket() })],
    ['no session', () => ({ earlyData: text('x') })],
    ['a ticket with max_early_data_size 0', () => ({ session: ticket({ maxEarlyData: 0 }), earlyData: text('x') })],
    ['the ticket suite not offered (only another suite with its hash)', () => ({ session: ticket(), earlyData: text('x'), client: { cipherSuites: [CipherSuite.TLS_CHACHA20_POLY1305_SHA256] } })],
    ["the session's ALPN not offered", () => ({ session: ticket({ alpn: 'h2' }), earlyData: text('x'), client: { alpnProtocols: ['http/1.1'] } })],
    ['an external PSK', () => ({ earlyData: text('x'), client: { externalPsk: { identity: 'client1', key: PSK } } })],
    [
      'a TLS 1.2 session',
      () => ({
        earlyData: text('x'),
        session: tls12Session({ lifetimeSeconds: 3600, receivedAtMs: pki.validAt - 1000 }),
      }),
    ],
  ];
  for (const [name, options] of negatives) {
    it(`not offered with ${name}: no early_data, nothing after the ClientHello`, () => {
      const s = new Server13(pki, options());
      expect(offersEarlyData(s)).toBe(false);
      expect(s.fromClient.map((r) => r.type)).toEqual([ContentType.Handshake]);
    });
  }

  it('the ticket is still offered for resumption when only early data is impossible (ALPN case)', () => {
    const s = new Server13(pki, { session: ticket({ alpn: 'h2' }), earlyData: text('x'), client: { alpnProtocols: ['http/1.1'] } });
    expect(findExtension(s.clientHello.extensions, ExtensionType.PreSharedKey)).toBeDefined();
  });

  it('not offered: the handshake completes, negotiated.earlyData is not-offered and the data comes back unsent', () => {
    const s = new Server13(pki, { session: ticket({ maxEarlyData: 0 }), earlyData: text('later') });
    resumedFlight(s);
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.negotiated?.earlyData).toBe('not-offered');
    const [ev] = earlyEvents(s.conn.takeEvents());
    expect(ev).toMatchObject({ status: 'not-offered', sentAsEarlyData: 0, sentAfterHandshake: 0 });
    expect(utf8(ev!.unsent!)).toBe('later');
    expect(dataAfterHandshake(s.lastRecords)).toBe('');
  });

  it('without early data given, negotiated.earlyData is not-offered and no earlyData event', () => {
    const s = new Server13(pki);
    s.handshake();
    expect(s.conn.negotiated?.earlyData).toBe('not-offered');
    expect(earlyEvents(s.conn.takeEvents())).toEqual([]);
  });
});

describe('accepted (EncryptedExtensions with early_data)', () => {
  /** Resume with early data and have the server accept it; returns the server after the client's second flight. */
  function accepted(data: Uint8Array, over: Partial<Tls13TicketData> = {}, client: ClientConfigOptions = {}): { s: Server13; events: ClientEvent[]; early: string } {
    const s = new Server13(pki, { session: ticket(over), earlyData: data, client });
    const keys = deriveTrafficKeys(tls13SuiteById(CipherSuite.TLS_AES_128_GCM_SHA256)!, earlySecret(s));
    const { sealer, records } = openEarlyRecords(s, keys);
    s.acceptPsk = PSK;
    s.sendPlain(s.serverHello());
    s.wire.ccs();
    s.useHandshakeKeys();
    // The client writes under the early keys until its EndOfEarlyData (the harness then moves to its handshake keys).
    s.reader.setTls13Key(keys, sealer.seq);
    s.sendEncrypted([s.encryptedExtensions(acceptingEe(over.alpn)), s.finished()]);
    expect(s.deliver()).toBeUndefined();
    return { s, events: s.conn.takeEvents(), early: utf8(Uint8Array.from(records.flatMap((r) => [...r.content]))) };
  }

  it('EndOfEarlyData under the early keys after the server Finished, then Finished under the handshake keys (RFC 8446 §4.5)', () => {
    const { s, events, early } = accepted(text('hello 0-RTT'));
    expect(early).toBe('hello 0-RTT');
    expect(s.clientMessages.map((m) => m[0])).toEqual([HandshakeType.EndOfEarlyData, HandshakeType.Finished]);
    expect([...s.clientMessages[0]!]).toEqual([HandshakeType.EndOfEarlyData, 0, 0, 0]);
    // The harness opened EndOfEarlyData with the early keys continuing their sequence, Finished with the handshake keys.
    expect(s.lastRecords.map((r) => [r.type, r.encrypted])).toEqual([
      [ContentType.Handshake, true],
      [ContentType.Handshake, true],
    ]);
    expect(s.conn.negotiated?.earlyData).toBe('accepted');
    expect(s.conn.negotiated?.sessionReused).toBe(true);
    const types = events.map((e) => e.type);
    expect(types.indexOf('earlyData')).toBeLessThan(types.indexOf('handshakeDone'));
    expect(earlyEvents(events)).toEqual([{ type: 'earlyData', status: 'accepted', sentAsEarlyData: 11, sentAfterHandshake: 0, unsent: undefined }]);
    // Application data flows under the application keys afterwards.
    s.conn.write(text('after'));
    expect(dataAfterHandshake(s.pump())).toBe('after');
  });

  it('with the session ALPN negotiated again', () => {
    const { s } = accepted(text('GET /'), { alpn: 'h2' }, { alpnProtocols: ['h2'] });
    expect(s.conn.negotiated?.alpn).toBe('h2');
    expect(s.conn.negotiated?.earlyData).toBe('accepted');
  });

  it('at most max_early_data_size bytes go early; the rest follows the handshake as ordinary data, once', () => {
    const data = text('0123456789abcdefghijklmnopqrstuvwxyz');
    const { s, events, early } = accepted(data, { maxEarlyData: 10 });
    expect(early).toBe('0123456789');
    expect(s.clientMessages.map((m) => m[0])).toEqual([HandshakeType.EndOfEarlyData, HandshakeType.Finished]);
    expect(dataAfterHandshake(s.lastRecords)).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(earlyEvents(events)[0]).toMatchObject({ status: 'accepted', sentAsEarlyData: 10, sentAfterHandshake: 26, unsent: undefined });
  });

  it('early data is cut into records of at most maxFragmentLength bytes', () => {
    const data = new Uint8Array(200).map((_, i) => 65 + (i % 26));
    const { s, early } = accepted(data, {}, { maxFragmentLength: 64 });
    const keys = deriveTrafficKeys(tls13SuiteById(CipherSuite.TLS_AES_128_GCM_SHA256)!, earlySecret(s));
    const { records } = openEarlyRecords(s, keys);
    expect(records.map((r) => r.content.length)).toEqual([64, 64, 64, 8]);
    expect(early).toBe(utf8(data));
  });

  it('a larger ticket cap than the data: all of it goes early, nothing after', () => {
    const { s, events } = accepted(text('small'), { maxEarlyData: 1 << 20 });
    expect(dataAfterHandshake(s.lastRecords)).toBe('');
    expect(earlyEvents(events)[0]?.sentAsEarlyData).toBe(5);
  });
});

describe('rejected', () => {
  it('PSK accepted, no early_data in EncryptedExtensions: no EndOfEarlyData, Finished under the handshake keys, the data re-sent once after the handshake (same ALPN: none)', () => {
    const s = new Server13(pki, { session: ticket(), earlyData: text('retry me') });
    resumedFlight(s);
    expect(s.deliver()).toBeUndefined();
    expect(s.clientMessages.map((m) => m[0])).toEqual([HandshakeType.Finished]);
    expect(dataAfterHandshake(s.lastRecords)).toBe('retry me');
    expect(s.conn.negotiated?.earlyData).toBe('rejected');
    expect(earlyEvents(s.conn.takeEvents())).toEqual([{ type: 'earlyData', status: 'rejected', sentAsEarlyData: 8, sentAfterHandshake: 8, unsent: undefined }]);
  });

  it('rejected with the same ALPN as the session: re-sent', () => {
    const s = new Server13(pki, { session: ticket({ alpn: 'h2' }), earlyData: text('GET /'), client: { alpnProtocols: ['h2', 'http/1.1'] } });
    resumedFlight(s, withAlpn('h2'));
    expect(s.deliver()).toBeUndefined();
    expect(dataAfterHandshake(s.lastRecords)).toBe('GET /');
  });

  it('rejected with another ALPN than the session: nothing re-sent, the bytes handed back (RFC 8446 §4.2.10)', () => {
    const s = new Server13(pki, { session: ticket({ alpn: 'h2' }), earlyData: text('h2 preface'), client: { alpnProtocols: ['h2', 'http/1.1'] } });
    resumedFlight(s, withAlpn('http/1.1'));
    expect(s.deliver()).toBeUndefined();
    expect(dataAfterHandshake(s.lastRecords)).toBe('');
    expect(s.conn.negotiated?.earlyData).toBe('rejected');
    const [ev] = earlyEvents(s.conn.takeEvents());
    expect(ev).toMatchObject({ status: 'rejected', sentAsEarlyData: 10, sentAfterHandshake: 0 });
    expect(utf8(ev!.unsent!)).toBe('h2 preface');
  });

  it('PSK not accepted (full handshake): the handshake keys from the ServerHello on, data re-sent after the handshake', () => {
    const s = new Server13(pki, { session: ticket(), earlyData: text('full') });
    s.handshake();
    expect(s.conn.negotiated?.sessionReused).toBe(false);
    expect(s.clientMessages.map((m) => m[0])).toEqual([HandshakeType.Finished]);
    expect(dataAfterHandshake(s.lastRecords)).toBe('full');
    expect(s.conn.negotiated?.earlyData).toBe('rejected');
  });

  it('HelloRetryRequest: the second ClientHello is plaintext, has no early_data and no second CCS; rejected, re-sent after the handshake', () => {
    const s = new Server13(pki, { session: ticket(), earlyData: text('after hrr') });
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1 }));
    expect(s.deliver()).toBeUndefined();
    expect(s.clientHellos.length).toBe(2);
    expect(offersEarlyData(s, 1)).toBe(false);
    expect(findExtension(s.clientHellos[1]!.extensions, ExtensionType.PreSharedKey)).toBeDefined();
    expect(s.lastRecords.map((r) => [r.type, r.encrypted])).toEqual([[ContentType.Handshake, false]]);
    resumedFlight(s);
    expect(s.deliver()).toBeUndefined();
    expect(s.clientMessages.map((m) => m[0])).toEqual([HandshakeType.Finished]);
    expect(dataAfterHandshake(s.lastRecords)).toBe('after hrr');
    expect(s.conn.negotiated?.earlyData).toBe('rejected');
    expect(s.conn.negotiated?.helloRetryRequest).toBe(true);
  });
});

describe('early_data in EncryptedExtensions the client cannot take', () => {
  /** The server takes the PSK and accepts early data the client's (last) ClientHello did not offer: unsupported_extension. */
  const expectUnsolicitedEarlyDataRefused = (s: Server13): void => {
    resumedFlight(s, acceptingEe());
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: AlertDescription.UnsupportedExtension, encrypted: true });
  };

  it('not offered (no early data given): unsupported_extension (RFC 8446 §4.2)', () => {
    const s = new Server13(pki, { session: ticket() });
    expectUnsolicitedEarlyDataRefused(s);
  });

  it('after a HelloRetryRequest (the second ClientHello did not offer it): unsupported_extension', () => {
    const s = new Server13(pki, { session: ticket(), earlyData: text('x') });
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1 }));
    expect(s.deliver()).toBeUndefined();
    expectUnsolicitedEarlyDataRefused(s);
  });

  it('offered, but the server did not take the PSK: illegal_parameter (RFC 8446 §4.2.10)', () => {
    const s = new Server13(pki, { session: ticket(), earlyData: text('x') });
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(acceptingEe())]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalEarlyData', alert: AlertDescription.IllegalParameter, encrypted: true });
  });

  /** Offered and PSK taken: the client's write side is on the early keys when it refuses. */
  function refusedUnderEarlyKeys(suiteId: number, edit: (m: EncryptedExtensions) => EncryptedExtensions, client: ClientConfigOptions, over: Partial<Tls13TicketData> = {}): void {
    const s = new Server13(pki, { session: ticket(over), earlyData: text('x'), suite: suiteId, client });
    const keys = deriveTrafficKeys(tls13SuiteById(CipherSuite.TLS_AES_128_GCM_SHA256)!, earlySecret(s));
    const { sealer } = openEarlyRecords(s, keys);
    s.acceptPsk = PSK;
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    s.reader.setTls13Key(keys, sealer.seq);
    s.sendEncrypted([s.encryptedExtensions(edit)]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalEarlyData', alert: AlertDescription.IllegalParameter, encrypted: true });
  }

  it("accepted with another suite than the session's (same hash): illegal_parameter", () => {
    refusedUnderEarlyKeys(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, acceptingEe(), {});
  });

  it("accepted with another ALPN than the session's: illegal_parameter", () => {
    refusedUnderEarlyKeys(CipherSuite.TLS_AES_128_GCM_SHA256, acceptingEe('http/1.1'), { alpnProtocols: ['h2', 'http/1.1'] }, { alpn: 'h2' });
  });
});

describe('determinism', () => {
  it('with a seeded randomBytes and clock, two connections write identical bytes (ClientHello, CCS, early data)', () => {
    const run = (): Uint8Array | undefined => {
      let n = 0;
      const s = new Server13(pki, {
        session: ticket(),
        earlyData: text('same'),
        client: {
          randomBytes: (len: number) => new Uint8Array(len).map(() => (n++ * 31) & 0xff),
        },
      });
      return Uint8Array.from(s.fromClient.flatMap((r) => [r.type, ...r.content]));
    };
    expect(run()).toEqual(run());
  });
});
