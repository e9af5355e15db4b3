/**
 * Every Wycheproof test case (C2SP/wycheproof, vendored in ../vectors/wycheproof/) against the
 * crypto wrappers of src/crypto/. Valid cases must pass, invalid cases must fail.
 *
 * "acceptable" cases, decided per file:
 * - x25519: the 31 ZeroSharedSecret (low-order public) cases MUST be refused (RFC 8446 §7.4.2);
 *   the other acceptable ones (twist points, non-canonical u >= p, high bit set) MUST produce the
 *   expected secret, as RFC 7748 §5 requires (mask the top bit, accept non-canonical values).
 * - ecdh_*_ecpoint: the one acceptable case is a compressed point: refused (RFC 8446 §4.2.8.2).
 * - rsa_signature_*: the acceptable case is a DigestInfo without the NULL parameter: refused (see rsa.ts).
 *
 * Skips (parameters TLS never uses; counted and asserted): AES-GCM with 192-bit keys or IVs other
 * than 96 bits, ChaCha20-Poly1305 with nonces other than 96 bits.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/codec/bytes.ts';
import { DecryptError, PeerMisbehaved } from '../../src/errors.ts';
import { NamedGroup } from '../../src/wire/enums.ts';
import { keyShareFromPrivateKey } from '../../src/crypto/key-exchange.ts';
import type { PublicKey, SignatureAlgorithm } from '../../src/crypto/keys.ts';
import {
  createAead,
  hashByName,
  hkdfExpand,
  hkdfExtract,
  hmac,
  type AeadAlgorithm,
  type HashAlgorithm,
} from '../../src/crypto/noble.ts';
import { isPreparedVerificationKey, prepareVerificationKey, verifySignature } from '../../src/crypto/signature.ts';

interface TestCase {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}
interface TestGroup {
  tests: TestCase[];
  [field: string]: unknown;
}
interface TestFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: TestGroup[];
}

function load(name: string): TestFile {
  return JSON.parse(readFileSync(new URL(`../vectors/wycheproof/${name}`, import.meta.url), 'utf8')) as TestFile;
}

/** Tally of one file's run: per-outcome counts plus the ids that did not behave as expected. */
class Tally {
  total = 0;
  skipped = 0;
  passed = 0;
  rejected = 0;
  readonly failures: string[] = [];
  expect(tc: TestCase, mustPass: boolean, run: () => boolean): void {
    this.total++;
    let ok: boolean;
    try {
      ok = run();
    } catch (e) {
      ok = false;
      if (mustPass) {
        this.failures.push(`#${tc.tcId} ${tc.comment} threw ${String(e)}`);
        return;
      }
    }
    if (ok === mustPass) {
      if (ok) this.passed++;
      else this.rejected++;
    } else this.failures.push(`#${tc.tcId} ${tc.comment} [${tc.flags.join(',')}] expected ${mustPass ? 'pass' : 'fail'}`);
  }
}

function cases(file: TestFile): number {
  return file.testGroups.reduce((n, g) => n + g.tests.length, 0);
}

