/**
 * Issue 10's numbered defects, each reproduced by the hostile server over connect() on 127.0.0.1
 * and asserted on the wire (the server decrypts what the client sends). Defect 7's ServerHello and
 * record cases live with their protocol in tls13.test.ts / tls12.test.ts; the rest are here.
 */
import { describe, expect, it } from 'vitest';
import { InvalidCertificate, InvalidMessage, PeerMisbehaved } from '@puretls/tls-core';
import { expectRejected, alertsOf } from './assert.ts';
import { HandshakeTimeout } from '../../src/node-errors.ts';
import { rejects12, rejects13, run12, run13, useHostile, type CaseOptions } from './harness.ts';
import type { TLSSocket } from '../../src/tls-socket.ts';
import { Tls12, Tls13, type ClientRecord, type Peer, type RunResult } from './server.ts';
import { ALERT, CT, GROUP, HS, SCHEME, cat, record, u32 } from './wire.ts';

const h = useHostile();
const hello = Buffer.from('authenticated data before close_notify');

/** A full TLS 1.2 handshake the server closes: the client's 'session' events, and the server's master secret and session ID for resuming it. */
async function fullTls12Handshake(): Promise<{ first: RunResult<ClientRecord[]>; sessions: unknown[]; master: Buffer; sessionId: Buffer }> {
  const sessions: unknown[] = [];
  let master: Buffer | undefined;
  let sessionId: Buffer | undefined;
  const first = await h.server.run(async (p) => {
    const t = await Tls12.accept(p, { identity: h.pki.ec256 });
    await t.handshake();
    master = t.master;
    sessionId = t.sessionId;
    await p.clientConnected;
    p.alert(1, ALERT.close_notify);
    return p.readUntilClose();
  }, h.client(), 3000, (s) => s.on('session', (b: unknown) => sessions.push(b)));
  return { first, sessions, master: master!, sessionId: sessionId! };
}

describe('defect 1: the TLS 1.2 exporter after resumption', () => {
  it('a resumed TLS 1.2 connection exports what the server derives from the original master secret', async () => {
    const { first, sessions, master, sessionId } = await fullTls12Handshake();
    expect(first.client.error).toBeUndefined();
    expect(sessions.length).toBe(1);
    expect(Buffer.isBuffer(sessions[0])).toBe(true);
    const context = Buffer.from('exporter context');
    let expected: Buffer | undefined;
    let exported: Buffer | undefined;
    let resumedSocket: TLSSocket | undefined;
    const second = await h.server.run(async (p) => {
      const t = await Tls12.accept(p, { identity: h.pki.ec256 });
      expect(t.ch.sessionId.equals(sessionId), 'the client offers the session').toBe(true);
      await t.resume(master, sessionId);
      expected = t.exporter('EXPORTER-puretls-test', context, 32);
      await p.clientConnected;
      exported = resumedSocket!.exportKeyingMaterial(32, 'EXPORTER-puretls-test', context);
      p.alert(1, ALERT.close_notify);
      return p.readUntilClose();
    }, h.client({ session: sessions[0] as Buffer }), 3000, (s) => (resumedSocket = s));
    expect(second.client.error).toBeUndefined();
    expect(second.client.socket.isSessionReused()).toBe(true);
    expect(exported!.equals(expected!)).toBe(true);
  });
});

describe('defect 2: the session event on a TLS 1.2 resumption without a new session', () => {
  it("every 'session' event carries serialized bytes, never the engine's secret-bearing object", async () => {
    const { sessions, master, sessionId } = await fullTls12Handshake();
    const resumed: unknown[] = [];
    await h.server.run(async (p) => {
      const t = await Tls12.accept(p, { identity: h.pki.ec256 });
      await t.resume(master, sessionId);
      await p.clientConnected;
      p.alert(1, ALERT.close_notify);
      return p.readUntilClose();
    }, h.client({ session: sessions[0] as Buffer }), 3000, (s) => s.on('session', (b: unknown) => resumed.push(b)));
    for (const s of resumed) expect(Buffer.isBuffer(s), "a 'session' event payload").toBe(true);
  });
});

