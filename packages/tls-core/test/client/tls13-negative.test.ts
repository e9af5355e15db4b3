/**
 * The TLS 1.3 client engine against a misbehaving scripted server: every case asserts the typed
 * error, the fatal alert the client queued (decrypted with the key the client used, RFC 8446 §6),
 * and that the connection is sticky-failed. Expected alerts come from the RFC 8446 sentences cited
 * on each case; where the RFC names none, the comment says so and the alert is the one that
 * test/errors/alert-mapping.test.ts accepts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/codec/bytes.ts';
import {
  AlertReceived,
  DecryptError,
  InappropriateMessage,
  InvalidCertificate,
  InvalidMessage,
  PeerMisbehaved,
  UnexpectedEof,
} from '../../src/errors.ts';
import { encodeHandshake } from '../../src/wire/handshake.ts';
import { extension } from '../../src/wire/extensions.ts';
import {
  AlertDescription as A,
  CipherSuite,
  ContentType,
  ExtensionType,
  HandshakeType,
  KeyUpdateRequest,
  NamedGroup,
  SignatureScheme,
} from '../../src/wire/enums.ts';
import { DOWNGRADE_SENTINEL_TLS11, DOWNGRADE_SENTINEL_TLS12 } from '../../src/wire/server-hello.ts';
import { expectFatal, feed } from './helpers/harness.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server13, type Server13Options } from './helpers/server13.ts';
import { serverCertificateVerifyContent, signWithScheme } from './helpers/sign.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

/** ServerHello sent (plaintext, plus the middlebox CCS) and handshake keys in place; nothing delivered yet. */
function afterServerHello(opts: Server13Options = {}): Server13 {
  const s = new Server13(pki, opts);
  s.sendPlain(s.serverHello());
  s.wire.ccs();
  s.useHandshakeKeys();
  return s;
}

/** A connected client. */
function connected(opts: Server13Options = {}): Server13 {
  const s = new Server13(pki, opts);
  s.handshake();
  return s;
}

const plainAlert = { encrypted: false } as const;
const encryptedAlert = { encrypted: true } as const;

describe('HelloRetryRequest (RFC 8446 §4.1.4)', () => {
  it('a second HelloRetryRequest: unexpected_message', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1 }));
    expect(s.deliver()).toBeUndefined();
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp384r1 }));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SecondHelloRetryRequest', alert: A.UnexpectedMessage, ...plainAlert });
  });

  it('selecting a group the client already sent a key share for: illegal_parameter (§4.2.8)', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.x25519 }));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalHelloRetryRequestWithOfferedGroup', alert: A.IllegalParameter, ...plainAlert });
  });

  it('selecting a group not in supported_groups: illegal_parameter (§4.2.8)', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.x448 }));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedGroup', alert: A.IllegalParameter, ...plainAlert });
  });

  it('an HRR that would not change the ClientHello: illegal_parameter', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: undefined }));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalHelloRetryRequestWithNoChanges', alert: A.IllegalParameter, ...plainAlert });
  });

  it('an HRR selecting a suite that was not offered: illegal_parameter', () => {
    const s = new Server13(pki, { client: { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] } });
    s.sendPlain(s.helloRetryRequest({ edit: (m) => ({ ...m, cipherSuite: CipherSuite.TLS_AES_256_GCM_SHA384 }) }));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedCipherSuite', alert: A.IllegalParameter, ...plainAlert });
  });

  it('a ServerHello whose suite differs from the HRR: illegal_parameter', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1 }));
    expect(s.deliver()).toBeUndefined();
    s.sendPlain(s.serverHello((m) => ({ ...m, cipherSuite: CipherSuite.TLS_AES_256_GCM_SHA384 })));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'HelloRetryRequestChangedSuite', alert: A.IllegalParameter, ...plainAlert });
  });

  it('a ServerHello whose key share is not the group the HRR selected: illegal_parameter (§4.2.8)', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1 }));
    expect(s.deliver()).toBeUndefined();
    s.group = NamedGroup.x25519; // offered in ClientHello1 only
    s.sendPlain(s.serverHello());
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'WrongGroupForKeyShare', alert: A.IllegalParameter, ...plainAlert });
  });

  it('a TLS 1.2 ServerHello after an HRR: illegal_parameter', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1 }));
    expect(s.deliver()).toBeUndefined();
    s.sendPlain(s.serverHello((m) => ({ ...m, cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, extensions: [] })));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedVersion', alert: A.IllegalParameter, ...plainAlert });
  });
});

