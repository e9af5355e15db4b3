/**
 * `traceMessages` (the `message` events behind `s_client -msg`) and `sessionTickets: false`
 * (`-no_ticket`, RFC 5077 §3.1: no session_ticket extension) against the scripted TLS 1.2 and
 * TLS 1.3 servers: the traced bytes are the bytes the server decoded and sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientEvent, MessageEvent } from '../../src/client/events.ts';
import { AlertDescription as A, ContentType, ExtensionType, HandshakeType } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';
import { InvalidCertificate } from '../../src/errors.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const messages = (events: ClientEvent[]): MessageEvent[] => events.filter((e): e is MessageEvent => e.type === 'message');
const summary = (m: MessageEvent): string => `${m.direction} ${m.contentType}${m.contentType === ContentType.Handshake ? `/${m.body[0]}` : ''}`;

describe('traceMessages', () => {
  it('TLS 1.2: every handshake message and CCS in order, with the bytes the server decoded', () => {
    const s = new Server12(pki, { client: { traceMessages: true } });
    s.handshake();
    const traced = messages(s.conn.takeEvents());
    const H = HandshakeType;
    expect(traced.map(summary)).toEqual([
      `sent 22/${H.ClientHello}`,
      `received 22/${H.ServerHello}`,
      `received 22/${H.Certificate}`,
      `received 22/${H.ServerKeyExchange}`,
      `received 22/${H.ServerHelloDone}`,
      `sent 22/${H.ClientKeyExchange}`,
      'sent 20',
      `sent 22/${H.Finished}`,
      'received 20',
      `received 22/${H.Finished}`,
    ]);
    expect([...traced[0]!.body]).toEqual([...s.clientHello.raw]);
    expect([...traced[5]!.body]).toEqual([...s.clientMessages[0]!]);
    expect(traced[0]!.version).toBeUndefined();
    expect(traced[2]!.version).toBe('TLSv1.2');
  });

  it('TLS 1.3: the encrypted flight is traced in plaintext', () => {
    const s = new Server13(pki, { client: { traceMessages: true } });
    s.handshake();
    const traced = messages(s.conn.takeEvents());
    const received = traced.filter((m) => m.direction === 'received' && m.contentType === ContentType.Handshake).map((m) => m.body[0]);
    expect(received).toEqual([HandshakeType.ServerHello, HandshakeType.EncryptedExtensions, HandshakeType.Certificate, HandshakeType.CertificateVerify, HandshakeType.Finished]);
    const sentFinished = traced.find((m) => m.direction === 'sent' && m.body[0] === HandshakeType.Finished);
    expect([...sentFinished!.body]).toEqual([...s.clientMessages.at(-1)!]);
  });

  it('a refused handshake traces the fatal alert it sent', () => {
    const s = new Server12(pki, { client: { traceMessages: true }, identity: pki.untrusted });
    s.sendPlain(s.serverHello(), s.certificate(), s.serverKeyExchange(), s.serverHelloDone());
    expect(s.deliver()).toBeInstanceOf(InvalidCertificate);
    const last = messages(s.conn.takeEvents()).at(-1)!;
    expect(last.direction).toBe('sent');
    expect(last.contentType).toBe(ContentType.Alert);
    expect([...last.body]).toEqual([2, A.UnknownCa]);
  });

  it('is off by default: no message events', () => {
    const s = new Server12(pki);
    s.handshake();
    expect(messages(s.conn.takeEvents())).toEqual([]);
  });
});

describe('sessionTickets', () => {
  it('default: the TLS 1.2 ClientHello carries an empty session_ticket extension', () => {
    const s = new Server12(pki);
    expect(s.clientHello.extensions.some((e) => e.type === ExtensionType.SessionTicket)).toBe(true);
  });

  it('false: no session_ticket extension (OpenSSL -no_ticket)', () => {
    const s = new Server12(pki, { client: { sessionTickets: false } });
    expect(s.clientHello.extensions.some((e) => e.type === ExtensionType.SessionTicket)).toBe(false);
    s.handshake();
  });
});
