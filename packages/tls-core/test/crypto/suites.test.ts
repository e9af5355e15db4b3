/** Cipher suite tables against the IANA names in wire/enums.ts and OpenSSL's own listing. */
import { describe, expect, it } from 'vitest';
import { CipherSuite, nameOf } from '../../src/wire/enums.ts';
import { AEAD_KEY_LENGTH } from '../../src/crypto/noble.ts';
import {
  isTls13Suite,
  suiteByName,
  TLS12_SUITES,
  TLS13_SUITES,
  tls12SuiteById,
  tls13SuiteById,
} from '../../src/crypto/suites.ts';

// `openssl ciphers -stdname 'ECDHE+AESGCM:ECDHE+CHACHA20'`, OpenSSL 3.0.19 (IANA name, OpenSSL name, Au, Enc).
const OPENSSL_LISTING = `
TLS_AES_256_GCM_SHA384                        - TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(256)            Mac=AEAD
TLS_CHACHA20_POLY1305_SHA256                  - TLS_CHACHA20_POLY1305_SHA256   TLSv1.3 Kx=any      Au=any   Enc=CHACHA20/POLY1305(256) Mac=AEAD
TLS_AES_128_GCM_SHA256                        - TLS_AES_128_GCM_SHA256         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(128)            Mac=AEAD
TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       - ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            Mac=AEAD
TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384         - ECDHE-RSA-AES256-GCM-SHA384    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(256)            Mac=AEAD
TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256       - ECDHE-ECDSA-AES128-GCM-SHA256  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(128)            Mac=AEAD
TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         - ECDHE-RSA-AES128-GCM-SHA256    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(128)            Mac=AEAD
TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 - ECDHE-ECDSA-CHACHA20-POLY1305  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=CHACHA20/POLY1305(256) Mac=AEAD
TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256   - ECDHE-RSA-CHACHA20-POLY1305    TLSv1.2 Kx=ECDH     Au=RSA   Enc=CHACHA20/POLY1305(256) Mac=AEAD
`;
const openssl = OPENSSL_LISTING.trim()
  .split('\n')
  .map((line) => {
    const [iana, , name, version, , au, enc] = line.split(/\s+/);
    return { iana: iana!, name: name!, version: version!, au: au!.slice(3), enc: enc!.slice(4) };
  });
const aeadOf = (enc: string): string =>
  ({ 'AESGCM(128)': 'AES-128-GCM', 'AESGCM(256)': 'AES-256-GCM', 'CHACHA20/POLY1305(256)': 'CHACHA20-POLY1305' })[enc]!;
const hashOf = (iana: string): string => (iana.endsWith('SHA384') ? 'sha384' : 'sha256');

describe('TLS 1.3 suites', () => {
  it('match IANA ids and OpenSSL, with keyLen from the AEAD and 12-byte IVs', () => {
    const fromOpenssl = openssl.filter((o) => o.version === 'TLSv1.3');
    expect(TLS13_SUITES.map((s) => s.name).sort()).toEqual(fromOpenssl.map((o) => o.iana).sort());
    for (const s of TLS13_SUITES) {
      const o = fromOpenssl.find((x) => x.iana === s.name)!;
      expect(nameOf(CipherSuite, s.id)).toBe(s.name);
      expect(s.aead).toBe(aeadOf(o.enc));
      expect(s.hash.name).toBe(hashOf(s.name));
      expect(s.keyLength).toBe(AEAD_KEY_LENGTH[s.aead]);
      expect(s.ivLength).toBe(12);
      expect(tls13SuiteById(s.id)).toBe(s);
      expect(isTls13Suite(s.id)).toBe(true);
      expect(suiteByName(s.name)).toBe(s);
    }
  });
});

describe('TLS 1.2 suites', () => {
  it('match IANA ids and OpenSSL names/auth/cipher; GCM 4+8 nonce bytes, ChaCha20 12+0 (RFC 7905)', () => {
    const fromOpenssl = openssl.filter((o) => o.version === 'TLSv1.2');
    expect(TLS12_SUITES.map((s) => s.name).sort()).toEqual(fromOpenssl.map((o) => o.iana).sort());
    for (const s of TLS12_SUITES) {
      const o = fromOpenssl.find((x) => x.iana === s.name)!;
      expect(nameOf(CipherSuite, s.id)).toBe(s.name);
      expect(s.opensslName).toBe(o.name);
      expect(s.auth).toBe(o.au);
      expect(s.aead).toBe(aeadOf(o.enc));
      expect(s.prfHash.name).toBe(hashOf(s.name));
      expect(s.keyLength).toBe(AEAD_KEY_LENGTH[s.aead]);
      const chacha = s.aead === 'CHACHA20-POLY1305';
      expect(s.fixedIvLength).toBe(chacha ? 12 : 4);
      expect(s.explicitNonceLength).toBe(chacha ? 0 : 8);
      expect(s.fixedIvLength + s.explicitNonceLength).toBe(12);
      expect(tls12SuiteById(s.id)).toBe(s);
      expect(isTls13Suite(s.id)).toBe(false);
      expect(suiteByName(s.name)).toBe(s);
      expect(suiteByName(s.opensslName)).toBe(s);
    }
  });

  it('unknown ids and names give undefined', () => {
    expect(tls12SuiteById(0x009c)).toBeUndefined(); // TLS_RSA_WITH_AES_128_GCM_SHA256: no forward secrecy, not offered
    expect(tls13SuiteById(0x1304)).toBeUndefined(); // TLS_AES_128_CCM_SHA256
    expect(tls12SuiteById(CipherSuite.TLS_AES_128_GCM_SHA256)).toBeUndefined();
    expect(suiteByName('ECDHE-RSA-AES128-SHA')).toBeUndefined();
  });
});
