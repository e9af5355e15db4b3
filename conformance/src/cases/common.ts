/**
 * What the per-server case files share: alert numbers (RFC 8446 §6), the PKI's certificate
 * fixtures (gen-pki.sh), the line-echo step script, IANA names of the suites used most, and the
 * success expectations `ok13()` / `ok12()` with their defaults.
 *
 * @module
 */
import type { ExpectSuccess, Resumption, Step } from './schema.ts';
import { suite } from './suites.ts';

export const ALERT = {
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateUnknown: 46,
  certificateExpired: 45,
  certificateRevoked: 44,
  badCertificateStatusResponse: 113,
  unknownCa: 48,
  protocolVersion: 70,
  unrecognizedName: 112,
  noApplicationProtocol: 120,
} as const;

/** A certificate fixture of gen-pki.sh: `<leaf>.pem`, `<leaf>.key`, `<leaf>.chain.pem`, intermediate `<chain>.pem`. */
export interface CertFixture {
  readonly leaf: string;
  readonly chain?: string;
}
export const EC: CertFixture = { leaf: 'leaf-ecdsa-p256', chain: 'ca-int' };
export const RSA: CertFixture = { leaf: 'leaf-rsa2048', chain: 'ca-int' };

export function certName(cert: CertFixture): string {
  return cert.chain === undefined ? `${cert.leaf} (no chain)` : `${cert.leaf} + ${cert.chain}`;
}

export const HELLO = 'hello world\n';
/** A line echo (gnutls-serv --echo, Botan, the Node servers): the line comes back unchanged; the client closes. */
export const LINE_ECHO: readonly Step[] = [{ op: 'send', text: HELLO }, { op: 'expect', text: HELLO }, { op: 'end' }];

export const AES128 = suite('TLS_AES_128_GCM_SHA256').iana;
export const AES256 = suite('TLS_AES_256_GCM_SHA384').iana;
export const CHACHA = suite('TLS_CHACHA20_POLY1305_SHA256').iana;
export const S12 = {
  ecdsaAes128: suite('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256').iana,
  ecdsaAes256: suite('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384').iana,
  ecdsaChacha: suite('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256').iana,
  rsaAes128: suite('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256').iana,
  rsaAes256: suite('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384').iana,
  rsaChacha: suite('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256').iana,
} as const;
export const ECDSA_P256 = 'ecdsa_secp256r1_sha256';
export const RSA_PSS_RSAE_SHA256 = 'rsa_pss_rsae_sha256';

/** The certificate and the server's signature scheme of a TLS 1.2 suite's authentication type. */
export function authOf(auth: 'ecdsa' | 'rsa'): { cert: CertFixture; sigScheme: string } {
  return auth === 'ecdsa' ? { cert: EC, sigScheme: ECDSA_P256 } : { cert: RSA, sigScheme: RSA_PSS_RSAE_SHA256 };
}

export function ok13(overrides: Partial<ExpectSuccess> = {}): ExpectSuccess {
  return { ok: true, version: 'TLSv1.3', suite: AES128, group: 'x25519', sigScheme: ECDSA_P256, alpn: null, ...overrides };
}
export function ok12(overrides: Partial<ExpectSuccess> = {}): ExpectSuccess {
  return { ok: true, version: 'TLSv1.2', suite: S12.ecdsaAes128, group: 'x25519', sigScheme: ECDSA_P256, alpn: null, ...overrides };
}

/** Resumption expectations: resumed TLS 1.3 (psk_dhe_ke on `group`), a full TLS 1.3 handshake again, resumed TLS 1.2. */
export const resumed13 = (group: string | undefined = 'x25519'): Resumption => ({ server: 'same', expectSession: true, expectReused: true, version: 'TLSv1.3', suite: AES128, ...(group === undefined ? {} : { group }) });
export const full13 = (extra: Partial<Resumption> = {}): Resumption => ({ server: 'same', expectSession: true, expectReused: false, version: 'TLSv1.3', suite: AES128, group: 'x25519', ...extra });
export const RESUMED12: Resumption = { server: 'same', expectSession: true, expectReused: true, version: 'TLSv1.2', suite: S12.ecdsaAes128 };
