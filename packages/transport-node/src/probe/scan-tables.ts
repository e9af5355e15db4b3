/**
 * Wire tables of the ClientHello scanner: the cipher suites and groups it offers, with IANA code
 * points ("TLS Cipher Suites" and "TLS Supported Groups" registries; RFC 8446 §B.4, RFC 5246
 * §A.5, RFC 5288, RFC 5289, RFC 6655, RFC 7905, RFC 8422, RFC 7919, RFC 2246 §A.5 for the export
 * and DES suites). The TLS 1.2 list deliberately includes suites puretls never uses (CBC, RSA key
 * exchange, DHE, anonymous, CCM, ARIA, Camellia, 3DES, DES, RC4, NULL, export): the scanner reports
 * whether a server still accepts them. Offering a code point commits to nothing: no handshake is
 * completed.
 * @module
 */

/** TLS 1.3 cipher suites (RFC 8446 §B.4), in the order offered. */
export const TLS13_SCAN_SUITES = [
  { code: 0x1301, name: 'TLS_AES_128_GCM_SHA256' },
  { code: 0x1302, name: 'TLS_AES_256_GCM_SHA384' },
  { code: 0x1303, name: 'TLS_CHACHA20_POLY1305_SHA256' },
  { code: 0x1304, name: 'TLS_AES_128_CCM_SHA256' },
  { code: 0x1305, name: 'TLS_AES_128_CCM_8_SHA256' },
] as const;

/**
 * TLS 1.2 and older cipher suites, in the order offered: strongest first (the order of
 * `openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'` in OpenSSL 3.0 without PSK and
 * SRP), then the suites OpenSSL 3.0 no longer builds (3DES, RC4, DES, export).
 */
