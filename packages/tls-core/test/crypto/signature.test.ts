/**
 * Signature verification cross-checked against node:crypto (OpenSSL) as an independent signer,
 * plus the SignatureScheme mapping and scheme/key compatibility rules (RFC 8446 §4.2.3).
 */
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignatureScheme } from '../../src/wire/enums.ts';
import type { PublicKey, SignatureAlgorithm } from '../../src/crypto/keys.ts';
import { SHA1, SHA256, SHA384, SHA512, type HashAlgorithm } from '../../src/crypto/noble.ts';
import { bytesToInteger, integerToBytes, modPow } from '../../src/crypto/rsa.ts';
import {
  isPreparedVerificationKey,
  isSchemeCompatibleWithKey,
  isTls13CertificateVerifyScheme,
  prepareVerificationKey,
  signatureAlgorithmForScheme,
  SUPPORTED_SIGNATURE_SCHEMES,
  verifySignature,
} from '../../src/crypto/signature.ts';

const b64url = (s: string | undefined): Uint8Array => new Uint8Array(Buffer.from(s!, 'base64url'));
const message = new TextEncoder().encode('TLS 1.3, server CertificateVerify\0 and some transcript hash');

function rsaPublic(key: KeyObject, pssOnly = false): PublicKey {
  const jwk = key.export({ format: 'jwk' });
  const n = bytesToInteger(b64url(jwk.n));
  return { kind: 'rsa', n, e: bytesToInteger(b64url(jwk.e)), bits: n.toString(2).length, pssOnly };
}
function ecPublic(key: KeyObject, curve: 'P-256' | 'P-384'): PublicKey {
  const jwk = key.export({ format: 'jwk' });
  return { kind: 'ec', curve, point: new Uint8Array([4, ...b64url(jwk.x), ...b64url(jwk.y)]) };
}
const nodeHash = (h: HashAlgorithm): string => h.name;
const flip = (b: Uint8Array, i: number): Uint8Array => {
  const c = b.slice();
  c[i]! ^= 1;
  return c;
};

describe('RSA (hand-written BigInt) against OpenSSL signatures', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = rsaPublic(rsa.publicKey);

  for (const hash of [SHA256, SHA384, SHA512, SHA1]) {
    it(`PKCS#1 v1.5 with ${hash.name}`, () => {
      const sig = new Uint8Array(sign(nodeHash(hash), message, rsa.privateKey));
      const alg: SignatureAlgorithm = { kind: 'rsa-pkcs1', hash };
      expect(verifySignature(alg, key, message, sig)).toBe(true);
      expect(verifySignature(alg, key, flip(message, 3), sig)).toBe(false);
      expect(verifySignature(alg, key, message, flip(sig, 100))).toBe(false);
      // Wrong hash: the re-encoded DigestInfo differs.
      expect(verifySignature({ kind: 'rsa-pkcs1', hash: hash === SHA256 ? SHA384 : SHA256 }, key, message, sig)).toBe(false);
      // A signature of the wrong length is refused even if it is numerically the same (leading zero).
      expect(verifySignature(alg, key, message, new Uint8Array([0, ...sig]))).toBe(false);
      // pssOnly keys cannot verify PKCS#1 v1.5.
      expect(verifySignature(alg, { ...key, pssOnly: true } as PublicKey, message, sig)).toBe(false);
    });
  }

  for (const hash of [SHA256, SHA384, SHA512]) {
    it(`PSS with ${hash.name}, salt = hash length; exact salt length enforced`, () => {
      const sig = new Uint8Array(
        sign(nodeHash(hash), message, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hash.outputLen }),
      );
      const alg: SignatureAlgorithm = { kind: 'rsa-pss', hash, saltLength: hash.outputLen };
      expect(verifySignature(alg, key, message, sig)).toBe(true);
      expect(verifySignature(alg, { ...key, pssOnly: true } as PublicKey, message, sig)).toBe(true);
      expect(verifySignature(alg, key, flip(message, 0), sig)).toBe(false);
      expect(verifySignature(alg, key, message, flip(sig, 255))).toBe(false);
      expect(verifySignature({ ...alg, saltLength: hash.outputLen - 1 }, key, message, sig)).toBe(false);
      expect(verifySignature({ ...alg, saltLength: hash.outputLen + 1 }, key, message, sig)).toBe(false);
      // A PSS signature is not a PKCS#1 v1.5 signature.
      expect(verifySignature({ kind: 'rsa-pkcs1', hash }, key, message, sig)).toBe(false);
    });
  }

  it('PSS with a zero-length salt and with a 20-byte salt', () => {
    for (const saltLength of [0, 20]) {
      const sig = new Uint8Array(sign('sha256', message, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }));
      expect(verifySignature({ kind: 'rsa-pss', hash: SHA256, saltLength }, key, message, sig)).toBe(true);
      expect(verifySignature({ kind: 'rsa-pss', hash: SHA256, saltLength: 32 }, key, message, sig)).toBe(false);
    }
  });

  it('refuses s >= n and an all-zero signature', () => {
    const k = Math.ceil(Number((key as { bits: number }).bits) / 8);
    const n = integerToBytes((key as { n: bigint }).n, k);
    const alg: SignatureAlgorithm = { kind: 'rsa-pkcs1', hash: SHA256 };
    expect(verifySignature(alg, key, message, n)).toBe(false);
    expect(verifySignature(alg, key, message, new Uint8Array(k).fill(0xff))).toBe(false);
    expect(verifySignature(alg, key, message, new Uint8Array(k))).toBe(false);
  });

  it('3072-bit keys work too (modulus length from n)', () => {
    const big = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const sig = new Uint8Array(sign('sha384', message, { key: big.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }));
    expect(verifySignature({ kind: 'rsa-pss', hash: SHA384, saltLength: 48 }, rsaPublic(big.publicKey), message, sig)).toBe(true);
  });
});

