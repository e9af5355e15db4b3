/**
 * TLS wire values as `as const` tables, in IANA registry order (RFC 8446 §B.3, RFC 5246 §A,
 * RFC 4492, RFC 7919, RFC 8422, and the IANA "TLS Parameters" registries).
 *
 * Values are plain numbers, so an unknown value read off the wire stays representable and
 * round-trips; names are for display only ({@link nameOf}). No TypeScript `enum` is used.
 * @module
 */

/** Record-layer content types (RFC 8446 §5.1). */
export const ContentType = {
  ChangeCipherSpec: 20,
  Alert: 21,
  Handshake: 22,
  ApplicationData: 23,
} as const;
export type ContentType = number;

/** Handshake message types (RFC 8446 §4, RFC 5246 §7.4). */
export const HandshakeType = {
  HelloRequest: 0,
  ClientHello: 1,
  ServerHello: 2,
  NewSessionTicket: 4,
  EndOfEarlyData: 5,
  EncryptedExtensions: 8,
  Certificate: 11,
  ServerKeyExchange: 12,
  CertificateRequest: 13,
  ServerHelloDone: 14,
  CertificateVerify: 15,
  ClientKeyExchange: 16,
  Finished: 20,
  CertificateStatus: 22,
  KeyUpdate: 24,
  MessageHash: 254,
} as const;
export type HandshakeType = number;

/** Alert levels (RFC 8446 §6). */
export const AlertLevel = { Warning: 1, Fatal: 2 } as const;
export type AlertLevel = number;

/** Alert descriptions (RFC 8446 §6, RFC 5246 §7.2). */
export const AlertDescription = {
  CloseNotify: 0,
  UnexpectedMessage: 10,
  BadRecordMac: 20,
  RecordOverflow: 22,
  HandshakeFailure: 40,
  BadCertificate: 42,
  UnsupportedCertificate: 43,
  CertificateRevoked: 44,
  CertificateExpired: 45,
  CertificateUnknown: 46,
  IllegalParameter: 47,
  UnknownCa: 48,
  AccessDenied: 49,
  DecodeError: 50,
  DecryptError: 51,
  ProtocolVersion: 70,
  InsufficientSecurity: 71,
  InternalError: 80,
  InappropriateFallback: 86,
  UserCanceled: 90,
  NoRenegotiation: 100,
  MissingExtension: 109,
  UnsupportedExtension: 110,
  UnrecognizedName: 112,
  BadCertificateStatusResponse: 113,
  UnknownPskIdentity: 115,
  CertificateRequired: 116,
  NoApplicationProtocol: 120,
} as const;
export type AlertDescription = number;

/** Protocol versions (RFC 8446 §4.2.1). */
export const ProtocolVersion = {
  TLSv1_0: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;
export type ProtocolVersion = number;

/** Extension types (IANA "TLS ExtensionType Values"). */
export const ExtensionType = {
  ServerName: 0,
  StatusRequest: 5,
  SupportedGroups: 10,
  EcPointFormats: 11,
  SignatureAlgorithms: 13,
  ApplicationLayerProtocolNegotiation: 16,
  SignedCertificateTimestamp: 18,
  Padding: 21,
  ExtendedMasterSecret: 23,
  RecordSizeLimit: 28,
  SessionTicket: 35,
  PreSharedKey: 41,
  EarlyData: 42,
  SupportedVersions: 43,
  Cookie: 44,
  PskKeyExchangeModes: 45,
  CertificateAuthorities: 47,
  PostHandshakeAuth: 49,
  SignatureAlgorithmsCert: 50,
  KeyShare: 51,
  RenegotiationInfo: 0xff01,
} as const;
export type ExtensionType = number;

/** Cipher suites puretls knows by name (RFC 8446 §B.4, RFC 5289, RFC 7905). */
export const CipherSuite = {
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
} as const;
export type CipherSuite = number;

/** Named groups (RFC 8446 §4.2.7, RFC 7919, draft-ietf-tls-ecdhe-mlkem §4 for X25519MLKEM768). */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  X25519MLKEM768: 0x11ec,
} as const;
export type NamedGroup = number;

/** Signature schemes (RFC 8446 §4.2.3). */
export const SignatureScheme = {
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
  rsa_pkcs1_sha256: 0x0401,
  ecdsa_secp256r1_sha256: 0x0403,
  rsa_pkcs1_sha384: 0x0501,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
} as const;
export type SignatureScheme = number;

/** PSK key exchange modes (RFC 8446 §4.2.9). */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;
export type PskKeyExchangeMode = number;

/** KeyUpdate request values (RFC 8446 §4.6.3). */
export const KeyUpdateRequest = { UpdateNotRequested: 0, UpdateRequested: 1 } as const;
export type KeyUpdateRequest = number;

/** EC point formats (RFC 4492 §5.1.2); only uncompressed is used. */
export const EcPointFormat = { uncompressed: 0 } as const;

/** Certificate status types (RFC 6066 §8). */
export const CertificateStatusType = { ocsp: 1 } as const;

/** Server name types (RFC 6066 §3). */
export const ServerNameType = { host_name: 0 } as const;

/** TLS 1.2 ECCurveType (RFC 4492 §5.4). */
export const EcCurveType = { named_curve: 3 } as const;

/**
 * Display name of a wire value: the table key, or `0x..` hex for unknown values.
 * @example nameOf(CipherSuite, 0x1301) // 'TLS_AES_128_GCM_SHA256'
 */
export function nameOf(table: Readonly<Record<string, number>>, value: number, width = 4): string {
  for (const key in table) if (table[key] === value) return key;
  return `0x${value.toString(16).padStart(width, '0')}`;
}
