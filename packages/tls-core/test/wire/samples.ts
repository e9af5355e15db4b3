/**
 * Hand-built sample values for every handshake message and every extension form, with the
 * positions of their inner length fields, shared by the round-trip, corruption and fuzz tests.
 * @module
 */
import { fromHex, utf8 } from '../../src/codec/bytes.ts';
import type { HandshakeContent, WireVersion } from '../../src/wire/handshake.ts';
import { extension } from '../../src/wire/extensions.ts';
import type { DecodeContext, Extension, ExtensionBodies, KnownExtensionType } from '../../src/wire/extensions.ts';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../src/wire/server-hello.ts';
import { ExtensionType as E, HandshakeType as H, NamedGroup, SignatureScheme as S } from '../../src/wire/enums.ts';

/** A length field inside an encoded body: its offset and width in bytes. */
export interface LengthField {
  readonly at: number;
  readonly size: 1 | 2 | 3;
}

export interface MessageSample {
  readonly name: string;
  readonly version: WireVersion;
  readonly msg: HandshakeContent;
  /** Inner length fields, as offsets into the body (after the 4-byte header). */
  readonly lengths: readonly LengthField[];
  /** Body prefix lengths that are themselves valid bodies (e.g. a hello without extensions). */
  readonly validPrefixes?: readonly number[] | 'all';
}

export interface ExtensionSample {
  readonly ctx: DecodeContext;
  readonly ext: Extension;
  /** The first inner length field in the extension body, if any. */
  readonly length?: LengthField;
  /** True when every prefix of the body is also a valid body (opaque remainder). */
  readonly anyPrefixValid?: boolean;
  /** True when the empty body is a valid body too (status_request in CertificateRequest, RFC 8446 §4.4.2.1). */
  readonly emptyValid?: boolean;
}

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const ext = <K extends KnownExtensionType>(type: K, body: ExtensionBodies[K]): Extension => extension(type, body);

