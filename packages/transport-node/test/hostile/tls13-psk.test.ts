/**
 * TLS 1.3 resumption and post-handshake messages against the hostile server: PSK misuse
 * (RFC 8446 §4.2.11, §4.6.1), NewSessionTicket (§4.6.1), KeyUpdate (§4.6.3) and other
 * post-handshake messages (§4.6). The server issues a ticket on a first connection, remembers the
 * resumption PSK it derived, and misbehaves on the second.
 */
import { describe, expect, it } from 'vitest';
import { DecryptError, InappropriateMessage, InvalidMessage, PeerMisbehaved } from '@puretls/tls-core';
import { expectRejected, expectResumed, sendResumedAndClose } from './assert.ts';
import { useHostile } from './harness.ts';
import { Schedule13, protect13 } from './crypto.ts';
import { Tls13, encodeServerHello, type FlightOptions13, type Peer } from './server.ts';
import { ALERT, CT, EXT, HS, SUITE, cat, ext, handshake, u16, u8 } from './wire.ts';

const h = useHostile();
const TICKET = Buffer.from('hostile-ticket-identity');

/** A first connection that ends with one ticket: the client's session bytes and the server's PSK. */
async function issueTicket(): Promise<{ session: Buffer; psk: Buffer }> {
  let session: Buffer | undefined;
  let psk: Buffer | undefined;
  const r = await h.server.run(async (p) => {
    const t = await Tls13.accept(p, { identity: h.pki.ec256 });
    await t.handshake();
    await p.clientConnected;
    const nonce = Buffer.from([0x2a]);
    p.sendHandshake([t.newSessionTicket({ nonce, ticket: TICKET })]);
    psk = t.ticketPsk(nonce);
    p.alert(1, ALERT.close_notify);
    return p.readUntilClose();
  }, h.client(), 3000, (s) => s.on('session', (b: Buffer) => (session = b)));
  expect(r.client.error).toBeUndefined();
  expect(session, "the ticket's 'session' event").toBeDefined();
  return { session: session!, psk: psk! };
}

/** Resume: the second connection offers the ticket; `script` answers (with `psk` the right PSK). */
async function resume(script: (t: Tls13, p: Peer, psk: Buffer) => void | Promise<void>, suite?: number) {
  const { session, psk } = await issueTicket();
  return h.server.run(async (p) => {
    const t = await Tls13.accept(p, { identity: h.pki.ec256, ...(suite === undefined ? {} : { suite }) });
    expect(t.ch.pskIdentities.map((i) => i.toString())).toEqual([TICKET.toString()]);
    await script(t, p, psk);
    return p.readUntilClose();
  }, h.client({ session }));
}

const pskFlight = (extra: FlightOptions13 = {}): FlightOptions13 => ({ psk: true, ...extra, serverHello: { pskIndex: 0, ...extra.serverHello } });