describe('ServerHello (RFC 8446 §4.1.3)', () => {
  const shCase = (name: string, opts: Server13Options, edit: Parameters<Server13['serverHello']>[0], x: Parameters<typeof expectFatal>[3]): void => {
    it(name, () => {
      const s = new Server13(pki, opts);
      s.sendPlain(s.serverHello(edit));
      s.deliverExpectingFatal({ ...x, ...plainAlert });
    });
  };

  // "A client which receives a cipher suite that was not offered MUST abort the handshake with an illegal_parameter alert."
  shCase('a suite the client did not offer: illegal_parameter', { client: { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] } },
    (m) => ({ ...m, cipherSuite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256 }), { error: PeerMisbehaved, reason: 'SelectedUnofferedCipherSuite', alert: A.IllegalParameter });
  shCase('a suite unknown to the client (TLS_AES_128_CCM_SHA256): illegal_parameter', {}, (m) => ({ ...m, cipherSuite: 0x1304 }),
    { error: PeerMisbehaved, reason: 'SelectedUnofferedCipherSuite', alert: A.IllegalParameter });
  // §4.2.1: "a version not offered by the client or ... prior to TLS 1.3": illegal_parameter.
  for (const v of [0x0305, 0x0303, 0x7f1c])
    shCase(`supported_versions selecting 0x${v.toString(16)}: illegal_parameter (§4.2.1)`, {},
      (m) => ({ ...m, extensions: m.extensions.map((e) => (e.type === ExtensionType.SupportedVersions ? extension(ExtensionType.SupportedVersions, { form: 'SH', selectedVersion: v }) : e)) }),
      { error: PeerMisbehaved, reason: 'SelectedUnofferedVersion', alert: A.IllegalParameter });
  // "A client which receives a legacy_session_id_echo field that does not match ... illegal_parameter."
  shCase('a wrong legacy_session_id_echo: illegal_parameter', {}, (m) => ({ ...m, legacySessionIdEcho: new Uint8Array(32).fill(7) }),
    { error: PeerMisbehaved, reason: 'SessionIdMismatch', alert: A.IllegalParameter });
  shCase('an empty legacy_session_id_echo when one was sent: illegal_parameter', {}, (m) => ({ ...m, legacySessionIdEcho: new Uint8Array(0) }),
    { error: PeerMisbehaved, reason: 'SessionIdMismatch', alert: A.IllegalParameter });
  // legacy_compression_method "MUST have the value 0"; no alert is named (illegal_parameter: a field is incorrect, §6.2).
  shCase('a non-zero compression method: illegal_parameter', {}, (m) => ({ ...m, legacyCompressionMethod: 1 }),
    { error: PeerMisbehaved, reason: 'NonZeroCompression', alert: A.IllegalParameter });
  // §4.2.8: the server's share must be in a group the client sent a share for.
  shCase('a key_share for a group the client sent no share for: illegal_parameter (§4.2.8)', { group: NamedGroup.secp256r1 }, undefined,
    { error: PeerMisbehaved, reason: 'WrongGroupForKeyShare', alert: A.IllegalParameter });
  shCase('a key_share for a group not offered at all (x448): illegal_parameter (§4.2.8)', {}, (m) => ({
    ...m,
    extensions: m.extensions.map((e) => (e.type === ExtensionType.KeyShare ? extension(ExtensionType.KeyShare, { form: 'SH', entry: { group: NamedGroup.x448, keyExchange: new Uint8Array(56).fill(5) } }) : e)),
  }), { error: PeerMisbehaved, reason: 'WrongGroupForKeyShare', alert: A.IllegalParameter });
  const withShare = (group: number, keyExchange: Uint8Array) => (m: Parameters<NonNullable<Parameters<Server13['serverHello']>[0]>>[0]) => ({
    ...m,
    extensions: m.extensions.map((e) => (e.type === ExtensionType.KeyShare ? extension(ExtensionType.KeyShare, { form: 'SH', entry: { group, keyExchange } }) : e)),
  });
  // RFC 7748 §6.1 / RFC 8446 §7.4.2: an all-zero X25519 output must be refused (illegal_parameter, §6.2).
  shCase('an X25519 share of all zeros (low order, all-zero secret): illegal_parameter', {}, withShare(NamedGroup.x25519, new Uint8Array(32)),
    { error: PeerMisbehaved, reason: 'InvalidKeyShare', alert: A.IllegalParameter });
  shCase('an X25519 share of 31 bytes: illegal_parameter', {}, withShare(NamedGroup.x25519, new Uint8Array(31).fill(9)),
    { error: PeerMisbehaved, reason: 'InvalidKeyShare', alert: A.IllegalParameter });
  // §4.2.8.2: P-256 shares are uncompressed points on the curve.
  shCase('a P-256 share that is not on the curve: illegal_parameter', { group: NamedGroup.secp256r1, client: { keyShareGroups: [NamedGroup.secp256r1] } },
    withShare(NamedGroup.secp256r1, concatBytes(new Uint8Array([4]), new Uint8Array(64).fill(1))),
    { error: PeerMisbehaved, reason: 'InvalidKeyShare', alert: A.IllegalParameter });
  shCase('a compressed P-256 share: illegal_parameter', { group: NamedGroup.secp256r1, client: { keyShareGroups: [NamedGroup.secp256r1] } },
    withShare(NamedGroup.secp256r1, concatBytes(new Uint8Array([2]), new Uint8Array(32).fill(1))),
    { error: PeerMisbehaved, reason: 'InvalidKeyShare', alert: A.IllegalParameter });
  // key_share is mandatory for (EC)DHE without PSK: missing_extension (§6.2, §9.2).
  shCase('no key_share: missing_extension', {}, (m) => ({ ...m, extensions: m.extensions.filter((e) => e.type !== ExtensionType.KeyShare) }),
    { error: PeerMisbehaved, reason: 'MissingKeyShare', alert: A.MissingExtension });
  // §4.2: a response to an extension the client did not send: unsupported_extension.
  shCase('an unsolicited pre_shared_key: unsupported_extension (§4.2)', {}, (m) => ({
    ...m,
    extensions: [...m.extensions, extension(ExtensionType.PreSharedKey, { form: 'SH', selectedIdentity: 0 })],
  }), { error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension });
  shCase('an unknown extension the client never sent: unsupported_extension (§4.2)', {}, (m) => ({
    ...m,
    extensions: [...m.extensions, { type: 0x7a7a, data: new Uint8Array([1, 2]) }],
  }), { error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension });
  // §4.2: a known extension in a message that may not carry it: illegal_parameter.
  shCase('a cookie in a ServerHello (HRR only): illegal_parameter (§4.2)', {}, (m) => ({
    ...m,
    extensions: [...m.extensions, extension(ExtensionType.Cookie, { cookie: new Uint8Array([1]) })],
  }), { error: PeerMisbehaved, reason: 'ExtensionNotAllowedHere', alert: A.IllegalParameter });

  it('a duplicate extension: illegal_parameter (§4.2 forbids duplicates; the alert is not named)', () => {
    const s = new Server13(pki);
    // encodeExtensions refuses duplicates, so encode a placeholder type and patch it into supported_versions.
    let sh = s.serverHello((m) => ({ ...m, extensions: [...m.extensions, { type: 0xfe2b, data: new Uint8Array([3, 4]) }] }));
    const at = indexOf(sh, new Uint8Array([0xfe, 0x2b, 0, 2, 3, 4]));
    expect(at).toBeGreaterThan(0);
    sh = sh.slice();
    sh[at] = 0x00;
    s.sendPlain(sh);
    s.deliverExpectingFatal({ error: InvalidMessage, reason: 'DuplicateExtension', alert: A.IllegalParameter, ...plainAlert });
  });

  for (const [name, sentinel] of [['DOWNGRD\\x01', DOWNGRADE_SENTINEL_TLS12], ['DOWNGRD\\x00', DOWNGRADE_SENTINEL_TLS11]] as const) {
    it(`a TLS 1.2 ServerHello with the ${name} sentinel when TLS 1.3 was offered: illegal_parameter`, () => {
      const s = new Server13(pki);
      const random = concatBytes(new Uint8Array(randomBytes(24)), sentinel);
      s.sendPlain(s.serverHello((m) => ({
        ...m,
        random,
        legacySessionIdEcho: new Uint8Array(0),
        cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        extensions: [extension(ExtensionType.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(0) })],
      })));
      s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'DowngradeDetected', alert: A.IllegalParameter, ...plainAlert });
    });
  }

  it('control: the same sentinel is fine when the client offered TLS 1.2 only', () => {
    const s = new Server13(pki, { client: { maxVersion: 'TLSv1.2' } });
    s.sendPlain(s.serverHello((m) => ({
      ...m,
      random: concatBytes(new Uint8Array(24), DOWNGRADE_SENTINEL_TLS12),
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      extensions: [extension(ExtensionType.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(0) })],
    })));
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.stateName).toBe('ExpectCertificate12');
  });

  it('a plaintext record longer than 2^14 before the ServerHello: record_overflow (§5.1)', () => {
    const s = new Server13(pki);
    s.wire.record(ContentType.Handshake, concatBytes(s.serverHello(), new Uint8Array(16385 - 100)));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...plainAlert });
  });
});

