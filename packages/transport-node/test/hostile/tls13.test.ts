/**
 * TLS 1.3 (RFC 8446) rejections, driven through connect() over a real 127.0.0.1 socket against
 * the hostile server. Each case names the rule, breaks it, and asserts the client's TlsError class
 * and reason plus the fatal alert the server read (and decrypted) on the wire. The expected
 * alerts are the RFC's: §4.1.3/§4.1.4 (ServerHello, HelloRetryRequest), §4.2 (extensions),
 * §4.4 (authentication), §5 (records), §6.2 (alert choice), §D.4 (middlebox CCS).
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe } from 'vitest';
import { AlertReceived, DecryptError, InappropriateMessage, InvalidCertificate, InvalidMessage, PeerMisbehaved, UnexpectedEof } from '@puretls/tls-core';
import { rejects13, useHostile } from './harness.ts';
import { ALERT, CT, EXT, GROUP, HS, SCHEME, SUITE, cat, ext, handshake, record, u16, u8, vec16, vec8, type Ext } from './wire.ts';
import { encodeServerHello, type Tls13 } from './server.ts';
import { finished13 } from './crypto.ts';

const h = useHostile();

const withExt = (list: Ext[], e: Ext): void => void list.push(e);
const replaceExt = (list: Ext[], type: number, body: Buffer): void => {
  const i = list.findIndex((e) => e.type === type);
  list[i] = ext(type, body);
};
const dropExt = (list: Ext[], type: number): void => {
  list.splice(
    list.findIndex((e) => e.type === type),
    1,
  );
};
const flip = (b: Buffer, i: number): void => void (b[i < 0 ? b.length + i : i]! ^= 0x01);

const plain = { key: 'plaintext' };
const hs = { key: 'client hs' };
const app = { key: 'client app', afterHandshake: true };

describe('TLS 1.3 ServerHello (RFC 8446 §4.1.3)', () => {
  rejects13(h, 'cipher suite the client did not offer', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => (f.suite = SUITE.TLS_AES_128_CCM_SHA256) })]), {
    error: PeerMisbehaved,
    reason: 'SelectedUnofferedCipherSuite',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'a TLS 1.2 cipher suite with supported_versions TLS 1.3', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => (f.suite = SUITE.ECDHE_ECDSA_AES_128_GCM_SHA256) })]), {
    error: PeerMisbehaved,
    reason: 'SelectedUnofferedCipherSuite',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'supported_versions selects a version the client did not offer (0x0305)', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => replaceExt(f.extensions, EXT.supported_versions, u16(0x0305)) })]), {
    error: PeerMisbehaved,
    reason: 'SelectedUnofferedVersion',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'supported_versions selects TLS 1.2 (prior to 1.3)', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => replaceExt(f.extensions, EXT.supported_versions, u16(0x0303)) })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'legacy_compression_method 1', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => (f.compression = 1) })]), {
    error: PeerMisbehaved,
    reason: 'NonZeroCompression',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'legacy_session_id_echo differs from the client legacy_session_id', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => (f.sessionId = Buffer.alloc(32, 7)) })]), {
    error: PeerMisbehaved,
    reason: 'SessionIdMismatch',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'empty legacy_session_id_echo although the client sent a compatibility session ID', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => (f.sessionId = Buffer.alloc(0)) })]), {
    error: PeerMisbehaved,
    reason: 'SessionIdMismatch',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'key_share for a group the client did not offer (x448)', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => replaceExt(f.extensions, EXT.key_share, cat(u16(GROUP.x448), vec16(Buffer.alloc(56, 9)))) })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'key_share for an offered group the client sent no share for (P-256)', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => replaceExt(f.extensions, EXT.key_share, cat(u16(GROUP.secp256r1), vec16(Buffer.alloc(65, 4)))) })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'no key_share and no pre_shared_key', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => dropExt(f.extensions, EXT.key_share) })]), {
    error: PeerMisbehaved,
    reason: 'MissingKeyShare',
    alert: ALERT.missing_extension,
    ...plain,
  });
  rejects13(h, 'an extension type the client never sends (0x1234)', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => withExt(f.extensions, ext(0x1234, Buffer.from('x'))) })]), {
    error: PeerMisbehaved,
    reason: 'UnsolicitedExtension',
    alert: ALERT.unsupported_extension,
    ...plain,
  });
  rejects13(h, 'pre_shared_key although no PSK was offered', (t, p) => p.sendHandshake([t.serverHello({ pskIndex: 0 })]), {
    error: PeerMisbehaved,
    alert: ALERT.unsupported_extension,
    ...plain,
  });
  // RFC 8446 §4.2: a known extension in a message it is not specified for: illegal_parameter.
  rejects13(h, 'cookie in a ServerHello (only HelloRetryRequest carries it)', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => withExt(f.extensions, ext(EXT.cookie, vec16(Buffer.from('c')))) })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'server_name in a ServerHello (it belongs in EncryptedExtensions)', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => withExt(f.extensions, ext(EXT.server_name)) })]), {
    error: PeerMisbehaved,
    reason: 'ExtensionNotAllowedHere',
    alert: ALERT.illegal_parameter,
    ...plain,
  }, { client: { servername: 'localhost' } });
  rejects13(h, 'early_data in a ServerHello', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => withExt(f.extensions, ext(EXT.early_data)) })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'the same extension twice', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => withExt(f.extensions, f.extensions[0]!) })]), {
    error: InvalidMessage,
    reason: 'DuplicateExtension',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'trailing bytes after the extensions', (t, p) => p.sendHandshake([t.serverHello({ raw: (m) => grow(cat(m, Buffer.from([0, 0]))) })]), {
    error: InvalidMessage,
    alert: ALERT.decode_error,
    ...plain,
  });
  rejects13(h, 'extensions block longer than the message', (t, p) => p.sendHandshake([t.serverHello({ raw: (m) => grow(m.subarray(0, m.length - 3)) })]), {
    error: InvalidMessage,
    alert: ALERT.decode_error,
    ...plain,
  });
  rejects13(h, 'key_share extension body with trailing bytes', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => replaceExt(f.extensions, EXT.key_share, cat(u16(GROUP.x25519), vec16(t.share!.publicKey), u8(0))) })]), {
    error: InvalidMessage,
    alert: ALERT.decode_error,
    ...plain,
  });
  rejects13(h, 'a ServerHello without supported_versions (so TLS 1.2) choosing a TLS 1.3 suite', (t, p) => p.sendHandshake([t.serverHello({ edit: (f) => dropExt(f.extensions, EXT.supported_versions) })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'legacy_version 0x0304 instead of 0x0303 (issue 10 defect 7)', (t, p) => {
    // The whole flight and a close_notify: a client that accepts the ServerHello ends at once.
    t.flight({ serverHello: { edit: (f) => (f.legacyVersion = 0x0304) } });
    p.alert(1, ALERT.close_notify);
  }, {
    error: PeerMisbehaved,
    reason: 'BadLegacyVersion',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'legacy_version 0x0301 instead of 0x0303 (issue 10 defect 7)', (t, p) => {
    // The whole flight and a close_notify: a client that accepts the ServerHello ends at once.
    t.flight({ serverHello: { edit: (f) => (f.legacyVersion = 0x0301) } });
    p.alert(1, ALERT.close_notify);
  }, {
    error: PeerMisbehaved,
    reason: 'BadLegacyVersion',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
});

describe('TLS 1.3 key shares: bad points (RFC 8446 §4.2.8.2, RFC 7748 §6.1)', () => {
  const badShare = (name: string, group: number, clientGroups: string, share: (good: Buffer) => Buffer, error: typeof PeerMisbehaved | typeof InvalidMessage = PeerMisbehaved, alert: number = ALERT.illegal_parameter): void =>
    rejects13(h, name, (t, p) => {
      t.group = group;
      p.sendHandshake([t.serverHello({ share: share(makeValid(group)) })]);
    }, { error, alert, ...plain }, { client: { groups: clientGroups } });
  badShare('X25519 all-zero public value (shared secret all zero)', GROUP.x25519, 'X25519', () => Buffer.alloc(32));
  badShare('X25519 small-order point u=1 (shared secret all zero)', GROUP.x25519, 'X25519', () => cat(u8(1), Buffer.alloc(31)));
  badShare('X25519 public value of 31 bytes', GROUP.x25519, 'X25519', (g) => g.subarray(0, 31));
  badShare('X25519 public value of 33 bytes', GROUP.x25519, 'X25519', (g) => cat(g, u8(0)));
  // key_exchange<1..2^16-1>: an empty one does not decode.
  badShare('X25519 empty public value', GROUP.x25519, 'X25519', () => Buffer.alloc(0), InvalidMessage, ALERT.decode_error);
  badShare('P-256 point not on the curve', GROUP.secp256r1, 'P-256', (g) => offCurve(g));
  badShare('P-256 compressed point (33 bytes)', GROUP.secp256r1, 'P-256', (g) => cat(u8(2 + (g[64]! & 1)), g.subarray(1, 33)));
  badShare('P-256 point at infinity (a single 0x00)', GROUP.secp256r1, 'P-256', () => u8(0));
  badShare('P-256 point with the hybrid prefix 0x06', GROUP.secp256r1, 'P-256', (g) => cat(u8(6), g.subarray(1)));
  badShare('P-256 point with coordinates >= p', GROUP.secp256r1, 'P-256', () => cat(u8(4), Buffer.alloc(64, 0xff)));
  badShare('P-256 point truncated to 64 bytes', GROUP.secp256r1, 'P-256', (g) => g.subarray(0, 64));
  badShare('P-384 point not on the curve', GROUP.secp384r1, 'P-384', (g) => offCurve(g));
  badShare('P-384 all-zero point', GROUP.secp384r1, 'P-384', () => cat(u8(4), Buffer.alloc(96)));
});

describe('TLS 1.3 HelloRetryRequest misuse (RFC 8446 §4.1.4)', () => {
  rejects13(h, 'a second HelloRetryRequest', async (t, p) => {
    p.sendHandshake([t.helloRetryRequest({ group: GROUP.secp256r1 })]);
    await t.readSecondClientHello();
    p.sendHandshake([t.helloRetryRequest({ group: GROUP.secp384r1 })]);
  }, { error: PeerMisbehaved, reason: 'SecondHelloRetryRequest', alert: ALERT.unexpected_message, ...plain });
  rejects13(h, 'HelloRetryRequest that would not change the ClientHello (the group already has a share)', (t, p) => p.sendHandshake([t.helloRetryRequest({ group: GROUP.x25519 })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'HelloRetryRequest with neither key_share nor cookie', (t, p) => p.sendHandshake([t.helloRetryRequest({ group: null })]), {
    error: PeerMisbehaved,
    reason: 'IllegalHelloRetryRequestWithNoChanges',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'HelloRetryRequest selecting a group the client did not offer (x448)', (t, p) => p.sendHandshake([t.helloRetryRequest({ group: GROUP.x448 })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'HelloRetryRequest selecting an unoffered cipher suite', (t, p) => p.sendHandshake([t.helloRetryRequest({ edit: (f) => (f.suite = SUITE.TLS_AES_128_CCM_SHA256) })]), {
    error: PeerMisbehaved,
    reason: 'SelectedUnofferedCipherSuite',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'cipher suite changed between HelloRetryRequest and ServerHello', async (t, p) => {
    p.sendHandshake([t.helloRetryRequest({ group: GROUP.secp256r1 })]);
    await t.readSecondClientHello();
    p.sendHandshake([t.serverHello({ edit: (f) => (f.suite = SUITE.TLS_CHACHA20_POLY1305_SHA256) })]);
  }, { error: PeerMisbehaved, reason: 'HelloRetryRequestChangedSuite', alert: ALERT.illegal_parameter, ...plain });
  rejects13(h, 'ServerHello after HelloRetryRequest uses the old group instead of the requested one', async (t, p) => {
    p.sendHandshake([t.helloRetryRequest({ group: GROUP.secp256r1 })]);
    await t.readSecondClientHello();
    t.group = GROUP.x25519;
    p.sendHandshake([t.serverHello()]);
  }, { error: PeerMisbehaved, alert: ALERT.illegal_parameter, ...plain });
  rejects13(h, 'HelloRetryRequest with legacy_compression_method 1', (t, p) => p.sendHandshake([t.helloRetryRequest({ edit: (f) => (f.compression = 1) })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'HelloRetryRequest with a wrong legacy_session_id_echo', (t, p) => p.sendHandshake([t.helloRetryRequest({ edit: (f) => (f.sessionId = Buffer.alloc(32, 1)) })]), {
    error: PeerMisbehaved,
    reason: 'SessionIdMismatch',
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'HelloRetryRequest with an unknown extension', (t, p) => p.sendHandshake([t.helloRetryRequest({ edit: (f) => withExt(f.extensions, ext(0x4444)) })]), {
    error: PeerMisbehaved,
    alert: ALERT.unsupported_extension,
    ...plain,
  });
  rejects13(h, 'HelloRetryRequest with supported_versions TLS 1.2', (t, p) => p.sendHandshake([t.helloRetryRequest({ edit: (f) => replaceExt(f.extensions, EXT.supported_versions, u16(0x0303)) })]), {
    error: PeerMisbehaved,
    alert: ALERT.illegal_parameter,
    ...plain,
  });
  rejects13(h, 'HelloRetryRequest with an empty cookie', (t, p) => p.sendHandshake([t.helloRetryRequest({ cookie: Buffer.alloc(0) })]), {
    error: InvalidMessage,
    alert: ALERT.decode_error,
    ...plain,
  });
});

describe('TLS 1.3 EncryptedExtensions (RFC 8446 §4.3.1, §4.2)', () => {
  const ee = (name: string, edit: (exts: Ext[]) => void, x: { error: typeof PeerMisbehaved | typeof InvalidMessage; reason?: string; alert: number }, client = {}): void =>
    rejects13(h, name, (t) => t.flight({ encryptedExtensions: { edit: (f) => edit(f.extensions) } }), { ...x, ...hs }, { client });
  ee('an unknown extension', (e) => e.push(ext(0x5555)), { error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: ALERT.unsupported_extension });
  ee('key_share (a ServerHello extension)', (e) => e.push(ext(EXT.key_share, cat(u16(GROUP.x25519), vec16(Buffer.alloc(32, 1))))), { error: PeerMisbehaved, reason: 'ExtensionNotAllowedHere', alert: ALERT.illegal_parameter });
  ee('supported_versions (a ServerHello extension)', (e) => e.push(ext(EXT.supported_versions, u16(0x0304))), { error: PeerMisbehaved, reason: 'ExtensionNotAllowedHere', alert: ALERT.illegal_parameter });
  ee('pre_shared_key (a ServerHello extension)', (e) => e.push(ext(EXT.pre_shared_key, u16(0))), { error: PeerMisbehaved, alert: ALERT.illegal_parameter });
  ee('ALPN although the client offered none', (e) => e.push(ext(EXT.alpn, vec16(vec8(Buffer.from('h2'))))), { error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: ALERT.unsupported_extension });
  ee('ALPN protocol the client did not offer', (e) => e.push(ext(EXT.alpn, vec16(vec8(Buffer.from('h2'))))), { error: PeerMisbehaved, reason: 'SelectedUnofferedApplicationProtocol', alert: ALERT.illegal_parameter }, { ALPNProtocols: ['http/1.1'] });
  ee('ALPN with two protocols', (e) => e.push(ext(EXT.alpn, vec16(cat(vec8(Buffer.from('http/1.1')), vec8(Buffer.from('h2')))))), { error: InvalidMessage, alert: ALERT.decode_error }, { ALPNProtocols: ['http/1.1', 'h2'] });
  ee('ALPN with an empty protocol name', (e) => e.push(ext(EXT.alpn, vec16(vec8(Buffer.alloc(0))))), { error: InvalidMessage, alert: ALERT.decode_error }, { ALPNProtocols: ['http/1.1'] });
  ee('server_name with a non-empty body', (e) => e.push(ext(EXT.server_name, Buffer.from([0, 0]))), { error: InvalidMessage, alert: ALERT.decode_error });
  ee('early_data the client never offered', (e) => e.push(ext(EXT.early_data)), { error: PeerMisbehaved, alert: ALERT.unsupported_extension });
  ee('max_fragment_length the client never offered', (e) => e.push(ext(EXT.max_fragment_length, u8(1))), { error: PeerMisbehaved, reason: 'UnsolicitedExtension', alert: ALERT.unsupported_extension });
  ee('status_request (a CertificateEntry extension)', (e) => e.push(ext(EXT.status_request)), { error: PeerMisbehaved, alert: ALERT.illegal_parameter });
  ee('the same extension twice', (e) => e.push(ext(EXT.server_name), ext(EXT.server_name)), { error: InvalidMessage, reason: 'DuplicateExtension', alert: ALERT.illegal_parameter });
  rejects13(h, 'EncryptedExtensions with trailing bytes', (t) => t.flight({ encryptedExtensions: { raw: (m) => grow(cat(m, u8(0))) } }), { error: InvalidMessage, alert: ALERT.decode_error, ...hs });
  rejects13(h, 'EncryptedExtensions with an extensions length past the message end', (t) => t.flight({ encryptedExtensions: { raw: () => handshake(HS.EncryptedExtensions, u16(4)) } }), { error: InvalidMessage, alert: ALERT.decode_error, ...hs });
});

describe('TLS 1.3 message order (RFC 8446 §4, §5.1)', () => {
  const order = (name: string, arrange: (m: { ee: Buffer; cert: Buffer; cv: Buffer; fin: Buffer }, t: Tls13) => Buffer[]): void =>
    rejects13(h, name, (t, p) => {
      t.flight({ frame: ([ee, cert, cv, fin]) => p.sendHandshake(arrange({ ee: ee!, cert: cert!, cv: cv!, fin: fin! }, t)) });
    }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...hs });
  order('Certificate before EncryptedExtensions', (m) => [m.cert, m.ee, m.cv, m.fin]);
  order('Finished without Certificate and CertificateVerify', (m) => [m.ee, m.fin]);
  order('CertificateVerify before Certificate', (m) => [m.ee, m.cv, m.cert, m.fin]);
  order('Certificate, then Finished without CertificateVerify', (m) => [m.ee, m.cert, m.fin]);
  order('EncryptedExtensions twice', (m) => [m.ee, m.ee, m.cert, m.cv, m.fin]);
  order('a ServerHello inside the encrypted flight', (m, t) => [m.ee, encodeServerHello({ legacyVersion: 0x0303, random: t.ch.random, sessionId: t.ch.sessionId, suite: t.suite.id, compression: 0, extensions: [ext(EXT.supported_versions, u16(0x0304))] }), m.cert, m.cv, m.fin]);
  order('NewSessionTicket before Finished', (m, t) => [m.ee, m.cert, m.cv, t.newSessionTicket(), m.fin]);
  order('KeyUpdate during the handshake', (m) => [m.ee, m.cert, m.cv, handshake(HS.KeyUpdate, u8(0)), m.fin]);
  order('CertificateRequest after Certificate', (m) => [m.ee, m.cert, handshake(HS.CertificateRequest, cat(u8(0), vec16(Buffer.from([0, 13, 0, 4, 0, 2, 4, 3])))), m.cv, m.fin]);
  order('a TLS 1.2 ServerKeyExchange in a TLS 1.3 flight', (m) => [m.ee, m.cert, handshake(HS.ServerKeyExchange, cat(u8(3), u16(GROUP.x25519), vec8(Buffer.alloc(32, 9)), u16(SCHEME.ecdsa_secp256r1_sha256), vec16(Buffer.alloc(70, 1)))), m.cv, m.fin]);
  rejects13(h, 'a TLS 1.2 ServerHelloDone in a TLS 1.3 flight (in a record of its own)', (t, p) => {
    t.flight({ frame: ([ee, cert, cv, fin]) => {
      p.sendHandshake([ee!, cert!, cv!]);
      p.sendHandshake([handshake(HS.ServerHelloDone, Buffer.alloc(0))]);
      p.sendHandshake([fin!]);
    } });
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...hs });
  order('an unknown handshake type (99)', (m) => [m.ee, handshake(99, Buffer.alloc(3)), m.cert, m.cv, m.fin]);
  rejects13(h, 'application data before the server Finished', (t, p) => {
    t.flight({ frame: ([ee, cert, cv]) => {
      p.sendHandshake([ee!, cert!, cv!]);
      p.data(Buffer.from('early'));
    } });
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'EncryptedExtensions in plaintext (no protection)', (t, p) => {
    p.sendHandshake([t.serverHello()]);
    p.sendHandshake([t.encryptedExtensions()]);
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'ServerHello and EncryptedExtensions in one record (a message across a key change)', (t, p) => {
    p.sendHandshake([t.serverHello(), t.encryptedExtensions()]);
  }, { error: PeerMisbehaved, reason: 'KeyChangeNotOnRecordBoundary', alert: ALERT.unexpected_message, ...plain });
  rejects13(h, 'ServerHello split so that its last byte shares a record with the encrypted flight', (t, p) => {
    const sh = t.serverHello();
    p.sendRecord(CT.Handshake, sh.subarray(0, sh.length - 1));
    p.sendRecord(CT.Handshake, cat(sh.subarray(sh.length - 1), Buffer.from([HS.EncryptedExtensions, 0, 0, 2, 0, 0])));
  }, { error: PeerMisbehaved, reason: 'KeyChangeNotOnRecordBoundary', alert: ALERT.unexpected_message, ...plain });
  rejects13(h, 'server Finished and a NewSessionTicket in one record (Finished must end its record)', (t, p) => {
    t.flight({ frame: (msgs) => p.sendHandshake([...msgs, t.newSessionTicket()]) });
  }, { error: PeerMisbehaved, reason: 'KeyChangeNotOnRecordBoundary', alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'a handshake message interleaved with application data (RFC 8446 §5.1)', (t, p) => {
    t.flight({ frame: (msgs) => {
      const all = cat(...msgs);
      p.sendRecord(CT.Handshake, all.subarray(0, 10));
      p.data(Buffer.from('x'));
      p.sendRecord(CT.Handshake, all.subarray(10));
    } });
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...hs });
});

describe('TLS 1.3 Certificate (RFC 8446 §4.4.2)', () => {
  const cert = (name: string, edit: (f: { context: Buffer; entries: { cert: Buffer; extensions: Ext[] }[] }) => void, x: { error: typeof PeerMisbehaved | typeof InvalidMessage | typeof InvalidCertificate; reason?: string; alert: number }, client = {}): void =>
    rejects13(h, name, (t) => t.flight({ certificate: { edit } }), { ...x, ...hs }, { client });
  cert('an empty certificate list', (f) => (f.entries = []), { error: PeerMisbehaved, reason: 'EmptyCertificateChain', alert: ALERT.decode_error });
  cert('a non-empty certificate_request_context', (f) => (f.context = Buffer.from([1])), { error: PeerMisbehaved, reason: 'IllegalCertificateRequestContext', alert: ALERT.illegal_parameter });
  cert('a leaf that is not DER', (f) => (f.entries[0]!.cert = Buffer.from('not a certificate')), { error: InvalidCertificate, alert: ALERT.bad_certificate });
  cert('a leaf with one byte flipped in its signature', (f) => flip((f.entries[0]!.cert = Buffer.from(f.entries[0]!.cert)), -3), { error: InvalidCertificate, reason: 'BadSignature', alert: ALERT.bad_certificate });
  cert('a leaf for another host name', () => {}, { error: InvalidCertificate, reason: 'NotValidForName', alert: ALERT.bad_certificate }, { servername: 'example.com' });
  cert('an unsolicited status_request entry extension', (f) => f.entries[0]!.extensions.push(ext(EXT.status_request, Buffer.from([1, 0, 0, 3, 1, 2, 3]))), { error: PeerMisbehaved, alert: ALERT.unsupported_extension });
  cert('an unknown entry extension', (f) => f.entries[0]!.extensions.push(ext(0x7777)), { error: PeerMisbehaved, alert: ALERT.unsupported_extension });
  rejects13(h, 'a certificate list length past the message end', (t) => t.flight({ certificate: { raw: (m) => grow(m.subarray(0, m.length - 5)) } }), { error: InvalidMessage, alert: ALERT.decode_error, ...hs });
  rejects13(h, 'a leaf from a CA the client does not trust (same CA name, other key)', (t) => t.flight(), { error: InvalidCertificate, alert: ALERT.unknown_ca, ...hs }, { identity: (p) => p.untrusted });
});

describe('TLS 1.3 CertificateVerify: an invalid signature for each scheme (RFC 8446 §4.4.3)', () => {
  const schemes: [string, number, (p: typeof h.pki) => typeof h.pki.ec256][] = [
    ['ecdsa_secp256r1_sha256', SCHEME.ecdsa_secp256r1_sha256, (p) => p.ec256],
    ['ecdsa_secp384r1_sha384', SCHEME.ecdsa_secp384r1_sha384, (p) => p.ec384],
    ['rsa_pss_rsae_sha256', SCHEME.rsa_pss_rsae_sha256, (p) => p.rsa],
    ['rsa_pss_rsae_sha384', SCHEME.rsa_pss_rsae_sha384, (p) => p.rsa],
    ['rsa_pss_rsae_sha512', SCHEME.rsa_pss_rsae_sha512, (p) => p.rsa],
    ['ed25519', SCHEME.ed25519, (p) => p.ed25519],
  ];
  const bad = { error: PeerMisbehaved, reason: 'BadCertificateVerify', alert: ALERT.decrypt_error, ...hs };
  for (const [name, scheme, identity] of schemes) {
    rejects13(h, `${name}: one bit of the signature flipped`, (t) => t.flight({ certificateVerify: { edit: (f) => flip(f.signature, -1 - 8) } }), bad, { identity, server13: { scheme } });
    rejects13(h, `${name}: signed by another key of the same type`, (t) => t.flight({ certificateVerify: { signWith: otherKey(scheme) } }), bad, { identity, server13: { scheme } });
    rejects13(h, `${name}: signed over the client's context string`, (t) => t.flight({ certificateVerify: { content: (c) => Buffer.from(c.toString('latin1').replace('server', 'client'), 'latin1') } }), bad, { identity, server13: { scheme } });
  }
  rejects13(h, 'ecdsa: an empty signature', (t) => t.flight({ certificateVerify: { edit: (f) => (f.signature = Buffer.alloc(0)) } }), { error: PeerMisbehaved, alert: ALERT.decrypt_error, ...hs });
  rejects13(h, 'ecdsa: a DER signature with trailing garbage', (t) => t.flight({ certificateVerify: { edit: (f) => (f.signature = cat(f.signature, u8(0))) } }), bad);
  rejects13(h, 'a scheme the client did not offer (ecdsa_sha1)', (t) => t.flight({ certificateVerify: { edit: (f) => (f.scheme = SCHEME.ecdsa_sha1) } }), { error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: ALERT.illegal_parameter, ...hs });
  rejects13(h, 'rsa_pkcs1_sha256 (not allowed in TLS 1.3 CertificateVerify)', (t) => t.flight({ certificateVerify: {} }), { error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: ALERT.illegal_parameter, ...hs }, { identity: (p) => p.rsa, server13: { scheme: SCHEME.rsa_pkcs1_sha256 } });
  rejects13(h, 'ecdsa_secp384r1_sha384 with a P-256 key (TLS 1.3 binds the curve)', (t) => t.flight({ certificateVerify: {} }), { error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: ALERT.illegal_parameter, ...hs }, { server13: { scheme: SCHEME.ecdsa_secp384r1_sha384 } });
  rejects13(h, 'the ed25519 scheme with an ECDSA certificate', (t) => t.flight({ certificateVerify: { edit: (f) => (f.scheme = SCHEME.ed25519) } }), { error: PeerMisbehaved, reason: 'SelectedUnofferedSignatureScheme', alert: ALERT.illegal_parameter, ...hs });
  rejects13(h, 'CertificateVerify with trailing bytes', (t) => t.flight({ certificateVerify: { raw: (m) => grow(cat(m, u8(0))) } }), { error: InvalidMessage, alert: ALERT.decode_error, ...hs });
});

describe('TLS 1.3 Finished (RFC 8446 §4.4.4)', () => {
  rejects13(h, 'one bit of verify_data flipped', (t) => t.flight({ finished: { edit: (f) => flip(f.verifyData, 0) } }), { error: PeerMisbehaved, reason: 'IncorrectFinished', alert: ALERT.decrypt_error, ...hs });
  rejects13(h, 'verify_data computed with the client handshake secret', (t) => t.flight({ finished: { edit: (f) => (f.verifyData = finishedWith(t, t.schedule.clientHs!)) } }), { error: PeerMisbehaved, reason: 'IncorrectFinished', alert: ALERT.decrypt_error, ...hs });
  // verify_data is opaque[Hash.length]: another length cannot match (decrypt_error, as BoringSSL's
  // tls13_process_finished answers; OpenSSL says decode_error).
  rejects13(h, 'verify_data one byte short', (t) => t.flight({ finished: { edit: (f) => (f.verifyData = f.verifyData.subarray(1)) } }), { error: PeerMisbehaved, reason: 'IncorrectFinished', alert: ALERT.decrypt_error, ...hs });
  rejects13(h, 'verify_data one byte long', (t) => t.flight({ finished: { edit: (f) => (f.verifyData = cat(f.verifyData, u8(0))) } }), { error: PeerMisbehaved, reason: 'IncorrectFinished', alert: ALERT.decrypt_error, ...hs });
  rejects13(h, 'empty Finished', (t) => t.flight({ finished: { edit: (f) => (f.verifyData = Buffer.alloc(0)) } }), { error: PeerMisbehaved, reason: 'IncorrectFinished', alert: ALERT.decrypt_error, ...hs });
});

describe('TLS 1.3 ChangeCipherSpec misuse (RFC 8446 §5, Appendix D.4)', () => {
  rejects13(h, 'a CCS whose byte is 0x02', (t, p) => {
    p.sendHandshake([t.serverHello()]);
    p.ccs(u8(2));
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'a CCS of two bytes', (t, p) => {
    p.sendHandshake([t.serverHello()]);
    p.ccs(Buffer.from([1, 1]));
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'a protected CCS (inner content type 20)', (t, p) => {
    t.flight({ frame: (msgs) => {
      p.sendRecord(CT.ChangeCipherSpec, u8(1));
      p.sendHandshake(msgs);
    } });
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'a CCS in the middle of a fragmented handshake message', (t, p) => {
    t.flight({ frame: (msgs) => {
      const all = cat(...msgs);
      p.sendRecord(CT.Handshake, all.subarray(0, 3));
      p.ccs();
      p.sendRecord(CT.Handshake, all.subarray(3));
    } });
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'a second Finished after the handshake', async (t, p) => {
    await t.handshake();
    await p.clientConnected;
    p.sendHandshake([handshake(HS.Finished, Buffer.alloc(32))]);
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...app });
  rejects13(h, 'a CCS after the handshake', async (t, p) => {
    await t.handshake();
    await p.clientConnected;
    p.ccs();
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...app });
});

describe('TLS 1.3 records (RFC 8446 §5)', () => {
  rejects13(h, 'a record whose AEAD tag does not verify', (t, p) => {
    p.hook = (rec, info) => (info.index === 1 ? tamper(rec) : rec);
    t.flight();
  }, { error: DecryptError, alert: ALERT.bad_record_mac, ...hs });
  rejects13(h, 'a plaintext record of 2^14 + 1 bytes', (t, p) => {
    const sh = t.serverHello();
    p.write(record(CT.Handshake, cat(sh, Buffer.alloc(16385 - sh.length))));
  }, { error: PeerMisbehaved, alert: ALERT.record_overflow, ...plain });
  rejects13(h, 'a protected record longer than 2^14 + 256 bytes', (t, p) => {
    t.flight({ frame: () => p.write(record(CT.ApplicationData, Buffer.alloc(16384 + 257))) });
  }, { error: PeerMisbehaved, alert: ALERT.record_overflow, ...hs });
  rejects13(h, 'TLSInnerPlaintext of 2^14 + 2 bytes: 2^14 content, type, one padding byte (issue 10 defect 7)', (t, p) => {
    t.flight({ frame: (msgs) => p.sendRecord(CT.Handshake, fill(cat(...msgs), 16384), { padding: 1 }) });
  }, { error: PeerMisbehaved, reason: 'RecordOverflow', alert: ALERT.record_overflow, ...hs });
  rejects13(h, 'a protected record that is all padding (no content type)', (t, p) => {
    t.flight({ frame: () => p.sendRecord(0, Buffer.alloc(0), { padding: 5 }) });
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'an unknown inner content type (99)', (t, p) => {
    t.flight({ frame: () => p.sendRecord(99, Buffer.from('x')) });
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'an unknown outer content type (0x30)', (t, p) => {
    p.write(record(0x30, Buffer.from('x')));
    p.sendHandshake([t.serverHello()]);
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...plain });
  rejects13(h, 'an alert record of three bytes', (t, p) => {
    t.flight({ frame: () => p.sendRecord(CT.Alert, Buffer.from([2, 40, 0])) });
  }, { error: InvalidMessage, alert: ALERT.decode_error, ...hs });
  rejects13(h, 'an empty handshake record', (t, p) => {
    p.write(record(CT.Handshake, Buffer.alloc(0)));
    p.sendHandshake([t.serverHello()]);
  }, { error: PeerMisbehaved, alert: ALERT.unexpected_message, ...plain });
  rejects13(h, 'a fatal alert from the server before ServerHello: no alert back', (_t, p) => {
    p.write(record(CT.Alert, Buffer.from([2, ALERT.handshake_failure])));
  }, { error: AlertReceived, alert: null });
  rejects13(h, 'a fatal alert under the handshake key: no alert back', (t, p) => {
    t.flight({ frame: () => p.alert(2, ALERT.insufficient_security) });
  }, { error: AlertReceived, alert: null });
  rejects13(h, 'a plaintext alert after the ServerHello (the server holds handshake keys)', (t, p) => {
    p.sendHandshake([t.serverHello()]);
    p.write(record(CT.Alert, Buffer.from([2, ALERT.handshake_failure])));
  }, { error: InappropriateMessage, alert: ALERT.unexpected_message, ...hs });
  rejects13(h, 'EOF in the middle of the flight (truncation)', (t, p) => {
    t.flight({ frame: (msgs) => p.sendRecord(CT.Handshake, cat(...msgs).subarray(0, 40)) });
    p.end();
  }, { error: UnexpectedEof, alert: null });
});

describe('TLS 1.3 record mutations through Peer.hook (RFC 8446 §5.3: implicit sequence numbers)', () => {
  /** The flight one message per record: hook index 0 is the ServerHello, 1 EE, 2 Certificate, 3 CertificateVerify, 4 Finished. */
  const perMessage = (t: Tls13, p: Parameters<Parameters<typeof rejects13>[2]>[1]): void => t.flight({ frame: (msgs) => msgs.forEach((m) => p.sendHandshake([m])) });
  rejects13(h, 'a protected record replayed', (t, p) => {
    p.hook = (rec, info) => (info.index === 1 ? [rec, rec] : rec);
    perMessage(t, p);
  }, { error: DecryptError, alert: ALERT.bad_record_mac, ...hs });
  rejects13(h, 'two protected records swapped', (t, p) => {
    let held: Buffer | undefined;
    p.hook = (rec, info) => {
      if (info.index === 2) {
        held = rec;
        return [];
      }
      return info.index === 3 ? [rec, held!] : rec;
    };
    perMessage(t, p);
  }, { error: DecryptError, alert: ALERT.bad_record_mac, ...hs });
  rejects13(h, 'a protected record dropped', (t, p) => {
    p.hook = (rec, info) => (info.index === 1 ? [] : rec);
    perMessage(t, p);
  }, { error: DecryptError, alert: ALERT.bad_record_mac, ...hs });
  rejects13(h, 'the last record cut short, then EOF', (t, p) => {
    p.hook = (rec, info) => (info.index === 4 ? rec.subarray(0, rec.length - 7) : rec);
    perMessage(t, p);
  }, { error: UnexpectedEof, alert: null });
  rejects13(h, 'a record header announcing more than follows, then EOF', (t, p) => {
    p.hook = (rec, info) => (info.index === 4 ? cat(rec.subarray(0, 3), u16(rec.length + 100), rec.subarray(5)) : rec);
    perMessage(t, p);
  }, { error: UnexpectedEof, alert: null });
});

