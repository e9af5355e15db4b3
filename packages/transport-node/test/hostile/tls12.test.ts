/**
 * TLS 1.2 (RFC 5246, RFC 8422 ECDHE, RFC 5288/7905 AEAD, RFC 7627 EMS, RFC 5746
 * renegotiation_info, RFC 8446 §4.1.3 downgrade protection) rejections, through connect() over
 * 127.0.0.1 against the hostile server. The client offers TLS 1.3 and 1.2 (its default); the
 * server answers TLS 1.2. Each case asserts the TlsError class and reason and the fatal alert the
 * server read on the wire: in plaintext before the client's ChangeCipherSpec, under the client
 * write key ('client') after it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlertReceived, DecryptError, InappropriateMessage, InvalidCertificate, InvalidMessage, PeerIncompatible, PeerMisbehaved, TrustStore } from '@puretls/tls-core';
import { Context } from '@puretls/session';
import { expectRejected, expectResumed, sendResumedAndClose } from './assert.ts';
import { rejects12, useHostile, type CaseOptions } from './harness.ts';
import { Tls12, type Identity, type Peer, type Tls12Options } from './server.ts';
import { ALERT, CT, DOWNGRADE_TLS12, EXT, GROUP, HS, SCHEME, SUITE, cat, ext, handshake, record, u16, u8, vec16, vec8, type Ext } from './wire.ts';
import type { HostilePki } from './pki.ts';

const h = useHostile();

const plain = { key: 'plaintext' };
const enc = { key: 'client' };
const flip = (b: Buffer, i: number): void => void (b[i < 0 ? b.length + i : i]! ^= 0x01);
const grow = (m: Buffer): Buffer => {
  const out = Buffer.from(m);
  out.writeUIntBE(m.length - 4, 1, 3);
  return out;
};
const replaceExt = (list: Ext[], type: number, body: Buffer): void => {
  list[list.findIndex((e) => e.type === type)] = ext(type, body);
};

/** The first flight with one ServerHello edit. */
const sh = (edit: (f: { legacyVersion: number; random: Buffer; sessionId: Buffer; suite: number; compression: number; extensions: Ext[] }) => void) => (t: Tls12) => t.firstFlight({ serverHello: { edit } });