describe('EncryptedExtensions (RFC 8446 §4.3.1)', () => {
  it('an ALPN protocol the client did not offer: illegal_parameter (RFC 7301 §3.2)', () => {
    const s = afterServerHello({ client: { alpnProtocols: ['h2'] } });
    const ee = s.encryptedExtensions(() => ({
      type: HandshakeType.EncryptedExtensions,
      extensions: [extension(ExtensionType.ApplicationLayerProtocolNegotiation, { protocols: [new TextEncoder().encode('http/1.1')] })],
    }));
    s.sendEncrypted([ee]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedApplicationProtocol', alert: A.IllegalParameter, ...encryptedAlert });
  });

  it('ALPN when the client offered none: unsupported_extension (§4.2)', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions((m) => ({ ...m, extensions: [extension(ExtensionType.ApplicationLayerProtocolNegotiation, { protocols: [new TextEncoder().encode('h2')] })] }))]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension, ...encryptedAlert });
  });

  it('control: the offered ALPN protocol is accepted and reported', () => {
    const s = new Server13(pki, { client: { alpnProtocols: ['h2', 'http/1.1'] } });
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    const ee = s.encryptedExtensions((m) => ({ ...m, extensions: [extension(ExtensionType.ApplicationLayerProtocolNegotiation, { protocols: [new TextEncoder().encode('http/1.1')] })] }));
    s.sendEncrypted([ee, s.certificate(), s.certificateVerify(), s.finished()]);
    expect(s.deliver()).toBeUndefined();
    expect(s.conn.negotiated?.alpn).toBe('http/1.1');
  });

  for (const [name, ext] of [
    ['key_share', { type: ExtensionType.KeyShare, data: new Uint8Array([0, 0x1d, 0, 0]) }],
    ['supported_versions', { type: ExtensionType.SupportedVersions, data: new Uint8Array([3, 4]) }],
    ['signature_algorithms', { type: ExtensionType.SignatureAlgorithms, data: new Uint8Array([0, 2, 4, 3]) }],
  ] as const) {
    it(`${name} in EncryptedExtensions (not allowed there): illegal_parameter (§4.2)`, () => {
      const s = afterServerHello();
      s.sendEncrypted([s.encryptedExtensions((m) => ({ ...m, extensions: [ext] }))]);
      s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'ExtensionNotAllowedHere', alert: A.IllegalParameter, ...encryptedAlert });
    });
  }

  it('early_data accepted although the client sent none: unsupported_extension (§4.2)', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions((m) => ({ ...m, extensions: [extension(ExtensionType.EarlyData, { form: 'empty' })] }))]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension, ...encryptedAlert });
  });
});

