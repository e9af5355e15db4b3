/**
 * Key shares (RFC 8446 §4.2.8.2, §7.4.2; RFC 7748): known answers from RFC 8448 §3 and RFC 7748 §6.1,
 * cross-checks of the NIST curves against node:crypto (OpenSSL), and the refusal rules.
 */
import { createECDH, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/codec/bytes.ts';
import { alertFor, PeerMisbehaved, UsageError } from '../../src/errors.ts';
import { AlertDescription, NamedGroup } from '../../src/wire/enums.ts';
import {
  generateKeyShare,
  isSupportedKeyExchangeGroup,
  keyShareFromPrivateKey,
  keyShareLength,
  SUPPORTED_KEY_EXCHANGE_GROUPS,
} from '../../src/crypto/key-exchange.ts';
import { X25519_LADDER_KEYGENS, x25519KeygenCounts, x25519PublicKeyByLadder, x25519PublicKeyByTable } from '../../src/crypto/noble.ts';

function expectInvalidKeyShare(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PeerMisbehaved);
  expect((caught as PeerMisbehaved).reason).toBe('InvalidKeyShare');
  expect(alertFor(caught)).toBe(AlertDescription.IllegalParameter);
}

describe('X25519 public keys: the Montgomery ladder first, then the blinded fixed-base multiply', () => {
  const pkcs8Prefix = Buffer.from('302e020100300506032b656e04220420', 'hex');
  const openssl = (k: Uint8Array): string =>
    createPublicKey(createPrivateKey({ key: Buffer.concat([pkcs8Prefix, k]), format: 'der', type: 'pkcs8' }))
      .export({ format: 'der', type: 'spki' })
      .subarray(-32)
      .toString('hex');
  /** A randomBytes that records the length of every draw. */
  const recording = (): { draws: number[]; randomBytes: (n: number) => Uint8Array } => {
    const draws: number[] = [];
    return { draws, randomBytes: (n) => (draws.push(n), new Uint8Array(randomBytes(n))) };
  };

  it('both paths equal OpenSSL for 48 random private keys, and draw the same bytes', () => {
    for (let i = 0; i < 48; i++) {
      const k = new Uint8Array(randomBytes(32));
      const ladder = recording();
      const table = recording();
      expect(toHex(x25519PublicKeyByLadder(k, ladder.randomBytes))).toBe(openssl(k));
      expect(toHex(x25519PublicKeyByTable(k, table.randomBytes))).toBe(openssl(k));
      expect(ladder.draws).toEqual([16]);
      expect(table.draws).toEqual(ladder.draws);
    }
  });

  it(`x25519PublicKey takes the ladder for the first ${X25519_LADDER_KEYGENS} key generations of a process, then the table`, () => {
    // Other tests in this file may have generated keys already: work from the counts as found.
    const before = x25519KeygenCounts();
    expect(before.table === 0 || before.ladder === X25519_LADDER_KEYGENS).toBe(true);
    const calls = X25519_LADDER_KEYGENS + 8;
    for (let i = 0; i < calls; i++) {
      const k = new Uint8Array(randomBytes(32));
      expect(toHex(keyShareFromPrivateKey(NamedGroup.x25519, k).publicKey)).toBe(openssl(k));
    }
    const after = x25519KeygenCounts();
    expect(after.ladder).toBe(X25519_LADDER_KEYGENS);
    expect(after.table - before.table).toBe(calls - (X25519_LADDER_KEYGENS - before.ladder));
    expect(after.table).toBeGreaterThanOrEqual(8);
  });
});

