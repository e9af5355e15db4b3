/**
 * The Early Secret of an offered PSK is extracted once per connection (RFC 8446 §7.1, docs/design.md
 * "Derived secrets and their keyed HMACs"): the binder's, reused for a second ClientHello and for
 * the handshake secret. These tests fail if it were reused where it must not be: across hashes, when
 * the server does not take the PSK, or with the PSK suite's AEAD instead of the negotiated one. The
 * binders are checked with HKDF over node:crypto's HMAC, not with the key schedule under test.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerMisbehaved } from '../../src/errors.ts';
import type { ClientEvent, Tls13TicketData } from '../../src/client/events.ts';
import { revealResumptionPsk } from '../../src/tls13/key-schedule.ts';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

/** A TLS 1.3 ticket from a full handshake with `suite`. */
function ticketFrom(suite: number): Tls13TicketData {
  const first = new Server13(pki, { suite });
  first.handshake();
  first.sendEncrypted([first.newSessionTicket()]);
  expect(first.deliver()).toBeUndefined();
  const ticket = first.conn.takeEvents().flatMap((e: ClientEvent) => (e.type === 'session' ? [e.session] : []))[0];
  if (ticket?.version !== 'TLSv1.3') throw new Error('expected a TLS 1.3 ticket');
  return ticket;
}

/** Resumed flight (no certificate) after a ServerHello that took the PSK; asserts the client finished. */
function resume(s: Server13, psk: Uint8Array): void {
  s.acceptPsk = psk;
  s.sendPlain(s.serverHello());
  s.useHandshakeKeys();
  s.sendEncrypted([s.encryptedExtensions(), s.finished()]);
  expect(s.deliver()).toBeUndefined();
  expect(s.conn.negotiated?.sessionReused).toBe(true);
  expect(s.clientMessages.map((m) => m[0]), "the client's Finished, read with keys from the PSK").toEqual([20]);
}

/** HKDF-Expand-Label for one output block (RFC 8446 §7.1), over node:crypto. */
function expandLabel(hash: string, secret: Uint8Array, label: string, context: Uint8Array, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([context.length]), context, Buffer.from([1])]);
  return createHmac(hash, secret).update(info).digest().subarray(0, length);
}

/** The resumption binder over `transcriptHash` (RFC 8446 §4.2.11.2, §7.1), over node:crypto. */
function binder(hash: string, psk: Uint8Array, transcriptHash: Uint8Array): Buffer {
  const len = createHash(hash).digest().length;
  const early = createHmac(hash, Buffer.alloc(len)).update(psk).digest();
  const binderKey = expandLabel(hash, early, 'res binder', createHash(hash).digest(), len);
  return createHmac(hash, expandLabel(hash, binderKey, 'finished', new Uint8Array(0), len)).update(transcriptHash).digest();
}

describe('the offered PSK: one Early Secret per connection, reused only where it is the same', () => {
  it('a SHA-384 PSK offered, a SHA-256 suite chosen without it: the full handshake uses the PSK-less Early Secret', () => {
    const ticket = ticketFrom(CipherSuite.TLS_AES_256_GCM_SHA384);
    const s = new Server13(pki, { suite: CipherSuite.TLS_AES_128_GCM_SHA256, session: ticket });
    expect(s.clientHello.extensions.some((e) => e.type === 41), 'the ClientHello offers the PSK').toBe(true);
    s.handshake();
    expect(s.conn.negotiated?.sessionReused).toBe(false);
  });

  it('a SHA-384 PSK "accepted" with a SHA-256 suite is refused (illegal_parameter), not continued from its Early Secret', () => {
    const ticket = ticketFrom(CipherSuite.TLS_AES_256_GCM_SHA384);
    const s = new Server13(pki, { suite: CipherSuite.TLS_AES_128_GCM_SHA256, session: ticket });
    s.acceptPsk = revealResumptionPsk(ticket.psk);
    s.sendPlain(s.serverHello());
    const err = s.deliver();
    expect(err).toBeInstanceOf(PeerMisbehaved);
    expect((err as PeerMisbehaved).message).toMatch(/SelectedUnofferedPsk/);
  });

  it('a PSK of AES-128-GCM-SHA256 resumed with ChaCha20-Poly1305-SHA256: same Early Secret, the negotiated AEAD', () => {
    const ticket = ticketFrom(CipherSuite.TLS_AES_128_GCM_SHA256);
    const psk = revealResumptionPsk(ticket.psk);
    const s = new Server13(pki, { suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256, session: ticket });
    resume(s, psk);
    expect(s.conn.negotiated?.suite).toBe(CipherSuite.TLS_CHACHA20_POLY1305_SHA256);
  });

  for (const suite of [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384]) {
    it(`suite 0x${suite.toString(16)}: both ClientHellos around a HelloRetryRequest carry the right binder, and the PSK resumes`, () => {
      const ticket = ticketFrom(suite);
      const psk = revealResumptionPsk(ticket.psk);
      const s = new Server13(pki, { suite, session: ticket });
      const hash = suite === CipherSuite.TLS_AES_256_GCM_SHA384 ? 'sha384' : 'sha256';
      const len = hash === 'sha384' ? 48 : 32;
      const ch1 = s.clientHello.raw;
      // One identity: the binders list (uint16 length, uint8 length, binder) ends the ClientHello.
      const truncated = (ch: Uint8Array): Uint8Array => ch.subarray(0, ch.length - (3 + len));
      expect(Buffer.from(ch1.subarray(ch1.length - len))).toEqual(binder(hash, psk, createHash(hash).update(truncated(ch1)).digest()));
      const hrr = s.helloRetryRequest({ group: NamedGroup.secp256r1 });
      s.sendPlain(hrr);
      expect(s.deliver()).toBeUndefined();
      const ch2 = s.clientHello.raw;
      expect(s.clientHellos.length).toBe(2);
      const messageHash = Buffer.concat([Buffer.from([254, 0, 0, len]), createHash(hash).update(ch1).digest()]);
      const th2 = createHash(hash).update(messageHash).update(hrr).update(truncated(ch2)).digest();
      expect(Buffer.from(ch2.subarray(ch2.length - len))).toEqual(binder(hash, psk, th2));
      resume(s, psk);
      expect(s.conn.negotiated?.helloRetryRequest).toBe(true);
    });
  }
});
