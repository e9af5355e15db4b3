/**
 * Secret bytes have one owner (issue 10, defect 1): the resumption data a caller offers stays the
 * caller's, and the engine works on its own copy. A session store (packages/session) wipes its
 * master secret / PSK when its last reference goes (`Session.free()`); a resumed connection must
 * keep working after that. The exporter of RFC 5705 is checked against a TLS 1.2 PRF written here
 * over node:crypto's HMAC (RFC 5246 §5) and the master secret the scripted server derived itself.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientEvent, ResumptionData, Tls12SessionData } from '../../src/client/events.ts';
import { revealMasterSecret } from '../../src/tls12/master-secret.ts';
import { revealResumptionPsk } from '../../src/tls13/key-schedule.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

/** RFC 5246 §5: PRF(secret, label, seed) = P_SHA256(secret, label || seed), over node:crypto. */
function tls12PrfSha256(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out: Buffer[] = [];
  let a: Buffer = Buffer.from(labelSeed);
  let total = 0;
  while (total < length) {
    a = createHmac('sha256', secret).update(a).digest();
    const block = createHmac('sha256', secret).update(a).update(labelSeed).digest();
    out.push(block);
    total += block.length;
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}

function sessionEvents(events: ClientEvent[]): ResumptionData[] {
  return events.flatMap((e) => (e.type === 'session' ? [e.session] : []));
}

describe('the engine owns its copy of an offered session (RFC 5705 exporter after resumption)', () => {
  it('TLS 1.2: a resumed connection exports correct keying material after the offered session was wiped', () => {
    const sessionId = new Uint8Array(32).fill(0x5a);
    const first = new Server12(pki, { sessionId });
    first.handshake();
    const [offered] = sessionEvents(first.conn.takeEvents()) as Tls12SessionData[];
    expect(offered?.version).toBe('TLSv1.2');
    const serverMaster = first.keys!.master;
    expect([...revealMasterSecret(offered!.masterSecret)]).toEqual([...serverMaster]);

    const second = new Server12(pki, { session: offered!, sessionId });
    second.sendPlain(second.serverHello());
    second.resume(serverMaster);
    second.sendCcsAndFinished();
    expect(second.deliver()).toBeUndefined();
    expect(second.clientFinishedOk, 'the client finished the abbreviated handshake with the right master secret').toBe(true);
    expect(second.conn.negotiated?.sessionReused).toBe(true);

    // What Session.free() does to the session store's bytes once the handshake is over.
    offered!.masterSecret.wipe();

    const context = new Uint8Array([1, 2, 3]);
    const got = second.conn.exportKeyingMaterial('EXPORTER-puretls-test', context, 40);
    const seed = Buffer.concat([second.clientHello.random, second.serverRandom, Buffer.from([0, 3]), context]);
    expect([...got]).toEqual([...tls12PrfSha256(serverMaster, 'EXPORTER-puretls-test', seed, 40)]);
    // And data still flows under keys from the real master secret.
    second.sendData(new Uint8Array([7, 7]));
    expect(second.deliver()).toBeUndefined();
    expect([...second.readAll()]).toEqual([7, 7]);
  });

  it('TLS 1.2: the session the engine emits for a resumed connection does not share bytes with the offered one', () => {
    const sessionId = new Uint8Array(32).fill(0x33);
    const first = new Server12(pki, { sessionId });
    first.handshake();
    const [offered] = sessionEvents(first.conn.takeEvents()) as Tls12SessionData[];
    const second = new Server12(pki, { session: offered!, sessionId });
    second.sendPlain(second.serverHello());
    second.resume(first.keys!.master);
    second.sendCcsAndFinished();
    expect(second.deliver()).toBeUndefined();
    const [renewed] = sessionEvents(second.conn.takeEvents()) as Tls12SessionData[];
    expect(renewed?.version).toBe('TLSv1.2');
    offered!.masterSecret.wipe();
    expect([...revealMasterSecret(renewed!.masterSecret)]).toEqual([...first.keys!.master]);
  });

  it('TLS 1.3: wiping the offered ticket PSK after start() does not change the PSK the handshake uses', () => {
    // The binder is computed at start(); the PSK is used again when the ServerHello arrives.
    const first = new Server13(pki);
    first.handshake();
    first.sendEncrypted([first.newSessionTicket()]);
    expect(first.deliver()).toBeUndefined();
    const [ticket] = sessionEvents(first.conn.takeEvents());
    if (ticket?.version !== 'TLSv1.3') throw new Error('expected a TLS 1.3 ticket');
    const psk = revealResumptionPsk(ticket.psk);
    const second = new Server13(pki, { session: ticket });
    ticket.psk.wipe();
    second.acceptPsk = psk;
    second.sendPlain(second.serverHello());
    second.useHandshakeKeys();
    second.sendEncrypted([second.encryptedExtensions(), second.finished()]);
    expect(second.deliver()).toBeUndefined();
    expect(second.conn.negotiated?.sessionReused).toBe(true);
    expect(second.clientMessages.map((m) => m[0])).toEqual([20]); // the client's Finished, read with keys from the real PSK
  });
});
