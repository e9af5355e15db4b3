/**
 * The SSL_set_session contract, sentence by sentence, with exact reference counts after each
 * step (a scripted engine decides how each handshake ends).
 */
import { describe, expect, it } from 'vitest';
import type { ResumptionData } from '@puretls/tls-core';
import { ResumptionPsk, SHA256, Tls12MasterSecret, revealMasterSecret, revealResumptionPsk } from '@puretls/tls-core/internal';
import { Context, Session, SessionError, type SessionErrorReason } from '../src/index.ts';
import { scriptedFactory, session12, ticket13, type ScriptedEngine } from './helpers/scripted-engine.ts';

const HOST = 'example.test';
const PORT = 443;

function setup(extra: ConstructorParameters<typeof Context>[0] = {}) {
  const { factory, engines } = scriptedFactory();
  const ctx = new Context({ verifyCertificates: false, engineFactory: factory, ...extra });
  const newSession = (data: ResumptionData = ticket13(HOST)) => new Session(ctx, data, HOST, PORT);
  const last = (): ScriptedEngine => engines[engines.length - 1]!;
  /** A connection whose full handshake (not resumed) gave it `data` as its session, events taken. */
  const established = (data: ResumptionData = ticket13(HOST)) => {
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.start();
    last().finish(false);
    last().sessionEvent(data);
    conn.takeEvents();
    return conn;
  };
  return { ctx, engines, newSession, last, established };
}

function expectSessionError(fn: () => unknown, reason: SessionErrorReason): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SessionError);
  expect((caught as SessionError).reason).toBe(reason);
}

describe('setSession: sets the session to offer when the handshake starts, and takes a reference', () => {
  it('takes one reference and hands the same resumption data to the engine at start()', () => {
    const { ctx, newSession, last } = setup();
    const s = newSession();
    expect(s.refCount).toBe(1);
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.setSession(s);
    expect(s.refCount).toBe(2);
    expect(conn.getSession()).toBe(s);
    conn.start();
    expect(s.refCount).toBe(2);
    expect(last().options.session).toBe(s.resumptionData());
    expect(last().options.host).toBe(HOST);
  });

  it('setSession(undefined) offers nothing', () => {
    const { ctx, newSession, last } = setup();
    const s = newSession();
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.setSession(s);
    conn.setSession(undefined);
    expect(s.refCount).toBe(1);
    conn.start();
    expect(last().options.session).toBeUndefined();
  });
});

describe('if the server does not resume it, that reference is dropped again during the handshake', () => {
  it('drops the reference when the handshake completes without resumption', () => {
    const { ctx, newSession, last } = setup();
    const s = newSession();
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.setSession(s);
    conn.start();
    expect(s.refCount).toBe(2);
    last().finish(false);
    conn.takeEvents();
    expect(s.refCount).toBe(1);
    expect(conn.getSession()).toBeUndefined();
    // The full handshake's ticket becomes the connection's session (+ the cache's reference).
    last().sessionEvent(ticket13(HOST));
    const [event] = conn.takeEvents();
    const fresh = conn.getSession()!;
    expect(event).toMatchObject({ type: 'session', handle: fresh });
    expect(fresh).not.toBe(s);
    expect(fresh.refCount).toBe(2);
    expect(ctx.isCached(fresh)).toBe(true);
    expect(s.refCount).toBe(1);
    s.free();
    expect(s.refCount).toBe(0);
  });

  it('keeps the reference when the server resumes it', () => {
    const { ctx, newSession, last } = setup();
    const s = newSession();
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.setSession(s);
    conn.start();
    last().finish(true);
    conn.takeEvents();
    expect(s.refCount).toBe(2);
    expect(conn.getSession()).toBe(s);
    // TLS 1.3: a NewSessionTicket on the resumed connection replaces it (as OpenSSL dups s->session).
    last().sessionEvent(ticket13(HOST));
    conn.takeEvents();
    expect(s.refCount).toBe(1);
    expect(conn.getSession()!.refCount).toBe(2);
  });
});

describe('sessionReused() tells afterwards whether it was resumed', () => {
  it('is false before and after a full handshake, true after a resumed one', () => {
    const { ctx, newSession, last } = setup();
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    expect(conn.sessionReused()).toBe(false);
    conn.setSession(newSession());
    conn.start();
    last().finish(true);
    conn.takeEvents();
    expect(conn.sessionReused()).toBe(true);

    const conn2 = ctx.createConnection({ host: HOST, port: PORT });
    conn2.setSession(newSession());
    conn2.start();
    last().finish(false);
    conn2.takeEvents();
    expect(conn2.sessionReused()).toBe(false);
  });

  it('is false when the engine reports a resumption without an offered session', () => {
    const { ctx, last } = setup();
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.start();
    last().finish(true);
    conn.takeEvents();
    expect(conn.sessionReused()).toBe(false);
  });
});

