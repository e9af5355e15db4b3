/**
 * Signing (CertificateVerify, RFC 8446 §4.4.3 / RFC 5246 §7.4.8) checked by node:crypto (OpenSSL)
 * as the independent verifier: every scheme for every key type, PKCS#1 v1.5 byte-exact against
 * node:crypto.sign (it is deterministic), the blinded CRT RSASP1 against plain m^d mod n, and the
 * schemes offered per TLS version.
 */
import { constants, generateKeyPairSync, privateEncrypt, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoError } from '../../src/errors.ts';
import { SignatureScheme as S } from '../../src/wire/enums.ts';
import { publicKeyOf, type PrivateKey } from '../../src/crypto/keys.ts';
import { defaultRandomBytes as randomBytes } from '../../src/crypto/noble.ts';
import { modPow } from '../../src/crypto/rsa.ts';
import { modInverse, rsasp1 } from '../../src/crypto/rsa-sign.ts';
import { signingSchemesFor, signWithScheme } from '../../src/crypto/signer.ts';
import { signatureAlgorithmForScheme, verifySignature } from '../../src/crypto/signature.ts';
import { parsePrivateKeyPem } from '../../src/x509/private-key.ts';

const message = new TextEncoder().encode('handshake messages or the TLS 1.3 CertificateVerify content');
const load = (k: KeyObject): PrivateKey => parsePrivateKeyPem(k.export({ format: 'pem', type: 'pkcs8' }) as string);

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa3072 = generateKeyPairSync('rsa', { modulusLength: 3072 });
const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed25519 = generateKeyPairSync('ed25519');

const HASH: Record<number, string> = {
  [S.ecdsa_secp256r1_sha256]: 'sha256',
  [S.ecdsa_secp384r1_sha384]: 'sha384',
  [S.rsa_pkcs1_sha256]: 'sha256',
  [S.rsa_pkcs1_sha384]: 'sha384',
  [S.rsa_pkcs1_sha512]: 'sha512',
  [S.rsa_pss_rsae_sha256]: 'sha256',
  [S.rsa_pss_rsae_sha384]: 'sha384',
  [S.rsa_pss_rsae_sha512]: 'sha512',
  [S.rsa_pss_pss_sha256]: 'sha256',
  [S.rsa_pss_pss_sha384]: 'sha384',
  [S.rsa_pss_pss_sha512]: 'sha512',
};

function nodeAccepts(scheme: number, pub: KeyObject, sig: Uint8Array): boolean {
  if (scheme === S.ed25519) return nodeVerify(null, message, pub, sig);
  const hash = HASH[scheme]!;
  if (scheme === S.ecdsa_secp256r1_sha256 || scheme === S.ecdsa_secp384r1_sha384) return nodeVerify(hash, message, { key: pub, dsaEncoding: 'der' }, sig);
  const pss = scheme >= 0x0804 && scheme <= 0x080b;
  return nodeVerify(hash, message, pss ? { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: { sha256: 32, sha384: 48, sha512: 64 }[hash]! } : { key: pub, padding: constants.RSA_PKCS1_PADDING }, sig);
}

