/**
 * One table of the cipher suites and groups the matrix uses, with each server's spelling of them,
 * so that a row says `TLS13_SUITES[i]` or `group('secp384r1')` and each server's cases read their
 * own column: IANA names (RFC 8446 §B.4, RFC 8422 / RFC 7905 suites; RFC 8446 §4.2.7 groups) are
 * what the client reports and the expectations use; `openssl` is also Node's spelling (node:tls
 * `ciphersuites` / `ciphers` / `ecdhCurve`), `gnutls` goes into a priority string, `botan` into a
 * text policy, `nss` into selfserv's `-c` (`:XXXX`, the IANA code point) and `-I`.
 *
 * @module
 */
import type { GroupOption } from '../types.ts';

export interface Tls13Suite {
  readonly iana: string;
  readonly openssl: string;
  /** gnutls priority cipher keyword (`+AES-128-GCM`). */
  readonly gnutls: string;
  /** selfserv `-c` value: the code point. */
  readonly nss: string;
}

export interface Tls12Suite extends Tls13Suite {
  /** The certificate type the suite's authentication needs. */
  readonly auth: 'ecdsa' | 'rsa';
  /** gnutls priority key exchange keyword (`+ECDHE-ECDSA`). */
  readonly gnutlsKx: 'ECDHE-ECDSA' | 'ECDHE-RSA';
  /** Botan text policy `ciphers` value. */
  readonly botan: string;
}

export const TLS13_SUITES = [
  { iana: 'TLS_AES_128_GCM_SHA256', openssl: 'TLS_AES_128_GCM_SHA256', gnutls: 'AES-128-GCM', nss: ':1301' },
  { iana: 'TLS_AES_256_GCM_SHA384', openssl: 'TLS_AES_256_GCM_SHA384', gnutls: 'AES-256-GCM', nss: ':1302' },
  { iana: 'TLS_CHACHA20_POLY1305_SHA256', openssl: 'TLS_CHACHA20_POLY1305_SHA256', gnutls: 'CHACHA20-POLY1305', nss: ':1303' },
] as const satisfies readonly Tls13Suite[];

export const TLS12_SUITES = [
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', auth: 'ecdsa', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256', gnutls: 'AES-128-GCM', gnutlsKx: 'ECDHE-ECDSA', botan: 'AES-128/GCM', nss: ':C02B' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', auth: 'ecdsa', openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384', gnutls: 'AES-256-GCM', gnutlsKx: 'ECDHE-ECDSA', botan: 'AES-256/GCM', nss: ':C02C' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', auth: 'ecdsa', openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305', gnutls: 'CHACHA20-POLY1305', gnutlsKx: 'ECDHE-ECDSA', botan: 'ChaCha20Poly1305', nss: ':CCA9' },
  { iana: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', auth: 'rsa', openssl: 'ECDHE-RSA-AES128-GCM-SHA256', gnutls: 'AES-128-GCM', gnutlsKx: 'ECDHE-RSA', botan: 'AES-128/GCM', nss: ':C02F' },
  { iana: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', auth: 'rsa', openssl: 'ECDHE-RSA-AES256-GCM-SHA384', gnutls: 'AES-256-GCM', gnutlsKx: 'ECDHE-RSA', botan: 'AES-256/GCM', nss: ':C030' },
  { iana: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', auth: 'rsa', openssl: 'ECDHE-RSA-CHACHA20-POLY1305', gnutls: 'CHACHA20-POLY1305', gnutlsKx: 'ECDHE-RSA', botan: 'ChaCha20Poly1305', nss: ':CCA8' },
] as const satisfies readonly Tls12Suite[];

export interface Group {
  readonly iana: string;
  /** The connect options' spelling (ClientConnectOptions.groups); also s_server `-groups`. */
  readonly option: GroupOption;
  /** OpenSSL / node:tls `ecdhCurve`. */
  readonly openssl: string;
  /** gnutls priority group keyword (`+GROUP-SECP384R1`). */
  readonly gnutls: string;
  readonly botan: string;
  /** selfserv `-I`. */
  readonly nss: string;
}

export const GROUPS = [
  { iana: 'x25519', option: 'X25519', openssl: 'X25519', gnutls: 'GROUP-X25519', botan: 'x25519', nss: 'x25519' },
  { iana: 'secp256r1', option: 'P-256', openssl: 'P-256', gnutls: 'GROUP-SECP256R1', botan: 'secp256r1', nss: 'P256' },
  { iana: 'secp384r1', option: 'P-384', openssl: 'P-384', gnutls: 'GROUP-SECP384R1', botan: 'secp384r1', nss: 'P384' },
] as const satisfies readonly Group[];

type IanaSuite = (typeof TLS13_SUITES)[number]['iana'] | (typeof TLS12_SUITES)[number]['iana'];

/** A suite row by IANA name. */
export function suite<N extends IanaSuite>(iana: N): Extract<(typeof TLS13_SUITES)[number] | (typeof TLS12_SUITES)[number], { iana: N }> {
  const row = [...TLS13_SUITES, ...TLS12_SUITES].find((s) => s.iana === iana);
  if (row === undefined) throw new Error(`no suite ${iana}`);
  return row as Extract<(typeof TLS13_SUITES)[number] | (typeof TLS12_SUITES)[number], { iana: N }>;
}

/** A group row by IANA name. */
export function group(iana: (typeof GROUPS)[number]['iana']): Group {
  const row = GROUPS.find((g) => g.iana === iana);
  if (row === undefined) throw new Error(`no group ${iana}`);
  return row;
}

/** The hybrid group (draft-ietf-tls-ecdhe-mlkem, 0x11EC): only OpenSSL 3.5 (Node 26) has it here. */
export const X25519MLKEM768 = { iana: 'X25519MLKEM768', option: 'X25519MLKEM768', openssl: 'X25519MLKEM768' } as const;
