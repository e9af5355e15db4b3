/**
 * signed_certificate_timestamp (RFC 6962 §3.3.1): asked for only with the config option (an
 * empty extension in the ClientHello); the server's SignedCertificateTimestampList is exposed
 * as received in NegotiatedParameters, from the TLS 1.2 ServerHello and from the TLS 1.3 leaf
 * CertificateEntry; an SCT list the client did not ask for is unsupported_extension (RFC 8446
 * §4.2, RFC 5246 §7.4.1.4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientConfig } from '../../src/client/config.ts';
import { PeerMisbehaved } from '../../src/errors.ts';
import { AlertDescription as A, ExtensionType } from '../../src/wire/enums.ts';
import { hasExtension } from '../../src/wire/extensions.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const SCT_LIST = new Uint8Array([0x00, 0x05, 0x00, 0x03, 0x07, 0x08, 0x09]);
const sctExtension = { type: ExtensionType.SignedCertificateTimestamp, data: SCT_LIST };

describe('signed_certificate_timestamp', () => {
  it('is off by default and offered (empty) when asked for', () => {
    expect(createClientConfig({ verifyCertificates: false }).signedCertificateTimestamps).toBe(false);
    const off = new Server13(pki);
    off.pump();
    expect(hasExtension(off.clientHello.extensions, ExtensionType.SignedCertificateTimestamp)).toBe(false);
    const on = new Server13(pki, { client: { signedCertificateTimestamps: true } });
    on.pump();
    const ext = on.clientHello.extensions.find((e) => e.type === ExtensionType.SignedCertificateTimestamp);
    expect(ext !== undefined && 'data' in ext ? [...ext.data] : 'absent').toEqual([]);
  });

  it('TLS 1.3: the list in the leaf CertificateEntry is exposed as received', () => {
    const s = new Server13(pki, { client: { signedCertificateTimestamps: true } });
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate((m) => ({ ...m, entries: m.entries.map((e, i) => (i === 0 ? { ...e, extensions: [sctExtension] } : e)) })), s.certificateVerify(), s.finished()]);
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
    expect([...(s.conn.negotiated?.signedCertificateTimestamps ?? [])]).toEqual([...SCT_LIST]);
  });

  it('TLS 1.3: without a list the field is undefined', () => {
    const s = new Server13(pki, { client: { signedCertificateTimestamps: true } });
    s.handshake();
    expect(s.conn.negotiated?.signedCertificateTimestamps).toBeUndefined();
  });

  it('TLS 1.3: a list the client did not ask for is unsupported_extension', () => {
    const s = new Server13(pki);
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate((m) => ({ ...m, entries: m.entries.map((e, i) => (i === 0 ? { ...e, extensions: [sctExtension] } : e)) }))]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension, encrypted: true });
  });

  it('TLS 1.2: the list in the ServerHello is exposed as received', () => {
    const s = new Server12(pki, { client: { signedCertificateTimestamps: true, maxVersion: 'TLSv1.2' } });
    s.sendPlain(s.serverHello((m) => ({ ...m, extensions: [...m.extensions, sctExtension] })), s.certificate(), s.serverKeyExchange(), s.serverHelloDone());
    expect(s.deliver()).toBeUndefined();
    s.sendCcsAndFinished();
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
    expect([...(s.conn.negotiated?.signedCertificateTimestamps ?? [])]).toEqual([...SCT_LIST]);
  });

  it('TLS 1.2: a list the client did not ask for is unsupported_extension', () => {
    const s = new Server12(pki, { client: { maxVersion: 'TLSv1.2' } });
    s.sendPlain(s.serverHello((m) => ({ ...m, extensions: [...m.extensions, sctExtension] })));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension, encrypted: false });
  });
});
