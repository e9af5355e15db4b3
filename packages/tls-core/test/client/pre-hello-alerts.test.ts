/**
 * Interop cases of issue 10, defect 8.
 * - RFC 6066 §3: a TLS 1.2 server that does not recognise our SNI "MAY" answer with a *warning*
 *   unrecognized_name before its ServerHello; old servers do. The version is not known yet, so
 *   RFC 8446 §6's "every alert is fatal" cannot apply: the warning is tolerated (and counted).
 * - A ServerHello sharing a record with a HelloRetryRequest was sent before the server saw our
 *   second ClientHello. The client used to answer the HRR, then take the ServerHello, derive
 *   handshake keys from it (with the key share of a ClientHello the server never read) and
 *   encrypt its next alert under those client handshake-traffic keys, which the server cannot
 *   have: it reported bad_record_mac. Now the HRR must end its record; otherwise the client
 *   refuses before answering or deriving keys, with a plaintext unexpected_message the server reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertReceived, PeerMisbehaved } from '../../src/errors.ts';
import { AlertDescription as A, ContentType, NamedGroup, ProtocolVersion } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const warningUnrecognizedName = Uint8Array.of(1, A.UnrecognizedName);

describe('a warning unrecognized_name before the ServerHello (RFC 6066 §3)', () => {
  it('TLS 1.2 server: tolerated, and the handshake completes', () => {
    const s = new Server12(pki);
    s.wire.record(ContentType.Alert, warningUnrecognizedName);
    s.sendPlain(s.serverHello(), s.certificate(), s.serverKeyExchange(), s.serverHelloDone());
    expect(s.deliver()).toBeUndefined();
    s.sendCcsAndFinished();
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.negotiated?.version).toBe(ProtocolVersion.TLSv1_2);
    expect(s.conn.takeEvents().filter((e) => e.type === 'alert')).toEqual([{ type: 'alert', level: 'warning', description: A.UnrecognizedName, sent: false }]);
  });

  it('a TLS 1.3 server after it: tolerated too (the version was unknown when it came)', () => {
    const s = new Server13(pki);
    s.wire.record(ContentType.Alert, warningUnrecognizedName);
    expect(s.deliver()).toBeUndefined();
    s.handshake();
    expect(s.conn.negotiated?.version).toBe(ProtocolVersion.TLSv1_3);
  });

  it('a fatal unrecognized_name before the ServerHello is still the end: AlertReceived, no alert back', () => {
    const s = new Server12(pki);
    s.wire.record(ContentType.Alert, Uint8Array.of(2, A.UnrecognizedName));
    const err = s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
    expect((err as AlertReceived).alert).toBe(A.UnrecognizedName);
  });

  it('another warning alert before the ServerHello (bad_certificate) is still fatal', () => {
    const s = new Server12(pki);
    s.wire.record(ContentType.Alert, Uint8Array.of(1, A.BadCertificate));
    s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
  });

  it('a warning unrecognized_name once TLS 1.3 is negotiated is an error (RFC 8446 §6)', () => {
    const s = new Server13(pki);
    s.handshake();
    s.wire.record(ContentType.Alert, warningUnrecognizedName);
    const err = s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
    expect((err as AlertReceived).alert).toBe(A.UnrecognizedName);
  });

  it('a flood of them is capped like other warnings: unexpected_message', () => {
    const s = new Server12(pki);
    for (let i = 0; i < 20; i++) s.wire.record(ContentType.Alert, warningUnrecognizedName);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'TooManyWarningAlerts', alert: A.UnexpectedMessage, encrypted: false });
  });
});

describe('a ServerHello in the same record as a HelloRetryRequest', () => {
  it('is refused before the client answers or derives keys; the unexpected_message alert is plaintext, readable by the server', () => {
    const s = new Server13(pki);
    const hrr = s.helloRetryRequest({ group: NamedGroup.secp256r1 });
    const sh = s.serverHello();
    s.sendPlain(hrr, sh); // one record
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'MessageNotOnRecordBoundary', alert: A.UnexpectedMessage, encrypted: false });
    expect(s.clientHellos.length, 'no second ClientHello was sent').toBe(1);
    expect(s.lastRecords.map((r) => r.type)).toEqual([ContentType.Alert]);
  });

  it('control: the same HelloRetryRequest in its own record is answered, and the ServerHello after it completes the handshake', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1 }));
    expect(s.deliver()).toBeUndefined();
    expect(s.clientHellos.length).toBe(2);
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()]);
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.negotiated?.helloRetryRequest).toBe(true);
  });
});
