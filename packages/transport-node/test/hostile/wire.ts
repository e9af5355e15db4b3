/**
 * Wire constants and byte helpers of the hostile test server, written from the RFC tables
 * (RFC 8446 §4, §5, §6 and Appendix B; RFC 5246 §7; RFC 8422; RFC 7627; RFC 5746). Nothing here
 * comes from puretls: the server must be an independent implementation, so that a shared
 * misreading of the RFCs cannot make both sides agree on a wrong byte.
 */

export const CT = { ChangeCipherSpec: 20, Alert: 21, Handshake: 22, ApplicationData: 23 } as const;

export const HS = {
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

/** RFC 8446 §6 / RFC 5246 §7.2 alert descriptions. */
export const ALERT = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  no_application_protocol: 120,
} as const;

export const EXT = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  alpn: 16,
  signed_certificate_timestamp: 18,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const;

export const GROUP = { secp256r1: 0x17, secp384r1: 0x18, secp521r1: 0x19, x25519: 0x1d, x448: 0x1e, ffdhe2048: 0x100 } as const;

export const SCHEME = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;

export const SUITE = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  ECDHE_ECDSA_AES_128_GCM_SHA256: 0xc02b,
  ECDHE_ECDSA_AES_256_GCM_SHA384: 0xc02c,
  ECDHE_RSA_AES_128_GCM_SHA256: 0xc02f,
  ECDHE_RSA_AES_256_GCM_SHA384: 0xc030,
  ECDHE_ECDSA_CHACHA20_POLY1305: 0xcca9,
  ECDHE_RSA_CHACHA20_POLY1305: 0xcca8,
  ECDHE_RSA_AES_128_CBC_SHA: 0xc013,
  RSA_AES_128_GCM_SHA256: 0x009c,
} as const;

/** RFC 8446 §4.1.3: the ServerHello.random of a HelloRetryRequest (SHA-256 of "HelloRetryRequest"). */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
/** RFC 8446 §4.1.3: the last 8 bytes of a TLS 1.3 server's random when it negotiates TLS 1.2. */
export const DOWNGRADE_TLS12 = Buffer.from('444f574e47524401', 'hex');

export const u8 = (n: number): Buffer => Buffer.from([n & 0xff]);
export const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
export const u24 = (n: number): Buffer => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
export const u32 = (n: number): Buffer => Buffer.from([(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
/** opaque<0..2^8-1> */
export const vec8 = (b: Uint8Array): Buffer => Buffer.concat([u8(b.length), b]);
/** opaque<0..2^16-1> */
export const vec16 = (b: Uint8Array): Buffer => Buffer.concat([u16(b.length), b]);
/** opaque<0..2^24-1> */
export const vec24 = (b: Uint8Array): Buffer => Buffer.concat([u24(b.length), b]);
export const cat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);

/** One extension: type and body. */
export interface Ext {
  type: number;
  body: Buffer;
}
export const ext = (type: number, body: Uint8Array = Buffer.alloc(0)): Ext => ({ type, body: Buffer.from(body) });
export const encodeExts = (exts: readonly Ext[]): Buffer => vec16(Buffer.concat(exts.map((e) => cat(u16(e.type), vec16(e.body)))));

/** A handshake message: msg_type, uint24 length, body (RFC 8446 §4). */
export const handshake = (type: number, body: Uint8Array): Buffer => cat(u8(type), u24(body.length), body);

/** A record header and body, with the length taken from the body unless `length` overrides it. */
export const record = (type: number, body: Uint8Array, version = 0x0303, length = body.length): Buffer => cat(u8(type), u16(version), u16(length), body);

/** A minimal bounds-checked reader; throws on malformed input (the client is under test, not us). */
export class Rd {
  off = 0;
  readonly b: Buffer;
  constructor(b: Buffer) {
    this.b = b;
  }
  get left(): number {
    return this.b.length - this.off;
  }
  bytes(n: number): Buffer {
    if (this.off + n > this.b.length) throw new Error(`hostile: short read (${n} at ${this.off}/${this.b.length})`);
    const out = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
  u8(): number {
    return this.bytes(1)[0]!;
  }
  u16(): number {
    return this.bytes(2).readUInt16BE(0);
  }
  u24(): number {
    const b = this.bytes(3);
    return (b[0]! << 16) | (b[1]! << 8) | b[2]!;
  }
  vec8(): Buffer {
    return this.bytes(this.u8());
  }
  vec16(): Buffer {
    return this.bytes(this.u16());
  }
}

/** What the server reads from a ClientHello (RFC 8446 §4.1.2). */
export interface ClientHello {
  raw: Buffer;
  legacyVersion: number;
  random: Buffer;
  sessionId: Buffer;
  suites: number[];
  extensions: Ext[];
  /** key_share entries, in order. */
  keyShares: { group: number; key: Buffer }[];
  supportedVersions: number[];
  groups: number[];
  schemes: number[];
  /** The offered PSK identities and binders' length (pre_shared_key). */
  pskIdentities: Buffer[];
  cookie: Buffer | undefined;
  has(type: number): boolean;
}

export function parseClientHello(raw: Buffer): ClientHello {
  const r = new Rd(raw);
  if (r.u8() !== HS.ClientHello) throw new Error('hostile: not a ClientHello');
  const len = r.u24();
  if (len !== r.left) throw new Error('hostile: ClientHello length');
  const legacyVersion = r.u16();
  const random = Buffer.from(r.bytes(32));
  const sessionId = Buffer.from(r.vec8());
  const suitesRaw = new Rd(r.vec16());
  const suites: number[] = [];
  while (suitesRaw.left > 0) suites.push(suitesRaw.u16());
  r.vec8(); // compression
  const extensions: Ext[] = [];
  if (r.left > 0) {
    const er = new Rd(r.vec16());
    while (er.left > 0) extensions.push({ type: er.u16(), body: Buffer.from(er.vec16()) });
  }
  const body = (t: number): Buffer | undefined => extensions.find((e) => e.type === t)?.body;
  const list16 = (b: Buffer | undefined, prefix: 1 | 2): number[] => {
    if (b === undefined) return [];
    const rr = new Rd(b);
    const inner = new Rd(prefix === 2 ? rr.vec16() : rr.vec8());
    const out: number[] = [];
    while (inner.left > 0) out.push(inner.u16());
    return out;
  };
  const keyShares: { group: number; key: Buffer }[] = [];
  const ks = body(EXT.key_share);
  if (ks !== undefined) {
    const kr = new Rd(new Rd(ks).vec16());
    while (kr.left > 0) keyShares.push({ group: kr.u16(), key: Buffer.from(kr.vec16()) });
  }
  const pskIdentities: Buffer[] = [];
  const psk = body(EXT.pre_shared_key);
  if (psk !== undefined) {
    const pr = new Rd(new Rd(psk).vec16());
    while (pr.left > 0) {
      pskIdentities.push(Buffer.from(pr.vec16()));
      pr.bytes(4);
    }
  }
  const cookieBody = body(EXT.cookie);
  return {
    raw,
    legacyVersion,
    random,
    sessionId,
    suites,
    extensions,
    keyShares,
    supportedVersions: list16(body(EXT.supported_versions), 1),
    groups: list16(body(EXT.supported_groups), 2),
    schemes: list16(body(EXT.signature_algorithms), 2),
    pskIdentities,
    cookie: cookieBody === undefined ? undefined : Buffer.from(new Rd(cookieBody).vec16()),
    has: (t) => extensions.some((e) => e.type === t),
  };
}
