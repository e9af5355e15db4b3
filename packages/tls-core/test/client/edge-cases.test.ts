/**
 * Edge cases of the client engine found while writing the scripted-server tests: premature empty
 * application data, close_notify before the handshake completes, oversize handshake lengths,
 * CertificateRequest handling (RFC 8446 §4.3.2), empty-record floods, and the TLS 1.2
 * CertificateStatus rules (RFC 6066 §8).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertReceived, InappropriateMessage, InvalidCertificate, InvalidMessage, PeerMisbehaved } from '../../src/errors.ts';
import { extension } from '../../src/wire/extensions.ts';
import { encodeHandshake } from '../../src/wire/handshake.ts';
import { AlertDescription as A, ContentType, ExtensionType, HandshakeType, SignatureScheme } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';
import { ocspStapleChecker } from '../../src/ocsp.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

function afterServerHello(): Server13 {
  const s = new Server13(pki);
  s.sendPlain(s.serverHello());
  s.useHandshakeKeys();
  return s;
}

describe('premature or useless records', () => {
  // §6.2 unexpected_message: "premature Application Data". Zero length does not make it less premature.
  it('an empty application_data record during the TLS 1.3 handshake: unexpected_message', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions()]);
    s.sendData(new Uint8Array(0));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'ApplicationDataBeforeHandshakeDone', alert: A.UnexpectedMessage, encrypted: true });
  });

  it('an empty plaintext application_data record before the ServerHello: unexpected_message', () => {
    const s = new Server13(pki);
    s.wire.record(ContentType.ApplicationData, new Uint8Array(0));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'ApplicationDataBeforeHandshakeDone', alert: A.UnexpectedMessage, encrypted: false });
  });

  it('control: empty application_data records after the handshake are tolerated (§5.1), a flood is not', () => {
    const s = new Server13(pki);
    s.handshake();
    for (let i = 0; i < 5; i++) s.sendData(new Uint8Array(0));
    s.sendData(new Uint8Array([1]));
    expect(s.deliver()).toBeUndefined();
    expect([...s.readAll()]).toEqual([1]);
    for (let i = 0; i < 200; i++) s.sendData(new Uint8Array(0));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'TooManyEmptyRecords', alert: A.UnexpectedMessage, encrypted: true });
  });

  it('a handshake length of 2^24 - 1 is refused at once, not buffered: decode_error', () => {
    const s = afterServerHello();
    s.wire.record(ContentType.Handshake, new Uint8Array([HandshakeType.Certificate, 0xff, 0xff, 0xff, 0]));
    s.deliverExpectingFatal({ error: InvalidMessage, reason: 'TooLong', alert: A.DecodeError, encrypted: true });
  });
});

describe('close_notify before the handshake completes', () => {
  // A handshake that can never finish must fail, not wait: data after close_notify is ignored (§6.1),
  // so without an error a driver would wait for a handshake that cannot come.
  it('TLS 1.3: close_notify in the middle of the handshake ends it with an error, not a clean close', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions()]);
    s.wire.record(ContentType.Alert, new Uint8Array([1, A.CloseNotify]));
    const err = s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
    expect((err as AlertReceived).alert).toBe(A.CloseNotify);
  });

  it('TLS 1.2: close_notify before the server Finished ends the handshake with an error', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello(), s.certificate(), s.serverKeyExchange(), s.serverHelloDone());
    expect(s.deliver()).toBeUndefined();
    s.wire.record(ContentType.Alert, new Uint8Array([1, A.CloseNotify]));
    s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
  });
});

describe('CertificateRequest (RFC 8446 §4.3.2)', () => {
  it('control: the client answers a CertificateRequest with an empty Certificate and completes', () => {
    const s = afterServerHello();
    const cr = encodeHandshake({
      type: HandshakeType.CertificateRequest,
      version: 'tls13',
      context: new Uint8Array(0),
      extensions: [extension(ExtensionType.SignatureAlgorithms, { schemes: [SignatureScheme.ecdsa_secp256r1_sha256] })],
    });
    s.sendEncrypted([s.encryptedExtensions(), s.message(cr), s.certificate(), s.certificateVerify(), s.finished()]);
    expect(s.deliver()).toBeUndefined();
    expect(s.clientMessages.map((m) => m[0])).toEqual([HandshakeType.Certificate, HandshakeType.Finished]);
    // An empty certificate_request_context and an empty certificate_list.
    expect([...s.clientMessages[0]!]).toEqual([HandshakeType.Certificate, 0, 0, 4, 0, 0, 0, 0]);
  });

  // §4.3.2: "The "signature_algorithms" extension MUST be specified"; missing_extension (§6.2).
  it('a CertificateRequest without signature_algorithms: missing_extension', () => {
    const s = afterServerHello();
    const cr = encodeHandshake({ type: HandshakeType.CertificateRequest, version: 'tls13', context: new Uint8Array(0), extensions: [] });
    s.sendEncrypted([s.encryptedExtensions(), cr]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, alert: A.MissingExtension, encrypted: true });
  });

  it('a CertificateRequest with a non-empty context in the handshake: illegal_parameter', () => {
    const s = afterServerHello();
    const cr = encodeHandshake({
      type: HandshakeType.CertificateRequest,
      version: 'tls13',
      context: new Uint8Array([1]),
      extensions: [extension(ExtensionType.SignatureAlgorithms, { schemes: [SignatureScheme.ecdsa_secp256r1_sha256] })],
    });
    s.sendEncrypted([s.encryptedExtensions(), cr]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalCertificateRequestContext', alert: A.IllegalParameter, encrypted: true });
  });

  it('a post-handshake CertificateRequest (post_handshake_auth not offered): unexpected_message (§4.6.2)', () => {
    const s = new Server13(pki);
    s.handshake();
    const cr = encodeHandshake({
      type: HandshakeType.CertificateRequest,
      version: 'tls13',
      context: new Uint8Array([7]),
      extensions: [extension(ExtensionType.SignatureAlgorithms, { schemes: [SignatureScheme.ecdsa_secp256r1_sha256] })],
    });
    s.sendEncrypted([cr]);
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, encrypted: true });
  });
});

describe('TLS 1.2 CertificateStatus (RFC 6066 §8)', () => {
  const status = (): Uint8Array => encodeHandshake({ type: HandshakeType.CertificateStatus, statusType: 1, response: new Uint8Array([0x30, 3, 1, 2, 3]) });
  const ackedHello = (s: Server12): Uint8Array =>
    s.serverHello((m) => ({ ...m, extensions: [...m.extensions, { type: ExtensionType.StatusRequest, data: new Uint8Array(0) }] }));

  // These rows are about message order; the staple is a placeholder, so its content is not checked
  // (ocspPolicy 'ignore'; checking is test/x509/ocsp.test.ts and the conformance OCSP rows).
  it('control: one stapled response after an acknowledged status_request is accepted and surfaced', () => {
    const s = new Server12(pki, { client: { statusRequest: true, ocspPolicy: 'ignore' } });
    s.sendPlain(ackedHello(s), s.certificate(), s.message(status()), s.serverKeyExchange(), s.serverHelloDone());
    expect(s.deliver()).toBeUndefined();
    s.sendCcsAndFinished();
    expect(s.deliver()).toBeUndefined();
    expect([...(s.conn.negotiated?.ocspResponse ?? [])]).toEqual([0x30, 3, 1, 2, 3]);
    expect(s.conn.negotiated?.ocspStatus).toBe('unchecked');
  });

  it('a second CertificateStatus: unexpected_message', () => {
    const s = new Server12(pki, { client: { statusRequest: true, ocspPolicy: 'ignore' } });
    s.sendPlain(ackedHello(s), s.certificate(), status(), status());
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, encrypted: false });
  });

  // "If a server returns a CertificateStatus message, then the server MUST have included an extension of type
  // status_request with empty extension_data in the extended server hello."
  it('a CertificateStatus although the ServerHello did not acknowledge status_request: refused', () => {
    const s = new Server12(pki, { client: { statusRequest: true, ocspStapleChecker } });
    s.sendPlain(s.serverHello(), s.certificate(), status());
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension, encrypted: false });
  });
});

describe('OCSP policy on a TLS 1.2 staple (RFC 6066 §8)', () => {
  it("with the default 'check', a staple that is not a valid OCSP response is bad_certificate_status_response", () => {
    const s = new Server12(pki, { client: { statusRequest: true, ocspStapleChecker } });
    s.sendPlain(
      s.serverHello((m) => ({ ...m, extensions: [...m.extensions, { type: ExtensionType.StatusRequest, data: new Uint8Array(0) }] })),
      s.certificate(),
      s.message(encodeHandshake({ type: HandshakeType.CertificateStatus, statusType: 1, response: new Uint8Array([0x30, 3, 1, 2, 3]) })),
    );
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'BadOcspResponse', alert: A.BadCertificateStatusResponse, encrypted: false });
  });
});