export const EXTENSION_SAMPLES: readonly ExtensionSample[] = [
  { ctx: 'CH', ext: ext(E.ServerName, { form: 'list', names: [{ nameType: 0, name: utf8('example.com') }] }), length: { at: 0, size: 2 } },
  { ctx: 'SH', ext: ext(E.ServerName, { form: 'ack' }) },
  { ctx: 'EE', ext: ext(E.ServerName, { form: 'ack' }) },
  {
    ctx: 'CH',
    ext: ext(E.StatusRequest, { form: 'request', statusType: 1, responderIds: [bytes(5)], requestExtensions: bytes(3) }),
    length: { at: 1, size: 2 },
  },
  {
    ctx: 'CR',
    ext: ext(E.StatusRequest, { form: 'request', statusType: 1, responderIds: [], requestExtensions: new Uint8Array(0) }),
    length: { at: 1, size: 2 },
    emptyValid: true,
  },
  { ctx: 'CT', ext: ext(E.StatusRequest, { form: 'response', statusType: 1, response: bytes(40) }), length: { at: 1, size: 3 } },
  { ctx: 'SH', ext: ext(E.StatusRequest, { form: 'ack' }) },
  { ctx: 'CH', ext: ext(E.SupportedGroups, { groups: [NamedGroup.x25519, NamedGroup.secp256r1] }), length: { at: 0, size: 2 } },
  { ctx: 'EE', ext: ext(E.SupportedGroups, { groups: [NamedGroup.secp384r1] }), length: { at: 0, size: 2 } },
  { ctx: 'CH', ext: ext(E.EcPointFormats, { formats: [0] }), length: { at: 0, size: 1 } },
  { ctx: 'SH', ext: ext(E.EcPointFormats, { formats: [0, 1, 2] }), length: { at: 0, size: 1 } },
  { ctx: 'CH', ext: ext(E.SignatureAlgorithms, { schemes: [S.ecdsa_secp256r1_sha256, S.rsa_pss_rsae_sha256] }), length: { at: 0, size: 2 } },
  { ctx: 'CR', ext: ext(E.SignatureAlgorithms, { schemes: [S.ed25519] }), length: { at: 0, size: 2 } },
  { ctx: 'CH', ext: ext(E.ApplicationLayerProtocolNegotiation, { protocols: [utf8('h2'), utf8('http/1.1')] }), length: { at: 0, size: 2 } },
  { ctx: 'SH', ext: ext(E.ApplicationLayerProtocolNegotiation, { protocols: [utf8('http/1.1')] }), length: { at: 0, size: 2 } },
  { ctx: 'EE', ext: ext(E.ApplicationLayerProtocolNegotiation, { protocols: [utf8('h2')] }), length: { at: 0, size: 2 } },
  { ctx: 'CH', ext: ext(E.ExtendedMasterSecret, {}) },
  { ctx: 'SH', ext: ext(E.ExtendedMasterSecret, {}) },
  { ctx: 'CH', ext: ext(E.RecordSizeLimit, { limit: 16385 }) },
  { ctx: 'SH', ext: ext(E.RecordSizeLimit, { limit: 4096 }) },
  { ctx: 'EE', ext: ext(E.RecordSizeLimit, { limit: 64 }) },
  { ctx: 'CH', ext: ext(E.SessionTicket, { ticket: bytes(100) }), anyPrefixValid: true },
  { ctx: 'SH', ext: ext(E.SessionTicket, { ticket: new Uint8Array(0) }) },
  {
    ctx: 'CH',
    ext: ext(E.PreSharedKey, {
      form: 'CH',
      identities: [
        { identity: bytes(20), obfuscatedTicketAge: 0xfedcba98 },
        { identity: bytes(9, 7), obfuscatedTicketAge: 1 },
      ],
      binders: [bytes(32, 3), bytes(48, 5)],
    }),
    length: { at: 0, size: 2 },
  },
  { ctx: 'SH', ext: ext(E.PreSharedKey, { form: 'SH', selectedIdentity: 1 }) },
  { ctx: 'CH', ext: ext(E.EarlyData, { form: 'empty' }) },
  { ctx: 'EE', ext: ext(E.EarlyData, { form: 'empty' }) },
  { ctx: 'NST', ext: ext(E.EarlyData, { form: 'NST', maxEarlyDataSize: 0xffffffff }) },
  { ctx: 'CH', ext: ext(E.SupportedVersions, { form: 'CH', versions: [0x0304, 0x0303] }), length: { at: 0, size: 1 } },
  { ctx: 'SH', ext: ext(E.SupportedVersions, { form: 'SH', selectedVersion: 0x0304 }) },
  { ctx: 'HRR', ext: ext(E.SupportedVersions, { form: 'SH', selectedVersion: 0x0304 }) },
  { ctx: 'CH', ext: ext(E.Cookie, { cookie: bytes(50) }), length: { at: 0, size: 2 } },
  { ctx: 'HRR', ext: ext(E.Cookie, { cookie: bytes(1) }), length: { at: 0, size: 2 } },
  { ctx: 'CH', ext: ext(E.PskKeyExchangeModes, { modes: [1, 0] }), length: { at: 0, size: 1 } },
  { ctx: 'CH', ext: ext(E.PostHandshakeAuth, {}) },
  { ctx: 'CH', ext: ext(E.SignatureAlgorithmsCert, { schemes: [S.rsa_pkcs1_sha256] }), length: { at: 0, size: 2 } },
  { ctx: 'CR', ext: ext(E.SignatureAlgorithmsCert, { schemes: [S.ecdsa_secp384r1_sha384, S.ed448] }), length: { at: 0, size: 2 } },
  {
    ctx: 'CH',
    ext: ext(E.KeyShare, {
      form: 'CH',
      entries: [
        { group: NamedGroup.x25519, keyExchange: bytes(32) },
        { group: NamedGroup.secp256r1, keyExchange: bytes(65, 4) },
      ],
    }),
    length: { at: 0, size: 2 },
  },
  { ctx: 'SH', ext: ext(E.KeyShare, { form: 'SH', entry: { group: NamedGroup.x25519, keyExchange: bytes(32, 9) } }), length: { at: 2, size: 2 } },
  { ctx: 'HRR', ext: ext(E.KeyShare, { form: 'HRR', selectedGroup: NamedGroup.secp384r1 }) },
  { ctx: 'CH', ext: ext(E.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(0) }), length: { at: 0, size: 1 } },
  { ctx: 'SH', ext: ext(E.RenegotiationInfo, { renegotiatedConnection: bytes(24) }), length: { at: 0, size: 1 } },
  // Unknown types (GREASE, padding, certificate_authorities) stay raw in every context.
  { ctx: 'CH', ext: { type: 0x0a0a, data: new Uint8Array(0) }, anyPrefixValid: true },
  { ctx: 'CH', ext: { type: E.Padding, data: new Uint8Array(17) }, anyPrefixValid: true },
  { ctx: 'CR', ext: { type: E.CertificateAuthorities, data: bytes(12) }, anyPrefixValid: true },
  { ctx: 'NST', ext: { type: 0xfafa, data: bytes(3) }, anyPrefixValid: true },
];

const random = bytes(32, 11);
const sessionId = bytes(32, 13);