describe('TLS 1.3 PSK (RFC 8446 §4.2.11)', () => {
  it('the ticket resumes (the server derives the same PSK): no Certificate, session reused', async () => {
    const r = await resume(async (t, p, psk) => {
      t.usePsk(psk);
      await t.handshake(pskFlight());
      await sendResumedAndClose(p);
    });
    expectResumed(r);
  });
  it('ServerHello selects PSK identity 1 when one was offered', async () => {
    const r = await resume((t, p, psk) => {
      t.usePsk(psk);
      p.sendHandshake([t.serverHello({ pskIndex: 1 })]);
    });
    expectRejected(r, { error: PeerMisbehaved, reason: 'SelectedUnofferedPsk', alert: ALERT.illegal_parameter, key: 'plaintext' });
  });
  it('ServerHello selects the PSK with a suite of another hash (RFC 8446 §4.2.11)', async () => {
    const r = await resume((t, p, psk) => {
      t.usePsk(psk);
      p.sendHandshake([t.serverHello({ pskIndex: 0 })]);
    }, SUITE.TLS_AES_256_GCM_SHA384);
    expectRejected(r, { error: PeerMisbehaved, alert: ALERT.illegal_parameter, key: 'plaintext' });
  });
  it('ServerHello selects the PSK without a key_share although only psk_dhe_ke was offered', async () => {
    const r = await resume((t, p, psk) => {
      t.usePsk(psk);
      p.sendHandshake([t.serverHello({ pskIndex: 0, edit: (f) => f.extensions.splice(f.extensions.findIndex((e) => e.type === EXT.key_share), 1) })]);
    });
    expectRejected(r, { error: PeerMisbehaved, reason: 'MissingKeyShare', alert: ALERT.missing_extension, key: 'plaintext' });
  });
  it('pre_shared_key with trailing bytes', async () => {
    const r = await resume((t, p, psk) => {
      t.usePsk(psk);
      p.sendHandshake([t.serverHello({ edit: (f) => f.extensions.push(ext(EXT.pre_shared_key, cat(u16(0), u8(0)))) })]);
    });
    expectRejected(r, { error: InvalidMessage, alert: ALERT.decode_error, key: 'plaintext' });
  });
  it('a resumed handshake that still sends Certificate and CertificateVerify', async () => {
    const r = await resume((t, _p, psk) => {
      t.usePsk(psk);
      t.flight({ serverHello: { pskIndex: 0 } });
    });
    expectRejected(r, { error: InappropriateMessage, alert: ALERT.unexpected_message, key: 'client hs' });
  });
  it('a resumed handshake keyed with another PSK: the flight does not authenticate', async () => {
    const r = await resume((t, p, psk) => {
      const wrong = Buffer.from(psk);
      wrong[0]! ^= 1;
      t.usePsk(wrong);
      t.flight(pskFlight());
      // The client's alert is under the client handshake key of the right PSK: teach the reader.
      const right = new Schedule13(t.suite, psk);
      right.handshake(t.sharedSecret!, t.helloHash!);
      p.readKeys.push(protect13('client hs', t.suite, right.clientHs!));
    });
    expectRejected(r, { error: DecryptError, alert: ALERT.bad_record_mac, key: 'client hs' });
  });
});

describe('TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1)', () => {
  const nst = (name: string, msg: (t: Tls13) => Buffer, x: { error: typeof PeerMisbehaved | typeof InvalidMessage; reason?: string; alert: number }): void => {
    it(name, async () => {
      const r = await h.server.run(async (p) => {
        const t = await Tls13.accept(p, { identity: h.pki.ec256 });
        await t.handshake();
        await p.clientConnected;
        p.sendHandshake([msg(t)]);
        return p.readUntilClose();
      }, h.client());
      expectRejected(r, { ...x, key: 'client app', afterHandshake: true });
    });
  };
  nst('a ticket lifetime over seven days', (t) => t.newSessionTicket({ lifetime: 604801 }), { error: PeerMisbehaved, reason: 'IllegalTicketLifetime', alert: ALERT.illegal_parameter });
  nst('an empty ticket', (t) => t.newSessionTicket({ ticket: Buffer.alloc(0) }), { error: InvalidMessage, alert: ALERT.decode_error });
  nst('early_data with a two-byte body (must be uint32)', (t) => t.newSessionTicket({ extensions: [ext(EXT.early_data, u16(1))] }), { error: InvalidMessage, alert: ALERT.decode_error });
  nst('trailing bytes after the extensions', (t) => fixLength(cat(t.newSessionTicket(), u8(0))), { error: InvalidMessage, alert: ALERT.decode_error });
  nst('the same extension twice', (t) => t.newSessionTicket({ extensions: [ext(0x1a1a), ext(0x1a1a)] }), { error: InvalidMessage, reason: 'DuplicateExtension', alert: ALERT.illegal_parameter });
  it('an unknown NewSessionTicket extension is ignored (RFC 8446 §4.6.1)', async () => {
    let sessions = 0;
    const r = await h.server.run(async (p) => {
      const t = await Tls13.accept(p, { identity: h.pki.ec256 });
      await t.handshake();
      await p.clientConnected;
      p.sendHandshake([t.newSessionTicket({ extensions: [ext(0x5a5a, Buffer.from('grease'))] })]);
      p.alert(1, ALERT.close_notify);
      return p.readUntilClose();
    }, h.client(), 3000, (s) => s.on('session', () => sessions++));
    expect(r.client.error).toBeUndefined();
    expect(sessions).toBe(1);
  });
});

