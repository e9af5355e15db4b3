/**
 * Display names for negotiated parameters in the shapes Node's `tls` module and the
 * `openssl` CLI use: OpenSSL cipher names (RFC 5289 / RFC 7905 suites), group names
 * (RFC 8446 §4.2.7) and signature schemes (RFC 8446 §4.2.3), and the parsers for the
 * colon-separated lists that `ciphers`, `ciphersuites` and `ecdhCurve` accept.
 * @module
 */
import { CipherSuite, NamedGroup, SignatureScheme, UsageError, nameOf } from '@puretls/tls-core';

/** Node's `getCipher()` result. */
export interface CipherInfo {
  /** OpenSSL name (`ECDHE-RSA-AES128-GCM-SHA256`; TLS 1.3 suites keep their IANA name). */
  readonly name: string;
  /** IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`). */
  readonly standardName: string;
  /** The protocol that introduced the suite, as OpenSSL reports it: `TLSv1.2` or `TLSv1.3`. */
  readonly version: string;
}

/** IANA name of a suite, or `0x....` when unknown. */
export function standardCipherName(suite: number): string {
  return nameOf(CipherSuite, suite);
}

/** OpenSSL name of a suite (TLS 1.3 suites have the same name in both). */
export function opensslCipherName(suite: number): string {
  return OPENSSL_TLS12_NAMES[suite] ?? standardCipherName(suite);
}

/** True for the TLS 1.3 suites (0x13xx, RFC 8446 §B.4). */
export function isTls13Suite(suite: number): boolean {
  return suite >> 8 === 0x13;
}

/**
 * Node's `getCipher()` shape. Node (OpenSSL) reports `version` as the protocol that
 * introduced the suite: `TLSv1.3` for 1.3 suites and `TLSv1.2` for the AEAD 1.2 suites.
 */
export function cipherInfo(suite: number): CipherInfo {
  return {
    name: opensslCipherName(suite),
    standardName: standardCipherName(suite),
    version: isTls13Suite(suite) ? 'TLSv1.3' : 'TLSv1.2',
  };
}

/** Short group name as puretls prints it: `X25519`, `P-256`, `ffdhe2048`. */
export function groupName(group: number): string {
  return GROUP_DISPLAY[group] ?? nameOf(NamedGroup, group);
}

/** OpenSSL's "Server Temp Key" text and Node's `getEphemeralKeyInfo()` for a group. */
export function ephemeralKeyInfo(group: number): { type: 'ECDH' | 'DH'; name: string; size: number; openssl: string } {
  const info = GROUP_OPENSSL[group];
  if (info === undefined) {
    const name = groupName(group);
    return { type: 'ECDH', name, size: 0, openssl: name };
  }
  const [type, name, size] = info;
  // OpenSSL 3.0 prints "X25519, 253 bits" for the RFC 7748 curves and "ECDH, prime256v1, 256 bits" for NIST curves.
  const openssl = type === 'DH' ? `DH, ${size} bits` : name.startsWith('X') ? `${name}, ${size} bits` : `ECDH, ${name}, ${size} bits`;
  return { type, name, size, openssl };
}

/** IANA signature scheme name: `rsa_pss_rsae_sha256`. */
export function signatureSchemeName(scheme: number): string {
  return nameOf(SignatureScheme, scheme);
}

/** OpenSSL's "Peer signature type" and "Peer signing digest" for a scheme (digest undefined for EdDSA). */
export function opensslSignatureParts(scheme: number): { type: string; digest: string | undefined } {
  const name = signatureSchemeName(scheme);
  if (name === 'ed25519') return { type: 'Ed25519', digest: undefined };
  if (name === 'ed448') return { type: 'Ed448', digest: undefined };
  const digest = /sha(\d+|1)$/.exec(name)?.[0]?.toUpperCase();
  if (name.startsWith('rsa_pss_')) return { type: 'RSA-PSS', digest };
  if (name.startsWith('rsa_pkcs1_')) return { type: 'RSA', digest };
  if (name.startsWith('ecdsa_')) return { type: 'ECDSA', digest };
  return { type: name, digest };
}

/**
 * Parse Node's `ciphers` option (an OpenSSL cipher string) into TLS 1.2 and TLS 1.3 suite
 * lists. Entries may be OpenSSL or IANA names. `DEFAULT`, `ALL` and `HIGH` add every
 * supported TLS 1.2 suite; `!X` / `-X` remove X; other OpenSSL keywords are ignored, as the
 * puretls suite list has nothing weak to exclude.
 * @throws UsageError when no supported suite is selected ("no cipher match", as OpenSSL says)
 */
export function parseCipherString(spec: string): { tls12: number[]; tls13: number[] } {
  const tls12: number[] = [];
  const tls13: number[] = [];
  const removed = new Set<number>();
  for (const raw of spec.split(/[:, ]+/).filter((s) => s !== '')) {
    const negate = raw.startsWith('!') || raw.startsWith('-');
    const token = negate ? raw.slice(1) : raw;
    const keyword = token.toUpperCase();
    const matched = keyword === 'DEFAULT' || keyword === 'ALL' || keyword === 'HIGH' ? [...TLS12_DEFAULT] : suitesNamed(token);
    for (const suite of matched) {
      if (negate) removed.add(suite);
      else {
        const list = isTls13Suite(suite) ? tls13 : tls12;
        if (!list.includes(suite)) list.push(suite);
      }
    }
  }
  const keep = (s: number): boolean => !removed.has(s);
  const result = { tls12: tls12.filter(keep), tls13: tls13.filter(keep) };
  if (result.tls12.length === 0 && result.tls13.length === 0) throw new UsageError(`no cipher match in "${spec}"`);
  return result;
}