// ---- helpers -----------------------------------------------------------------------------

/** Fix the handshake length field after a raw edit changed the body. */
function grow(m: Buffer): Buffer {
  const out = Buffer.from(m);
  out.writeUIntBE(m.length - 4, 1, 3);
  return out;
}

function makeValid(group: number): Buffer {
  if (group === GROUP.x25519) {
    const { publicKey } = generateKeyPairSync('x25519');
    return Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  }
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: group === GROUP.secp256r1 ? 'P-256' : 'P-384' });
  const jwk = publicKey.export({ format: 'jwk' });
  return cat(u8(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url'));
}

function offCurve(point: Buffer): Buffer {
  const p = Buffer.from(point);
  p[p.length - 1]! ^= 0x01;
  return p;
}

function otherKey(scheme: number) {
  if (scheme === SCHEME.ed25519) return generateKeyPairSync('ed25519').privateKey;
  if (scheme === SCHEME.ecdsa_secp256r1_sha256) return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  if (scheme === SCHEME.ecdsa_secp384r1_sha384) return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  return RSA_OTHER();
}
let rsaOther: ReturnType<typeof generateKeyPairSync>['privateKey'] | undefined;
function RSA_OTHER() {
  rsaOther ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return rsaOther;
}

function tamper(rec: Buffer): Buffer {
  const out = Buffer.from(rec);
  out[out.length - 1]! ^= 0x80;
  return out;
}

function finishedWith(t: Tls13, key: Buffer): Buffer {
  return finished13(t.suite.hash, key, t.transcriptHash());
}

/** `b` followed by zero bytes up to `length`. */
function fill(b: Buffer, length: number): Buffer {
  return cat(b, Buffer.alloc(length - b.length));
}
