/**
 * Where the first ClientHello's key shares come from (RFC 8446 §4.2.8): the KeyShareReserve
 * (crypto/key-share-reserve.ts: shares made ahead, each handed out once) and the empty
 * client_shares list sent when a TLS 1.2 session is offered (config
 * emptyKeyShareWhenResumingTls12), decoded from the bytes the engine puts on the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientConnection } from '../../src/client/connection.ts';
import { createClientConfig, type ClientConfigOptions } from '../../src/client/config.ts';
import type { Tls12SessionData, Tls13TicketData } from '../../src/client/events.ts';
import { generateKeyShare, type KeyShare } from '../../src/crypto/key-exchange.ts';
import { KeyShareReserve } from '../../src/crypto/key-share-reserve.ts';
import { ResumptionPsk } from '../../src/tls13/key-schedule.ts';
import { findExtension } from '../../src/wire/extensions.ts';
import { decodeHandshake } from '../../src/wire/handshake.ts';
import { AlertDescription, CipherSuite, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion } from '../../src/wire/enums.ts';
import { PeerMisbehaved } from '../../src/errors.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server13 } from './helpers/server13.ts';
import { tls12Session } from './helpers/sessions.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const HOST = 'example.test';

function countingReserve(): { reserve: KeyShareReserve; made: NamedGroup[] } {
  const made: NamedGroup[] = [];
  const reserve = new KeyShareReserve((group, randomBytes) => {
    made.push(group);
    return generateKeyShare(group, randomBytes);
  });
  return { reserve, made };
}

/** Start a connection and decode the ClientHello it sends (one plaintext record). */
function clientHello(options: ClientConfigOptions, session?: Tls12SessionData | Tls13TicketData, reserve?: KeyShareReserve) {
  const conn = new ClientConnection(createClientConfig({ verifyCertificates: false, ...options }), {
    host: HOST,
    ...(session === undefined ? {} : { session }),
    ...(reserve === undefined ? {} : { keyShareReserve: reserve }),
  });
  conn.start();
  const out = conn.takeOutgoing()!;
  expect(out[0]).toBe(22); // handshake record
  const msg = decodeHandshake(out.subarray(5, 5 + ((out[3]! << 8) | out[4]!)), 'tls13');
  if (msg.type !== HandshakeType.ClientHello) throw new Error('not a ClientHello');
  const keyShare = findExtension(msg.extensions, ExtensionType.KeyShare);
  const versions = findExtension(msg.extensions, ExtensionType.SupportedVersions);
  return {
    shares: keyShare?.form === 'CH' ? keyShare.entries : undefined,
    versions: versions?.form === 'CH' ? versions.versions : undefined,
    sessionId: msg.legacySessionId,
  };
}

const session12 = (): Tls12SessionData => tls12Session({ serverName: HOST });

describe('KeyShareReserve', () => {
  it('hands a ready share out exactly once, and refills only groups that were taken', () => {
    const { reserve, made } = countingReserve();
    expect(reserve.needsRefill).toBe(false);
    expect(reserve.refill()).toBe(0); // nothing was ever taken: no speculative work
    const first = reserve.take(NamedGroup.x25519); // empty reserve: made on demand
    expect(made).toEqual([NamedGroup.x25519]);
    expect(reserve.needsRefill).toBe(true);
    expect(reserve.refill()).toBe(1);
    expect(reserve.readyCount).toBe(1);
    expect(reserve.refill()).toBe(0); // one ready share per group at most
    const second = reserve.take(NamedGroup.x25519);
    expect(made).toHaveLength(2); // the ready one, not a new one
    expect(reserve.readyCount).toBe(0);
    const third = reserve.take(NamedGroup.x25519); // the ready one is gone: never handed out twice
    expect(made).toHaveLength(3);
    const keys = [first, second, third].map((k: KeyShare) => Buffer.from(k.publicKey).toString('hex'));
    expect(new Set(keys).size).toBe(3);
  });

  it('clear() drops ready shares', () => {
    const { reserve } = countingReserve();
    reserve.take(NamedGroup.secp256r1);
    reserve.refill();
    expect(reserve.readyCount).toBe(1);
    reserve.clear();
    expect(reserve.readyCount).toBe(0);
    expect(reserve.needsRefill).toBe(false);
  });

  it('a ClientConnection takes its ClientHello share from the reserve, and the share works', () => {
    const { reserve, made } = countingReserve();
    reserve.take(NamedGroup.x25519);
    reserve.refill();
    const ready = made.length;
    const hello = clientHello({}, undefined, reserve);
    expect(made).toHaveLength(ready); // used the ready share
    expect(hello.shares).toHaveLength(1);
    expect(hello.shares![0]!.group).toBe(NamedGroup.x25519);
    expect(reserve.readyCount).toBe(0);
    expect(reserve.needsRefill).toBe(true);
  });
});