export const TLS12_SCAN_SUITES = [
  { code: 0xc02c, name: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384' },
  { code: 0xc030, name: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' },
  { code: 0x00a3, name: 'TLS_DHE_DSS_WITH_AES_256_GCM_SHA384' },
  { code: 0x009f, name: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384' },
  { code: 0xcca9, name: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256' },
  { code: 0xcca8, name: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256' },
  { code: 0xccaa, name: 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256' },
  { code: 0xc0af, name: 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8' },
  { code: 0xc0ad, name: 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM' },
  { code: 0xc0a3, name: 'TLS_DHE_RSA_WITH_AES_256_CCM_8' },
  { code: 0xc09f, name: 'TLS_DHE_RSA_WITH_AES_256_CCM' },
  { code: 0xc05d, name: 'TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384' },
  { code: 0xc061, name: 'TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384' },
  { code: 0xc057, name: 'TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384' },
  { code: 0xc053, name: 'TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384' },
  { code: 0x00a7, name: 'TLS_DH_anon_WITH_AES_256_GCM_SHA384' },
  { code: 0xc02b, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' },
  { code: 0xc02f, name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' },
  { code: 0x00a2, name: 'TLS_DHE_DSS_WITH_AES_128_GCM_SHA256' },
  { code: 0x009e, name: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256' },
  { code: 0xc0ae, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' },
  { code: 0xc0ac, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM' },
  { code: 0xc0a2, name: 'TLS_DHE_RSA_WITH_AES_128_CCM_8' },
  { code: 0xc09e, name: 'TLS_DHE_RSA_WITH_AES_128_CCM' },
  { code: 0xc05c, name: 'TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256' },
  { code: 0xc060, name: 'TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256' },
  { code: 0xc056, name: 'TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256' },
  { code: 0xc052, name: 'TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256' },
  { code: 0x00a6, name: 'TLS_DH_anon_WITH_AES_128_GCM_SHA256' },
  { code: 0xc024, name: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384' },
  { code: 0xc028, name: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384' },
  { code: 0x006b, name: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256' },
  { code: 0x006a, name: 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256' },
  { code: 0xc073, name: 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384' },
  { code: 0xc077, name: 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384' },
  { code: 0x00c4, name: 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256' },
  { code: 0x00c3, name: 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256' },
  { code: 0x006d, name: 'TLS_DH_anon_WITH_AES_256_CBC_SHA256' },
  { code: 0x00c5, name: 'TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256' },
  { code: 0xc023, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256' },
  { code: 0xc027, name: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256' },
  { code: 0x0067, name: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256' },
  { code: 0x0040, name: 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA256' },
  { code: 0xc072, name: 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256' },
  { code: 0xc076, name: 'TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256' },
  { code: 0x00be, name: 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256' },
  { code: 0x00bd, name: 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256' },
  { code: 0x006c, name: 'TLS_DH_anon_WITH_AES_128_CBC_SHA256' },
  { code: 0x00bf, name: 'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256' },
  { code: 0xc00a, name: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA' },
  { code: 0xc014, name: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA' },
  { code: 0x0039, name: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA' },
  { code: 0x0038, name: 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA' },
  { code: 0x0088, name: 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA' },
  { code: 0x0087, name: 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA' },
  { code: 0xc019, name: 'TLS_ECDH_anon_WITH_AES_256_CBC_SHA' },
  { code: 0x003a, name: 'TLS_DH_anon_WITH_AES_256_CBC_SHA' },
  { code: 0x0089, name: 'TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA' },
  { code: 0xc009, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA' },
  { code: 0xc013, name: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA' },
  { code: 0x0033, name: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA' },
  { code: 0x0032, name: 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA' },
  { code: 0x0045, name: 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA' },
  { code: 0x0044, name: 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA' },
  { code: 0xc018, name: 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA' },
  { code: 0x0034, name: 'TLS_DH_anon_WITH_AES_128_CBC_SHA' },
  { code: 0x0046, name: 'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA' },
  { code: 0x009d, name: 'TLS_RSA_WITH_AES_256_GCM_SHA384' },
  { code: 0xc0a1, name: 'TLS_RSA_WITH_AES_256_CCM_8' },
  { code: 0xc09d, name: 'TLS_RSA_WITH_AES_256_CCM' },
  { code: 0xc051, name: 'TLS_RSA_WITH_ARIA_256_GCM_SHA384' },
  { code: 0x009c, name: 'TLS_RSA_WITH_AES_128_GCM_SHA256' },
  { code: 0xc0a0, name: 'TLS_RSA_WITH_AES_128_CCM_8' },
  { code: 0xc09c, name: 'TLS_RSA_WITH_AES_128_CCM' },
  { code: 0xc050, name: 'TLS_RSA_WITH_ARIA_128_GCM_SHA256' },
  { code: 0x003d, name: 'TLS_RSA_WITH_AES_256_CBC_SHA256' },
  { code: 0x00c0, name: 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256' },
  { code: 0x003c, name: 'TLS_RSA_WITH_AES_128_CBC_SHA256' },
  { code: 0x00ba, name: 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256' },
  { code: 0x0035, name: 'TLS_RSA_WITH_AES_256_CBC_SHA' },
  { code: 0x0084, name: 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA' },
  { code: 0x002f, name: 'TLS_RSA_WITH_AES_128_CBC_SHA' },
  { code: 0x0041, name: 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA' },
  { code: 0xc006, name: 'TLS_ECDHE_ECDSA_WITH_NULL_SHA' },
  { code: 0xc010, name: 'TLS_ECDHE_RSA_WITH_NULL_SHA' },
  { code: 0xc015, name: 'TLS_ECDH_anon_WITH_NULL_SHA' },
  { code: 0x003b, name: 'TLS_RSA_WITH_NULL_SHA256' },
  { code: 0x0002, name: 'TLS_RSA_WITH_NULL_SHA' },
  { code: 0x0001, name: 'TLS_RSA_WITH_NULL_MD5' },
  { code: 0xc012, name: 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA' },
  { code: 0xc008, name: 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA' },
  { code: 0x0016, name: 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA' },
  { code: 0x000a, name: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA' },
  { code: 0xc011, name: 'TLS_ECDHE_RSA_WITH_RC4_128_SHA' },
  { code: 0xc007, name: 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA' },
  { code: 0x0005, name: 'TLS_RSA_WITH_RC4_128_SHA' },
  { code: 0x0004, name: 'TLS_RSA_WITH_RC4_128_MD5' },
  { code: 0x0015, name: 'TLS_DHE_RSA_WITH_DES_CBC_SHA' },
  { code: 0x0009, name: 'TLS_RSA_WITH_DES_CBC_SHA' },
  { code: 0x0014, name: 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA' },
  { code: 0x0008, name: 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA' },
  { code: 0x0003, name: 'TLS_RSA_EXPORT_WITH_RC4_40_MD5' },
] as const;

/** Suites a TLS 1.0 / 1.1 / SSL 3.0 ClientHello offers: everything defined before TLS 1.2. */
export const LEGACY_SCAN_SUITES: readonly { readonly code: number; readonly name: string }[] = /* @__PURE__ */ TLS12_SCAN_SUITES.filter(
  (s) => !/_(GCM|CCM|CCM_8|POLY1305)(_|$)|_SHA(256|384)$/.test(s.name),
);

/** Key exchange of a TLS 1.2 suite, from its name. */
export type SuiteKeyExchange = 'ECDHE' | 'DHE' | 'RSA' | 'ECDH_anon' | 'DH_anon' | 'other';

/** The key exchange named in a suite's IANA name. */
export function suiteKeyExchange(name: string): SuiteKeyExchange {
  if (name.startsWith('TLS_ECDHE_')) return 'ECDHE';
  if (name.startsWith('TLS_DHE_')) return 'DHE';
  if (name.startsWith('TLS_ECDH_anon_')) return 'ECDH_anon';
  if (name.startsWith('TLS_DH_anon_')) return 'DH_anon';
  if (name.startsWith('TLS_RSA_')) return 'RSA';
  return 'other';
}

/** Groups offered (RFC 8446 §4.2.7, RFC 7919 §2, draft-ietf-tls-ecdhe-mlkem §4), in the order offered. */
export const SCAN_GROUPS = [
  { code: 0x001d, name: 'x25519' },
  { code: 0x0017, name: 'secp256r1' },
  { code: 0x0018, name: 'secp384r1' },
  { code: 0x0019, name: 'secp521r1' },
  { code: 0x001e, name: 'x448' },
  { code: 0x11ec, name: 'X25519MLKEM768' },
  { code: 0x0100, name: 'ffdhe2048' },
  { code: 0x0101, name: 'ffdhe3072' },
  { code: 0x0102, name: 'ffdhe4096' },
] as const;

/** Groups a TLS 1.2 ECDHE ServerKeyExchange can name (RFC 8422 §5.1.1). */
export const TLS12_SCAN_CURVES: readonly { readonly code: number; readonly name: string }[] = /* @__PURE__ */ SCAN_GROUPS.filter(
  (g) => g.code < 0x0100,
);

/** Signature schemes offered (RFC 8446 §4.2.3, incl. the SHA-1 and PKCS#1 ones TLS 1.2 servers may need). */
export const SCAN_SIGNATURE_SCHEMES = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302,
  0x0203, 0x0201, 0x0202,
] as const;

/**
 * GREASE values (RFC 8701 §2): 0x0A0A, 0x1A1A, ... 0xFAFA, reserved for suites, groups, extensions
 * and versions so that servers learn to ignore unknown values.
 */
export const GREASE_VALUES: readonly number[] = /* @__PURE__ */ Array.from({ length: 16 }, (_, i) => ((i << 4) | 0x0a) * 0x101);

/** An extension type no registry assigns (and not a GREASE value), for the unknown-extension probe. */
export const UNASSIGNED_EXTENSION_TYPE = 0x7e57;

/** Display name of a suite or group code point from the tables above, else `0x....`. */
export function scanName(table: readonly { readonly code: number; readonly name: string }[], code: number): string {
  return table.find((e) => e.code === code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;
}