describe('Certificate (RFC 8446 §4.4.2)', () => {
  it('an empty Certificate: decode_error (§4.4.2.4)', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate((m) => ({ ...m, entries: [] }))]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'EmptyCertificateChain', alert: A.DecodeError, ...encryptedAlert });
  });

  it('a non-empty certificate_request_context in server authentication: illegal_parameter', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate((m) => ({ ...m, context: new Uint8Array([1]) }))]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalCertificateRequestContext', alert: A.IllegalParameter, ...encryptedAlert });
  });

  it('a chain to an untrusted root: unknown_ca (§6.2)', () => {
    const s = afterServerHello({ identity: pki.untrusted });
    s.sendEncrypted([s.encryptedExtensions(), s.certificate()]);
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'UnknownIssuer', alert: A.UnknownCa, ...encryptedAlert });
  });

  it('an expired leaf (clock after notAfter): certificate_expired (§6.2)', () => {
    const s = afterServerHello({ client: { now: () => pki.ecdsa.notAfter + 86_400_000 } });
    s.sendEncrypted([s.encryptedExtensions(), s.certificate()]);
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'Expired', alert: A.CertificateExpired, ...encryptedAlert });
  });

  it('a not-yet-valid leaf (clock before notBefore): certificate_expired ("expired or not currently valid", §6.2)', () => {
    const s = afterServerHello({ client: { now: () => pki.ecdsa.notBefore - 86_400_000 } });
    s.sendEncrypted([s.encryptedExtensions(), s.certificate()]);
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'NotYetValid', alert: A.CertificateExpired, ...encryptedAlert });
  });

  it('a leaf for another host name: bad_certificate', () => {
    const s = afterServerHello({ host: 'other.example' });
    s.sendEncrypted([s.encryptedExtensions(), s.certificate()]);
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'NotValidForName', alert: A.BadCertificate, ...encryptedAlert });
  });

  it('garbage instead of DER: bad_certificate ("corrupt", §6.2)', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate((m) => ({ ...m, entries: [{ certData: new Uint8Array(randomBytes(200)), extensions: [] }] }))]);
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'BadEncoding', alert: A.BadCertificate, ...encryptedAlert });
  });

  it('a truncated DER certificate: bad_certificate', () => {
    const s = afterServerHello();
    const leaf = pki.ecdsa.chain[0]!;
    s.sendEncrypted([s.encryptedExtensions(), s.certificate((m) => ({ ...m, entries: [{ certData: leaf.subarray(0, leaf.length - 10), extensions: [] }] }))]);
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'BadEncoding', alert: A.BadCertificate, ...encryptedAlert });
  });

  it('an unsolicited CertificateEntry extension: unsupported_extension (§4.4.2)', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate((m) => ({ ...m, entries: [{ certData: pki.ecdsa.chain[0]!, extensions: [{ type: 0x7a7a, data: new Uint8Array(0) }] }] }))]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: A.UnsupportedExtension, ...encryptedAlert });
  });
});

