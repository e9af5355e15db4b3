/**
 * Private-key parsing (PKCS#8, SEC1, PKCS#1) against keys made by node:crypto (OpenSSL): every
 * accepted format yields the public key node:crypto derives, and every refused one a typed
 * InvalidPrivateKey reason. Plus a fast-check property: mutated DER raises only InvalidPrivateKey.
 */
import { createPrivateKey, generateKeyPairSync, type KeyExportOptions, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownReason } from '@puretls/test-support/errors';
import { InvalidPrivateKey } from '../../src/errors.ts';
import { publicKeyOf, type PrivateKey } from '../../src/crypto/keys.ts';
import { bytesToInteger } from '../../src/crypto/rsa.ts';
import { parsePrivateKeyDer, parsePrivateKeyPem } from '../../src/x509/private-key.ts';
import { decodePemBlocks } from '../../src/x509/pem.ts';
import { parseSubjectPublicKeyInfo } from '../../src/x509/algorithms.ts';
import { DerReader } from '../../src/x509/der.ts';

const b64url = (s: string | undefined): Uint8Array => new Uint8Array(Buffer.from(s!, 'base64url'));
const pem = (k: KeyObject, type: 'pkcs8' | 'sec1' | 'pkcs1', encryption: Pick<KeyExportOptions<'pem'>, 'cipher' | 'passphrase'> = {}): string =>
  k.export({ format: 'pem', type, ...encryption }).toString();

function expectMatches(parsed: PrivateKey, publicKey: KeyObject): void {
  const pub = publicKeyOf(parsed);
  if (publicKey.asymmetricKeyType === 'rsa-pss') {
    // node exports no JWK for RSA-PSS: compare with the SubjectPublicKeyInfo node wrote, parsed by the X.509 code
    const spki = parseSubjectPublicKeyInfo(new DerReader(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))).sequence('spki'));
    expect(pub).toEqual(spki);
    return;
  }
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty === 'RSA') {
    expect(pub.kind).toBe('rsa');
    if (pub.kind === 'rsa') {
      expect(pub.n).toBe(bytesToInteger(b64url(jwk.n)));
      expect(pub.e).toBe(bytesToInteger(b64url(jwk.e)));
    }
  } else if (jwk.kty === 'EC') {
    expect(pub.kind).toBe('ec');
    if (pub.kind === 'ec') expect(Buffer.from(pub.point).toString('hex')).toBe('04' + Buffer.from(b64url(jwk.x)).toString('hex') + Buffer.from(b64url(jwk.y)).toString('hex'));
  } else {
    expect(pub.kind).toBe('ed25519');
    if (pub.kind === 'ed25519') expect(Buffer.from(pub.key)).toEqual(Buffer.from(b64url(jwk.x)));
  }
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed25519 = generateKeyPairSync('ed25519');

describe('accepted formats yield the key node:crypto made', () => {
  it('reads PKCS#8 RSA, RSA-PSS, P-256, P-384 and Ed25519 keys', () => {
    for (const [pair, kind] of [[rsa, 'rsa'], [rsaPss, 'rsa'], [p256, 'ec'], [p384, 'ec'], [ed25519, 'ed25519']] as const) {
      const parsed = parsePrivateKeyPem(pem(pair.privateKey, 'pkcs8'));
      expect(parsed.kind).toBe(kind);
      expectMatches(parsed, pair.publicKey);
    }
    const pss = parsePrivateKeyPem(pem(rsaPss.privateKey, 'pkcs8'));
    expect(pss.kind === 'rsa' && pss.pssOnly).toBe(true);
    const plain = parsePrivateKeyPem(pem(rsa.privateKey, 'pkcs8'));
    expect(plain.kind === 'rsa' && plain.pssOnly).toBe(false);
  });

  it('reads SEC1 EC PRIVATE KEY blocks for both curves, with explanatory text and an EC PARAMETERS block before them', () => {
    for (const pair of [p256, p384]) {
      const text = `comment line\n-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${pem(pair.privateKey, 'sec1')}`;
      const parsed = parsePrivateKeyPem(text);
      expect(parsed.kind).toBe('ec');
      expectMatches(parsed, pair.publicKey);
    }
  });

  it('reads PKCS#1 RSA PRIVATE KEY blocks, with CRLF line ends', () => {
    const parsed = parsePrivateKeyPem(pem(rsa.privateKey, 'pkcs1').replace(/\n/g, '\r\n'));
    expectMatches(parsed, rsa.publicKey);
    const jwk = rsa.privateKey.export({ format: 'jwk' });
    if (parsed.kind !== 'rsa') throw new Error('not rsa');
    expect(parsed.d).toBe(bytesToInteger(b64url(jwk.d)));
    expect(parsed.qInv).toBe(bytesToInteger(b64url(jwk.qi)));
  });

  it('reads DER given with its container format', () => {
    const der = new Uint8Array(p256.privateKey.export({ format: 'der', type: 'sec1' }));
    expectMatches(parsePrivateKeyDer(der, 'sec1'), p256.publicKey);
  });
});

