/**
 * The scripted TLS 1.3 server against ClientConnection on the normal path (RFC 8446 §2 1-RTT
 * handshake, §5 records, §4.6.3 KeyUpdate, §6.1 closure): proves the harness before the
 * negative tests rely on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentType, HandshakeType, KeyUpdateRequest, NamedGroup, ProtocolVersion } from '../../src/wire/enums.ts';
import { UnexpectedEof } from '../../src/errors.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('TLS 1.3 happy path against the scripted server', () => {
  it('completes a 1-RTT handshake and moves data both ways', () => {
    const s = new Server13(pki);
    expect(s.clientHello.cipherSuites).toContain(s.suite.id);
    s.handshake();
    // The client's second flight: exactly one Finished, protected with the client handshake key.
    expect(s.clientMessages.map((m) => m[0])).toEqual([HandshakeType.Finished]);
    expect(s.conn.negotiated?.version).toBe(ProtocolVersion.TLSv1_3);
    expect(s.conn.negotiated?.suite).toBe(s.suite.id);
    s.sendData(text('hello client'));
    expect(s.deliver()).toBeUndefined();
    expect(new TextDecoder().decode(s.readAll())).toBe('hello client');
    s.conn.write(text('hello server'));
    s.pump();
    expect(new TextDecoder().decode(s.clientData(s.fromClient))).toBe('hello server');
  });

  it('works with RSA-PSS, AES-256-GCM-SHA384, ChaCha20 and P-256', () => {
    for (const [opts, id] of [
      [{ identity: pki.rsa, suite: 0x1302 }, 'rsa/aes256'],
      [{ suite: 0x1303, group: NamedGroup.secp256r1, client: { keyShareGroups: [NamedGroup.secp256r1] } }, 'chacha/p256'],
    ] as const) {
      const s = new Server13(pki, opts);
      s.handshake();
      s.sendData(text(id));
      expect(s.deliver()).toBeUndefined();
      expect(new TextDecoder().decode(s.readAll())).toBe(id);
    }
  });

  it('accepts the server flight split into 1-byte, 7-byte and 2^14-byte records and with padding', () => {
    for (const fragment of [1, 7, 100, 16384]) {
      const s = new Server13(pki);
      s.sendPlain(s.serverHello());
      s.useHandshakeKeys();
      s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()], fragment);
      expect(s.deliver()).toBeUndefined();
      expect(s.conn.isHandshaking).toBe(false);
    }
    const s = new Server13(pki);
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    const flight = [s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()];
    for (const m of flight) s.wire.record(ContentType.Handshake, m, { padding: 300 });
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
  });

  it('accepts a HelloRetryRequest for another group and completes on it', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1, cookie: new Uint8Array([9, 9, 9]) }));
    expect(s.deliver()).toBeUndefined();
    expect(s.clientHellos.length).toBe(2);
    expect(s.clientKeyShares().map((k) => k.group)).toEqual([NamedGroup.secp256r1]);
    s.handshake();
    expect(s.conn.negotiated?.helloRetryRequest).toBe(true);
    expect(s.conn.negotiated?.group).toBe(NamedGroup.secp256r1);
  });

  it('KeyUpdate(update_requested): the client answers with its own KeyUpdate and both directions use new keys', () => {
    const s = new Server13(pki);
    s.handshake();
    s.sendKeyUpdate(KeyUpdateRequest.UpdateRequested);
    s.sendData(text('after server update'));
    expect(s.deliver()).toBeUndefined();
    expect(new TextDecoder().decode(s.readAll())).toBe('after server update');
    // The client's answer: KeyUpdate(update_not_requested), under its old key (the reader switched after it).
    const ku = s.clientMessages.filter((m) => m[0] === HandshakeType.KeyUpdate);
    expect(ku.map((m) => [...m])).toEqual([[HandshakeType.KeyUpdate, 0, 0, 1, KeyUpdateRequest.UpdateNotRequested]]);
    // Data the client writes now opens only with its *next* application key (the reader moved on at its KeyUpdate).
    s.conn.write(text('client after update'));
    expect(new TextDecoder().decode(s.clientData(s.pump()))).toBe('client after update');
    const events = s.conn.takeEvents().filter((e) => e.type === 'keyUpdate');
    expect(events).toEqual([
      { type: 'keyUpdate', direction: 'received', updateRequested: true },
      { type: 'keyUpdate', direction: 'sent', updateRequested: false },
    ]);
  });

  it('close_notify then EOF is a clean end; data before it is delivered, data after it ignored', () => {
    const s = new Server13(pki);
    s.handshake();
    s.sendData(text('last words'));
    s.wire.record(ContentType.Alert, new Uint8Array([1, 0]));
    s.sendData(text('ignored'));
    expect(s.deliver()).toBeUndefined();
    expect(new TextDecoder().decode(s.readAll())).toBe('last words');
    expect(s.conn.isClosed).toBe(true);
    expect(() => s.conn.receiveEof()).not.toThrow();
    expect(s.conn.error).toBeUndefined();
  });

  it('EOF without close_notify is UnexpectedEof, never a clean end, and sends no alert', () => {
    const s = new Server13(pki);
    s.handshake();
    s.sendData(text('truncated?'));
    expect(s.deliver()).toBeUndefined();
    expect(() => s.conn.receiveEof()).toThrow(UnexpectedEof);
    expect(s.conn.error).toBeInstanceOf(UnexpectedEof);
    expect(s.conn.takeOutgoing()).toBeUndefined();
    expect(() => s.conn.write(text('x'))).toThrow(UnexpectedEof);
    expect(() => s.conn.receive(new Uint8Array([23, 3, 3, 0, 0]))).toThrow(UnexpectedEof);
  });
});