describe('CertificateVerify (RFC 8446 §4.4.3)', () => {
  it('a signature over the wrong transcript: decrypt_error', () => {
    const s = afterServerHello();
    const flight = [s.encryptedExtensions(), s.certificate()];
    const wrong = signWithScheme(SignatureScheme.ecdsa_secp256r1_sha256, pki.ecdsa.key, serverCertificateVerifyContent(new Uint8Array(32)));
    flight.push(s.certificateVerify({ edit: (m) => ({ ...m, signature: wrong }) }));
    s.sendEncrypted(flight);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'BadCertificateVerify', alert: A.DecryptError, ...encryptedAlert });
  });

  it('a signature with one bit flipped (RSA-PSS): decrypt_error', () => {
    const s = afterServerHello({ identity: pki.rsa });
    const flight = [s.encryptedExtensions(), s.certificate()];
    flight.push(s.certificateVerify({ edit: (m) => ({ ...m, signature: flipBit(m.signature, 100) }) }));
    s.sendEncrypted(flight);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'BadCertificateVerify', alert: A.DecryptError, ...encryptedAlert });
  });

  it('a scheme the client did not offer (valid signature): illegal_parameter', () => {
    const s = afterServerHello({ client: { signatureSchemes: [SignatureScheme.ecdsa_secp384r1_sha384, SignatureScheme.rsa_pss_rsae_sha256] } });
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify({ scheme: SignatureScheme.ecdsa_secp256r1_sha256 })]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: A.IllegalParameter, ...encryptedAlert });
  });

  it('rsa_pkcs1_sha256 in TLS 1.3 (valid PKCS#1 signature, scheme offered for TLS 1.2 only): illegal_parameter (§4.2.3)', () => {
    const s = afterServerHello({ identity: pki.rsa });
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify({ scheme: SignatureScheme.rsa_pkcs1_sha256 })]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: A.IllegalParameter, ...encryptedAlert });
  });

  it('ecdsa_secp384r1_sha384 with a P-256 key (curve bound to the scheme in TLS 1.3): illegal_parameter', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify({ scheme: SignatureScheme.ecdsa_secp384r1_sha384 })]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: A.IllegalParameter, ...encryptedAlert });
  });
});