describe('modPow and integer conversions', () => {
  it('modPow agrees with naive repeated multiplication', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 80n }), fc.integer({ min: 0, max: 300 }), fc.bigInt({ min: 1n, max: 1n << 70n }), (b, e, m) => {
        let naive = 1n % m;
        for (let i = 0; i < e; i++) naive = (naive * b) % m;
        expect(modPow(b, BigInt(e), m)).toBe(naive);
      }),
    );
  });

  it('bytesToInteger / integerToBytes round trip with leading zeros', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(integerToBytes(bytesToInteger(bytes), bytes.length)).toEqual(bytes);
      }),
    );
  });
});

/** Minimal DER ECDSA-Sig-Value parse/encode for the high-S test. */
function derToRS(der: Uint8Array): [bigint, bigint] {
  let off = 2;
  if (der[1]! & 0x80) off += der[1]! & 0x7f;
  const read = (): bigint => {
    const len = der[off + 1]!;
    const v = bytesToInteger(der.subarray(off + 2, off + 2 + len));
    off += 2 + len;
    return v;
  };
  return [read(), read()];
}
function rsToDer(r: bigint, s: bigint): Uint8Array {
  const int = (x: bigint): number[] => {
    let hex = x.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    const bytes = [...Buffer.from(hex, 'hex')];
    if (bytes[0]! & 0x80) bytes.unshift(0);
    return [0x02, bytes.length, ...bytes];
  };
  const body = [...int(r), ...int(s)];
  return new Uint8Array(body.length < 128 ? [0x30, body.length, ...body] : [0x30, 0x81, body.length, ...body]);
}

describe('ECDSA against OpenSSL signatures', () => {
  const ORDER = {
    'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  } as const;

  for (const [curve, nodeCurve] of [
    ['P-256', 'prime256v1'],
    ['P-384', 'secp384r1'],
  ] as const) {
    const pair = generateKeyPairSync('ec', { namedCurve: nodeCurve });
    for (const prepared of [false, true]) {
      const label = prepared ? 'prepared key' : 'plain key';
      it(`${curve} (${label}): every hash the algorithm names, high-S accepted, tampering refused`, () => {
        const key = ecPublic(pair.publicKey, curve);
        if (prepared) {
          prepareVerificationKey(key);
          expect(isPreparedVerificationKey(key)).toBe(true);
        }
        for (const hash of [SHA256, SHA384, SHA512]) {
          const sig = new Uint8Array(sign(nodeHash(hash), message, pair.privateKey)); // DER
          const alg: SignatureAlgorithm = { kind: 'ecdsa', hash };
          expect(verifySignature(alg, key, message, sig)).toBe(true);
          expect(verifySignature(alg, key, flip(message, 1), sig)).toBe(false);
          expect(verifySignature(alg, key, message, flip(sig, sig.length - 1))).toBe(false);
          expect(verifySignature({ kind: 'ecdsa', hash: hash === SHA256 ? SHA384 : SHA256 }, key, message, sig)).toBe(false);
          // The malleated twin (r, n - s) is just as valid for TLS/X.509 (not low-S normalised).
          const [r, s] = derToRS(sig);
          const twin = rsToDer(r, ORDER[curve] - s);
          expect(verifySignature(alg, key, message, twin)).toBe(true);
          // Raw r||s (not DER) is refused.
          const raw = new Uint8Array([...integerToBytes(r, curve === 'P-256' ? 32 : 48), ...integerToBytes(s, curve === 'P-256' ? 32 : 48)]);
          expect(verifySignature(alg, key, message, raw)).toBe(false);
          // Trailing garbage after the DER SEQUENCE is refused.
          expect(verifySignature(alg, key, message, new Uint8Array([...sig, 0]))).toBe(false);
        }
      });
    }
  }

  it('a signature checked with a key on the other curve, or a bogus point, is false', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const sig = new Uint8Array(sign('sha256', message, p256.privateKey));
    const alg: SignatureAlgorithm = { kind: 'ecdsa', hash: SHA256 };
    expect(verifySignature(alg, ecPublic(p384.publicKey, 'P-384'), message, sig)).toBe(false);
    const good = ecPublic(p256.publicKey, 'P-256') as Extract<PublicKey, { kind: 'ec' }>;
    const bogus: PublicKey = { kind: 'ec', curve: 'P-256', point: flip(good.point, 64) };
    expect(verifySignature(alg, bogus, message, sig)).toBe(false);
    expect(isPreparedVerificationKey(prepareVerificationKey(bogus))).toBe(false);
  });
});

