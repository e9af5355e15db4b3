/**
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem §3-§4, code point 0x11EC) in the TLS 1.3 client.
 * The server side is independent of the client's code (helpers/hybrid-server.ts: @noble/post-quantum
 * encapsulation, X25519 from node:crypto): the combiner is checked by the client deriving the
 * server's secret (ML-KEM secret ‖ X25519 secret), and every malformed server share is refused
 * with illegal_parameter (RFC 8446 §4.2.8.2 applied to the hybrid's fixed lengths).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { concatBytes } from '../../src/codec/bytes.ts';
import { createClientConfig } from '../../src/client/config.ts';
import { generateKeyShare } from '../../src/crypto/key-exchange.ts';
import { hybridKeyShareFromSeeds, x25519MLKEM768, X25519MLKEM768_SERVER_SHARE_LENGTH } from '../../src/pq.ts';
import { KeyShareReserve } from '../../src/crypto/key-share-reserve.ts';
import { DecryptError, InvalidMessage, PeerMisbehaved, UsageError } from '../../src/errors.ts';
import { extension, findExtension } from '../../src/wire/extensions.ts';
import { AlertDescription as A, ExtensionType, NamedGroup } from '../../src/wire/enums.ts';
import type { ServerHello } from '../../src/wire/server-hello.ts';
import { feed } from './helpers/harness.ts';
import { hybridServerShare } from './helpers/hybrid-server.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const HYBRID = NamedGroup.X25519MLKEM768;
const hybridOnly = { client: { groups: [x25519MLKEM768] } } as const;
const plainAlert = { encrypted: false } as const;

/** Deterministic bytes (test-only). */
function bytesFrom(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0, i = 0; off < n; off += 32, i++) out.set(createHash('sha256').update(`${label}/${i}`).digest().subarray(0, Math.min(32, n - off)), off);
  return out;
}

/** Replace the ServerHello key_share's key_exchange. */
const withServerShare =
  (keyExchange: Uint8Array) =>
  (m: ServerHello): ServerHello => ({
    ...m,
    extensions: m.extensions.map((e) => (e.type === ExtensionType.KeyShare ? extension(ExtensionType.KeyShare, { form: 'SH', entry: { group: HYBRID, keyExchange } }) : e)),
  });