describe('signatures node:crypto accepts', () => {
  const cases: [string, { publicKey: KeyObject; privateKey: KeyObject }, number[]][] = [
    ['P-256', p256, [S.ecdsa_secp256r1_sha256, S.ecdsa_secp384r1_sha384]],
    ['P-384', p384, [S.ecdsa_secp384r1_sha384, S.ecdsa_secp256r1_sha256]],
    ['Ed25519', ed25519, [S.ed25519]],
    ['RSA-2048', rsa, [S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384, S.rsa_pss_rsae_sha512, S.rsa_pkcs1_sha256, S.rsa_pkcs1_sha384, S.rsa_pkcs1_sha512]],
    ['RSA-3072', rsa3072, [S.rsa_pss_rsae_sha256, S.rsa_pkcs1_sha256]],
    ['RSA-PSS key', rsaPss, [S.rsa_pss_pss_sha256, S.rsa_pss_pss_sha384, S.rsa_pss_pss_sha512]],
  ];
  for (const [name, pair, schemes] of cases) {
    it(`${name}: ${schemes.map((s) => `0x${s.toString(16)}`).join(', ')} verify with node:crypto and with our verifier; a flipped byte does not`, () => {
      const key = load(pair.privateKey);
      for (const scheme of schemes) {
        const sig = signWithScheme(key, scheme, message, randomBytes);
        expect(nodeAccepts(scheme, pair.publicKey, sig), `scheme 0x${scheme.toString(16)}`).toBe(true);
        expect(verifySignature(signatureAlgorithmForScheme(scheme)!, publicKeyOf(key), message, sig)).toBe(true);
        const bad = sig.slice();
        bad[bad.length >> 1]! ^= 0x01;
        expect(nodeAccepts(scheme, pair.publicKey, bad)).toBe(false);
      }
    });
  }

  it('PKCS#1 v1.5 signatures equal node:crypto.sign byte for byte (the scheme is deterministic)', () => {
    const key = load(rsa.privateKey);
    for (const [scheme, hash] of [[S.rsa_pkcs1_sha256, 'sha256'], [S.rsa_pkcs1_sha384, 'sha384'], [S.rsa_pkcs1_sha512, 'sha512']] as const) {
      const ours = signWithScheme(key, scheme, message, randomBytes);
      expect(Buffer.from(ours).toString('hex')).toBe(nodeSign(hash, message, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString('hex'));
    }
  });

  it('PSS and hedged ECDSA signatures differ from one call to the next (fresh salt / nonce entropy)', () => {
    const r = load(rsa.privateKey);
    expect(signWithScheme(r, S.rsa_pss_rsae_sha256, message, randomBytes)).not.toEqual(signWithScheme(r, S.rsa_pss_rsae_sha256, message, randomBytes));
    const e = load(p256.privateKey);
    expect(signWithScheme(e, S.ecdsa_secp256r1_sha256, message, randomBytes)).not.toEqual(signWithScheme(e, S.ecdsa_secp256r1_sha256, message, randomBytes));
  });

  it('a scheme that does not fit the key is a CryptoError, not a signature', () => {
    expect(() => signWithScheme(load(p256.privateKey), S.ed25519, message, randomBytes)).toThrow(CryptoError);
    expect(() => signWithScheme(load(rsaPss.privateKey), S.rsa_pkcs1_sha256, message, randomBytes)).toThrow(CryptoError);
    expect(() => signWithScheme(load(rsa.privateKey), S.ecdsa_secp256r1_sha256, message, randomBytes)).toThrow(CryptoError);
  });
});

describe('RSASP1 with CRT and blinding', () => {
  it('equals the textbook m^d mod n for random representatives, and inverts the public operation', () => {
    const key = load(rsa.privateKey);
    if (key.kind !== 'rsa') throw new Error('not rsa');
    for (let i = 0; i < 5; i++) {
      const m = BigInt(`0x${Buffer.from(randomBytes(200)).toString('hex')}`) % key.n;
      const s = rsasp1(key, m, randomBytes);
      expect(s).toBe(modPow(m, key.d, key.n));
      expect(modPow(s, key.e, key.n)).toBe(m);
    }
  });

  it('a faulty CRT half is caught before the result leaves (Boneh-DeMillo-Lipton)', () => {
    const key = load(rsa.privateKey);
    if (key.kind !== 'rsa') throw new Error('not rsa');
    expect(() => rsasp1({ ...key, dp: key.dp ^ 2n }, 12345n, randomBytes)).toThrow(CryptoError);
  });

  it('refuses a representative outside [0, n)', () => {
    const key = load(rsa.privateKey);
    if (key.kind !== 'rsa') throw new Error('not rsa');
    expect(() => rsasp1(key, key.n, randomBytes)).toThrow(CryptoError);
  });

  it('modInverse agrees with the definition and refuses non-units', () => {
    expect((modInverse(3n, 11n) * 3n) % 11n).toBe(1n);
    expect(() => modInverse(6n, 9n)).toThrow(CryptoError);
  });

  it('equals OpenSSL raw private-key operation (privateEncrypt with RSA_NO_PADDING)', () => {
    // Independent check of the raw primitive: OpenSSL's RSA_NO_PADDING "private encrypt" is RSASP1.
    const key = load(rsa.privateKey);
    if (key.kind !== 'rsa') throw new Error('not rsa');
    const em = new Uint8Array(256);
    em.set(randomBytes(255), 1);
    const ours = rsasp1(key, BigInt(`0x${Buffer.from(em).toString('hex')}`), randomBytes);
    const theirs = privateEncrypt({ key: rsa.privateKey, padding: constants.RSA_NO_PADDING }, em);
    expect(ours.toString(16).padStart(512, '0')).toBe(theirs.toString('hex'));
  });
});

describe('which schemes a key signs in each version', () => {
  it('TLS 1.3 binds ECDSA to the curve and drops PKCS#1 v1.5; TLS 1.2 allows both', () => {
    expect(signingSchemesFor(load(p256.privateKey), 'TLSv1.3')).toEqual([S.ecdsa_secp256r1_sha256]);
    expect(signingSchemesFor(load(p384.privateKey), 'TLSv1.3')).toEqual([S.ecdsa_secp384r1_sha384]);
    expect(signingSchemesFor(load(p384.privateKey), 'TLSv1.2')).toEqual([S.ecdsa_secp256r1_sha256, S.ecdsa_secp384r1_sha384]);
    expect(signingSchemesFor(load(rsa.privateKey), 'TLSv1.3')).toEqual([S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384, S.rsa_pss_rsae_sha512]);
    expect(signingSchemesFor(load(rsa.privateKey), 'TLSv1.2')).toContain(S.rsa_pkcs1_sha256);
    expect(signingSchemesFor(load(rsaPss.privateKey), 'TLSv1.2')).toEqual([S.rsa_pss_pss_sha256, S.rsa_pss_pss_sha384, S.rsa_pss_pss_sha512]);
    expect(signingSchemesFor(load(ed25519.privateKey), 'TLSv1.3')).toEqual([S.ed25519]);
  });
});