describe('Ed25519 against OpenSSL signatures', () => {
  it('verifies, and refuses tampering and a non-canonical S (S + L)', () => {
    const pair = generateKeyPairSync('ed25519');
    const key: PublicKey = { kind: 'ed25519', key: b64url(pair.publicKey.export({ format: 'jwk' }).x) };
    const sig = new Uint8Array(sign(null, message, pair.privateKey));
    const alg: SignatureAlgorithm = { kind: 'ed25519' };
    expect(verifySignature(alg, key, message, sig)).toBe(true);
    expect(verifySignature(alg, key, flip(message, 5), sig)).toBe(false);
    expect(verifySignature(alg, key, message, flip(sig, 10))).toBe(false);
    expect(verifySignature(alg, key, message, sig.subarray(0, 63))).toBe(false);
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const s = bytesToInteger(sig.slice(32).reverse());
    const malleated = new Uint8Array([...sig.subarray(0, 32), ...integerToBytes(s + L, 32).reverse()]);
    expect(verifySignature(alg, key, message, malleated)).toBe(false);
  });
});

describe('key / algorithm mismatch returns false (never throws)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ed = generateKeyPairSync('ed25519');
  const rsaKey = rsaPublic(rsa.publicKey);
  const ecKey = ecPublic(ec.publicKey, 'P-256');
  const edKey: PublicKey = { kind: 'ed25519', key: b64url(ed.publicKey.export({ format: 'jwk' }).x) };
  const sigs = {
    rsa: new Uint8Array(sign('sha256', message, rsa.privateKey)),
    ec: new Uint8Array(sign('sha256', message, ec.privateKey)),
    ed: new Uint8Array(sign(null, message, ed.privateKey)),
  };
  it('every wrong pairing is false', () => {
    const algs: SignatureAlgorithm[] = [
      { kind: 'rsa-pkcs1', hash: SHA256 },
      { kind: 'rsa-pss', hash: SHA256, saltLength: 32 },
      { kind: 'ecdsa', hash: SHA256 },
      { kind: 'ed25519' },
    ];
    const keyFor = { 'rsa-pkcs1': 'rsa', 'rsa-pss': 'rsa', ecdsa: 'ec', ed25519: 'ed' } as const;
    for (const alg of algs)
      for (const [name, key] of [['rsa', rsaKey], ['ec', ecKey], ['ed', edKey]] as const)
        for (const sig of Object.values(sigs)) {
          if (keyFor[alg.kind] === name) continue;
          expect(verifySignature(alg, key, message, sig)).toBe(false);
        }
  });
});