describe('an empty key_share when a TLS 1.2 session is offered (RFC 8446 §4.2.8)', () => {
  it('offers TLS 1.3 and 1.2, the session ID, and no share: no key generation at all', () => {
    const { reserve, made } = countingReserve();
    const hello = clientHello({}, session12(), reserve);
    expect(hello.versions).toEqual([ProtocolVersion.TLSv1_3, ProtocolVersion.TLSv1_2]);
    expect(hello.shares).toEqual([]);
    expect([...hello.sessionId]).toEqual([...session12().sessionId]);
    expect(made).toEqual([]);
  });

  it('emptyKeyShareWhenResumingTls12: false sends the usual share', () => {
    const hello = clientHello({ emptyKeyShareWhenResumingTls12: false }, session12());
    expect(hello.shares?.map((s) => s.group)).toEqual([NamedGroup.x25519]);
  });

  it('a session the config cannot resume (suite not enabled) does not change the shares', () => {
    const hello = clientHello({ cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256] }, session12());
    expect(hello.shares?.map((s) => s.group)).toEqual([NamedGroup.x25519]);
  });

  it('without a session, the first ClientHello carries the configured shares', () => {
    const hello = clientHello({ keyShareGroups: [NamedGroup.x25519, NamedGroup.secp256r1], groups: [NamedGroup.x25519, NamedGroup.secp256r1] });
    expect(hello.shares?.map((s) => s.group)).toEqual([NamedGroup.x25519, NamedGroup.secp256r1]);
  });
});

describe('a TLS 1.2 session offered to a server that answers with TLS 1.3 (scripted server)', () => {
  it('a HelloRetryRequest for X25519 gets one share in the second ClientHello, and the full TLS 1.3 handshake completes', () => {
    const s = new Server13(pki, { session: session12() });
    expect(s.clientKeyShares()).toEqual([]); // the first ClientHello: TLS 1.3 offered, no share
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.x25519 }));
    expect(s.deliver()).toBeUndefined();
    expect(s.clientHellos).toHaveLength(2);
    expect(s.clientKeyShares().map((k) => k.group)).toEqual([NamedGroup.x25519]);
    // RFC 8446 §4.1.2: the second ClientHello keeps everything else, including the session ID.
    expect([...s.clientHello.legacySessionId]).toEqual([...session12().sessionId]);
    s.handshake();
    expect(s.conn.negotiated?.version).toBe(ProtocolVersion.TLSv1_3);
    expect(s.conn.negotiated?.helloRetryRequest).toBe(true);
    expect(s.conn.negotiated?.sessionReused).toBe(false);
  });

  it('a ServerHello that picks a share the client never sent (no HelloRetryRequest): illegal_parameter', () => {
    const s = new Server13(pki, { session: session12() });
    s.sendPlain(s.serverHello());
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'WrongGroupForKeyShare', alert: AlertDescription.IllegalParameter, encrypted: false });
  });
});

const ticket13 = (): Tls13TicketData => ({
  version: 'TLSv1.3',
  suite: CipherSuite.TLS_AES_128_GCM_SHA256,
  psk: ResumptionPsk.fromBytes(new Uint8Array(32).fill(5)),
  ticket: new Uint8Array(40).fill(6),
  lifetimeSeconds: 7200,
  ageAdd: 12345,
  receivedAtMs: Date.now(),
  maxEarlyData: 0,
  alpn: undefined,
  serverName: HOST,
  peerCertificates: [],
});

describe('an empty key_share when a TLS 1.3 PSK is offered for psk_ke only (RFC 8446 §4.2.8)', () => {
  it('psk_ke only: the ticket is offered with no share, and nothing is generated', () => {
    const { reserve, made } = countingReserve();
    const hello = clientHello({ pskModes: ['psk_ke'] }, ticket13(), reserve);
    expect(hello.shares).toEqual([]);
    expect(hello.versions).toEqual([ProtocolVersion.TLSv1_3, ProtocolVersion.TLSv1_2]);
    expect(made).toEqual([]);
  });

  it('psk_ke and psk_dhe_ke: the usual share (the server may pick psk_dhe_ke)', () => {
    const hello = clientHello({ pskModes: ['psk_ke', 'psk_dhe_ke'] }, ticket13());
    expect(hello.shares?.map((s) => s.group)).toEqual([NamedGroup.x25519]);
  });

  it('emptyKeyShareWithPskKeOnly: false sends the usual share with a psk_ke-only offer', () => {
    const hello = clientHello({ pskModes: ['psk_ke'], emptyKeyShareWithPskKeOnly: false }, ticket13());
    expect(hello.shares?.map((s) => s.group)).toEqual([NamedGroup.x25519]);
  });

  it('psk_ke only but no ticket offered (full handshake): the usual share', () => {
    const hello = clientHello({ pskModes: ['psk_ke'] });
    expect(hello.shares?.map((s) => s.group)).toEqual([NamedGroup.x25519]);
  });
});
