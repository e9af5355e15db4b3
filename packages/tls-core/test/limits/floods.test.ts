/**
 * Work a server can make the client do without sending application data is capped (issue 10,
 * defects 4 and 10; limits in src/limits.ts): every output record the client generates by itself
 * (a no_renegotiation warning, a KeyUpdate answer) and every session it makes from a ticket is
 * bounded per connection or per application data record, and a flood ends in a typed error with
 * unexpected_message, sent under the current keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerMisbehaved } from '../../src/errors.ts';
import { LIMITS } from '../../src/limits.ts';
import { encodeHandshake } from '../../src/wire/handshake.ts';
import { AlertDescription as A, ContentType, HandshakeType } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from '../client/helpers/pki.ts';
import { Server12 } from '../client/helpers/server12.ts';

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