/**
 * Parse a TLS 1.3 suite list (Node's `ciphersuites`/puretls `suites`, OpenSSL `-ciphersuites`).
 * @throws UsageError on an unknown or non-1.3 name (OpenSSL refuses those too)
 */
export function parseTls13Suites(spec: string): number[] {
  const out: number[] = [];
  for (const token of spec.split(':').filter((s) => s !== '')) {
    const suite = suitesNamed(token).find(isTls13Suite);
    if (suite === undefined) throw new UsageError(`unknown TLS 1.3 cipher suite "${token}"`);
    if (!out.includes(suite)) out.push(suite);
  }
  return out;
}

/**
 * Parse a group list: `'X25519:P-256'` or `['X25519', 'P-256']`, case-insensitive, with the
 * OpenSSL and SEC aliases (`prime256v1`, `secp256r1`).
 * @throws UsageError on an unknown group
 */
export function parseGroups(spec: string | readonly string[]): number[] {
  const tokens = typeof spec === 'string' ? spec.split(':') : spec;
  const out: number[] = [];
  for (const token of tokens.map((t) => t.trim()).filter((t) => t !== '')) {
    const group = GROUP_ALIASES[token.toLowerCase()];
    if (group === undefined) throw new UsageError(`unknown group "${token}"`);
    if (!out.includes(group)) out.push(group);
  }
  if (out.length === 0) throw new UsageError('empty group list');
  return out;
}

/** The TLS 1.3 suites in OpenSSL's default preference order. */
export const TLS13_DEFAULT: readonly number[] = [
  CipherSuite.TLS_AES_256_GCM_SHA384,
  CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_AES_128_GCM_SHA256,
];

/** The TLS 1.2 suites puretls implements, ECDSA first, AES-GCM before ChaCha20 (Go's order). */
export const TLS12_DEFAULT: readonly number[] = [
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

function suitesNamed(token: string): number[] {
  const upper = token.toUpperCase();
  const out: number[] = [];
  for (const [name, value] of Object.entries(CipherSuite)) {
    if (value === CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV) continue;
    if (name === upper || OPENSSL_TLS12_NAMES[value] === upper) out.push(value);
  }
  return out;
}

// OpenSSL names of the TLS 1.2 suites (openssl ciphers -V / -stdname).
const OPENSSL_TLS12_NAMES: Readonly<Record<number, string>> = {
  [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]: 'ECDHE-RSA-AES128-GCM-SHA256',
  [CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]: 'ECDHE-RSA-AES256-GCM-SHA384',
  [CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]: 'ECDHE-RSA-CHACHA20-POLY1305',
  [CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

const GROUP_DISPLAY: Readonly<Record<number, string>> = {
  [NamedGroup.x25519]: 'X25519',
  [NamedGroup.x448]: 'X448',
  [NamedGroup.secp256r1]: 'P-256',
  [NamedGroup.secp384r1]: 'P-384',
  [NamedGroup.secp521r1]: 'P-521',
  [NamedGroup.X25519MLKEM768]: 'X25519MLKEM768',
};

// [type, OpenSSL/Node name, key size in bits as OpenSSL reports it]
const GROUP_OPENSSL: Readonly<Record<number, readonly ['ECDH' | 'DH', string, number]>> = {
  [NamedGroup.x25519]: ['ECDH', 'X25519', 253],
  [NamedGroup.x448]: ['ECDH', 'X448', 448],
  [NamedGroup.secp256r1]: ['ECDH', 'prime256v1', 256],
  [NamedGroup.secp384r1]: ['ECDH', 'secp384r1', 384],
  [NamedGroup.secp521r1]: ['ECDH', 'secp521r1', 521],
  [NamedGroup.ffdhe2048]: ['DH', 'ffdhe2048', 2048],
  [NamedGroup.ffdhe3072]: ['DH', 'ffdhe3072', 3072],
  [NamedGroup.ffdhe4096]: ['DH', 'ffdhe4096', 4096],
};

const GROUP_ALIASES: Readonly<Record<string, number>> = {
  x25519: NamedGroup.x25519,
  x448: NamedGroup.x448,
  'p-256': NamedGroup.secp256r1,
  prime256v1: NamedGroup.secp256r1,
  secp256r1: NamedGroup.secp256r1,
  'p-384': NamedGroup.secp384r1,
  secp384r1: NamedGroup.secp384r1,
  'p-521': NamedGroup.secp521r1,
  secp521r1: NamedGroup.secp521r1,
  ffdhe2048: NamedGroup.ffdhe2048,
  ffdhe3072: NamedGroup.ffdhe3072,
  ffdhe4096: NamedGroup.ffdhe4096,
  x25519mlkem768: NamedGroup.X25519MLKEM768,
};