describe('Finished and message order (RFC 8446 §4.4.4, §4)', () => {
  it('a wrong verify_data: decrypt_error (§4.4.4)', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished((m) => ({ ...m, verifyData: flipBit(m.verifyData, 0) }))]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IncorrectFinished', alert: A.DecryptError, ...encryptedAlert });
    // The client did not send its own Finished.
    expect(s.clientMessages).toEqual([]);
  });

  it('a Finished of the wrong length: decrypt_error or decode_error, never accepted', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished((m) => ({ ...m, verifyData: m.verifyData.subarray(0, 16) }))]);
    const err = s.deliver();
    expect(err).toBeInstanceOf(Error);
    const alert = s.lastRecords.find((r) => r.type === ContentType.Alert);
    expect([A.DecryptError, A.DecodeError]).toContain(alert?.content[1]);
  });

  const orderCase = (name: string, build: (s: Server13) => Uint8Array[]): void => {
    it(`${name}: unexpected_message`, () => {
      const s = afterServerHello();
      s.sendEncrypted(build(s));
      s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, ...encryptedAlert });
    });
  };
  orderCase('Finished before Certificate', (s) => [s.encryptedExtensions(), s.finished()]);
  orderCase('CertificateVerify before Certificate', (s) => [s.encryptedExtensions(), s.certificateVerify()]);
  orderCase('Finished without CertificateVerify', (s) => [s.encryptedExtensions(), s.certificate(), s.finished()]);
  orderCase('Certificate before EncryptedExtensions', (s) => [s.certificate()]);
  orderCase('EncryptedExtensions twice', (s) => [s.encryptedExtensions(), s.encryptedExtensions()]);
  orderCase('a second ServerHello inside the encrypted flight', (s) => [
    encodeHandshake({ type: HandshakeType.ServerHello, isHelloRetryRequest: false, legacyVersion: 0x0303, random: new Uint8Array(32), legacySessionIdEcho: s.clientHello.legacySessionId, cipherSuite: s.suite.id, legacyCompressionMethod: 0, extensions: [] }),
  ]);
  orderCase('a NewSessionTicket during the handshake', (s) => [s.encryptedExtensions(), s.newSessionTicket()]);
  orderCase('a TLS 1.2 ServerKeyExchange in TLS 1.3', (s) => [
    s.encryptedExtensions(),
    encodeHandshake({ type: HandshakeType.ServerKeyExchange, curveType: 3, group: NamedGroup.x25519, publicPoint: new Uint8Array(32).fill(9), scheme: 0x0403, signature: new Uint8Array(70) }),
  ]);
  orderCase('an unknown handshake type (99)', (s) => [s.encryptedExtensions(), new Uint8Array([99, 0, 0, 1, 0])]);
  // §4.6.3: "Implementations that receive a KeyUpdate message prior to receiving a Finished message MUST terminate the connection with an unexpected_message alert."
  orderCase('a KeyUpdate before Finished (§4.6.3)', (s) => [s.encryptedExtensions(), encodeHandshake({ type: HandshakeType.KeyUpdate, request: 0 })]);

  it('a second ServerHello in plaintext after the first: unexpected_message', () => {
    const s = new Server13(pki);
    const sh = s.serverHello();
    s.sendPlain(sh);
    s.sendPlain(sh);
    s.useHandshakeKeys();
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, ...encryptedAlert });
  });
});

describe('record layer during the handshake (RFC 8446 §5)', () => {
  // §5.1: a message that precedes a key change must end on a record boundary: unexpected_message.
  it('ServerHello and EncryptedExtensions in one record (spanning the key change): unexpected_message', () => {
    const s = new Server13(pki);
    s.wire.handshake([s.serverHello(), s.encryptedExtensions()]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'KeyChangeNotOnRecordBoundary', alert: A.UnexpectedMessage, ...plainAlert });
  });

  it('the first bytes of the next message after the ServerHello in its record: unexpected_message', () => {
    const s = new Server13(pki);
    s.wire.record(ContentType.Handshake, concatBytes(s.serverHello(), new Uint8Array([HandshakeType.EncryptedExtensions, 0])));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'KeyChangeNotOnRecordBoundary', alert: A.UnexpectedMessage, ...plainAlert });
  });

  it('a NewSessionTicket in the same record as the server Finished: unexpected_message', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished(), s.newSessionTicket()]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'KeyChangeNotOnRecordBoundary', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('application data before the server Finished: unexpected_message (§6.2 "premature Application Data")', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions()]);
    s.sendData(new Uint8Array([1, 2, 3]));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'ApplicationDataBeforeHandshakeDone', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('a plaintext alert/handshake record interleaved inside a split handshake message: unexpected_message (§5.1)', () => {
    const s = afterServerHello();
    const ee = s.encryptedExtensions();
    const cert = s.certificate();
    s.sendEncrypted([ee]);
    s.wire.record(ContentType.Handshake, cert.subarray(0, 10));
    s.sendData(new Uint8Array([1]));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'HandshakeInterleaved', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  // §5: "An implementation which receives ... a protected change_cipher_spec record MUST abort the handshake with an unexpected_message alert."
  it('an encrypted ChangeCipherSpec: unexpected_message', () => {
    const s = afterServerHello();
    s.wire.record(ContentType.ChangeCipherSpec, new Uint8Array([1]));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalInnerContentType', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('a plaintext ChangeCipherSpec with a value other than 0x01: unexpected_message (§5)', () => {
    const s = new Server13(pki);
    s.sendPlain(s.serverHello());
    s.wire.ccs(new Uint8Array([2]));
    s.useHandshakeKeys();
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'BadChangeCipherSpec', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('a plaintext handshake record after the key change: unexpected_message (§5.2: protected records are application_data)', () => {
    const s = afterServerHello();
    s.wire.plain();
    s.sendPlain(s.encryptedExtensions());
    s.useHandshakeKeys();
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('a record with one ciphertext bit flipped: bad_record_mac (§5.2)', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions()]);
    s.wire.editQueued((q) => [...q.slice(0, -1), flipBit(q[q.length - 1]!, 8 * (q[q.length - 1]!.length - 3))]);
    s.deliverExpectingFatal({ error: DecryptError, alert: A.BadRecordMac, ...encryptedAlert });
  });

  it('a record shorter than the AEAD tag: bad_record_mac', () => {
    const s = afterServerHello();
    s.wire.raw(new Uint8Array([23, 3, 3, 0, 5, 1, 2, 3, 4, 5]));
    s.deliverExpectingFatal({ error: DecryptError, alert: A.BadRecordMac, ...encryptedAlert });
  });

  // §5.2: "An AEAD algorithm ... TLSCiphertext.length ... MUST NOT exceed 2^14 + 256 ... record_overflow."
  it('a ciphertext longer than 2^14 + 256: record_overflow', () => {
    const s = afterServerHello();
    s.wire.record(ContentType.Handshake, s.encryptedExtensions(), { padding: 16384 + 256 - 6 - 1 - 16 + 1 });
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...encryptedAlert });
  });

  // §5.4: "The length MUST NOT exceed 2^14 + 1 octets" for the inner plaintext; record_overflow.
  it('an inner plaintext of 2^14 + 1 content bytes: record_overflow', () => {
    const s = afterServerHello();
    const ee = s.encryptedExtensions();
    s.wire.record(ContentType.Handshake, concatBytes(ee, new Uint8Array(16385 - ee.length)));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'RecordOverflow', alert: A.RecordOverflow, ...encryptedAlert });
  });

  // §5.4: "If a receiving implementation does not find a non-zero octet in the cleartext, it MUST terminate the connection with an unexpected_message alert."
  it('an all-zero inner plaintext (no content type): unexpected_message', () => {
    const s = afterServerHello();
    s.wire.record(0, new Uint8Array(0), { padding: 10 });
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'MissingInnerContentType', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('an unknown inner content type: unexpected_message (§5)', () => {
    const s = afterServerHello();
    s.wire.record(99, new Uint8Array([1, 2]));
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalInnerContentType', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('an alert record of three bytes: decode_error', () => {
    const s = afterServerHello();
    s.wire.record(ContentType.Alert, new Uint8Array([2, 40, 0]));
    s.deliverExpectingFatal({ error: InvalidMessage, alert: A.DecodeError, ...encryptedAlert });
  });

  it('a handshake message length beyond the record and the stream end: no error yet, then UnexpectedEof at EOF', () => {
    const s = afterServerHello();
    s.wire.record(ContentType.Handshake, new Uint8Array([HandshakeType.EncryptedExtensions, 0, 1, 0, 0, 0]));
    expect(s.deliver()).toBeUndefined();
    expect(() => s.conn.receiveEof()).toThrow(UnexpectedEof);
    expect(s.conn.takeOutgoing()).toBeUndefined();
  });
});

