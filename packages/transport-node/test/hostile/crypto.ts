/**
 * The hostile server's cryptography, on node:crypto only (OpenSSL underneath), so that it is an
 * implementation independent of the client's @noble code: HKDF (RFC 5869) and the TLS 1.3 key
 * schedule (RFC 8446 §7.1) over createHmac, the TLS 1.2 PRF (RFC 5246 §5) and key block (§6.3),
 * extended master secret (RFC 7627 §4), AEAD record protection for both versions (RFC 8446 §5.2,
 * RFC 5288 §3, RFC 7905 §2) from @puretls/test-support/records (createCipheriv), ECDHE (X25519, P-256, P-384) and the signature
 * schemes (ECDSA, RSA-PSS, RSA PKCS#1 v1.5, Ed25519) over node:crypto sign().
 */
import {
  constants,
  createECDH,
  createHash,
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { protectTls12Records, protectTls13Records, type AeadName, type RecordProtection } from '@puretls/test-support/records';
import { SCHEME, SUITE, cat, u16, u8, vec8 } from './wire.ts';

export type HashName = 'sha256' | 'sha384';

export const hashLength = (h: HashName): number => (h === 'sha256' ? 32 : 48);
export const digest = (h: HashName, data: Uint8Array): Buffer => createHash(h).update(data).digest();
export const hmac = (h: HashName, key: Uint8Array, ...data: Uint8Array[]): Buffer => {
  const m = createHmac(h, key);
  for (const d of data) m.update(d);
  return m.digest();
};

// ---- HKDF and the TLS 1.3 key schedule -----------------------------------------------------

export const hkdfExtract = (h: HashName, salt: Uint8Array, ikm: Uint8Array): Buffer => hmac(h, salt.length === 0 ? Buffer.alloc(hashLength(h)) : salt, ikm);

export function hkdfExpand(h: HashName, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const out: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1; out.reduce((n, b) => n + b.length, 0) < length; i++) {
    t = hmac(h, prk, t, info, u8(i));
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

/** RFC 8446 §7.1 HKDF-Expand-Label. */
export const expandLabel = (h: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Buffer =>
  hkdfExpand(h, secret, cat(u16(length), vec8(Buffer.from(`tls13 ${label}`, 'latin1')), vec8(context)), length);

export const deriveSecret = (h: HashName, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Buffer => expandLabel(h, secret, label, transcriptHash, hashLength(h));

/** Write or read keys of one TLS 1.3 traffic secret (RFC 8446 §7.3). */
export const trafficKeys = (s: Suite13, secret: Uint8Array): { key: Buffer; iv: Buffer } => ({
  key: expandLabel(s.hash, secret, 'key', Buffer.alloc(0), s.keyLength),
  iv: expandLabel(s.hash, secret, 'iv', Buffer.alloc(0), 12),
});

/** RFC 8446 §4.4.4 verify_data. */
export const finished13 = (h: HashName, baseKey: Uint8Array, transcriptHash: Uint8Array): Buffer =>
  hmac(h, expandLabel(h, baseKey, 'finished', Buffer.alloc(0), hashLength(h)), transcriptHash);

/** RFC 8446 §7.2 application_traffic_secret_N+1. */
export const nextTrafficSecret = (h: HashName, secret: Uint8Array): Buffer => expandLabel(h, secret, 'traffic upd', Buffer.alloc(0), hashLength(h));

export interface Suite13 {
  id: number;
  hash: HashName;
  aead: AeadName;
  keyLength: number;
}

export const SUITES13: Record<number, Suite13> = {
  [SUITE.TLS_AES_128_GCM_SHA256]: { id: SUITE.TLS_AES_128_GCM_SHA256, hash: 'sha256', aead: 'aes-128-gcm', keyLength: 16 },
  [SUITE.TLS_AES_256_GCM_SHA384]: { id: SUITE.TLS_AES_256_GCM_SHA384, hash: 'sha384', aead: 'aes-256-gcm', keyLength: 32 },
  [SUITE.TLS_CHACHA20_POLY1305_SHA256]: { id: SUITE.TLS_CHACHA20_POLY1305_SHA256, hash: 'sha256', aead: 'chacha20-poly1305', keyLength: 32 },
};

/** The TLS 1.3 key schedule (RFC 8446 §7.1), driven by the server. */
export class Schedule13 {
  readonly suite: Suite13;
  early: Buffer;
  handshakeSecret: Buffer | undefined;
  clientHs: Buffer | undefined;
  serverHs: Buffer | undefined;
  clientApp: Buffer | undefined;
  serverApp: Buffer | undefined;
  resumptionMaster: Buffer | undefined;

  constructor(suite: Suite13, psk?: Uint8Array) {
    this.suite = suite;
    this.early = hkdfExtract(suite.hash, Buffer.alloc(0), psk ?? Buffer.alloc(hashLength(suite.hash)));
  }

  /** binder_key for a resumption PSK (RFC 8446 §7.1 "res binder"). */
  binderKey(): Buffer {
    return deriveSecret(this.suite.hash, this.early, 'res binder', digest(this.suite.hash, Buffer.alloc(0)));
  }

  handshake(shared: Uint8Array, helloHash: Uint8Array): void {
    const h = this.suite.hash;
    const derived = deriveSecret(h, this.early, 'derived', digest(h, Buffer.alloc(0)));
    this.handshakeSecret = hkdfExtract(h, derived, shared);
    this.clientHs = deriveSecret(h, this.handshakeSecret, 'c hs traffic', helloHash);
    this.serverHs = deriveSecret(h, this.handshakeSecret, 's hs traffic', helloHash);
  }

  application(serverFinishedHash: Uint8Array): void {
    const h = this.suite.hash;
    const derived = deriveSecret(h, this.handshakeSecret!, 'derived', digest(h, Buffer.alloc(0)));
    const master = hkdfExtract(h, derived, Buffer.alloc(hashLength(h)));
    this.clientApp = deriveSecret(h, master, 'c ap traffic', serverFinishedHash);
    this.serverApp = deriveSecret(h, master, 's ap traffic', serverFinishedHash);
    this.#master = master;
  }

  resumption(clientFinishedHash: Uint8Array): void {
    this.resumptionMaster = deriveSecret(this.suite.hash, this.#master!, 'res master', clientFinishedHash);
  }

  #master: Buffer | undefined;
}

// ---- TLS 1.2 -------------------------------------------------------------------------------

/** RFC 5246 §5 PRF with P_<hash>. */
export function prf12(h: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Buffer {
  const labelSeed = cat(Buffer.from(label, 'latin1'), seed);
  const out: Buffer[] = [];
  let a = labelSeed as Buffer;
  let n = 0;
  while (n < length) {
    a = hmac(h, secret, a);
    const block = hmac(h, secret, a, labelSeed);
    out.push(block);
    n += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

export interface Suite12 {
  id: number;
  hash: HashName;
  aead: AeadName;
  keyLength: number;
  /** Fixed IV bytes from the key block: 4 for GCM (RFC 5288), 12 for ChaCha20 (RFC 7905). */
  fixedIvLength: number;
  auth: 'ECDSA' | 'RSA';
}

export const SUITES12: Record<number, Suite12> = {
  [SUITE.ECDHE_ECDSA_AES_128_GCM_SHA256]: { id: SUITE.ECDHE_ECDSA_AES_128_GCM_SHA256, hash: 'sha256', aead: 'aes-128-gcm', keyLength: 16, fixedIvLength: 4, auth: 'ECDSA' },
  [SUITE.ECDHE_ECDSA_AES_256_GCM_SHA384]: { id: SUITE.ECDHE_ECDSA_AES_256_GCM_SHA384, hash: 'sha384', aead: 'aes-256-gcm', keyLength: 32, fixedIvLength: 4, auth: 'ECDSA' },
  [SUITE.ECDHE_RSA_AES_128_GCM_SHA256]: { id: SUITE.ECDHE_RSA_AES_128_GCM_SHA256, hash: 'sha256', aead: 'aes-128-gcm', keyLength: 16, fixedIvLength: 4, auth: 'RSA' },
  [SUITE.ECDHE_RSA_AES_256_GCM_SHA384]: { id: SUITE.ECDHE_RSA_AES_256_GCM_SHA384, hash: 'sha384', aead: 'aes-256-gcm', keyLength: 32, fixedIvLength: 4, auth: 'RSA' },
  [SUITE.ECDHE_ECDSA_CHACHA20_POLY1305]: { id: SUITE.ECDHE_ECDSA_CHACHA20_POLY1305, hash: 'sha256', aead: 'chacha20-poly1305', keyLength: 32, fixedIvLength: 12, auth: 'ECDSA' },
  [SUITE.ECDHE_RSA_CHACHA20_POLY1305]: { id: SUITE.ECDHE_RSA_CHACHA20_POLY1305, hash: 'sha256', aead: 'chacha20-poly1305', keyLength: 32, fixedIvLength: 12, auth: 'RSA' },
};

export interface KeyBlock12 {
  clientKey: Buffer;
  serverKey: Buffer;
  clientIv: Buffer;
  serverIv: Buffer;
}

/** RFC 5246 §6.3 key_block = PRF(master, "key expansion", server_random + client_random). */
export function keyBlock12(s: Suite12, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): KeyBlock12 {
  const kb = prf12(s.hash, master, 'key expansion', cat(serverRandom, clientRandom), 2 * s.keyLength + 2 * s.fixedIvLength);
  let o = 0;
  const take = (n: number): Buffer => kb.subarray(o, (o += n));
  return { clientKey: take(s.keyLength), serverKey: take(s.keyLength), clientIv: take(s.fixedIvLength), serverIv: take(s.fixedIvLength) };
}

// ---- record protection (@puretls/test-support/records, node:crypto) --------------------------

/** One direction of record protection with its own sequence number, named for the test's messages. */
export interface Protection extends RecordProtection {
  readonly label: string;
}

/** RFC 8446 §5.2: TLSInnerPlaintext under a TLS 1.3 traffic key. */
export function protect13(label: string, suite: Suite13, secret: Uint8Array): Protection {
  const { key, iv } = trafficKeys(suite, secret);
  return Object.assign(protectTls13Records(suite.aead, key, iv), { label });
}

/** RFC 5288 §3 (GCM, explicit nonce = sequence number) and RFC 7905 §2 (ChaCha20, implicit nonce). */
export function protect12(label: string, suite: Suite12, key: Uint8Array, fixedIv: Uint8Array): Protection {
  return Object.assign(protectTls12Records(suite.aead, key, fixedIv), { label });
}

// ---- key exchange --------------------------------------------------------------------------

export interface ServerShare {
  group: number;
  publicKey: Buffer;
  /** The shared secret with the client's public value (throws on a value node:crypto refuses). */
  shared(peer: Uint8Array): Buffer;
}

export function makeShare(group: number): ServerShare {
  if (group === 0x1d) {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const x = publicKey.export({ format: 'jwk' }).x!;
    return {
      group,
      publicKey: Buffer.from(x, 'base64url'),
      shared: (peer) =>
        diffieHellman({ privateKey, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') }, format: 'jwk' }) }),
    };
  }
  const curve = group === 0x17 ? 'prime256v1' : group === 0x18 ? 'secp384r1' : undefined;
  if (curve === undefined) throw new Error(`hostile: no key share for group 0x${group.toString(16)}`);
  const ecdh = createECDH(curve);
  ecdh.generateKeys();
  return { group, publicKey: ecdh.getPublicKey(), shared: (peer) => ecdh.computeSecret(peer) };
}

// ---- signatures ----------------------------------------------------------------------------

/** Sign `data` under a TLS SignatureScheme with node:crypto. */
export function signScheme(scheme: number, key: KeyObject, data: Uint8Array): Buffer {
  const pss = (hash: string, saltLength: number): Buffer => sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
  switch (scheme) {
    case SCHEME.ecdsa_secp256r1_sha256:
      return sign('sha256', data, { key, dsaEncoding: 'der' });
    case SCHEME.ecdsa_secp384r1_sha384:
      return sign('sha384', data, { key, dsaEncoding: 'der' });
    case SCHEME.ecdsa_secp521r1_sha512:
      return sign('sha512', data, { key, dsaEncoding: 'der' });
    case SCHEME.rsa_pss_rsae_sha256:
      return pss('sha256', 32);
    case SCHEME.rsa_pss_rsae_sha384:
      return pss('sha384', 48);
    case SCHEME.rsa_pss_rsae_sha512:
      return pss('sha512', 64);
    case SCHEME.rsa_pkcs1_sha256:
      return sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING });
    case SCHEME.rsa_pkcs1_sha384:
      return sign('sha384', data, { key, padding: constants.RSA_PKCS1_PADDING });
    case SCHEME.rsa_pkcs1_sha512:
      return sign('sha512', data, { key, padding: constants.RSA_PKCS1_PADDING });
    case SCHEME.ed25519:
      return sign(null, data, key);
    default:
      throw new Error(`hostile: cannot sign with scheme 0x${scheme.toString(16)}`);
  }
}