describe('TLS 1.3 other post-handshake messages (RFC 8446 §4.6)', () => {
  const post = (name: string, act: (t: Tls13, p: Peer) => void, x: { error: typeof PeerMisbehaved | typeof InvalidMessage | typeof InappropriateMessage | typeof DecryptError; reason?: string; alert: number }): void => {
    it(name, async () => {
      const r = await h.server.run(async (p) => {
        const t = await Tls13.accept(p, { identity: h.pki.ec256 });
        await t.handshake();
        await p.clientConnected;
        act(t, p);
        return p.readUntilClose();
      }, h.client());
      expectRejected(r, { ...x, key: 'client app', afterHandshake: true });
    });
  };
  post('KeyUpdate with request_update 2', (_t, p) => p.sendHandshake([handshake(HS.KeyUpdate, u8(2))]), { error: PeerMisbehaved, reason: 'IllegalKeyUpdateRequest', alert: ALERT.illegal_parameter });
  post('KeyUpdate with trailing bytes', (_t, p) => p.sendHandshake([handshake(HS.KeyUpdate, Buffer.from([0, 0]))]), { error: InvalidMessage, alert: ALERT.decode_error });
  post('two KeyUpdates in one record (a key change inside a record)', (_t, p) => p.sendRecord(CT.Handshake, cat(handshake(HS.KeyUpdate, u8(0)), handshake(HS.KeyUpdate, u8(0)))), { error: PeerMisbehaved, reason: 'KeyChangeNotOnRecordBoundary', alert: ALERT.unexpected_message });
  post('records under the old key after a KeyUpdate', (t, p) => {
    const old = p.writeKey;
    t.sendKeyUpdate(false);
    p.writeKey = old;
    p.data(Buffer.from('old key'));
  }, { error: DecryptError, alert: ALERT.bad_record_mac });
  post('a CertificateRequest although post_handshake_auth was not offered', (_t, p) => p.sendHandshake([handshake(HS.CertificateRequest, cat(u8(1), u8(7), u16(8), u16(EXT.signature_algorithms), u16(4), u16(2), u16(0x0403)))]), { error: InappropriateMessage, alert: ALERT.unexpected_message });
  post('a HelloRequest (a TLS 1.2 message)', (_t, p) => p.sendHandshake([handshake(HS.HelloRequest, Buffer.alloc(0))]), { error: InappropriateMessage, alert: ALERT.unexpected_message });
  post('a ServerHello after the handshake', (t, p) => p.sendHandshake([encodeServerHello({ legacyVersion: 0x0303, random: t.ch.random, sessionId: t.ch.sessionId, suite: t.suite.id, compression: 0, extensions: [ext(EXT.supported_versions, u16(0x0304))] })]), { error: InappropriateMessage, alert: ALERT.unexpected_message });
  post('EncryptedExtensions after the handshake', (_t, p) => p.sendHandshake([handshake(HS.EncryptedExtensions, u16(0))]), { error: InappropriateMessage, alert: ALERT.unexpected_message });
  post('a zero-length handshake fragment', (_t, p) => p.sendRecord(CT.Handshake, Buffer.alloc(0)), { error: PeerMisbehaved, alert: ALERT.unexpected_message });
});

function fixLength(m: Buffer): Buffer {
  const out = Buffer.from(m);
  out.writeUIntBE(m.length - 4, 1, 3);
  return out;
}