describe('alerts from the server and closure (RFC 8446 §6)', () => {
  it('a plaintext fatal alert before the ServerHello: AlertReceived, and no alert back', () => {
    const s = new Server13(pki);
    s.wire.record(ContentType.Alert, new Uint8Array([2, A.HandshakeFailure]));
    const err = s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
    expect((err as AlertReceived).alert).toBe(A.HandshakeFailure);
  });

  it('an encrypted fatal alert in the handshake: AlertReceived, no alert back', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions()]);
    s.wire.record(ContentType.Alert, new Uint8Array([2, A.InternalError]));
    const err = s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
    expect((err as AlertReceived).alert).toBe(A.InternalError);
  });

  // §6: "All the alerts listed in Section 6.2 MUST be sent with AlertLevel=fatal and MUST be treated as error alerts when received regardless of the AlertLevel in the message."
  it('a warning-level bad_certificate alert is still an error in TLS 1.3', () => {
    const s = connected();
    s.wire.record(ContentType.Alert, new Uint8Array([1, A.BadCertificate]));
    const err = s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
    expect((err as AlertReceived).alert).toBe(A.BadCertificate);
  });

  it('a fatal alert after data: the data already received stays readable', () => {
    const s = connected();
    s.sendData(new Uint8Array([7, 7]));
    s.wire.record(ContentType.Alert, new Uint8Array([2, A.InternalError]));
    s.deliverExpectingFatal({ error: AlertReceived, alert: undefined });
    expect([...s.readAll()]).toEqual([7, 7]);
  });

  it('EOF in the middle of the handshake: UnexpectedEof, no alert', () => {
    const s = afterServerHello();
    s.sendEncrypted([s.encryptedExtensions()]);
    expect(s.deliver()).toBeUndefined();
    expect(() => s.conn.receiveEof()).toThrow(UnexpectedEof);
    expect(s.conn.takeOutgoing()).toBeUndefined();
    expect(s.conn.stateName).toBe('Failed');
  });

  it('EOF in the middle of a record after data: UnexpectedEof (the partial record is not delivered)', () => {
    const s = connected();
    s.sendData(new Uint8Array([1, 2, 3]));
    const bytes = s.wire.take();
    expect(feed(s.conn, bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    expect(s.conn.readPlaintext()).toBeUndefined();
    expect(() => s.conn.receiveEof()).toThrow(UnexpectedEof);
  });
});