describe('X25519 known answers', () => {
  it('RFC 8448 §3: both ephemeral key pairs and the shared secret (handshake IKM)', () => {
    const client = keyShareFromPrivateKey(
      NamedGroup.x25519,
      fromHex('70a1a8f491e82d530542c6d7a8dcd8cfa9e31f59bb336b550b13bfe199f542c5'),
    );
    const server = keyShareFromPrivateKey(
      NamedGroup.x25519,
      fromHex('5aa93ea18f4c5e4a39856f573af4ec1503bad0d5cdabaffc26c1ab4c361f86c8'),
    );
    expect(toHex(client.publicKey)).toBe('4cfdfcd178b784bf328cae793b136f2aedce005ff183d7bb1495207236647037');
    expect(toHex(server.publicKey)).toBe('c7bb6bdfc26350b929a08a41a76ddac210b096868d960c4845987dc3a7fa650a');
    const ikm = '1bea3fdfd25f94033804b68997a55d1931dc51124ad7f6e28959bb4672e3bd13';
    expect(toHex(client.computeSharedSecret(server.publicKey))).toBe(ikm);
    expect(toHex(server.computeSharedSecret(client.publicKey))).toBe(ikm);
  });

  it('RFC 7748 §6.1', () => {
    const alice = keyShareFromPrivateKey(
      NamedGroup.x25519,
      fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
    );
    expect(toHex(alice.publicKey)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    const bobPublic = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(toHex(alice.computeSharedSecret(bobPublic))).toBe(
      '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    );
  });
});

describe('generateKeyShare', () => {
  const expected = [
    [NamedGroup.x25519, 32, 32],
    [NamedGroup.secp256r1, 65, 32],
    [NamedGroup.secp384r1, 97, 48],
  ] as const;

  for (const [group, publicLength, secretLength] of expected) {
    it(`group 0x${group.toString(16)}: fresh shares agree, with the RFC 8446 encodings`, () => {
      const a = generateKeyShare(group);
      const b = generateKeyShare(group);
      expect(a.group).toBe(group);
      expect(a.publicKey).toHaveLength(publicLength);
      expect(keyShareLength(group)).toBe(publicLength);
      if (group !== NamedGroup.x25519) expect(a.publicKey[0]).toBe(0x04);
      expect(toHex(a.publicKey)).not.toBe(toHex(b.publicKey));
      const s1 = a.computeSharedSecret(b.publicKey);
      expect(s1).toHaveLength(secretLength);
      expect(toHex(s1)).toBe(toHex(b.computeSharedSecret(a.publicKey)));
    });
  }

  it('supports exactly X25519, P-256 and P-384; other groups are a UsageError', () => {
    expect(SUPPORTED_KEY_EXCHANGE_GROUPS).toEqual([NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1]);
    for (const g of [NamedGroup.x448, NamedGroup.secp521r1, NamedGroup.ffdhe2048]) {
      expect(isSupportedKeyExchangeGroup(g)).toBe(false);
      expect(keyShareLength(g)).toBeUndefined();
      expect(() => generateKeyShare(g)).toThrow(UsageError);
    }
  });
});

describe('NIST ECDHE against node:crypto (OpenSSL)', () => {
  for (const [group, curveName] of [
    [NamedGroup.secp256r1, 'prime256v1'],
    [NamedGroup.secp384r1, 'secp384r1'],
  ] as const) {
    it(`${curveName}: same public key from the same scalar, same x-only shared secret`, () => {
      for (let i = 0; i < 3; i++) {
        const ours = generateKeyShare(group);
        const theirs = createECDH(curveName);
        theirs.generateKeys();
        const mine = keyShareFromPrivateKey(group, new Uint8Array(theirs.getPrivateKey()));
        expect(toHex(mine.publicKey)).toBe(theirs.getPublicKey('hex', 'uncompressed'));
        const expectedSecret = theirs.computeSecret(ours.publicKey); // OpenSSL: x-coordinate only
        expect(toHex(ours.computeSharedSecret(new Uint8Array(theirs.getPublicKey())))).toBe(expectedSecret.toString('hex'));
      }
    });

    it(`${curveName}: refuses compressed, truncated, off-curve and hybrid-prefix points`, () => {
      const ours = generateKeyShare(group);
      const peer = createECDH(curveName);
      peer.generateKeys();
      const uncompressed = new Uint8Array(peer.getPublicKey());
      expectInvalidKeyShare(() => ours.computeSharedSecret(new Uint8Array(peer.getPublicKey(undefined, 'compressed'))));
      expectInvalidKeyShare(() => ours.computeSharedSecret(uncompressed.subarray(0, uncompressed.length - 1)));
      expectInvalidKeyShare(() => ours.computeSharedSecret(new Uint8Array([...uncompressed, 0])));
      expectInvalidKeyShare(() => ours.computeSharedSecret(new Uint8Array(0)));
      expectInvalidKeyShare(() => ours.computeSharedSecret(Uint8Array.of(0))); // SEC1 point at infinity
      const offCurve = uncompressed.slice();
      offCurve[offCurve.length - 1]! ^= 1;
      expectInvalidKeyShare(() => ours.computeSharedSecret(offCurve));
      const hybrid = uncompressed.slice();
      hybrid[0] = 0x06 | (uncompressed[uncompressed.length - 1]! & 1); // X9.62 hybrid form: not allowed in TLS 1.3
      expectInvalidKeyShare(() => ours.computeSharedSecret(hybrid));
      const zeros = new Uint8Array(uncompressed.length);
      zeros[0] = 0x04;
      expectInvalidKeyShare(() => ours.computeSharedSecret(zeros));
    });
  }

  it('keyShareFromPrivateKey refuses out-of-range or mis-sized scalars', () => {
    const n256 = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
    expect(() => keyShareFromPrivateKey(NamedGroup.secp256r1, new Uint8Array(32))).toThrow(UsageError);
    expect(() => keyShareFromPrivateKey(NamedGroup.secp256r1, fromHex(n256))).toThrow(UsageError);
    expect(() => keyShareFromPrivateKey(NamedGroup.secp256r1, new Uint8Array(31).fill(1))).toThrow(UsageError);
    expect(() => keyShareFromPrivateKey(NamedGroup.x25519, new Uint8Array(31))).toThrow(UsageError);
    expect(keyShareFromPrivateKey(NamedGroup.secp256r1, fromHex(n256.replace(/51$/, '50'))).publicKey).toHaveLength(65);
  });
});

describe('X25519 refusals', () => {
  const share = generateKeyShare(NamedGroup.x25519);

  it('refuses peer values that are not 32 bytes', () => {
    for (const len of [0, 31, 33, 65]) expectInvalidKeyShare(() => share.computeSharedSecret(new Uint8Array(len).fill(9)));
  });

  it('refuses low-order points (all-zero shared secret), including non-canonical encodings of them', () => {
    const p = (1n << 255n) - 19n;
    const le = (x: bigint): Uint8Array => fromHex(x.toString(16).padStart(64, '0')).reverse();
    // u = 0, 1, p-1 (order 1, 2, 4 points), p and p+1 (non-canonical 0 and 1), and the same with the top bit set.
    for (const u of [0n, 1n, p - 1n, p, p + 1n, (1n << 255n) | 1n])
      expectInvalidKeyShare(() => share.computeSharedSecret(le(u)));
    // An order-8 point (RFC 7748 / Wycheproof LowOrderPublic).
    expectInvalidKeyShare(() =>
      share.computeSharedSecret(fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')),
    );
  });
});
