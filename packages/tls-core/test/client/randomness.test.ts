/**
 * No implicit globals (docs/embedding.md): every random byte the client uses comes from the
 * config's `randomBytes`, so a seeded source makes the engine a pure function of its inputs.
 * Proof by recorded replay: a handshake against the scripted server is recorded (the bytes the
 * server sent), then a fresh client with the same seed is fed those bytes. The server's
 * CertificateVerify and Finished cover the whole transcript, so the replay completes only if the
 * replayed client sends exactly the ClientHello(s) and key shares of the recorded one; two
 * replays must write the same bytes, and none may touch `globalThis.crypto`.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClientConnection } from '../../src/client/connection.ts';
import { createClientConfig, type ClientConfigOptions } from '../../src/client/config.ts';
import { generateKeyShare } from '../../src/crypto/key-exchange.ts';
import { KeyShareReserve } from '../../src/crypto/key-share-reserve.ts';
import { UsageError } from '../../src/errors.ts';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** A deterministic byte stream: SHA-256(seed || counter) blocks (test-only, not a CSPRNG design). */
function seeded(seed: string): { randomBytes: (n: number) => Uint8Array; drawn: () => number } {
  let counter = 0;
  let drawn = 0;
  return {
    randomBytes(n) {
      const out = new Uint8Array(n);
      for (let off = 0; off < n; off += 32) {
        const block = createHash('sha256').update(`${seed}/${counter++}`).digest();
        out.set(block.subarray(0, Math.min(32, n - off)), off);
      }
      drawn += n;
      return out;
    },
    drawn: () => drawn,
  };
}

/** Wrap a client so that every byte it receives is recorded. */
function recordInputs(conn: ClientConnection): Uint8Array[] {
  const inputs: Uint8Array[] = [];
  const receive = conn.receive.bind(conn);
  conn.receive = (bytes: Uint8Array) => {
    inputs.push(bytes.slice());
    receive(bytes);
  };
  return inputs;
}

/** Run a fresh client on recorded server bytes; returns everything it wrote, and whether it finished. */
function replay(client: ClientConfigOptions, inputs: readonly Uint8Array[], seed: string) {
  const rng = seeded(seed);
  const conn = new ClientConnection(createClientConfig({ trustStore: pki.trust, now: () => pki.validAt, ...client, randomBytes: rng.randomBytes }), {
    host: 'localhost',
  });
  const out: number[] = [];
  const take = (): void => {
    const b = conn.takeOutgoing();
    if (b !== undefined) out.push(...b);
  };
  conn.start();
  take();
  let error: unknown;
  try {
    for (const b of inputs) {
      conn.receive(b);
      take();
    }
    if (!conn.isHandshaking) {
      conn.write(new Uint8Array([0x70, 0x69, 0x6e, 0x67]));
      take();
    }
  } catch (e) {
    error = e;
    take();
  }
  return { bytes: Uint8Array.from(out), finished: !conn.isHandshaking && error === undefined, error, drawn: rng.drawn() };
}

function expectDeterministic(client: ClientConfigOptions, inputs: readonly Uint8Array[], seed: string): void {
  const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
  const a = replay(client, inputs, seed);
  const b = replay(client, inputs, seed);
  expect(spy).not.toHaveBeenCalled();
  expect(a.error).toBeUndefined();
  expect(a.finished).toBe(true);
  expect(b.finished).toBe(true);
  expect(a.drawn).toBeGreaterThan(0);
  expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
  // The check can fail: another seed gives another ClientHello, which the recorded server flight
  // (signed over the recorded transcript) no longer fits.
  const other = replay(client, inputs, `${seed}-other`);
  expect(other.finished).toBe(false);
  expect(Buffer.from(other.bytes.subarray(0, 64)).equals(Buffer.from(a.bytes.subarray(0, 64)))).toBe(false);
}

describe('a seeded randomBytes makes the client deterministic (recorded replay)', () => {
  it('TLS 1.3 with an X25519 share: same inputs, same bytes out, no global crypto', () => {
    const client = { randomBytes: seeded('tls13').randomBytes };
    const s = new Server13(pki, { client });
    const inputs = recordInputs(s.conn);
    s.handshake();
    expectDeterministic({}, inputs, 'tls13');
  });

  it('TLS 1.3 after a HelloRetryRequest to P-256 (the second share and its blinding come from the seed too)', () => {
    const client = { randomBytes: seeded('hrr').randomBytes };
    const s = new Server13(pki, { client });
    const inputs = recordInputs(s.conn);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1 }));
    expect(s.deliver()).toBeUndefined();
    s.handshake();
    expect(s.conn.negotiated?.helloRetryRequest).toBe(true);
    expectDeterministic({}, inputs, 'hrr');
  });

  it('TLS 1.2 ECDHE on P-256 (the ClientKeyExchange share comes from the seed)', () => {
    const client = { randomBytes: seeded('tls12').randomBytes, maxVersion: 'TLSv1.2' as const };
    const s = new Server12(pki, { client, group: NamedGroup.secp256r1, suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 });
    const inputs = recordInputs(s.conn);
    s.handshake();
    expectDeterministic({ maxVersion: 'TLSv1.2' }, inputs, 'tls12');
  });
});

describe('randomness source', () => {
  it('without globalThis.crypto and without randomBytes, the first draw is a typed UsageError naming randomBytes', () => {
    vi.stubGlobal('crypto', undefined);
    expect(globalThis.crypto).toBeUndefined();
    const config = createClientConfig({ verifyCertificates: false }); // importing and configuring draw nothing
    expect(() => new ClientConnection(config, { host: 'localhost' })).toThrow(UsageError);
    expect(() => new ClientConnection(config, { host: 'localhost' })).toThrow(/randomBytes/);
    expect(() => generateKeyShare(NamedGroup.x25519)).toThrow(UsageError);
  });

  it('without globalThis.crypto, a given randomBytes is enough for a ClientHello with X25519, P-256 and P-384 shares', () => {
    vi.stubGlobal('crypto', undefined);
    const rng = seeded('no-global');
    const groups = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
    const conn = new ClientConnection(createClientConfig({ verifyCertificates: false, randomBytes: rng.randomBytes, keyShareGroups: groups }), { host: 'localhost' });
    conn.start();
    expect(conn.takeOutgoing()!.length).toBeGreaterThan(32 + 32 + 65 + 97);
    expect(rng.drawn()).toBeGreaterThan(32 + 32 + 32 + 48 + 72);
  });

  it('a randomBytes that returns the wrong length is refused with a UsageError', () => {
    const config = createClientConfig({ verifyCertificates: false, randomBytes: (n) => new Uint8Array(n - 1) });
    expect(() => new ClientConnection(config, { host: 'localhost' })).toThrow(UsageError);
  });

  it('the key share reserve refills with the randomness of the connection that took the share', () => {
    const rng = seeded('reserve');
    const reserve = new KeyShareReserve();
    reserve.take(NamedGroup.secp256r1, rng.randomBytes);
    const before = rng.drawn();
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    expect(reserve.refill()).toBe(1);
    expect(rng.drawn()).toBeGreaterThan(before);
    expect(spy).not.toHaveBeenCalled();
  });
});