describe('if a session was already set, that old session is released; if still open it is bad and removed from the cache', () => {
  it('an earlier setSession: the old one is released, and stays cached (it was never used here)', () => {
    const { ctx, newSession } = setup();
    const a = newSession();
    const b = newSession();
    expect(ctx.addSession(a)).toBe(true);
    expect(a.refCount).toBe(2);
    const conn = ctx.createConnection({ host: HOST, port: PORT, keyLog: false });
    // createConnection took `a` from the cache (single-use TLS 1.3 ticket) and set it.
    expect(conn.getSession()).toBe(a);
    expect(ctx.isCached(a)).toBe(false);
    expect(a.refCount).toBe(2);
    conn.setSession(b);
    expect(a.refCount).toBe(1);
    expect(b.refCount).toBe(2);
  });

  it('a connection used before and still open (no close_notify): its session is removed from the cache', () => {
    const { ctx, newSession, established } = setup();
    const conn = established();
    const used = conn.get1Session()!;
    expect(used.refCount).toBe(3); // connection + cache + ours
    const other = newSession();
    conn.setSession(other);
    expect(ctx.isCached(used)).toBe(false);
    expect(used.refCount).toBe(1);
    expect(other.refCount).toBe(2);
    used.free();
    expect(used.refCount).toBe(0);
  });

  it('a connection that sent close_notify: its session is released but stays cached', () => {
    const { ctx, newSession, established } = setup();
    const conn = established();
    const used = conn.getSession()!;
    expect(used.refCount).toBe(2);
    conn.close();
    conn.setSession(newSession());
    expect(ctx.isCached(used)).toBe(true);
    expect(used.refCount).toBe(1);
  });

  it('restarting a used, still-open connection (SSL_clear) removes the bad session and does not offer it', () => {
    const { ctx, last, engines, established } = setup();
    const conn = established(session12(HOST));
    const used = conn.get1Session()!;
    expect(used.refCount).toBe(3);
    conn.start();
    expect(engines).toHaveLength(2);
    expect(last().options.session).toBeUndefined();
    expect(ctx.isCached(used)).toBe(false);
    expect(used.refCount).toBe(1);
    expect(conn.getSession()).toBeUndefined();
  });

  it('restarting after close_notify offers the connection session again', () => {
    const { ctx, last, established } = setup();
    const conn = established(session12(HOST));
    const used = conn.getSession()!;
    conn.close();
    conn.start();
    expect(last().options.session).toBe(used.resumptionData());
    expect(used.refCount).toBe(2);
    expect(ctx.isCached(used)).toBe(true);
  });

  it('free() on the connection applies the same rule (SSL_free)', () => {
    const { ctx, established } = setup();
    const conn = established();
    const used = conn.getSession()!;
    conn.free();
    expect(ctx.isCached(used)).toBe(false);
    expect(used.refCount).toBe(0);
  });

  it('a fatal error removes the connection session from the cache', () => {
    const { ctx, last } = setup();
    const a = new Session(ctx, session12(HOST), HOST, PORT);
    ctx.addSession(a);
    a.free();
    expect(a.refCount).toBe(1);
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    expect(conn.getSession()).toBe(a);
    expect(a.refCount).toBe(2); // TLS 1.2: not taken out of the cache
    conn.start();
    last().fail();
    conn.takeEvents();
    expect(ctx.isCached(a)).toBe(false);
    expect(a.refCount).toBe(1);
  });
});

describe('it fails with a typed error rather than half-applying', () => {
  it('a session of another Context: ForeignContext, nothing changes', () => {
    const { ctx, newSession } = setup();
    const other = new Context({ verifyCertificates: false });
    const foreign = new Session(other, ticket13(HOST), HOST, PORT);
    const mine = newSession();
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.setSession(mine);
    expectSessionError(() => conn.setSession(foreign), 'ForeignContext');
    expect(conn.getSession()).toBe(mine);
    expect(mine.refCount).toBe(2);
    expect(foreign.refCount).toBe(1);
    expectSessionError(() => ctx.addSession(foreign), 'ForeignContext');
    expect(foreign.refCount).toBe(1);
    expect(() => Session.fromBytes(ctx, foreign.toBytes())).not.toThrow(); // same configuration: bytes are portable
  });

  it('a freed session: SessionFreed, nothing changes', () => {
    const { ctx, newSession } = setup();
    const mine = newSession();
    const dead = newSession();
    dead.free();
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.setSession(mine);
    expectSessionError(() => conn.setSession(dead), 'SessionFreed');
    expect(conn.getSession()).toBe(mine);
    expect(mine.refCount).toBe(2);
    expect(dead.refCount).toBe(0);
  });

  it('during a handshake: HandshakeInProgress, nothing changes', () => {
    const { ctx, newSession } = setup();
    const offered = newSession();
    const other = newSession();
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.setSession(offered);
    conn.start();
    expectSessionError(() => conn.setSession(other), 'HandshakeInProgress');
    expectSessionError(() => conn.start(), 'HandshakeInProgress');
    expect(conn.getSession()).toBe(offered);
    expect(offered.refCount).toBe(2);
    expect(other.refCount).toBe(1);
  });
});

