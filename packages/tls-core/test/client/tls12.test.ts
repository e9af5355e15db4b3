/**
 * The TLS 1.2 client states (client/tls12.ts) against a scripted ECDHE server: the normal path,
 * then one broken message per case with the error class, the alert (RFC 5246 §7.2.2, RFC 5746,
 * RFC 7627, RFC 8422) and the sticky failure.
 */
import { randomBytes } from 'node:crypto';
import { x25519MLKEM768 } from '../../src/pq.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/codec/bytes.ts';
import {
  AlertReceived,
  DecryptError,
  InappropriateMessage,
  InvalidCertificate,
  PeerIncompatible,
  PeerMisbehaved,
  UnexpectedEof,
} from '../../src/errors.ts';
import { encodeHandshake } from '../../src/wire/handshake.ts';
import { extension } from '../../src/wire/extensions.ts';
import { AlertDescription as A, CipherSuite, ContentType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12, type Server12Options } from './helpers/server12.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

/** Server flight 1 (SH, Certificate, SKE, SHD) queued with optional edits; nothing delivered. */
function flight1(s: Server12, parts: Partial<Record<'sh' | 'cert' | 'ske' | 'shd', () => Uint8Array>> = {}): void {
  s.sendPlain(
    (parts.sh ?? (() => s.serverHello()))(),
    (parts.cert ?? (() => s.certificate()))(),
    (parts.ske ?? (() => s.serverKeyExchange()))(),
    (parts.shd ?? (() => s.serverHelloDone()))(),
  );
}

function connected(opts: Server12Options = {}): Server12 {
  const s = new Server12(pki, opts);
  s.handshake();
  return s;
}

const plain = { encrypted: false } as const;
const enc = { encrypted: true } as const;

describe('TLS 1.2 happy path', () => {
  it('completes an ECDHE-ECDSA handshake with EMS and moves data both ways', () => {
    const s = connected();
    expect(s.conn.negotiated?.version).toBe(ProtocolVersion.TLSv1_2);
    expect(s.conn.negotiated?.extendedMasterSecret).toBe(true);
    s.sendData(utf8('hi client'));
    expect(s.deliver()).toBeUndefined();
    expect(fromUtf8(s.readAll())).toBe('hi client');
    s.conn.write(utf8('hi server'));
    expect(fromUtf8(s.clientData(s.pump()))).toBe('hi server');
  });

  it('works without EMS when it is not required, with ECDHE-RSA/PSS, P-256 and ChaCha20', () => {
    const s = connected({ ems: false, identity: pki.rsa, suite: CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, group: NamedGroup.secp256r1 });
    expect(s.conn.negotiated?.extendedMasterSecret).toBe(false);
    s.sendData(utf8('ok'));
    expect(s.deliver()).toBeUndefined();
    expect(fromUtf8(s.readAll())).toBe('ok');
  });

  // RFC 5746 §4.2 / RFC 5246 §7.4.1.1: a client that will not renegotiate answers HelloRequest with a no_renegotiation warning.
  it('HelloRequest is answered with a no_renegotiation warning and the connection continues', () => {
    const s = connected();
    s.wire.handshake([encodeHandshake({ type: HandshakeType.HelloRequest })]);
    s.sendData(utf8('still here'));
    expect(s.deliver()).toBeUndefined();
    const alerts = s.lastRecords.filter((r) => r.type === ContentType.Alert);
    expect(alerts.map((r) => [...r.content])).toEqual([[1, A.NoRenegotiation]]);
    expect(alerts[0]!.encrypted).toBe(true);
    expect(fromUtf8(s.readAll())).toBe('still here');
    s.conn.write(utf8('me too'));
    expect(fromUtf8(s.clientData(s.pump()))).toBe('me too');
    expect(s.conn.error).toBeUndefined();
  });

  it('close_notify then EOF is clean; EOF without it is UnexpectedEof', () => {
    const a = connected();
    a.sendData(utf8('bye'));
    a.wire.record(ContentType.Alert, new Uint8Array([1, 0]));
    expect(a.deliver()).toBeUndefined();
    expect(fromUtf8(a.readAll())).toBe('bye');
    expect(() => a.conn.receiveEof()).not.toThrow();
    const b = connected();
    b.sendData(utf8('cut'));
    expect(b.deliver()).toBeUndefined();
    expect(() => b.conn.receiveEof()).toThrow(UnexpectedEof);
    expect(b.conn.takeOutgoing()).toBeUndefined();
  });
});