describe('refused keys get a typed reason', () => {
  const reason = (f: () => unknown): string => thrownReason(f, InvalidPrivateKey);

  it('encrypted PKCS#8 and legacy encrypted PEM: Encrypted', () => {
    expect(reason(() => parsePrivateKeyPem(pem(p256.privateKey, 'pkcs8', { cipher: 'aes-256-cbc', passphrase: 'pw' })))).toBe('Encrypted');
    expect(reason(() => parsePrivateKeyPem(pem(rsa.privateKey, 'pkcs1', { cipher: 'aes-128-cbc', passphrase: 'pw' })))).toBe('Encrypted');
    expect(reason(() => parsePrivateKeyPem(pem(p256.privateKey, 'sec1', { cipher: 'aes-128-cbc', passphrase: 'pw' })))).toBe('Encrypted');
  });

  it('Ed448, X25519, X448, DSA and P-521 keys: UnsupportedKeyType', () => {
    expect(reason(() => parsePrivateKeyPem(pem(generateKeyPairSync('ed448').privateKey, 'pkcs8')))).toBe('UnsupportedKeyType');
    expect(reason(() => parsePrivateKeyPem(pem(generateKeyPairSync('x25519').privateKey, 'pkcs8')))).toBe('UnsupportedKeyType');
    expect(reason(() => parsePrivateKeyPem(pem(generateKeyPairSync('x448').privateKey, 'pkcs8')))).toBe('UnsupportedKeyType');
    const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 224 });
    expect(reason(() => parsePrivateKeyPem(pem(dsa.privateKey, 'pkcs8')))).toBe('UnsupportedKeyType');
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    expect(reason(() => parsePrivateKeyPem(pem(p521.privateKey, 'pkcs8')))).toBe('UnsupportedKeyType');
    expect(reason(() => parsePrivateKeyPem(pem(p521.privateKey, 'sec1')))).toBe('UnsupportedKeyType');
  });

  it('text without a key: NoKey; bad base64 or DER: BadEncoding', () => {
    expect(reason(() => parsePrivateKeyPem('hello'))).toBe('NoKey');
    expect(reason(() => parsePrivateKeyPem('-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----\n'))).toBe('BadEncoding');
    expect(reason(() => parsePrivateKeyPem('-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n'))).toBe('BadEncoding');
  });

  it('an RSA key whose parts disagree: InconsistentKey', () => {
    const jwk = rsa.privateKey.export({ format: 'jwk' });
    // swap in another key's qi: the CRT coefficient no longer inverts q mod p
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    let broken: KeyObject | undefined;
    try {
      broken = createPrivateKey({ key: { ...jwk, qi: other.qi }, format: 'jwk' });
    } catch {
      broken = undefined; // OpenSSL refused to even build it: nothing to feed the parser
    }
    if (broken !== undefined) expect(reason(() => parsePrivateKeyPem(pem(broken, 'pkcs1')))).toBe('InconsistentKey');
    // and an EC key whose embedded public point is another key's
    const der = new Uint8Array(p256.privateKey.export({ format: 'der', type: 'sec1' }));
    const otherPoint = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' })).subarray(-65);
    const tampered = der.slice();
    tampered.set(otherPoint, der.length - 65);
    expect(reason(() => parsePrivateKeyDer(tampered, 'sec1'))).toBe('InconsistentKey');
  });

  it('mutated DER of every format raises only InvalidPrivateKey (fast-check)', () => {
    const samples: [Uint8Array, 'pkcs8' | 'sec1' | 'pkcs1'][] = [
      [decodePemBlocks(pem(p256.privateKey, 'pkcs8'))[0]!.der, 'pkcs8'],
      [decodePemBlocks(pem(ed25519.privateKey, 'pkcs8'))[0]!.der, 'pkcs8'],
      [decodePemBlocks(pem(p384.privateKey, 'sec1'))[0]!.der, 'sec1'],
      [decodePemBlocks(pem(rsa.privateKey, 'pkcs1'))[0]!.der, 'pkcs1'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), ([der, format], at, mask, truncate) => {
        const mutated = truncate ? der.subarray(0, at % der.length) : der.slice();
        if (!truncate) mutated[at % der.length]! ^= mask;
        try {
          parsePrivateKeyDer(mutated, format);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidPrivateKey);
        }
      }),
      { numRuns: 400 },
    );
  });
});