describe('defect 3: handshake reassembly is linear and capped', () => {
  it('a ServerHello announced at 256 KiB in 1-byte records is refused by the size cap before 64 KiB arrive', async () => {
    let sent = 0;
    const r = await h.server.run(async (p) => {
      await p.readClientHello();
      const header = Buffer.from([HS.ServerHello, 0x04, 0x00, 0x00]);
      const body = Buffer.alloc(256 * 1024, 3);
      const all = cat(header, body);
      while (sent < all.length && !p.socket.destroyed && !p.eof && !clientClosed(p.fromClient)) {
        const chunk: Buffer[] = [];
        for (let i = 0; i < 2048 && sent < all.length; i++, sent++) chunk.push(record(CT.Handshake, all.subarray(sent, sent + 1)));
        p.write(Buffer.concat(chunk));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return p.readUntilClose();
    }, h.client(), 3000);
    expect(sent, 'bytes of handshake data the server got to send before the refusal').toBeLessThan(64 * 1024);
    expectRejected(r, { error: InvalidMessage, reason: 'TooLong', alert: ALERT.decode_error, key: 'plaintext' });
  });
});

describe('defect 4: TLS 1.2 HelloRequest flood', () => {
  // 4,096 are enough to tell "bounded" from "one answer each" and cost a defective client well under a second.
  it('4,096 HelloRequests (16 KiB) get a bounded answer', async () => {
    const r = await run12(h, async (t, p) => {
      await t.handshake();
      await p.clientConnected;
      p.batch(() => {
        p.sendRecord(CT.Handshake, Buffer.alloc(16384)); // 4,096 HelloRequests of 4 zero bytes each
        p.data(hello);
        p.alert(1, ALERT.close_notify);
      });
    });
    // A few no_renegotiation warnings (the cap is the engine's LIMITS.helloRequests), then one fatal alert.
    const warnings = alertsOf(r.value).filter((a) => a.content[0] === 1);
    expect(warnings.length, 'no_renegotiation warnings').toBeGreaterThan(0);
    expect(warnings.length, 'no_renegotiation warnings').toBeLessThanOrEqual(16);
    for (const w of warnings) expect([...w.content]).toEqual([1, ALERT.no_renegotiation]);
    expectRejected({ ...r, value: r.value.filter((x) => !warnings.includes(x)) }, { error: PeerMisbehaved, reason: 'TooManyHelloRequests', alert: ALERT.unexpected_message, key: 'client', afterHandshake: true });
  });
  it('HelloRequests spread between application data records are each declined, without a limit', async () => {
    const r = await run12(h, async (t, p) => {
      await t.handshake();
      await p.clientConnected;
      p.batch(() => {
        for (let i = 0; i < 20; i++) {
          p.sendRecord(CT.Handshake, Buffer.alloc(4));
          p.data(Buffer.from([i]));
        }
        p.alert(1, ALERT.close_notify);
      });
    });
    expect(r.client.error).toBeUndefined();
    expect([...r.client.data]).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(alertsOf(r.value).map((a) => [...a.content])).toEqual([...Array.from({ length: 20 }, () => [1, ALERT.no_renegotiation]), [1, ALERT.close_notify]]);
  });
});

describe('defect 5: data before close_notify is delivered, what follows it ignored', () => {
  const junkCases: [string, Buffer][] = [
    ['bytes that are not a record', Buffer.from('\xff\xff\xff\xff junk after the closure alert', 'latin1')],
    ['a record that does not authenticate', record(CT.ApplicationData, Buffer.alloc(40, 1))],
  ];
  /** The server's script after its handshake: application data, close_notify and the junk, all in one write. */
  const dataCloseJunk = (junk: Buffer) => async (t: Tls12 | Tls13, p: Peer) => {
    await t.handshake();
    await p.clientConnected;
    p.batch(() => {
      p.data(hello);
      p.alert(1, ALERT.close_notify);
      p.write(junk);
    });
  };
  const versions = [
    ['TLS 1.3', (script: (t: Tls13, p: Peer) => Promise<void>) => run13(h, script)],
    ['TLS 1.2', (script: (t: Tls12, p: Peer) => Promise<void>) => run12(h, script)],
  ] as const;
  for (const [junkName, junk] of junkCases) {
    for (const [version, run] of versions) {
      it(`${version}: application data ‖ close_notify ‖ ${junkName}, in one read`, async () => {
        const r = await run(dataCloseJunk(junk));
        expectCleanClose(r.client, r.value);
      });
    }
  }
});

describe('defect 6: a HelloRetryRequest cookie too large to echo', () => {
  rejects13(h, 'a legal 65,400-byte cookie is the peer\'s doing: a peer error and an alert, not UsageError', (t, p) => {
    p.sendHandshake([t.helloRetryRequest({ group: GROUP.secp256r1, cookie: Buffer.alloc(65400, 0x63) })]);
  }, { error: PeerMisbehaved, alert: ALERT.illegal_parameter, key: 'plaintext' });
  it('and an ordinary cookie is echoed in the second ClientHello', async () => {
    const cookie = Buffer.from('a cookie of ordinary size');
    let echoed: Buffer | undefined;
    const r = await run13(h, async (t, p) => {
      p.sendHandshake([t.helloRetryRequest({ group: GROUP.secp256r1, cookie })]);
      echoed = (await t.readSecondClientHello()).cookie;
      await t.handshake();
      p.alert(1, ALERT.close_notify);
    });
    expect(r.client.error).toBeUndefined();
    expect(echoed?.equals(cookie)).toBe(true);
  });
});

describe('defect 7: rules not enforced (the rest are in tls13/tls12.test.ts)', () => {
  it('several update_requested KeyUpdates while the client has not written are answered with one KeyUpdate (RFC 8446 §4.6.3)', async () => {
    let counted: Tls13 | undefined;
    const r = await run13(h, async (t, p) => {
      await t.handshake();
      await p.clientConnected;
      p.batch(() => {
        for (let i = 0; i < 5; i++) t.sendKeyUpdate(true);
        p.data(hello);
        p.alert(1, ALERT.close_notify);
      });
      counted = t;
    });
    expect(r.client.error).toBeUndefined();
    expect(r.client.data.equals(hello)).toBe(true);
    expect(counted!.clientKeyUpdates, 'KeyUpdate messages the client sent').toBe(1);
  });
  // A leaf whose keyUsage lacks digitalSignature is refused even with verification off, in both versions.
  const wrongKeyUsage = { error: InvalidCertificate, reason: 'WrongKeyUsage', alert: ALERT.unsupported_certificate } as const;
  const noDigitalSignatureLeaf: CaseOptions = { identity: (p) => p.noDigitalSignature, client: { rejectUnauthorized: false } };
  rejects13(h, 'TLS 1.3: a leaf whose keyUsage lacks digitalSignature, verification off', (t) => t.flight(), { ...wrongKeyUsage, key: 'client hs' }, noDigitalSignatureLeaf);
  rejects12(h, 'TLS 1.2: a leaf whose keyUsage lacks digitalSignature, verification off', (t) => t.firstFlight(), { ...wrongKeyUsage, key: 'plaintext' }, noDigitalSignatureLeaf);
  rejects12(h, 'TLS 1.2: an ECDSA P-384 certificate although supported_groups offered only X25519 and P-256 (RFC 8422 §5.1)', (t) => t.firstFlight(), {
    error: PeerMisbehaved,
    reason: 'CertificateCurveNotOffered',
    alert: ALERT.handshake_failure,
    key: 'plaintext',
  }, { identity: (p) => p.ec384, client: { groups: 'X25519:P-256' }, server12: { scheme: SCHEME.ecdsa_secp384r1_sha384 } });
});

describe('defect 8: interoperability', () => {
  it('a warning unrecognized_name before a TLS 1.2 ServerHello is tolerated (RFC 6066 §3)', async () => {
    const r = await run12(h, async (t, p) => {
      p.write(record(CT.Alert, Buffer.from([1, ALERT.unrecognized_name])));
      await t.handshake();
      await p.clientConnected;
      p.data(hello);
      p.alert(1, ALERT.close_notify);
    });
    expectCleanClose(r.client, r.value);
  });
  rejects13(h, 'HelloRetryRequest and ServerHello in one record: refused with an alert the server can read', (t, p) => {
    p.sendHandshake([t.helloRetryRequest({ group: GROUP.secp256r1 }), t.serverHello()]);
  }, { error: PeerMisbehaved, reason: 'MessageNotOnRecordBoundary', alert: ALERT.unexpected_message, key: 'plaintext' });
});

describe('defect 9: a handshake deadline in connect()', () => {
  // connect({ handshakeTimeout }) in ms; the error is HandshakeTimeout, code ERR_TLS_HANDSHAKE_TIMEOUT.
  const timedOut = (e: Error | undefined): boolean => e instanceof HandshakeTimeout && (e as { code?: string }).code === 'ERR_TLS_HANDSHAKE_TIMEOUT';
  it('a server that reads the ClientHello and says nothing: connect() fails at the deadline', async () => {
    const started = Date.now();
    const r = await h.server.run(async (p) => {
      await p.readClientHello();
      return p.readUntilClose();
    }, h.client({ handshakeTimeout: 400 }));
    expect(r.client.hung, 'the client gave up by itself').toBe(false);
    expect(timedOut(r.client.error), String(r.client.error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2500);
  });
  it('a server that sends its ServerHello one byte every 50 ms: the deadline is not reset by activity', async () => {
    const r = await h.server.run(async (p) => {
      const t = await Tls13.accept(p, { identity: h.pki.ec256 });
      const sh = record(CT.Handshake, t.serverHello());
      for (let i = 0; i < sh.length && !p.eof && !p.socket.destroyed; i++) {
        p.write(sh.subarray(i, i + 1));
        await p.sleep(50);
      }
      return p.readUntilClose();
    }, h.client({ handshakeTimeout: 400 }));
    expect(r.client.hung, 'the client gave up by itself').toBe(false);
    expect(timedOut(r.client.error), String(r.client.error)).toBe(true);
  });
});

describe('defect 10: bounded post-handshake work', () => {
  it('a NewSessionTicket flood (5,000 tickets in one read): at most a few kept as sessions', async () => {
    let sessions = 0;
    const r = await run13(h, async (t, p) => {
      await t.handshake();
      await p.clientConnected;
      p.batch(() => {
        const tickets = Array.from({ length: 5000 }, (_, i) => t.newSessionTicket({ nonce: u32(i) }));
        for (let i = 0; i < tickets.length; i += 200) p.sendHandshake(tickets.slice(i, i + 200));
        p.data(hello);
        p.alert(1, ALERT.close_notify);
      });
    }, {}, (s) => s.on('session', () => sessions++));
    expectCleanClose(r.client, r.value);
    expect(sessions, "'session' events").toBeGreaterThan(0);
    expect(sessions, "'session' events").toBeLessThanOrEqual(8);
  });
  it('a bad ticket after the cap is still refused (tickets past the cap are decoded and checked)', async () => {
    const r = await run13(h, async (t, p) => {
      await t.handshake();
      await p.clientConnected;
      const tickets = Array.from({ length: 20 }, (_, i) => t.newSessionTicket({ nonce: u32(i) }));
      p.sendHandshake([...tickets, t.newSessionTicket({ lifetime: 604801 })]);
      return;
    });
    expectRejected(r, { error: PeerMisbehaved, reason: 'IllegalTicketLifetime', alert: ALERT.illegal_parameter, key: 'client app', afterHandshake: true });
  });
  // 40 update_requested KeyUpdates with no data in between: one answer (the silent-client rule),
  // then the flood cap (LIMITS.keyUpdates) ends it. Kept small so that the client has read all of
  // it when it fails: unread bytes would turn its close into a RST that can discard its alert.
  it('a KeyUpdate ping-pong from a server that never sends data: one answer, then the flood cap', async () => {
    let counted: Tls13 | undefined;
    const r = await run13(h, async (t, p) => {
      await t.handshake();
      await p.clientConnected;
      p.batch(() => {
        for (let i = 0; i < 40; i++) t.sendKeyUpdate(true);
      });
      counted = t;
    });
    expect(counted!.clientKeyUpdates, 'KeyUpdate messages the client sent').toBe(1);
    expectRejected(r, { error: PeerMisbehaved, reason: 'TooManyKeyUpdates', alert: ALERT.unexpected_message, key: 'client app+1', afterHandshake: true });
  });
});

// ---- helpers -----------------------------------------------------------------------------

/** No error, the data before close_notify delivered in full, 'end' seen, and no fatal alert on the wire. */
function expectCleanClose(client: { error: Error | undefined; data: Buffer; ended: boolean; hung: boolean }, records: ClientRecord[]): void {
  expect(client.hung).toBe(false);
  expect(client.error).toBeUndefined();
  expect(client.data.toString()).toBe(hello.toString());
  expect(client.ended, "'end'").toBe(true);
  expect(records.filter((r) => r.key === 'undecryptable')).toEqual([]);
  expect(alertsOf(records).filter((a) => a.content[0] === 2), 'no fatal alert').toEqual([]);
}

function clientClosed(records: readonly ClientRecord[]): boolean {
  return records.some((r) => r.type === CT.Alert);
}