describe('X25519MLKEM768 key share (crypto/key-exchange.ts)', () => {
  it('client share is ML-KEM-768 encapsulation key (1184) ‖ X25519 public (32); secret is ML-KEM ‖ X25519 as the independent server derives', () => {
    const share = hybridKeyShareFromSeeds(bytesFrom('mlkem', 64), bytesFrom('x25519', 32));
    expect(share.group).toBe(0x11ec);
    expect(share.publicKey.length).toBe(1216);
    const server = hybridServerShare(share.publicKey);
    expect(server.publicKey.length).toBe(1120);
    const secret = share.computeSharedSecret(server.publicKey);
    expect(secret.length).toBe(64);
    expect([...secret.subarray(0, 32)]).toEqual([...server.mlKemSecret]);
    expect([...secret.subarray(32)]).toEqual([...server.x25519Secret]);
    expect(X25519MLKEM768_SERVER_SHARE_LENGTH).toBe(1120);
  });

  it('draws its 64-byte ML-KEM seed and 32-byte X25519 key from the caller randomBytes, nothing else', () => {
    const sizes: number[] = [];
    const rb = (n: number) => {
      sizes.push(n);
      return bytesFrom(`r${sizes.length}`, n);
    };
    // globalThis.crypto is not there: any draw from it (noble's own default) would throw.
    vi.stubGlobal('crypto', undefined);
    let a: ReturnType<typeof generateKeyShare>;
    try {
      a = generateKeyShare(HYBRID, rb, [x25519MLKEM768]);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(sizes.slice(0, 2)).toEqual([64, 32]);
    // Same bytes give the same share: the ML-KEM keygen is a function of the seed only.
    // Same seeds give the same share (blinding bytes do not change a public value).
    const b = hybridKeyShareFromSeeds(bytesFrom('r1', 64), bytesFrom('r2', 32), (n) => bytesFrom('other', n));
    expect([...a.publicKey]).toEqual([...b.publicKey]);
  });

  it('refuses every wrong-length or low-order server share with InvalidKeyShare', () => {
    const share = generateKeyShare(HYBRID, undefined, [x25519MLKEM768]);
    const good = hybridServerShare(share.publicKey).publicKey;
    for (const bad of [new Uint8Array(0), good.subarray(0, 1088), good.subarray(1088), good.subarray(0, 1119), concatBytes(good, new Uint8Array(1)), new Uint8Array(1216)]) {
      expect(() => share.computeSharedSecret(bad)).toThrow(PeerMisbehaved);
    }
    const lowOrder = concatBytes(good.subarray(0, 1088), new Uint8Array(32));
    expect(() => share.computeSharedSecret(lowOrder)).toThrow(/low-order|all-zero/);
  });

  it('the KeyShareReserve hands out and refills hybrid shares like any other group', () => {
    const reserve = new KeyShareReserve();
    const first = reserve.take(HYBRID, undefined, [x25519MLKEM768]);
    expect(reserve.refill()).toBe(1);
    const second = reserve.take(HYBRID, undefined, [x25519MLKEM768]);
    expect(second.publicKey.length).toBe(1216);
    expect([...second.publicKey]).not.toEqual([...first.publicKey]);
  });

  it('config: supported (also by groups name) but not a default; TLS 1.2-only with only the hybrid is refused', () => {
    expect(createClientConfig({ verifyCertificates: false }).groups).not.toContain(HYBRID);
    expect(createClientConfig({ verifyCertificates: false, groups: [x25519MLKEM768, NamedGroup.x25519] }).keyShareGroups).toEqual([HYBRID]);
    expect(() => createClientConfig({ verifyCertificates: false, groups: [x25519MLKEM768], maxVersion: 'TLSv1.2' })).toThrow(UsageError);
  });
});

describe('X25519MLKEM768 handshakes against the scripted server', () => {
  it('negotiates the hybrid: handshake traffic secrets equal the server’s (derived from its own ML-KEM ‖ X25519 secret)', () => {
    const s = new Server13(pki, { client: { ...hybridOnly.client, keyLog: true } });
    expect(s.clientKeyShares().map((k) => [k.group, k.keyExchange.length])).toEqual([[HYBRID, 1216]]);
    s.handshake();
    expect(s.conn.negotiated?.group).toBe(HYBRID);
    const log = s.conn.takeEvents().flatMap((e) => (e.type === 'keyLog' ? [e.entry] : []));
    const chts = log.find((e) => e.label === 'CLIENT_HANDSHAKE_TRAFFIC_SECRET')!;
    expect([...chts.secret]).toEqual([...s.secrets!.clientHs]);
    s.sendData(new TextEncoder().encode('pq'));
    expect(s.deliver()).toBeUndefined();
    expect(new TextDecoder().decode(s.readAll())).toBe('pq');
  });

  it('HelloRetryRequest from X25519 to X25519MLKEM768, and from X25519MLKEM768 to X25519', () => {
    const up = new Server13(pki, { client: { groups: [NamedGroup.x25519, x25519MLKEM768] } });
    expect(up.clientKeyShares().map((k) => k.group)).toEqual([NamedGroup.x25519]);
    up.sendPlain(up.helloRetryRequest({ group: HYBRID }));
    expect(up.deliver()).toBeUndefined();
    expect(up.clientKeyShares().map((k) => [k.group, k.keyExchange.length])).toEqual([[HYBRID, 1216]]);
    up.handshake();
    expect(up.conn.negotiated?.group).toBe(HYBRID);
    expect(up.conn.negotiated?.helloRetryRequest).toBe(true);

    const down = new Server13(pki, { client: { groups: [x25519MLKEM768, NamedGroup.x25519] } });
    down.sendPlain(down.helloRetryRequest({ group: NamedGroup.x25519 }));
    expect(down.deliver()).toBeUndefined();
    expect(down.clientKeyShares().map((k) => [k.group, k.keyExchange.length])).toEqual([[NamedGroup.x25519, 32]]);
    down.handshake();
    expect(down.conn.negotiated?.group).toBe(NamedGroup.x25519);
  });

  const malformed: [string, (good: Uint8Array) => Uint8Array][] = [
    ['ciphertext only (1088)', (g) => g.subarray(0, 1088)],
    ['X25519 part only (32)', (g) => g.subarray(1088)],
    ['one byte short (1119)', (g) => g.subarray(0, 1119)],
    ['one byte long (1121)', (g) => concatBytes(g, new Uint8Array([0]))],
    ['ciphertext one byte short, X25519 whole (1087 + 32)', (g) => concatBytes(g.subarray(0, 1087), g.subarray(1088))],
    ['X25519 one byte short (1088 + 31)', (g) => g.subarray(0, 1119)],
    ['client-sized (1216)', () => new Uint8Array(1216).fill(1)],
    ['X25519 part low-order (all zero)', (g) => concatBytes(g.subarray(0, 1088), new Uint8Array(32))],
  ];
  for (const [name, make] of malformed) {
    it(`malformed server share, ${name}: illegal_parameter`, () => {
      const s = new Server13(pki, hybridOnly);
      const good = hybridServerShare(s.clientKeyShares()[0]!.keyExchange).publicKey;
      s.sendPlain(s.serverHello(withServerShare(make(good))));
      s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'InvalidKeyShare', alert: A.IllegalParameter, ...plainAlert });
    });
  }

  it('an empty server share is a decode_error (KeyShareEntry.key_exchange<1..2^16-1>, RFC 8446 §4.2.8)', () => {
    const s = new Server13(pki, hybridOnly);
    s.sendPlain(s.serverHello(withServerShare(new Uint8Array(0))));
    s.deliverExpectingFatal({ error: InvalidMessage, alert: A.DecodeError, ...plainAlert });
  });

  it('a tampered ciphertext of the right length decapsulates to another secret (FIPS 203 implicit rejection): bad_record_mac at the first encrypted record', () => {
    const s = new Server13(pki, hybridOnly);
    s.sendPlain(
      s.serverHello((m) => {
        const share = findExtension(m.extensions, ExtensionType.KeyShare);
        if (share?.form !== 'SH') throw new Error('the ServerHello carries no key_share entry');
        const tampered = share.entry.keyExchange.slice();
        tampered[5]! ^= 1;
        return withServerShare(tampered)(m);
      }),
    );
    s.wire.ccs();
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions()]);
    // The client's alert is under its own (different) handshake key, so read the failure directly.
    const thrown = feed(s.conn, s.wire.take());
    expect(thrown).toBeInstanceOf(DecryptError);
    expect(s.conn.error).toBe(thrown);
    expect(s.conn.stateName).toBe('Failed');
  });
});