describe('TLS 1.2 ServerHello (RFC 5246 §7.4.1.3)', () => {
  // RFC 5746 §3.4: "...MUST then verify that the length of the renegotiated_connection field is zero, and if it is not, MUST abort the handshake (by sending a fatal handshake_failure alert)."
  it('a non-empty renegotiation_info: handshake_failure (RFC 5746 §3.4)', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello((m) => ({
      ...m,
      extensions: m.extensions.map((e) => (e.type === ExtensionType.RenegotiationInfo ? extension(ExtensionType.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(24).fill(1) }) : e)),
    })));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'BadRenegotiationInfo', alert: A.HandshakeFailure, ...plain });
  });

  // RFC 7627 §5.2: a client that requires EMS aborts when the server does not negotiate it.
  it('requireExtendedMasterSecret against a server without EMS: handshake_failure', () => {
    const s = new Server12(pki, { ems: false, client: { requireExtendedMasterSecret: true } });
    s.sendPlain(s.serverHello());
    s.deliverExpectingFatal({ error: PeerIncompatible, reason: 'ExtendedMasterSecretRequired', alert: A.HandshakeFailure, ...plain });
  });

  // RFC 5246 §7.4.1.4: "If a client receives an extension type in ServerHello that it did not request ... unsupported_extension."
  it('an extension the client did not request (status_request): unsupported_extension', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello((m) => ({ ...m, extensions: [...m.extensions, { type: ExtensionType.StatusRequest, data: new Uint8Array(0) }] })));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension, ...plain });
  });

  it('a TLS 1.2 suite the client did not offer: illegal_parameter', () => {
    const s = new Server12(pki, { client: { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256] } });
    s.sendPlain(s.serverHello());
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedCipherSuite', alert: A.IllegalParameter, ...plain });
  });

  it('a TLS 1.3 suite with a TLS 1.2 ServerHello: illegal_parameter', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello((m) => ({ ...m, cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256 })));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedCipherSuite', alert: A.IllegalParameter, ...plain });
  });

  it('TLS 1.1 (legacy_version 0x0302): protocol_version', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello((m) => ({ ...m, legacyVersion: 0x0302 })));
    s.deliverExpectingFatal({ error: PeerIncompatible, reason: 'NoCommonVersion', alert: A.ProtocolVersion, ...plain });
  });

  it('a non-zero compression method: illegal_parameter', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello((m) => ({ ...m, legacyCompressionMethod: 1 })));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'NonZeroCompression', alert: A.IllegalParameter, ...plain });
  });
});

describe('TLS 1.2 Certificate and ServerKeyExchange', () => {
  it('an untrusted chain: unknown_ca', () => {
    const s = new Server12(pki, { identity: pki.untrusted });
    flight1(s);
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'UnknownIssuer', alert: A.UnknownCa, ...plain });
  });

  // RFC 5246 §7.2.2 decrypt_error: "unable to correctly verify a signature".
  it('a ServerKeyExchange signature that does not verify: decrypt_error', () => {
    const s = new Server12(pki);
    flight1(s, { ske: () => s.serverKeyExchange({ edit: (m) => ({ ...m, publicPoint: m.publicPoint.map((b, i) => (i === 0 ? b ^ 1 : b)) }) }) });
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'BadServerKeyExchangeSignature', alert: A.DecryptError, ...plain });
  });

  it('a ServerKeyExchange signed over other randoms (replayed from another connection): decrypt_error', () => {
    const s = new Server12(pki);
    const other = new Server12(pki);
    s.sendPlain(s.serverHello(), s.certificate());
    other.serverRandom = s.serverRandom;
    other.serverHello();
    const replayed = other.serverKeyExchange();
    s.sendPlain(replayed, s.serverHelloDone());
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'BadServerKeyExchangeSignature', alert: A.DecryptError, ...plain });
  });

  // RFC 8422 §5.4: the curve must be one the client offered in supported_groups.
  for (const group of [NamedGroup.x448, NamedGroup.secp521r1]) {
    it(`a ServerKeyExchange with a group the client did not offer (0x${group.toString(16)}): illegal_parameter`, () => {
      const s = new Server12(pki, { client: { groups: [NamedGroup.x25519, NamedGroup.secp256r1] } });
      flight1(s, { ske: () => s.serverKeyExchange({ group }) });
      s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedGroup', alert: A.IllegalParameter, ...plain });
    });
  }

  // draft-ietf-tls-ecdhe-mlkem §3: X25519MLKEM768 is TLS 1.3 only, even when it was offered in supported_groups.
  it('a ServerKeyExchange selecting X25519MLKEM768 (offered, TLS 1.3 only): illegal_parameter', () => {
    const s = new Server12(pki, { client: { groups: [NamedGroup.x25519, NamedGroup.secp256r1, x25519MLKEM768] } });
    flight1(s, { ske: () => s.serverKeyExchange({ group: NamedGroup.X25519MLKEM768, publicPoint: new Uint8Array(32).fill(9) }) });
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedGroup', alert: A.IllegalParameter, ...plain });
  });

  it('a ServerKeyExchange with secp384r1 when the client offered only x25519 and P-256: illegal_parameter', () => {
    const s = new Server12(pki, { client: { groups: [NamedGroup.x25519, NamedGroup.secp256r1] } });
    flight1(s, { ske: () => s.serverKeyExchange({ group: NamedGroup.secp384r1 }) });
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedGroup', alert: A.IllegalParameter, ...plain });
  });

  it('a ServerKeyExchange signed with a scheme the client did not offer: illegal_parameter', () => {
    const s = new Server12(pki, { client: { signatureSchemes: [SignatureScheme.ecdsa_secp384r1_sha384, SignatureScheme.rsa_pss_rsae_sha256] } });
    flight1(s);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: A.IllegalParameter, ...plain });
  });

  for (const [name, group, point] of [
    ['an all-zero X25519 point', NamedGroup.x25519, new Uint8Array(32)],
    ['a P-256 point off the curve', NamedGroup.secp256r1, Uint8Array.from([4, ...new Uint8Array(64).fill(3)])],
  ] as const) {
    it(`a validly signed ServerKeyExchange with ${name}: illegal_parameter`, () => {
      const s = new Server12(pki);
      flight1(s, { ske: () => s.serverKeyExchange({ group, publicPoint: point }) });
      s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'InvalidKeyShare', alert: A.IllegalParameter, ...plain });
    });
  }

  it('an ECDHE_ECDSA suite with an RSA certificate: unsupported_certificate', () => {
    const s = new Server12(pki, { identity: pki.rsa });
    flight1(s);
    s.deliverExpectingFatal({ error: PeerIncompatible, reason: 'UnsupportedCertificateKey', alert: A.UnsupportedCertificate, ...plain });
  });

  it('ServerHelloDone without ServerKeyExchange: unexpected_message', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello(), s.certificate(), s.serverHelloDone());
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, ...plain });
  });

  it('a TLS 1.3 EncryptedExtensions in TLS 1.2: unexpected_message', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello(), encodeHandshake({ type: HandshakeType.EncryptedExtensions, extensions: [] }));
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, ...plain });
  });
});