describe('after the handshake (RFC 8446 §4.6, §5)', () => {
  it('a ChangeCipherSpec after the handshake: unexpected_message (§5)', () => {
    const s = connected();
    s.wire.ccs();
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalMiddleboxChangeCipherSpec', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('a bad record MAC on application data: bad_record_mac', () => {
    const s = connected();
    s.sendData(new Uint8Array(50));
    s.wire.editQueued((q) => q.map((r) => flipBit(r, 8 * 10)));
    s.deliverExpectingFatal({ error: DecryptError, alert: A.BadRecordMac, ...encryptedAlert });
    expect(s.conn.readPlaintext()).toBeUndefined();
  });

  it('a record replayed (same sequence number twice): bad_record_mac', () => {
    const s = connected();
    s.sendData(new Uint8Array([1]));
    const rec = s.wire.take();
    s.wire.raw(rec).raw(rec);
    s.deliverExpectingFatal({ error: DecryptError, alert: A.BadRecordMac, ...encryptedAlert });
    expect([...s.readAll()]).toEqual([1]);
  });

  it('a NewSessionTicket with a lifetime over 7 days: illegal_parameter (§4.6.1: "MUST NOT use any value greater than 604800")', () => {
    const s = connected();
    s.sendEncrypted([s.newSessionTicket((m) => ({ ...m, lifetime: 604801 }))]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalTicketLifetime', alert: A.IllegalParameter, ...encryptedAlert });
  });

  it('control: a lifetime of exactly 7 days yields a session', () => {
    const s = connected();
    s.conn.takeEvents();
    s.sendEncrypted([s.newSessionTicket((m) => ({ ...m, lifetime: 604800 }))]);
    expect(s.deliver()).toBeUndefined();
    const sessions = s.conn.takeEvents().filter((e) => e.type === 'session');
    expect(sessions.length).toBe(1);
  });

  // §4.6.3: "If an implementation receives any other value [of request_update], it MUST terminate the connection with an illegal_parameter alert."
  it('a KeyUpdate with request_update = 2: illegal_parameter', () => {
    const s = connected();
    s.sendEncrypted([encodeHandshake({ type: HandshakeType.KeyUpdate, request: 2 })]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalKeyUpdateRequest', alert: A.IllegalParameter, ...encryptedAlert });
  });

  it('data after a KeyUpdate still sealed with the old key: bad_record_mac', () => {
    const s = connected();
    s.sendEncrypted([encodeHandshake({ type: HandshakeType.KeyUpdate, request: KeyUpdateRequest.UpdateNotRequested })]);
    s.sendData(new Uint8Array([5])); // the server wire did not move on
    s.deliverExpectingFatal({ error: DecryptError, alert: A.BadRecordMac, ...encryptedAlert });
  });

  it('a KeyUpdate sharing a record with a NewSessionTicket after it: unexpected_message (§5.1)', () => {
    const s = connected();
    s.sendEncrypted([encodeHandshake({ type: HandshakeType.KeyUpdate, request: 0 }), s.newSessionTicket()]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'KeyChangeNotOnRecordBoundary', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('33 KeyUpdates without application data in between: unexpected_message (flood cap)', () => {
    const s = connected();
    for (let i = 0; i < 33; i++) s.sendKeyUpdate();
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'TooManyKeyUpdates', alert: A.UnexpectedMessage, ...encryptedAlert });
  });

  it('control: 32 KeyUpdates, data, then 32 more are all accepted', () => {
    const s = connected();
    for (let i = 0; i < 32; i++) s.sendKeyUpdate();
    s.sendData(new Uint8Array([1]));
    for (let i = 0; i < 32; i++) s.sendKeyUpdate();
    s.sendData(new Uint8Array([2]));
    expect(s.deliver()).toBeUndefined();
    expect([s.conn.readPlaintext()?.[0], s.conn.readPlaintext()?.[0]]).toEqual([1, 2]);
  });

  it('a Finished after the handshake: unexpected_message', () => {
    const s = connected();
    s.sendEncrypted([encodeHandshake({ type: HandshakeType.Finished, verifyData: new Uint8Array(32) })]);
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, ...encryptedAlert });
  });
});

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