describe('getSession() and get1Session()', () => {
  it('getSession takes no reference; get1Session takes one the caller frees', () => {
    const { ctx, newSession } = setup();
    const s = newSession();
    const conn = ctx.createConnection({ host: HOST, port: PORT });
    conn.setSession(s);
    expect(conn.getSession()).toBe(s);
    expect(s.refCount).toBe(2);
    const held = conn.get1Session()!;
    expect(held).toBe(s);
    expect(s.refCount).toBe(3);
    held.free();
    expect(s.refCount).toBe(2);
  });
});

describe('Session reference counting', () => {
  it('wipes the secret at zero; later use is SessionFreed', () => {
    const { newSession } = setup();
    const s = newSession(ticket13(HOST, Date.now(), { psk: ResumptionPsk.fromBytes(new Uint8Array(32).fill(7)) }));
    const data = s.resumptionData();
    s.upRef();
    s.free();
    expect(data.version === 'TLSv1.3' && revealResumptionPsk(data.psk).every((b) => b === 7)).toBe(true);
    s.free();
    expect(data.version === 'TLSv1.3' && revealResumptionPsk(data.psk).every((b) => b === 0)).toBe(true);
    expectSessionError(() => s.free(), 'SessionFreed');
    expectSessionError(() => s.upRef(), 'SessionFreed');
    expectSessionError(() => s.toBytes(), 'SessionFreed');
    expect(s.refCount).toBe(0);
  });

  it('wipes a TLS 1.2 master secret too, and copies the input (the engine keeps its own)', () => {
    const { newSession } = setup();
    const input = session12(HOST, Date.now(), { masterSecret: Tls12MasterSecret.fromBytes(SHA256, new Uint8Array(48).fill(9)) });
    const s = newSession(input);
    const data = s.resumptionData();
    s.free();
    expect(data.version === 'TLSv1.2' && revealMasterSecret(data.masterSecret).every((b) => b === 0)).toBe(true);
    expect(revealMasterSecret(input.masterSecret).every((b) => b === 9)).toBe(true);
  });

  it('caps the lifetime at 7 days', () => {
    const { newSession } = setup();
    expect(newSession(session12(HOST, Date.now(), { lifetimeSeconds: 10_000_000 })).lifetimeSeconds).toBe(604800);
  });
});

describe('the new-session callback (SSL_CTX_sess_set_new_cb) sees every Session while it is alive', () => {
  it('two tickets in one read: the first is replaced and freed before takeEvents() returns, but the callback saw it live', () => {
    const { ctx, last } = setup({ sessionCacheMode: 'off' });
    const seen: Array<{ session: Session; refCountInCallback: number; bytes: Uint8Array }> = [];
    const conn = ctx.createConnection({
      host: HOST,
      port: PORT,
      onNewSession: (session) => seen.push({ session, refCountInCallback: session.refCount, bytes: session.toBytes() }),
    });
    conn.start();
    last().finish(false);
    conn.takeEvents();
    last().sessionEvent(ticket13(HOST));
    last().sessionEvent(ticket13(HOST));
    const events = conn.takeEvents().filter((e) => e.type === 'session');
    expect(events).toHaveLength(2);
    expect(seen).toHaveLength(2);
    expect(seen.map((s) => s.refCountInCallback)).toEqual([1, 1]); // the connection's reference (no cache)
    // The first was replaced by the second and released: only the callback's bytes survive.
    expect(seen[0]!.session.refCount).toBe(0);
    expect(seen[1]!.session).toBe(conn.getSession());
    expect(seen[1]!.session.refCount).toBe(1);
    const back = Session.fromBytes(ctx, seen[0]!.bytes);
    expect(back.refCount).toBe(1);
    back.free();
    conn.free();
    expect(seen[1]!.session.refCount).toBe(0);
  });
});
