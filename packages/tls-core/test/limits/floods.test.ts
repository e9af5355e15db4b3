/**
 * Work a server can make the client do without sending application data is capped (issue 10,
 * defects 4 and 10; limits in src/limits.ts): every output record the client generates by itself
 * (a no_renegotiation warning, a KeyUpdate answer) and every session it makes from a ticket is
 * bounded per connection or per application data record, and a flood ends in a typed error with
 * unexpected_message, sent under the current keys. (The KeyUpdate ping-pong with a server that
 * never reads is in test/client/message-rules.test.ts: one answer while we are silent.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerMisbehaved } from '../../src/errors.ts';
import { LIMITS } from '../../src/limits.ts';
import { encodeHandshake } from '../../src/wire/handshake.ts';
import { AlertDescription as A, ContentType, HandshakeType } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from '../client/helpers/pki.ts';
import { Server12 } from '../client/helpers/server12.ts';
import { Server13 } from '../client/helpers/server13.ts';
import { feed } from '../client/helpers/harness.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const helloRequest = (): Uint8Array => encodeHandshake({ type: HandshakeType.HelloRequest });

function connected12(): Server12 {
  const s = new Server12(pki);
  s.handshake();
  return s;
}

describe('TLS 1.2 HelloRequest flood (RFC 5246 §7.4.1.1, RFC 5746 §4.2)', () => {
  it(`answers ${LIMITS.helloRequests} HelloRequests between data records with no_renegotiation warnings; a data record resets the count`, () => {
    const s = connected12();
    for (let round = 0; round < 3; round++) {
      s.wire.handshake(Array.from({ length: LIMITS.helloRequests }, helloRequest));
      s.sendData(new Uint8Array([round]));
      expect(s.deliver()).toBeUndefined();
      const alerts = s.lastRecords.filter((r) => r.type === ContentType.Alert).map((r) => [...r.content]);
      expect(alerts).toEqual(Array.from({ length: LIMITS.helloRequests }, () => [1, A.NoRenegotiation]));
    }
    expect([...s.readAll()]).toEqual([0, 1, 2]);
  });

  it('one HelloRequest over the cap ends the connection: unexpected_message after the allowed warnings', () => {
    const s = connected12();
    s.wire.handshake(Array.from({ length: LIMITS.helloRequests + 1 }, helloRequest));
    const err = s.deliver();
    expect(err).toBeInstanceOf(PeerMisbehaved);
    expect((err as PeerMisbehaved).reason).toBe('TooManyHelloRequests');
    const alerts = s.lastRecords.filter((r) => r.type === ContentType.Alert).map((r) => [...r.content]);
    expect(alerts).toEqual([...Array.from({ length: LIMITS.helloRequests }, () => [1, A.NoRenegotiation]), [2, A.UnexpectedMessage]]);
    expect(s.lastRecords.every((r) => r.encrypted)).toBe(true);
  });

  it('328 KB of HelloRequests (the reported flood) produce a bounded answer, not 81,920 alerts', () => {
    const s = connected12();
    const flood = Array.from({ length: 81_920 }, helloRequest);
    s.wire.handshake(flood);
    const wire = s.wire.take();
    expect(wire.length).toBeGreaterThan(327_680);
    s.wire.raw(wire);
    const err = s.deliver();
    expect((err as PeerMisbehaved).reason).toBe('TooManyHelloRequests');
    expect(s.lastRecords.length).toBe(LIMITS.helloRequests + 1);
  });
});

describe('TLS 1.3 NewSessionTicket flood (RFC 8446 §4.6.1: a client may ignore tickets)', () => {
  it(`the first ${LIMITS.sessionTickets} tickets become sessions; later ones are dropped and the connection carries on`, () => {
    const s = new Server13(pki);
    s.handshake();
    s.conn.takeEvents();
    s.sendEncrypted(Array.from({ length: 50 }, () => s.newSessionTicket()));
    s.sendData(Uint8Array.of(42));
    expect(s.deliver()).toBeUndefined();
    const sessions = s.conn.takeEvents().filter((e) => e.type === 'session');
    expect(sessions.length).toBe(LIMITS.sessionTickets);
    expect([...s.readAll()]).toEqual([42]);
    // Still capped after data: the cap is per connection.
    s.sendEncrypted([s.newSessionTicket()]);
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.takeEvents().filter((e) => e.type === 'session')).toEqual([]);
  });

  it('20,000 tickets cost decoding only: well under a few ms of CPU per KiB', () => {
    const s = new Server13(pki);
    s.handshake();
    s.sendEncrypted(Array.from({ length: 20_000 }, () => s.newSessionTicket()));
    const wire = s.wire.take();
    const before = process.cpuUsage();
    const err = feed(s.conn, wire);
    const d = process.cpuUsage(before);
    const ms = (d.user + d.system) / 1000;
    console.log(`20,000 NewSessionTickets, ${(wire.length / 1024).toFixed(0)} KiB: ${ms.toFixed(0)} ms CPU`);
    expect(err).toBeUndefined();
    expect(s.conn.takeEvents().filter((e) => e.type === 'session').length).toBe(LIMITS.sessionTickets);
    expect(ms / (wire.length / 1024), 'CPU ms per KiB received').toBeLessThan(2);
  });
});
