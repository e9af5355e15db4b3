/**
 * Resumption data for the client tests: a TLS 1.2 session (RFC 5246 §7.3 session ID, extended
 * master secret, no ticket) with fixed bytes, for offering it in a ClientHello.
 */
import type { Tls12SessionData } from '../../../src/client/events.ts';
import { SHA256 } from '../../../src/crypto/noble.ts';
import { Tls12MasterSecret } from '../../../src/tls12/master-secret.ts';
import { CipherSuite } from '../../../src/wire/enums.ts';

/** A TLS 1.2 ECDHE-ECDSA AES-128-GCM session received now, for `localhost`; `overrides` replace any field. */
export function tls12Session(overrides: Partial<Tls12SessionData> = {}): Tls12SessionData {
  return {
    version: 'TLSv1.2',
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    masterSecret: Tls12MasterSecret.fromBytes(SHA256, new Uint8Array(48).fill(7)),
    sessionId: new Uint8Array(32).fill(9),
    ticket: undefined,
    lifetimeSeconds: 7200,
    receivedAtMs: Date.now(),
    extendedMasterSecret: true,
    alpn: undefined,
    serverName: 'localhost',
    peerCertificates: [],
    ...overrides,
  };
}