const hex = (v: unknown): Uint8Array => fromHex(v as string);
const shaOf = (name: string): HashAlgorithm =>
  hashByName(({ 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const)[name as 'SHA-256']);

// ---------------------------------------------------------------------------------------------
describe('Wycheproof AEAD', () => {
  function runAead(fileName: string, pick: (keyBits: number) => AeadAlgorithm | undefined): Tally {
    const file = load(fileName);
    const t = new Tally();
    for (const g of file.testGroups) {
      const alg = pick(g.keySize as number);
      const usable = alg !== undefined && g.ivSize === 96 && g.tagSize === 128;
      for (const tc of g.tests) {
        if (!usable) {
          t.skipped++;
          continue;
        }
        const aead = createAead(alg, hex(tc.key));
        const [iv, aad, msg] = [hex(tc.iv), hex(tc.aad), hex(tc.msg)];
        const sealed = new Uint8Array([...hex(tc.ct), ...hex(tc.tag)]);
        t.expect(tc, tc.result === 'valid', () => {
          // A valid case must both encrypt to ct||tag and decrypt back; an invalid one must not open.
          if (tc.result === 'valid' && toHex(aead.seal(iv, aad, msg)) !== toHex(sealed)) return false;
          try {
            return toHex(aead.open(iv, aad, sealed)) === toHex(msg);
          } catch (e) {
            if (!(e instanceof DecryptError)) throw e;
            return false;
          }
        });
      }
    }
    expect(t.total + t.skipped).toBe(cases(file));
    return t;
  }

  it('aes_gcm_test.json: all 128/256-bit-key, 96-bit-IV cases', () => {
    const t = runAead('aes_gcm_test.json', (bits) =>
      bits === 128 ? 'AES-128-GCM' : bits === 256 ? 'AES-256-GCM' : undefined,
    );
    expect(t.failures).toEqual([]);
    // 183 skipped: AES-192 groups and IV sizes 0/8/16/.../2056 bits (counted independently from the JSON).
    expect(t.skipped).toBe(183);
    expect(t.passed).toBe(229 - 150);
    expect(t.rejected).toBe(87 - 33);
  });

  it('chacha20_poly1305_test.json: all 96-bit-nonce cases', () => {
    const t = runAead('chacha20_poly1305_test.json', (bits) => (bits === 256 ? 'CHACHA20-POLY1305' : undefined));
    expect(t.failures).toEqual([]);
    expect(t.skipped).toBe(9); // invalid nonce sizes, all 'invalid' cases: the record layer only builds 12-byte nonces
    expect(t.passed).toBe(256);
    expect(t.rejected).toBe(69 - 9);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Wycheproof HKDF and HMAC', () => {
  for (const [fileName, hashName] of [
    ['hkdf_sha256_test.json', 'sha256'],
    ['hkdf_sha384_test.json', 'sha384'],
  ] as const) {
    it(fileName, () => {
      const file = load(fileName);
      const hash = hashByName(hashName);
      const t = new Tally();
      for (const g of file.testGroups)
        for (const tc of g.tests)
          t.expect(tc, tc.result === 'valid', () => {
            const prk = hkdfExtract(hash, hex(tc.salt), hex(tc.ikm));
            return toHex(hkdfExpand(hash, prk, hex(tc.info), tc.size as number)) === tc.okm;
          });
      expect(t.failures).toEqual([]);
      expect(t.total).toBe(cases(file));
      expect(t.rejected).toBe(3); // output longer than 255 * HashLen
    });
  }

  for (const [fileName, hashName] of [
    ['hmac_sha256_test.json', 'sha256'],
    ['hmac_sha384_test.json', 'sha384'],
  ] as const) {
    it(fileName, () => {
      const file = load(fileName);
      const hash = hashByName(hashName);
      const t = new Tally();
      for (const g of file.testGroups) {
        const tagBytes = (g.tagSize as number) / 8; // truncated-tag groups compare the leading bytes
        for (const tc of g.tests)
          t.expect(tc, tc.result === 'valid', () => {
            const tag = hmac(hash, hex(tc.key), hex(tc.msg)).subarray(0, tagBytes);
            return toHex(tag) === tc.tag;
          });
      }
      expect(t.failures).toEqual([]);
      expect(t.total).toBe(cases(file));
      expect(t.passed).toBe(66);
      expect(t.rejected).toBe(108);
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('Wycheproof key exchange', () => {
  function expectInvalidShare(run: () => unknown): boolean {
    try {
      run();
      return true;
    } catch (e) {
      if (e instanceof PeerMisbehaved && e.reason === 'InvalidKeyShare') return false;
      throw e;
    }
  }

  it('x25519_test.json: valid and non-zero acceptable cases agree, all-zero outputs are refused', () => {
    const file = load('x25519_test.json');
    const t = new Tally();
    let zeroRefused = 0;
    for (const g of file.testGroups)
      for (const tc of g.tests) {
        const zero = tc.flags.includes('ZeroSharedSecret');
        expect(zero).toBe(tc.shared === '00'.repeat(32));
        const share = keyShareFromPrivateKey(NamedGroup.x25519, hex(tc.private));
        t.expect(tc, !zero, () => {
          let secret = '';
          const accepted = expectInvalidShare(() => {
            secret = toHex(share.computeSharedSecret(hex(tc.public)));
          });
          return accepted && secret === tc.shared;
        });
        if (zero) zeroRefused++;
      }
    expect(t.failures).toEqual([]);
    expect(t.total).toBe(518);
    expect(zeroRefused).toBe(31);
    expect(t.rejected).toBe(31);
  });

  for (const [fileName, group, fieldLength] of [
    ['ecdh_secp256r1_ecpoint_test.json', NamedGroup.secp256r1, 32],
    ['ecdh_secp384r1_ecpoint_test.json', NamedGroup.secp384r1, 48],
  ] as const) {
    it(`${fileName}: valid cases agree; compressed, off-curve and malformed points are refused`, () => {
      const file = load(fileName);
      const t = new Tally();
      for (const g of file.testGroups)
        for (const tc of g.tests) {
          // Wycheproof private keys are ASN.1-style integers (may carry a 00 sign byte or be short).
          const scalar = (tc.private as string).replace(/^(00)+/, '').padStart(2 * fieldLength, '0');
          const share = keyShareFromPrivateKey(group, fromHex(scalar));
          t.expect(tc, tc.result === 'valid', () => {
            let secret = '';
            const accepted = expectInvalidShare(() => {
              secret = toHex(share.computeSharedSecret(hex(tc.public)));
            });
            return accepted && secret === tc.shared;
          });
        }
      expect(t.failures).toEqual([]);
      expect(t.total).toBe(cases(file));
      const notValid = file.testGroups.flatMap((g) => g.tests).filter((tc) => tc.result !== 'valid').length;
      expect(t.rejected).toBe(notValid); // invalid + the one acceptable (compressed point)
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('Wycheproof signatures', () => {
  function runSignatures(
    fileName: string,
    keyOf: (g: TestGroup) => PublicKey,
    algOf: (g: TestGroup) => SignatureAlgorithm,
    mustPass: (tc: TestCase) => boolean,
  ): Tally {
    const file = load(fileName);
    const t = new Tally();
    for (const g of file.testGroups) {
      const key = keyOf(g);
      const alg = algOf(g);
      for (const tc of g.tests) t.expect(tc, mustPass(tc), () => verifySignature(alg, key, hex(tc.msg), hex(tc.sig)));
    }
    expect(t.total).toBe(cases(file));
    return t;
  }

  const ecKey = (curve: 'P-256' | 'P-384') => (g: TestGroup): PublicKey => ({
    kind: 'ec',
    curve,
    point: hex((g.publicKey as { uncompressed: string }).uncompressed),
  });
  const valid = (tc: TestCase): boolean => tc.result === 'valid';

  for (const [fileName, curve] of [
    ['ecdsa_secp256r1_sha256_test.json', 'P-256'],
    ['ecdsa_secp384r1_sha384_test.json', 'P-384'],
  ] as const) {
    it(`${fileName} (DER, high-S allowed)`, () => {
      const t = runSignatures(fileName, ecKey(curve), (g) => ({ kind: 'ecdsa', hash: shaOf(g.sha as string) }), valid);
      expect(t.failures).toEqual([]);
      expect(t.rejected).toBe(310);
    });

    it(`${fileName} through prepared (precomputed) keys gives the same verdicts`, () => {
      const t = runSignatures(
        fileName,
        // A small window keeps this test fast; the code path is the same for every window size.
        (g) => {
          const key = prepareVerificationKey(ecKey(curve)(g), { windowBits: 4 });
          expect(isPreparedVerificationKey(key)).toBe(true);
          return key;
        },
        (g) => ({ kind: 'ecdsa', hash: shaOf(g.sha as string) }),
        valid,
      );
      expect(t.failures).toEqual([]);
      expect(t.rejected).toBe(310);
    });
  }

  it('ed25519_test.json (RFC 8032 strict)', () => {
    const t = runSignatures(
      'ed25519_test.json',
      (g) => ({ kind: 'ed25519', key: hex((g.publicKey as { pk: string }).pk) }),
      () => ({ kind: 'ed25519' }),
      valid,
    );
    expect(t.failures).toEqual([]);
    expect(t.passed).toBe(88);
    expect(t.rejected).toBe(63);
  });

  const rsaKey = (pssOnly: boolean) => (g: TestGroup): PublicKey => {
    const { modulus, publicExponent } = g.publicKey as { modulus: string; publicExponent: string };
    const n = BigInt(`0x${modulus}`);
    return { kind: 'rsa', n, e: BigInt(`0x${publicExponent}`), bits: n.toString(2).length, pssOnly };
  };

  for (const fileName of [
    'rsa_signature_2048_sha256_test.json',
    'rsa_signature_2048_sha384_test.json',
    'rsa_signature_3072_sha256_test.json',
  ]) {
    it(`${fileName} (PKCS#1 v1.5; DigestInfo without NULL refused)`, () => {
      let missingNull = 0;
      const t = runSignatures(
        fileName,
        rsaKey(false),
        (g) => ({ kind: 'rsa-pkcs1', hash: shaOf(g.sha as string) }),
        (tc) => {
          if (tc.result === 'acceptable') {
            expect(tc.flags).toEqual(['MissingNull']);
            missingNull++;
          }
          return tc.result === 'valid';
        },
      );
      expect(t.failures).toEqual([]);
      expect(missingNull).toBe(1);
      expect(t.passed).toBeGreaterThan(0);
    });
  }

  for (const fileName of [
    'rsa_pss_2048_sha256_mgf1_32_test.json',
    'rsa_pss_2048_sha384_mgf1_48_test.json',
    'rsa_pss_3072_sha256_mgf1_32_test.json',
  ]) {
    for (const pssOnly of [false, true]) {
      it(`${fileName} (PSS, explicit salt length, ${pssOnly ? 'id-RSASSA-PSS' : 'rsaEncryption'} key)`, () => {
        const t = runSignatures(
          fileName,
          rsaKey(pssOnly),
          (g) => {
            expect(g.mgfSha).toBe(g.sha);
            return { kind: 'rsa-pss', hash: shaOf(g.sha as string), saltLength: g.sLen as number };
          },
          valid,
        );
        expect(t.failures).toEqual([]);
        expect(t.passed).toBeGreaterThan(60);
        expect(t.rejected).toBeGreaterThan(40);
      });
    }
  }
});
