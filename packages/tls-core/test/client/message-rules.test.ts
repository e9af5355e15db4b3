/**
 * Record and message rules a hostile server tried to slip past (issue 10, defect 7), each with the
 * error class and the alert the client sends: TLSInnerPlaintext size (RFC 8446 §5.4), one answer to
 * several update_requested KeyUpdates (§4.6.3), a TLS 1.2 ServerHello echoing the TLS 1.3
 * compatibility session ID (Appendix D.4), the leaf's keyUsage with verification off (RFC 5280
 * §4.2.1.3), the TLS 1.2 certificate curve (RFC 8422 §5.1), the TLS 1.3 legacy_version (§4.1.3),
 * and a ServerHelloDone that does not end its record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCertificate, PeerMisbehaved } from '../../src/errors.ts';
import { encodeHandshake } from '../../src/wire/handshake.ts';
import { AlertDescription as A, CipherSuite, ContentType, HandshakeType, KeyUpdateRequest, NamedGroup, SignatureScheme } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const plain = { encrypted: false } as const;
const enc = { encrypted: true } as const;

function connected13(): Server13 {
  const s = new Server13(pki);
  s.handshake();
  return s;
}

describe('TLSInnerPlaintext length (RFC 8446 §5.4: at most 2^14 + 1 octets, padding included)', () => {
  it('2^14 content bytes, the type and one padding byte: record_overflow', () => {
    const s = connected13();
    s.wire.record(ContentType.ApplicationData, new Uint8Array(16384).fill(1), { padding: 1 });
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...enc });
  });

  it('100 content bytes with 16,300 bytes of padding (inner plaintext 16,401 bytes): record_overflow', () => {
    const s = connected13();
    s.wire.record(ContentType.ApplicationData, new Uint8Array(100).fill(1), { padding: 16_300 });
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...enc });
  });

  it('control: 2^14 content bytes and the type (exactly 2^14 + 1) are accepted, as is padding up to the limit', () => {
    const s = connected13();
    s.wire.record(ContentType.ApplicationData, new Uint8Array(16384).fill(1));
    s.wire.record(ContentType.ApplicationData, new Uint8Array(84).fill(2), { padding: 16_300 });
    expect(s.deliver()).toBeUndefined();
    expect(s.readAll().length).toBe(16384 + 84);
  });
});

describe('several update_requested KeyUpdates while the client is silent (RFC 8446 §4.6.3)', () => {
  const clientKeyUpdates = (s: Server13): number => s.clientMessages.filter((m) => m[0] === HandshakeType.KeyUpdate).length;

  it('three in a row are answered with one KeyUpdate; after the client writes, the next one is answered again', () => {
    const s = connected13();
    for (let i = 0; i < 3; i++) s.sendKeyUpdate(KeyUpdateRequest.UpdateRequested);
    s.sendData(Uint8Array.of(1));
    expect(s.deliver()).toBeUndefined();
    expect(clientKeyUpdates(s)).toBe(1);
    expect([...s.readAll()]).toEqual([1]);
    // Still silent: no further answer.
    s.sendKeyUpdate(KeyUpdateRequest.UpdateRequested);
    expect(s.deliver()).toBeUndefined();
    expect(clientKeyUpdates(s)).toBe(1);
    // The client writes (under its updated key, which the server reads), then is asked again.
    s.conn.write(Uint8Array.of(9));
    expect([...s.clientData(s.pump())]).toEqual([9]);
    s.sendKeyUpdate(KeyUpdateRequest.UpdateRequested);
    expect(s.deliver()).toBeUndefined();
    expect(clientKeyUpdates(s)).toBe(2);
    s.conn.write(Uint8Array.of(10));
    expect([...s.clientData(s.pump())]).toEqual([10]);
  });

  it('a server that never reads and keeps asking (with data in between) gets one answer, not one per request', () => {
    const s = connected13();
    for (let i = 0; i < 200; i++) {
      s.sendKeyUpdate(KeyUpdateRequest.UpdateRequested);
      s.sendData(Uint8Array.of(i & 0xff));
    }
    expect(s.deliver()).toBeUndefined();
    expect(clientKeyUpdates(s)).toBe(1);
    expect(s.readAll().length).toBe(200);
  });
});

describe('a TLS 1.2 ServerHello echoing the TLS 1.3 compatibility session ID', () => {
  it('no TLS 1.2 session was offered, so nothing can be resumed: illegal_parameter', () => {
    const s = new Server12(pki);
    expect(s.clientHello.legacySessionId.length).toBe(32);
    s.sendPlain(s.serverHello((m) => ({ ...m, legacySessionIdEcho: s.clientHello.legacySessionId })));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'ServerEchoedCompatibilitySessionId', alert: A.IllegalParameter, ...plain });
  });
});

describe("the leaf's keyUsage governs its key even when chain verification is off (RFC 5280 §4.2.1.3)", () => {
  it('TLS 1.3, verifyCertificates false, keyUsage without digitalSignature: unsupported_certificate', () => {
    const s = new Server13(pki, { identity: pki.noDigitalSignature, client: { verifyCertificates: false } });
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()]);
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'WrongKeyUsage', alert: A.UnsupportedCertificate, ...enc });
  });

  it('TLS 1.2, verifyCertificates false: the same', () => {
    const s = new Server12(pki, { identity: pki.noDigitalSignature, client: { verifyCertificates: false } });
    s.sendPlain(s.serverHello(), s.certificate());
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'WrongKeyUsage', alert: A.UnsupportedCertificate, ...plain });
  });

  it('control: with verification on it is refused by path validation, with the same reason', () => {
    const s = new Server12(pki, { identity: pki.noDigitalSignature });
    s.sendPlain(s.serverHello(), s.certificate());
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'WrongKeyUsage', alert: A.UnsupportedCertificate, ...plain });
  });
});

describe('TLS 1.2: an ECDSA certificate on a curve the client did not offer (RFC 8422 §5.1)', () => {
  const groups = [NamedGroup.x25519, NamedGroup.secp256r1];
  it('a P-384 certificate when supported_groups has no secp384r1: handshake_failure', () => {
    const s = new Server12(pki, { identity: pki.ecdsaP384, client: { groups } });
    s.sendPlain(s.serverHello(), s.certificate());
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'CertificateCurveNotOffered', alert: A.HandshakeFailure, ...plain });
  });

  it('control: with secp384r1 offered the P-384 certificate completes the handshake', () => {
    const s = new Server12(pki, { identity: pki.ecdsaP384, client: { groups: [...groups, NamedGroup.secp384r1] } });
    s.sendPlain(s.serverHello(), s.certificate(), s.serverKeyExchange({ scheme: SignatureScheme.ecdsa_secp384r1_sha384 }), s.serverHelloDone());
    expect(s.deliver()).toBeUndefined();
    s.sendCcsAndFinished();
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
  });

  it('control: TLS 1.3 does not apply the rule (the scheme binds the curve, §4.2.3)', () => {
    const s = new Server13(pki, { identity: pki.ecdsaP384, client: { groups } });
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify({ scheme: SignatureScheme.ecdsa_secp384r1_sha384 }), s.finished()]);
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
  });
});

describe('TLS 1.3 legacy_version (RFC 8446 §4.1.3: "MUST be set to 0x0303")', () => {
  for (const version of [0x0304, 0x0301, 0x0302]) {
    it(`a ServerHello with legacy_version 0x${version.toString(16)}: illegal_parameter`, () => {
      const s = new Server13(pki);
      s.sendPlain(s.serverHello((m) => ({ ...m, legacyVersion: version })));
      s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'BadLegacyVersion', alert: A.IllegalParameter, ...plain });
    });
  }

  it('a HelloRetryRequest with legacy_version 0x0304: illegal_parameter', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ edit: (m) => ({ ...m, legacyVersion: 0x0304 }) }));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'BadLegacyVersion', alert: A.IllegalParameter, ...plain });
  });
});

describe('TLS 1.2: ServerHelloDone must end its record (it ends the flight)', () => {
  it('ServerHelloDone followed by part of another message in the same record: unexpected_message', () => {
    const s = new Server12(pki);
    s.wire.handshake([s.serverHello(), s.certificate(), s.serverKeyExchange(), s.serverHelloDone(), Uint8Array.of(HandshakeType.NewSessionTicket, 0, 0, 10, 1, 2)]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'MessageNotOnRecordBoundary', alert: A.UnexpectedMessage, ...plain });
    expect(s.clientMessages, 'the client did not answer the flight').toEqual([]);
  });

  it('ServerHelloDone followed by a whole HelloRequest in the same record: unexpected_message', () => {
    const s = new Server12(pki);
    s.wire.handshake([s.serverHello(), s.certificate(), s.serverKeyExchange(), s.serverHelloDone(), encodeHandshake({ type: HandshakeType.HelloRequest })]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'MessageNotOnRecordBoundary', alert: A.UnexpectedMessage, ...plain });
  });

  it('control: the same flight with ServerHelloDone last in its record completes', () => {
    const s = new Server12(pki, { suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 });
    s.wire.handshake([s.serverHello(), s.certificate(), s.serverKeyExchange(), s.serverHelloDone()]);
    expect(s.deliver()).toBeUndefined();
    expect(s.clientFinishedOk).toBe(true);
  });
});