/** A ServerHello (or HelloRetryRequest) sample: legacy_version 0x0303, no compression, the given session ID echo, suite and extensions. */
const helloFrom =
  (isHelloRetryRequest: boolean, serverRandom: Uint8Array) =>
  (legacySessionIdEcho: Uint8Array, cipherSuite: number, extensions: Extension[]): HandshakeContent => ({
    type: H.ServerHello,
    isHelloRetryRequest,
    legacyVersion: 0x0303,
    random: serverRandom,
    legacySessionIdEcho,
    cipherSuite,
    legacyCompressionMethod: 0,
    extensions,
  });
const serverHello = helloFrom(false, random);
const helloRetryRequest = helloFrom(true, HELLO_RETRY_REQUEST_RANDOM);

const chExtensions: Extension[] = [
  ext(E.ServerName, { form: 'list', names: [{ nameType: 0, name: utf8('example.com') }] }),
  ext(E.SupportedVersions, { form: 'CH', versions: [0x0304, 0x0303] }),
  ext(E.KeyShare, { form: 'CH', entries: [{ group: NamedGroup.x25519, keyExchange: bytes(32) }] }),
  { type: 0x1a1a, data: bytes(2) },
  ext(E.PreSharedKey, { form: 'CH', identities: [{ identity: bytes(16), obfuscatedTicketAge: 7 }], binders: [bytes(32)] }),
];

