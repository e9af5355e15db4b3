/**
 * RFC 7627 §5.3 on resumption, through a Context and the real tls-core engine: a session made
 * with the extended master secret is never resumed without it, and one made without it is
 * never resumed with it. The server's ServerHello is scripted; the expected outcome is a
 * handshake_failure alert (RFC 7627 §5.3: "MUST abort the handshake").
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription, CipherSuite, ExtensionType, HandshakeType, PeerMisbehaved, encodeHandshake, extension } from '@puretls/tls-core/internal';
import { Context, Session } from '../src/index.ts';
import { session12 } from './helpers/scripted-engine.ts';

function serverHello(sessionId: Uint8Array, ems: boolean): Uint8Array {
  const body = encodeHandshake({
    type: HandshakeType.ServerHello,
    isHelloRetryRequest: false,
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(0x42),
    legacySessionIdEcho: sessionId,
    cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    legacyCompressionMethod: 0,
    extensions: [
      extension(ExtensionType.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(0) }),
      ...(ems ? [extension(ExtensionType.ExtendedMasterSecret, {})] : []),
    ],
  } as Parameters<typeof encodeHandshake>[0]);
  return new Uint8Array([22, 3, 3, body.length >> 8, body.length & 0xff, ...body]);
}

describe('RFC 7627 §5.3: EMS status must not change on resumption', () => {
  for (const [sessionEms, helloEms] of [
    [true, false],
    [false, true],
  ] as const) {
    it(`session EMS ${sessionEms}, resuming ServerHello EMS ${helloEms}: handshake_failure, session leaves the cache`, () => {
      const ctx = new Context({ verifyCertificates: false, maxVersion: 'TLSv1.2' });
      const data = session12('example.test', Date.now(), { extendedMasterSecret: sessionEms });
      const s = new Session(ctx, data, 'example.test', 443);
      ctx.addSession(s);
      s.free();
      const conn = ctx.createConnection({ host: 'example.test', port: 443 });
      expect(conn.getSession()).toBe(s);
      conn.start();
      conn.takeOutgoing();
      let caught: unknown;
      try {
        conn.receive(serverHello(data.sessionId, helloEms));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(PeerMisbehaved);
      expect((caught as PeerMisbehaved).reason).toBe('MissingExtendedMasterSecret');
      expect(Array.from(conn.takeOutgoing() ?? [])).toEqual([21, 3, 3, 0, 2, 2, AlertDescription.HandshakeFailure]);
      expect(conn.sessionReused()).toBe(false);
      expect(ctx.isCached(s)).toBe(false);
      expect(s.refCount).toBe(1); // the connection's, until it is freed
      conn.free();
      expect(s.refCount).toBe(0);
    });
  }

  it('the same session resumes when the EMS status matches (control)', () => {
    const ctx = new Context({ verifyCertificates: false, maxVersion: 'TLSv1.2' });
    const data = session12('example.test', Date.now(), { extendedMasterSecret: true });
    const conn = ctx.createConnection({ host: 'example.test', port: 443 });
    const s = new Session(ctx, data, 'example.test', 443);
    conn.setSession(s);
    conn.start();
    conn.takeOutgoing();
    // Accepted up to the point where the server's CCS/Finished are due: no error yet.
    conn.receive(serverHello(data.sessionId, true));
    expect(conn.error).toBeUndefined();
  });
});