describe('SignatureScheme mapping (RFC 8446 §4.2.3)', () => {
  it('maps the supported schemes to algorithm, hash and PSS salt = hash length', () => {
    const expectations: [number, string, string | undefined, number | undefined][] = [
      [SignatureScheme.ecdsa_secp256r1_sha256, 'ecdsa', 'sha256', undefined],
      [SignatureScheme.ecdsa_secp384r1_sha384, 'ecdsa', 'sha384', undefined],
      [SignatureScheme.ed25519, 'ed25519', undefined, undefined],
      [SignatureScheme.rsa_pss_rsae_sha256, 'rsa-pss', 'sha256', 32],
      [SignatureScheme.rsa_pss_rsae_sha384, 'rsa-pss', 'sha384', 48],
      [SignatureScheme.rsa_pss_rsae_sha512, 'rsa-pss', 'sha512', 64],
      [SignatureScheme.rsa_pss_pss_sha256, 'rsa-pss', 'sha256', 32],
      [SignatureScheme.rsa_pss_pss_sha384, 'rsa-pss', 'sha384', 48],
      [SignatureScheme.rsa_pss_pss_sha512, 'rsa-pss', 'sha512', 64],
      [SignatureScheme.rsa_pkcs1_sha256, 'rsa-pkcs1', 'sha256', undefined],
      [SignatureScheme.rsa_pkcs1_sha384, 'rsa-pkcs1', 'sha384', undefined],
      [SignatureScheme.rsa_pkcs1_sha512, 'rsa-pkcs1', 'sha512', undefined],
    ];
    for (const [scheme, kind, hash, salt] of expectations) {
      const alg = signatureAlgorithmForScheme(scheme)!;
      expect(alg.kind).toBe(kind);
      expect('hash' in alg ? alg.hash.name : undefined).toBe(hash);
      expect(alg.kind === 'rsa-pss' ? alg.saltLength : undefined).toBe(salt);
    }
    expect([...SUPPORTED_SIGNATURE_SCHEMES].sort()).toEqual(expectations.map(([s]) => s).sort());
  });

  it('has nothing for SHA-1, P-521, Ed448 and unknown code points', () => {
    for (const s of [
      SignatureScheme.rsa_pkcs1_sha1,
      SignatureScheme.ecdsa_sha1,
      SignatureScheme.ecdsa_secp521r1_sha512,
      SignatureScheme.ed448,
      0x0000,
      0xfefe,
    ]) {
      expect(signatureAlgorithmForScheme(s)).toBeUndefined();
      expect(isTls13CertificateVerifyScheme(s)).toBe(false);
    }
  });

  it('TLS 1.3 CertificateVerify excludes rsa_pkcs1_*', () => {
    expect(isTls13CertificateVerifyScheme(SignatureScheme.rsa_pkcs1_sha256)).toBe(false);
    expect(isTls13CertificateVerifyScheme(SignatureScheme.rsa_pss_rsae_sha256)).toBe(true);
    expect(isTls13CertificateVerifyScheme(SignatureScheme.ecdsa_secp256r1_sha256)).toBe(true);
  });

  it('scheme / key compatibility', () => {
    const p256: PublicKey = { kind: 'ec', curve: 'P-256', point: new Uint8Array(65) };
    const p384: PublicKey = { kind: 'ec', curve: 'P-384', point: new Uint8Array(97) };
    const rsae: PublicKey = { kind: 'rsa', n: 1n, e: 65537n, bits: 2048, pssOnly: false };
    const pss: PublicKey = { kind: 'rsa', n: 1n, e: 65537n, bits: 2048, pssOnly: true };
    const ed: PublicKey = { kind: 'ed25519', key: new Uint8Array(32) };
    const S = SignatureScheme;
    const table: [number, PublicKey[]][] = [
      [S.ecdsa_secp256r1_sha256, [p256]],
      [S.ecdsa_secp384r1_sha384, [p384]],
      [S.ed25519, [ed]],
      [S.rsa_pss_rsae_sha256, [rsae]],
      [S.rsa_pss_rsae_sha512, [rsae]],
      [S.rsa_pss_pss_sha256, [pss]],
      [S.rsa_pss_pss_sha384, [pss]],
      [S.rsa_pkcs1_sha256, [rsae]],
      [S.rsa_pkcs1_sha384, [rsae]],
      [S.ecdsa_secp521r1_sha512, []],
    ];
    for (const [scheme, ok] of table)
      for (const key of [p256, p384, rsae, pss, ed]) expect(isSchemeCompatibleWithKey(scheme, key)).toBe(ok.includes(key));
    // TLS 1.2 does not bind the ECDSA curve to the scheme's hash (RFC 8422 §5.10 / RFC 5246).
    expect(isSchemeCompatibleWithKey(S.ecdsa_secp256r1_sha256, p384, { tls12: true })).toBe(true);
    expect(isSchemeCompatibleWithKey(S.ecdsa_secp256r1_sha256, rsae, { tls12: true })).toBe(false);
  });
});