/** Every handshake message, both forms where TLS 1.2 and 1.3 differ. */
export const MESSAGE_SAMPLES: readonly MessageSample[] = [
  {
    name: 'ClientHello',
    version: 'tls13',
    msg: {
      type: H.ClientHello,
      legacyVersion: 0x0303,
      random,
      legacySessionId: sessionId,
      cipherSuites: [0x1301, 0x1302, 0xc02b],
      legacyCompressionMethods: [0],
      extensions: chExtensions,
    },
    // session_id@34, cipher_suites@67, compression_methods@75, extensions@77
    lengths: [
      { at: 34, size: 1 },
      { at: 67, size: 2 },
      { at: 75, size: 1 },
      { at: 77, size: 2 },
    ],
    validPrefixes: [77],
  },
  {
    name: 'ServerHello (TLS 1.3)',
    version: 'tls13',
    msg: serverHello(sessionId, 0x1301, [
      ext(E.SupportedVersions, { form: 'SH', selectedVersion: 0x0304 }),
      ext(E.KeyShare, { form: 'SH', entry: { group: NamedGroup.x25519, keyExchange: bytes(32) } }),
      ext(E.PreSharedKey, { form: 'SH', selectedIdentity: 0 }),
    ]),
    lengths: [
      { at: 34, size: 1 },
      { at: 70, size: 2 },
    ],
    validPrefixes: [70],
  },
  {
    name: 'ServerHello (TLS 1.2, no extensions)',
    version: 'tls12',
    msg: serverHello(new Uint8Array(0), 0xc02f, []),
    lengths: [{ at: 34, size: 1 }],
  },
  {
    name: 'ServerHello (TLS 1.2, extensions)',
    version: 'tls12',
    msg: serverHello(bytes(8), 0xc02b, [
      ext(E.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(0) }),
      ext(E.ExtendedMasterSecret, {}),
      ext(E.EcPointFormats, { formats: [0] }),
      ext(E.SessionTicket, { ticket: new Uint8Array(0) }),
      ext(E.ApplicationLayerProtocolNegotiation, { protocols: [utf8('h2')] }),
      ext(E.StatusRequest, { form: 'ack' }),
    ]),
    lengths: [
      { at: 34, size: 1 },
      { at: 46, size: 2 },
    ],
    validPrefixes: [46],
  },
  {
    name: 'HelloRetryRequest',
    version: 'tls13',
    msg: helloRetryRequest(sessionId, 0x1302, [
      ext(E.SupportedVersions, { form: 'SH', selectedVersion: 0x0304 }),
      ext(E.KeyShare, { form: 'HRR', selectedGroup: NamedGroup.secp256r1 }),
      ext(E.Cookie, { cookie: bytes(64) }),
    ]),
    lengths: [
      { at: 34, size: 1 },
      { at: 70, size: 2 },
    ],
    validPrefixes: [70],
  },
  {
    name: 'EncryptedExtensions',
    version: 'tls13',
    msg: {
      type: H.EncryptedExtensions,
      extensions: [
        ext(E.ServerName, { form: 'ack' }),
        ext(E.ApplicationLayerProtocolNegotiation, { protocols: [utf8('h2')] }),
        ext(E.EarlyData, { form: 'empty' }),
        ext(E.RecordSizeLimit, { limit: 16385 }),
      ],
    },
    lengths: [{ at: 0, size: 2 }],
  },
  {
    name: 'Certificate (TLS 1.3)',
    version: 'tls13',
    msg: {
      type: H.Certificate,
      version: 'tls13',
      context: bytes(4),
      entries: [
        { certData: bytes(300), extensions: [ext(E.StatusRequest, { form: 'response', statusType: 1, response: bytes(80) })] },
        { certData: bytes(200, 2), extensions: [] },
      ],
    },
    // context@0, certificate_list@5, first cert_data@8
    lengths: [
      { at: 0, size: 1 },
      { at: 5, size: 3 },
      { at: 8, size: 3 },
      { at: 311, size: 2 },
    ],
  },
  {
    name: 'Certificate (TLS 1.2)',
    version: 'tls12',
    msg: { type: H.Certificate, version: 'tls12', certificates: [bytes(300), bytes(150, 5)] },
    lengths: [
      { at: 0, size: 3 },
      { at: 3, size: 3 },
      { at: 306, size: 3 },
    ],
  },
  {
    name: 'CertificateRequest (TLS 1.3)',
    version: 'tls13',
    msg: {
      type: H.CertificateRequest,
      version: 'tls13',
      context: bytes(2),
      extensions: [ext(E.SignatureAlgorithms, { schemes: [S.ed25519, S.rsa_pss_rsae_sha256] }), { type: E.CertificateAuthorities, data: bytes(6) }],
    },
    lengths: [
      { at: 0, size: 1 },
      { at: 3, size: 2 },
    ],
  },
  {
    name: 'CertificateRequest (TLS 1.2)',
    version: 'tls12',
    msg: {
      type: H.CertificateRequest,
      version: 'tls12',
      certificateTypes: [1, 64],
      signatureSchemes: [S.rsa_pkcs1_sha256, S.ecdsa_secp256r1_sha256],
      certificateAuthorities: [bytes(30), bytes(10)],
    },
    // types@0, schemes@3, cas@9, first dn@11
    lengths: [
      { at: 0, size: 1 },
      { at: 3, size: 2 },
      { at: 9, size: 2 },
      { at: 11, size: 2 },
    ],
  },
  {
    name: 'CertificateVerify',
    version: 'tls13',
    msg: { type: H.CertificateVerify, scheme: S.rsa_pss_rsae_sha256, signature: bytes(256) },
    lengths: [{ at: 2, size: 2 }],
  },
  {
    name: 'CertificateStatus',
    version: 'tls12',
    msg: { type: H.CertificateStatus, statusType: 1, response: bytes(500) },
    lengths: [{ at: 1, size: 3 }],
  },
  { name: 'Finished', version: 'tls13', msg: { type: H.Finished, verifyData: bytes(32) }, lengths: [], validPrefixes: 'all' },
  {
    name: 'NewSessionTicket (TLS 1.3)',
    version: 'tls13',
    msg: {
      type: H.NewSessionTicket,
      version: 'tls13',
      lifetime: 7200,
      ageAdd: 0x89abcdef,
      nonce: bytes(8),
      ticket: bytes(120),
      extensions: [ext(E.EarlyData, { form: 'NST', maxEarlyDataSize: 16384 })],
    },
    // nonce@8, ticket@17, extensions@139
    lengths: [
      { at: 8, size: 1 },
      { at: 17, size: 2 },
      { at: 139, size: 2 },
    ],
  },
  {
    name: 'NewSessionTicket (TLS 1.2)',
    version: 'tls12',
    msg: { type: H.NewSessionTicket, version: 'tls12', lifetimeHint: 300, ticket: bytes(90) },
    lengths: [{ at: 4, size: 2 }],
  },
  { name: 'KeyUpdate', version: 'tls13', msg: { type: H.KeyUpdate, request: 1 }, lengths: [] },
  { name: 'EndOfEarlyData', version: 'tls13', msg: { type: H.EndOfEarlyData }, lengths: [] },
  { name: 'HelloRequest', version: 'tls12', msg: { type: H.HelloRequest }, lengths: [] },
  { name: 'ServerHelloDone', version: 'tls12', msg: { type: H.ServerHelloDone }, lengths: [] },
  {
    name: 'ServerKeyExchange',
    version: 'tls12',
    msg: {
      type: H.ServerKeyExchange,
      curveType: 3,
      group: NamedGroup.secp256r1,
      publicPoint: fromHex('04'.padEnd(130, 'ab')),
      scheme: S.ecdsa_secp256r1_sha256,
      signature: bytes(71),
    },
    // point@3, signature@71
    lengths: [
      { at: 3, size: 1 },
      { at: 71, size: 2 },
    ],
  },
  {
    name: 'ClientKeyExchange',
    version: 'tls12',
    msg: { type: H.ClientKeyExchange, publicPoint: bytes(32) },
    lengths: [{ at: 0, size: 1 }],
  },
];