describe('TLS 1.2 ServerHello', () => {
  rejects12(h, 'a CBC suite the client did not offer', sh((f) => (f.suite = SUITE.ECDHE_RSA_AES_128_CBC_SHA)), { error: PeerMisbehaved, reason: 'SelectedUnofferedCipherSuite', alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'a static-RSA suite the client did not offer', sh((f) => (f.suite = SUITE.RSA_AES_128_GCM_SHA256)), { error: PeerMisbehaved, reason: 'SelectedUnofferedCipherSuite', alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'a TLS 1.3 suite in a TLS 1.2 ServerHello', sh((f) => (f.suite = SUITE.TLS_AES_128_GCM_SHA256)), { error: PeerMisbehaved, alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'an ECDHE_RSA suite while the client offered only ECDHE_ECDSA ones', sh((f) => (f.suite = SUITE.ECDHE_RSA_AES_128_GCM_SHA256)), { error: PeerMisbehaved, reason: 'SelectedUnofferedCipherSuite', alert: ALERT.illegal_parameter, ...plain }, { client: { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' } });
  rejects12(h, 'version TLS 1.1 (0x0302)', sh((f) => (f.legacyVersion = 0x0302)), { error: PeerIncompatible, alert: ALERT.protocol_version, ...plain });
  rejects12(h, 'version SSL 3.0 (0x0300)', sh((f) => (f.legacyVersion = 0x0300)), { error: PeerIncompatible, alert: ALERT.protocol_version, ...plain });
  rejects12(h, 'the TLS 1.2 downgrade sentinel while TLS 1.3 was offered (RFC 8446 §4.1.3)', sh((f) => (f.random = cat(f.random.subarray(0, 24), DOWNGRADE_TLS12))), { error: PeerMisbehaved, reason: 'DowngradeDetected', alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'compression method 1', sh((f) => (f.compression = 1)), { error: PeerMisbehaved, reason: 'NonZeroCompression', alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'an unknown extension', sh((f) => f.extensions.push(ext(0x3333))), { error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: ALERT.unsupported_extension, ...plain });
  rejects12(h, 'ALPN although the client offered none', sh((f) => f.extensions.push(ext(EXT.alpn, vec16(vec8(Buffer.from('h2')))))), { error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: ALERT.unsupported_extension, ...plain });
  rejects12(h, 'ALPN protocol the client did not offer', sh((f) => f.extensions.push(ext(EXT.alpn, vec16(vec8(Buffer.from('h2')))))), { error: PeerMisbehaved, reason: 'SelectedUnofferedApplicationProtocol', alert: ALERT.illegal_parameter, ...plain }, { client: { ALPNProtocols: ['http/1.1'] } });
  rejects12(h, 'the same extension twice', sh((f) => f.extensions.push(f.extensions[0]!)), { error: InvalidMessage, reason: 'DuplicateExtension', alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'trailing bytes after the extensions', (t) => t.firstFlight({ serverHello: { raw: (m) => grow(cat(m, u8(0))) } }), { error: InvalidMessage, alert: ALERT.decode_error, ...plain });
  rejects12(h, 'a non-empty renegotiated_connection on the initial handshake (RFC 5746 §3.4)', sh((f) => replaceExt(f.extensions, EXT.renegotiation_info, vec8(Buffer.alloc(12, 1)))), { error: PeerMisbehaved, reason: 'BadRenegotiationInfo', alert: ALERT.handshake_failure, ...plain });
  rejects12(h, 'renegotiation_info with an empty body (no length byte)', sh((f) => replaceExt(f.extensions, EXT.renegotiation_info, Buffer.alloc(0))), { error: InvalidMessage, alert: ALERT.decode_error, ...plain });
  rejects12(h, 'extended_master_secret with a body (RFC 7627 §5.1: empty)', sh((f) => replaceExt(f.extensions, EXT.extended_master_secret, u8(0))), { error: InvalidMessage, alert: ALERT.decode_error, ...plain });
  rejects12(h, 'ec_point_formats without uncompressed (RFC 8422 §5.2)', sh((f) => replaceExt(f.extensions, EXT.ec_point_formats, vec8(u8(1)))), { error: PeerIncompatible, reason: 'UnsupportedPointFormat', alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'supported_versions selecting TLS 1.2 (RFC 8446 §4.2.1: prior to 1.3)', sh((f) => f.extensions.push(ext(EXT.supported_versions, u16(0x0303)))), { error: PeerMisbehaved, alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'a TLS 1.3 key_share in a TLS 1.2 ServerHello', sh((f) => f.extensions.push(ext(EXT.key_share, cat(u16(GROUP.x25519), vec16(Buffer.alloc(32, 1)))))), { error: PeerMisbehaved, alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'echo of the TLS 1.3 compatibility session ID that was never offered for resumption (issue 10 defect 7)', (t, p) => {
    t.firstFlight({ serverHello: { edit: (f) => (f.sessionId = t.ch.sessionId) } });
    p.end();
  }, { error: PeerMisbehaved, reason: 'ServerEchoedCompatibilitySessionId', alert: ALERT.illegal_parameter, ...plain });
});

describe('TLS 1.2 Certificate', () => {
  rejects12(h, 'an empty certificate list', (t) => t.firstFlight({ certificate: { edit: (f) => (f.certs = []) } }), { error: PeerMisbehaved, reason: 'EmptyCertificateChain', alert: ALERT.decode_error, ...plain });
  rejects12(h, 'a leaf that is not DER', (t) => t.firstFlight({ certificate: { edit: (f) => (f.certs = [Buffer.from('garbage')]) } }), { error: InvalidCertificate, alert: ALERT.bad_certificate, ...plain });
  rejects12(h, 'an RSA certificate with an ECDHE_ECDSA suite', (t) => t.firstFlight(), { error: PeerIncompatible, reason: 'UnsupportedCertificateKey', alert: ALERT.unsupported_certificate, ...plain }, { identity: (p) => p.rsa, server12: { suite: SUITE.ECDHE_ECDSA_AES_128_GCM_SHA256 } });
  rejects12(h, 'an ECDSA certificate with an ECDHE_RSA suite', (t) => t.firstFlight(), { error: PeerIncompatible, reason: 'UnsupportedCertificateKey', alert: ALERT.unsupported_certificate, ...plain }, { server12: { suite: SUITE.ECDHE_RSA_AES_128_GCM_SHA256 } });
  rejects12(h, 'a leaf from a CA the client does not trust', (t) => t.firstFlight(), { error: InvalidCertificate, alert: ALERT.unknown_ca, ...plain }, { identity: (p) => p.untrusted });
  rejects12(h, 'a leaf for another host name', (t) => t.firstFlight(), { error: InvalidCertificate, reason: 'NotValidForName', alert: ALERT.bad_certificate, ...plain }, { client: { servername: 'example.com' } });
  rejects12(h, 'a certificate list length past the message end', (t) => t.firstFlight({ certificate: { raw: (m) => grow(m.subarray(0, m.length - 4)) } }), { error: InvalidMessage, alert: ALERT.decode_error, ...plain });
});

describe('TLS 1.2 ServerKeyExchange: an invalid signature for each scheme (RFC 8422 §5.4)', () => {
  const schemes: [string, number, (p: HostilePki) => Identity, number][] = [
    ['ecdsa_secp256r1_sha256', SCHEME.ecdsa_secp256r1_sha256, (p) => p.ec256, SUITE.ECDHE_ECDSA_AES_128_GCM_SHA256],
    ['ecdsa_secp384r1_sha384', SCHEME.ecdsa_secp384r1_sha384, (p) => p.ec384, SUITE.ECDHE_ECDSA_AES_256_GCM_SHA384],
    ['ed25519', SCHEME.ed25519, (p) => p.ed25519, SUITE.ECDHE_ECDSA_CHACHA20_POLY1305],
    ['rsa_pss_rsae_sha256', SCHEME.rsa_pss_rsae_sha256, (p) => p.rsa, SUITE.ECDHE_RSA_AES_128_GCM_SHA256],
    ['rsa_pss_rsae_sha384', SCHEME.rsa_pss_rsae_sha384, (p) => p.rsa, SUITE.ECDHE_RSA_AES_256_GCM_SHA384],
    ['rsa_pss_rsae_sha512', SCHEME.rsa_pss_rsae_sha512, (p) => p.rsa, SUITE.ECDHE_RSA_CHACHA20_POLY1305],
    ['rsa_pkcs1_sha256', SCHEME.rsa_pkcs1_sha256, (p) => p.rsa, SUITE.ECDHE_RSA_AES_128_GCM_SHA256],
    ['rsa_pkcs1_sha384', SCHEME.rsa_pkcs1_sha384, (p) => p.rsa, SUITE.ECDHE_RSA_AES_256_GCM_SHA384],
    ['rsa_pkcs1_sha512', SCHEME.rsa_pkcs1_sha512, (p) => p.rsa, SUITE.ECDHE_RSA_AES_128_GCM_SHA256],
  ];
  const bad = { error: PeerMisbehaved, reason: 'BadServerKeyExchangeSignature', alert: ALERT.decrypt_error, ...plain };
  for (const [name, scheme, identity, suite] of schemes) {
    const o: CaseOptions = { identity, server12: { scheme, suite } };
    rejects12(h, `${name}: one bit of the signature flipped`, (t) => t.firstFlight({ serverKeyExchange: { edit: (f) => flip(f.signature, -9) } }), bad, o);
    rejects12(h, `${name}: signed by another key of the same type`, (t) => t.firstFlight({ serverKeyExchange: { signWith: otherKey(scheme) } }), bad, o);
  }
  rejects12(h, 'signed over server_random ‖ client_random (randoms swapped)', (t) => t.firstFlight({ serverKeyExchange: { signed: (d) => cat(d.subarray(32, 64), d.subarray(0, 32), d.subarray(64)) } }), bad);
  rejects12(h, 'the signature covers another public point than the one sent', (t) => t.firstFlight({ serverKeyExchange: { edit: (f) => (f.point = makePoint(GROUP.x25519)) } }), bad);
  rejects12(h, 'an empty signature', (t) => t.firstFlight({ serverKeyExchange: { edit: (f) => (f.signature = Buffer.alloc(0)) } }), { error: PeerMisbehaved, alert: ALERT.decrypt_error, ...plain });
});

describe('TLS 1.2 ServerKeyExchange parameters (RFC 8422 §5.4)', () => {
  rejects12(h, 'curve_type explicit_prime (1)', (t) => t.firstFlight({ serverKeyExchange: { edit: (f) => (f.curveType = 1) } }), { error: InvalidMessage, alert: ALERT.decode_error, ...plain });
  rejects12(h, 'a group the client did not offer (secp521r1)', (t) => t.firstFlight({ serverKeyExchange: { edit: (f) => (f.group = GROUP.secp521r1) } }), { error: PeerMisbehaved, reason: 'SelectedUnofferedGroup', alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'an FFDHE group in an ECDHE key exchange', (t) => t.firstFlight({ serverKeyExchange: { edit: (f) => (f.group = GROUP.ffdhe2048) } }), { error: PeerMisbehaved, reason: 'SelectedUnofferedGroup', alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'a group offered in supported_groups but excluded by the caller (P-384 with groups X25519:P-256)', (t) => t.firstFlight(), { error: PeerMisbehaved, reason: 'SelectedUnofferedGroup', alert: ALERT.illegal_parameter, ...plain }, { client: { groups: 'X25519:P-256' }, server12: { group: GROUP.secp384r1 } });
  // Bad points, correctly signed: the signature verifies, the point must still be refused.
  const badPoint = (name: string, group: number, point: () => Buffer): void =>
    rejects12(h, name, (t) => t.firstFlight({ serverKeyExchange: { point: point() } }), { error: PeerMisbehaved, reason: 'InvalidKeyShare', alert: ALERT.illegal_parameter, ...plain }, { server12: { group } });
  badPoint('X25519 all-zero point (shared secret all zero)', GROUP.x25519, () => Buffer.alloc(32));
  badPoint('X25519 small-order point u=1', GROUP.x25519, () => cat(u8(1), Buffer.alloc(31)));
  badPoint('X25519 point of 31 bytes', GROUP.x25519, () => Buffer.alloc(31, 9));
  badPoint('P-256 point not on the curve', GROUP.secp256r1, () => offCurve(makePoint(GROUP.secp256r1)));
  badPoint('P-256 compressed point', GROUP.secp256r1, () => cat(u8(2), makePoint(GROUP.secp256r1).subarray(1, 33)));
  badPoint('P-384 point at infinity', GROUP.secp384r1, () => u8(0));
  rejects12(h, 'a signature scheme the client did not offer (rsa_pkcs1_sha1)', (t) => t.firstFlight({ serverKeyExchange: { edit: (f) => (f.scheme = SCHEME.rsa_pkcs1_sha1) } }), { error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: ALERT.illegal_parameter, ...plain }, { identity: (p) => p.rsa });
  rejects12(h, 'an ECDSA scheme with an RSA certificate', (t) => t.firstFlight({ serverKeyExchange: { edit: (f) => (f.scheme = SCHEME.ecdsa_secp256r1_sha256) } }), { error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: ALERT.illegal_parameter, ...plain }, { identity: (p) => p.rsa });
  rejects12(h, 'an RSA scheme with an ECDSA certificate', (t) => t.firstFlight({ serverKeyExchange: { edit: (f) => (f.scheme = SCHEME.rsa_pss_rsae_sha256) } }), { error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: ALERT.illegal_parameter, ...plain });
  rejects12(h, 'ServerKeyExchange with trailing bytes', (t) => t.firstFlight({ serverKeyExchange: { raw: (m) => grow(cat(m, u8(0))) } }), { error: InvalidMessage, alert: ALERT.decode_error, ...plain });
  rejects12(h, 'ServerKeyExchange cut short', (t) => t.firstFlight({ serverKeyExchange: { raw: (m) => grow(m.subarray(0, m.length - 10)) } }), { error: InvalidMessage, alert: ALERT.decode_error, ...plain });
});

describe('TLS 1.2 message order and ChangeCipherSpec', () => {
  const order = (name: string, arrange: (m: Buffer[]) => Buffer[], x: { error: typeof InappropriateMessage | typeof InvalidMessage | typeof PeerMisbehaved; reason?: string; alert: number } = { error: InappropriateMessage, alert: ALERT.unexpected_message }, o: CaseOptions = {}): void =>
    rejects12(h, name, (t, p) => t.firstFlight({ frame: (m) => p.sendHandshake(arrange(m)) }), { ...x, ...plain }, o);
  order('ServerKeyExchange before Certificate', ([s, c, k, d]) => [s!, k!, c!, d!]);
  order('no ServerKeyExchange', ([s, c, , d]) => [s!, c!, d!]);
  order('no Certificate', ([s, , k, d]) => [s!, k!, d!]);
  order('ServerHello twice', ([s, c, k, d]) => [s!, s!, c!, k!, d!]);
  order('ServerKeyExchange twice', ([s, c, k, d]) => [s!, c!, k!, k!, d!]);
  order('a TLS 1.3 EncryptedExtensions in a TLS 1.2 flight', ([s, c, k, d]) => [s!, handshake(HS.EncryptedExtensions, u16(0)), c!, k!, d!]);
  order('Finished instead of ServerHelloDone', ([s, c, k]) => [s!, c!, k!, handshake(HS.Finished, Buffer.alloc(12))]);
  order('NewSessionTicket in the first flight', ([s, c, k, d]) => [s!, c!, k!, handshake(HS.NewSessionTicket, cat(Buffer.alloc(4), vec16(Buffer.alloc(8)))), d!]);
  order('CertificateStatus although status_request was not acknowledged', ([s, c, k, d]) => [s!, c!, handshake(HS.CertificateStatus, Buffer.from([1, 0, 0, 1, 0])), k!, d!], { error: PeerMisbehaved, alert: ALERT.unsupported_extension });
  order('ServerHelloDone with a body', ([s, c, k]) => [s!, c!, k!, handshake(HS.ServerHelloDone, u8(0))], { error: InvalidMessage, alert: ALERT.decode_error });
  order('an unknown handshake type (99)', ([s, c, k, d]) => [s!, c!, handshake(99, Buffer.alloc(2)), k!, d!]);
  rejects12(h, 'a ChangeCipherSpec before ServerHelloDone', (t, p) => t.firstFlight({ frame: ([s, c, k, d]) => {
    p.sendHandshake([s!, c!, k!]);
    p.ccs();
    p.sendHandshake([d!]);
  } }), { error: InappropriateMessage, alert: ALERT.unexpected_message, ...plain });
  rejects12(h, 'ServerHelloDone followed by part of another message in the same record (issue 10 defect 7)', (t, p) => {
    t.firstFlight({ frame: (m) => p.sendHandshake([...m, Buffer.from([HS.Finished, 0, 0])]) });
  }, { error: PeerMisbehaved, reason: 'MessageNotOnRecordBoundary', alert: ALERT.unexpected_message, ...plain });
  rejects12(h, 'server Finished without a ChangeCipherSpec (unprotected)', async (t, p) => {
    t.firstFlight();
    await t.readClientFlight();
    p.sendHandshake([t.finished()]);
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...enc });
  // After the first CCS every record is protected: a second, plaintext CCS fails authentication.
  rejects12(h, 'two ChangeCipherSpec records', async (t, p) => {
    t.firstFlight();
    await t.readClientFlight();
    p.ccs();
    t.finalFlight();
  }, { error: DecryptError, alert: ALERT.bad_record_mac, ...enc });
  rejects12(h, 'a protected ChangeCipherSpec after the first one', async (t, p) => {
    t.firstFlight();
    await t.readClientFlight();
    p.ccs();
    t.useServerKeys();
    p.sendRecord(CT.ChangeCipherSpec, u8(1));
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...enc });
  rejects12(h, 'a ChangeCipherSpec whose byte is 0x02', async (t, p) => {
    t.firstFlight();
    await t.readClientFlight();
    p.ccs(u8(2));
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...enc });
  rejects12(h, 'application data before the server Finished', async (t, p) => {
    t.firstFlight();
    await t.readClientFlight();
    p.ccs();
    t.useServerKeys();
    p.data(Buffer.from('early'));
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...enc });
  rejects12(h, 'server Finished with one bit flipped', async (t) => {
    t.firstFlight();
    await t.readClientFlight();
    t.finalFlight({ finished: { edit: (f) => flip(f.verifyData, 3) } });
  }, { error: PeerMisbehaved, reason: 'IncorrectFinished', alert: ALERT.decrypt_error, ...enc });
  rejects12(h, 'server Finished computed with the client label', async (t) => {
    t.firstFlight();
    await t.readClientFlight();
    t.finalFlight({ finished: { edit: (f) => (f.verifyData = t.finishedData('client')) } });
  }, { error: PeerMisbehaved, reason: 'IncorrectFinished', alert: ALERT.decrypt_error, ...enc });
  rejects12(h, 'server Finished of 13 bytes', async (t) => {
    t.firstFlight();
    await t.readClientFlight();
    t.finalFlight({ finished: { edit: (f) => (f.verifyData = cat(f.verifyData, u8(0))) } });
  }, { error: PeerMisbehaved, alert: ALERT.decrypt_error, ...enc });
  rejects12(h, 'a server record whose AEAD tag does not verify', async (t, p) => {
    t.firstFlight();
    await t.readClientFlight();
    p.hook = (rec, info) => (info.type === CT.Handshake ? tamper(rec) : rec);
    t.finalFlight();
  }, { error: DecryptError, alert: ALERT.bad_record_mac, ...enc });
  rejects12(h, 'a plaintext record of 2^14 + 1 bytes', (_t, p) => p.write(record(CT.Handshake, Buffer.alloc(16385))), { error: PeerMisbehaved, alert: ALERT.record_overflow, ...plain });
  rejects12(h, 'a protected record longer than 2^14 + 2048 bytes', async (t, p) => {
    t.firstFlight();
    await t.readClientFlight();
    p.ccs();
    p.write(record(CT.Handshake, Buffer.alloc(16384 + 2049)));
  }, { error: PeerMisbehaved, alert: ALERT.record_overflow, ...enc });
  rejects12(h, 'a fatal alert from the server: no alert back', (_t, p) => p.write(record(CT.Alert, Buffer.from([2, ALERT.handshake_failure]))), { error: AlertReceived, alert: null });
});

describe('TLS 1.2 record mutations through Peer.hook', () => {
  /** The first flight one message per record: hook index 0 ServerHello, 1 Certificate, 2 ServerKeyExchange, 3 ServerHelloDone. */
  const perMessage = (t: Tls12, p: { sendHandshake(m: Buffer[]): void }): void => t.firstFlight({ frame: (msgs) => msgs.forEach((m) => p.sendHandshake([m])) });
  rejects12(h, 'the Certificate record replayed', (t, p) => {
    p.hook = (rec, info) => (info.index === 1 ? [rec, rec] : rec);
    perMessage(t, p);
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...plain });
  rejects12(h, 'Certificate and ServerKeyExchange records swapped', (t, p) => {
    let held: Buffer | undefined;
    p.hook = (rec, info) => {
      if (info.index === 1) {
        held = rec;
        return [];
      }
      return info.index === 2 ? [rec, held!] : rec;
    };
    perMessage(t, p);
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...plain });
  rejects12(h, 'the ServerKeyExchange record dropped', (t, p) => {
    p.hook = (rec, info) => (info.index === 2 ? [] : rec);
    perMessage(t, p);
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...plain });
  rejects12(h, 'the server Finished record replayed before the client saw the first copy', async (t, p) => {
    t.firstFlight();
    await t.readClientFlight();
    p.hook = (rec, info) => (info.type === CT.Handshake ? [rec, rec] : rec);
    p.batch(() => t.finalFlight());
  }, { error: DecryptError, alert: ALERT.bad_record_mac, key: 'client', afterHandshake: false });
});

describe('TLS 1.2 extended master secret and resumption (RFC 7627, RFC 5246 §7.4.1.3)', () => {
  /** A full handshake that leaves the client a session-ID session: its bytes, and the server's master secret. */
  async function issueSession(ems: boolean): Promise<{ session: Buffer; master: Buffer; sessionId: Buffer; suite: number }> {
    let session: Buffer | undefined;
    let out: { master: Buffer; sessionId: Buffer; suite: number } | undefined;
    await h.server.run(async (p) => {
      const t = await Tls12.accept(p, { identity: h.pki.ec256, ems });
      await t.handshake();
      out = { master: t.master!, sessionId: t.sessionId, suite: t.suite.id };
      await p.clientConnected;
      p.alert(1, ALERT.close_notify);
      return p.readUntilClose();
    }, h.client(), 3000, (s) => s.on('session', (b: Buffer) => (session = b)));
    return { session: session!, ...out! };
  }
  const resumeWith = async (ems: boolean, answer: (t: Tls12, p: Peer, s: { master: Buffer; sessionId: Buffer }) => Promise<void> | void, server: Omit<Tls12Options, 'identity'> = {}) => {
    const s = await issueSession(ems);
    return h.server.run(async (p) => {
      const t = await Tls12.accept(p, { identity: h.pki.ec256, ...server });
      expect(t.ch.sessionId.equals(s.sessionId), 'the client offers the session').toBe(true);
      await answer(t, p, s);
      p.end();
      return p.readUntilClose();
    }, h.client({ session: s.session }));
  };
  it('a server without extended_master_secret is refused when the client requires it', async () => {
    const context = new Context({ trustStore: TrustStore.fromPem(h.pki.caPem), requireExtendedMasterSecret: true, sessionCacheMode: 'off' });
    const r = await h.server.run(async (p) => {
      const t = await Tls12.accept(p, { identity: h.pki.ec256, ems: false });
      t.firstFlight();
      p.end();
      return p.readUntilClose();
    }, { servername: 'localhost', context });
    expectRejected(r, { error: PeerIncompatible, reason: 'ExtendedMasterSecretRequired', alert: ALERT.handshake_failure, key: 'plaintext' });
  });
  it('the same session resumes (abbreviated handshake from the server-side master secret)', async () => {
    const r = await resumeWith(true, async (t, p, s) => {
      await t.resume(s.master, s.sessionId);
      await sendResumedAndClose(p);
    });
    expectResumed(r);
  });
  it('a session made with EMS resumed by a ServerHello without EMS (RFC 7627 §5.3)', async () => {
    const r = await resumeWith(true, (t, p, s) => p.sendHandshake([t.serverHello({ edit: (f) => (f.sessionId = s.sessionId) })]), { ems: false });
    expectRejected(r, { error: PeerMisbehaved, reason: 'MissingExtendedMasterSecret', alert: ALERT.handshake_failure, key: 'plaintext' });
  });
  it('a session made without EMS resumed by a ServerHello with EMS (RFC 7627 §5.3)', async () => {
    const r = await resumeWith(false, (t, p, s) => p.sendHandshake([t.serverHello({ edit: (f) => (f.sessionId = s.sessionId) })]), { ems: true });
    expectRejected(r, { error: PeerMisbehaved, alert: ALERT.handshake_failure, key: 'plaintext' });
  });
  it('a resumption that changes the cipher suite (RFC 5246 §7.4.1.3)', async () => {
    const r = await resumeWith(true, (t, p, s) => p.sendHandshake([t.serverHello({ edit: (f) => (f.sessionId = s.sessionId) })]), { suite: SUITE.ECDHE_ECDSA_AES_256_GCM_SHA384 });
    expectRejected(r, { error: PeerMisbehaved, reason: 'SelectedUnofferedCipherSuite', alert: ALERT.illegal_parameter, key: 'plaintext' });
  });
  it('a resumption whose server Finished is keyed with another master secret', async () => {
    const r = await resumeWith(true, async (t, p, s) => {
      const wrong = Buffer.from(s.master);
      wrong[0]! ^= 1;
      p.sendHandshake([t.serverHello({ edit: (f) => (f.sessionId = s.sessionId) })]);
      t.master = wrong;
      t.useKeyBlock();
      p.ccs();
      t.useServerKeys();
      p.sendHandshake([t.finished()]);
    });
    // The server's record does not open under the keys of the real session.
    expectRejected(r, { error: DecryptError, alert: ALERT.bad_record_mac, key: 'plaintext' });
  });
});

describe('TLS 1.2 after the handshake', () => {
  const after = { key: 'client', afterHandshake: true };
  rejects12(h, 'a TLS 1.3 KeyUpdate', async (t, p) => {
    await t.handshake();
    await p.clientConnected;
    p.sendHandshake([handshake(HS.KeyUpdate, u8(0))]);
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...after });
  rejects12(h, 'a second ServerHello', async (t, p) => {
    await t.handshake();
    await p.clientConnected;
    p.sendHandshake([t.serverHello()]);
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...after });
  rejects12(h, 'a protected ChangeCipherSpec', async (t, p) => {
    await t.handshake();
    await p.clientConnected;
    p.sendRecord(CT.ChangeCipherSpec, u8(1));
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...after });
  rejects12(h, 'a plaintext record under the protected epoch', async (t, p) => {
    await t.handshake();
    await p.clientConnected;
    p.write(record(CT.ApplicationData, Buffer.from('not encrypted at all')));
  }, { error: DecryptError, alert: ALERT.bad_record_mac, ...after });
  rejects12(h, 'an unknown record type', async (t, p) => {
    await t.handshake();
    await p.clientConnected;
    p.sendRecord(0x30, Buffer.from('x'));
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...after });
});

// ---- helpers -----------------------------------------------------------------------------

function otherKey(scheme: number) {
  if (scheme === SCHEME.ed25519) return generateKeyPairSync('ed25519').privateKey;
  if (scheme === SCHEME.ecdsa_secp256r1_sha256) return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  if (scheme === SCHEME.ecdsa_secp384r1_sha384) return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  rsaOther ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return rsaOther;
}
let rsaOther: ReturnType<typeof generateKeyPairSync>['privateKey'] | undefined;

function makePoint(group: number): Buffer {
  if (group === GROUP.x25519) return Buffer.from(generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const jwk = generateKeyPairSync('ec', { namedCurve: group === GROUP.secp256r1 ? 'P-256' : 'P-384' }).publicKey.export({ format: 'jwk' });
  return cat(u8(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url'));
}

function offCurve(point: Buffer): Buffer {
  const p = Buffer.from(point);
  p[p.length - 1]! ^= 0x01;
  return p;
}

function tamper(rec: Buffer): Buffer {
  const out = Buffer.from(rec);
  out[out.length - 1]! ^= 0x80;
  return out;
}