describe('TLS 1.2 ChangeCipherSpec and Finished (RFC 5246 §7.1, §7.4.9)', () => {
  it('a wrong server Finished: decrypt_error, sent encrypted', () => {
    const s = new Server12(pki);
    flight1(s);
    expect(s.deliver()).toBeUndefined();
    s.sendCcsAndFinished((m) => ({ ...m, verifyData: m.verifyData.map((b, i) => (i === 0 ? b ^ 0x80 : b)) }));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IncorrectFinished', alert: A.DecryptError, ...enc });
  });

  it('an early ChangeCipherSpec (before ServerHelloDone, CVE-2014-0224): unexpected_message', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello(), s.certificate());
    s.wire.ccs();
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, ...plain });
  });

  it('a plaintext Finished without ChangeCipherSpec: unexpected_message', () => {
    const s = new Server12(pki);
    flight1(s);
    expect(s.deliver()).toBeUndefined();
    s.wire.handshake([encodeHandshake({ type: HandshakeType.Finished, verifyData: new Uint8Array(12) })]);
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, ...enc });
  });

  it('application data before the server Finished: unexpected_message', () => {
    const s = new Server12(pki);
    flight1(s);
    expect(s.deliver()).toBeUndefined();
    s.sendData(utf8('too early'));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'ApplicationDataBeforeHandshakeDone', alert: A.UnexpectedMessage, ...enc });
  });

  it('a bad record MAC after the handshake: bad_record_mac', () => {
    const s = connected();
    s.sendData(utf8('tampered'));
    s.wire.editQueued((q) => q.map((r) => r.map((b, i) => (i === r.length - 1 ? b ^ 1 : b))));
    s.deliverExpectingFatal({ error: DecryptError, alert: A.BadRecordMac, ...enc });
  });

  it('a second (protected) ChangeCipherSpec after the handshake: unexpected_message', () => {
    const s = connected();
    s.wire.record(ContentType.ChangeCipherSpec, new Uint8Array([1]));
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, ...enc });
  });

  it('an unprotected ChangeCipherSpec after the handshake does not authenticate: bad_record_mac', () => {
    const s = connected();
    s.wire.ccs();
    s.deliverExpectingFatal({ error: DecryptError, alert: A.BadRecordMac, ...enc });
  });

  it('a fatal alert from the server: AlertReceived, no alert back', () => {
    const s = new Server12(pki);
    s.wire.record(ContentType.Alert, new Uint8Array([2, A.HandshakeFailure]));
    const err = s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
    expect((err as AlertReceived).alert).toBe(A.HandshakeFailure);
  });

  it('a flood of warning alerts ends the connection: unexpected_message', () => {
    const s = connected();
    for (let i = 0; i < 20; i++) s.wire.record(ContentType.Alert, new Uint8Array([1, A.NoRenegotiation]));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'TooManyWarningAlerts', alert: A.UnexpectedMessage, ...enc });
  });

  it('a server session ID that is random bytes is accepted (no resumption offered)', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello((m) => ({ ...m, legacySessionIdEcho: new Uint8Array(randomBytes(32)) })), s.certificate(), s.serverKeyExchange(), s.serverHelloDone());
    expect(s.deliver()).toBeUndefined();
    s.sendCcsAndFinished();
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.negotiated?.sessionReused).toBe(false);
  });
});
