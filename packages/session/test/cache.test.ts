/** The Context's client cache: automatic feeding, single-use tickets, eviction, lifetime, keys, domains. */
import { describe, expect, it } from 'vitest';
import { CipherSuite, TrustStore } from '@puretls/tls-core';
import { Context, Session } from '../src/index.ts';
import { scriptedFactory, session12, ticket13 } from './helpers/scripted-engine.ts';

const HOST = 'example.test';

function setup(extra: ConstructorParameters<typeof Context>[0] = {}) {
  const { factory, engines } = scriptedFactory();
  const ctx = new Context({ verifyCertificates: false, engineFactory: factory, ...extra });
  return { ctx, engines, last: () => engines[engines.length - 1]! };
}

describe('Context session cache', () => {
  it('caches every TLS 1.3 NewSessionTicket, and offers and removes one per connection (single use)', () => {
    const { ctx, last } = setup();
    const conn = ctx.createConnection({ host: HOST, port: 443 });
    conn.start();
    last().finish(false);
    for (let i = 0; i < 5; i++) last().sessionEvent(ticket13(HOST));
    conn.takeEvents();
    conn.close();
    conn.free();
    expect(ctx.cachedSessionCount).toBe(5);
    const newest = ctx.cachedSessions(HOST, 443)[4]!;
    expect(newest.refCount).toBe(1);
    const next = ctx.createConnection({ host: HOST, port: 443 });
    expect(next.getSession()).toBe(newest);
    expect(ctx.isCached(newest)).toBe(false);
    expect(newest.refCount).toBe(1);
    next.start();
    expect(last().options.session).toBe(newest.resumptionData());
    expect(ctx.cachedSessionCount).toBe(4);
  });

  it('keeps TLS 1.2 sessions in the cache when offering them; multi-use tickets when asked', () => {
    const { ctx } = setup();
    const s = new Session(ctx, session12(HOST), HOST, 443);
    ctx.addSession(s);
    ctx.createConnection({ host: HOST, port: 443 });
    expect(ctx.isCached(s)).toBe(true);
    expect(s.refCount).toBe(3);
    const multi = setup({ singleUseTickets: false }).ctx;
    const t = new Session(multi, ticket13(HOST), HOST, 443);
    multi.addSession(t);
    multi.createConnection({ host: HOST, port: 443 });
    expect(multi.isCached(t)).toBe(true);
  });

  it('a renewed TLS 1.2 ticket replaces the old session; an unchanged resumption keeps it', () => {
    const { ctx, last } = setup();
    const old = new Session(ctx, session12(HOST, Date.now(), { ticket: new Uint8Array([1]) }), HOST, 443);
    ctx.addSession(old);
    old.free();
    const conn = ctx.createConnection({ host: HOST, port: 443 });
    conn.start();
    last().finish(true, 'TLSv1.2');
    last().sessionEvent({ ...old.resumptionData(), ticket: new Uint8Array([2]) } as ReturnType<typeof session12>);
    conn.takeEvents();
    expect(old.refCount).toBe(0);
    const renewed = conn.getSession()!;
    expect(renewed.ticket).toEqual(new Uint8Array([2]));
    expect(ctx.cachedSessions(HOST, 443)).toEqual([renewed]);

    conn.close();
    const again = ctx.createConnection({ host: HOST, port: 443 });
    again.start();
    last().finish(true, 'TLSv1.2');
    last().sessionEvent(renewed.resumptionData() as ReturnType<typeof session12>);
    again.takeEvents();
    expect(again.getSession()).toBe(renewed);
    expect(ctx.cachedSessions(HOST, 443)).toEqual([renewed]);
  });

  it('evicts the oldest session past capacity', () => {
    const { ctx } = setup({ sessionCacheSize: 2 });
    const [a, b, c] = [0, 1, 2].map(() => new Session(ctx, session12(HOST), HOST, 443));
    for (const s of [a!, b!, c!]) ctx.addSession(s);
    expect(ctx.isCached(a!)).toBe(false);
    expect(a!.refCount).toBe(1);
    expect(ctx.cachedSessions(HOST, 443)).toEqual([b, c]);
  });

  it('does not offer expired sessions (injected clock): own lifetime and the Context lifetime', () => {
    let now = 1_000_000;
    const { ctx, last } = setup({ now: () => now, sessionLifetimeSeconds: 600 });
    const s = new Session(ctx, ticket13(HOST, now, { lifetimeSeconds: 300 }), HOST, 443);
    const t = new Session(ctx, session12(HOST, now, { lifetimeSeconds: 7200 }), HOST, 443);
    ctx.addSession(s);
    now += 301_000;
    expect(ctx.createConnection({ host: HOST, port: 443 }).getSession()).toBeUndefined();
    expect(ctx.isCached(s)).toBe(false);
    // Set directly, an expired session is not offered either, and its reference is dropped at start().
    const conn = ctx.createConnection({ host: HOST, port: 443 });
    now += 300_000; // 601 s: past the Context's 600 s
    conn.setSession(t);
    expect(t.refCount).toBe(2);
    conn.start();
    expect(last().options.session).toBeUndefined();
    expect(t.refCount).toBe(1);
  });

  it('uses a lifetime of the Context default for a TLS 1.2 session without a lifetime hint', () => {
    const { ctx, last } = setup({ sessionLifetimeSeconds: 1234 });
    const conn = ctx.createConnection({ host: HOST, port: 443 });
    conn.start();
    last().finish(false, 'TLSv1.2');
    last().sessionEvent(session12(HOST, Date.now(), { lifetimeSeconds: 0 }));
    conn.takeEvents();
    expect(conn.getSession()!.lifetimeSeconds).toBe(1234);
  });

  it('mode off caches nothing', () => {
    const { ctx, last } = setup({ sessionCacheMode: 'off' });
    const conn = ctx.createConnection({ host: HOST, port: 443 });
    conn.start();
    last().finish(false);
    last().sessionEvent(ticket13(HOST));
    conn.takeEvents();
    expect(conn.getSession()!.refCount).toBe(1);
    expect(ctx.cachedSessionCount).toBe(0);
  });

  it('keys by server name and port', () => {
    const { ctx } = setup();
    const s = new Session(ctx, session12(HOST), HOST, 443);
    ctx.addSession(s);
    expect(ctx.createConnection({ host: HOST, port: 444 }).getSession()).toBeUndefined();
    expect(ctx.createConnection({ host: 'other.test', port: 443 }).getSession()).toBeUndefined();
    expect(ctx.createConnection({ host: HOST, port: 443 }).getSession()).toBe(s);
  });
});

describe('security domain', () => {
  const base = { verifyCertificates: false } as const;
  const id = (o: ConstructorParameters<typeof Context>[0]) => new Context(o).domainId;

  it('is equal for equal configurations and differs for every security setting', () => {
    expect(id(base)).toEqual(id(base));
    const variants = [
      { ...base, maxVersion: 'TLSv1.2' as const },
      { ...base, minVersion: 'TLSv1.3' as const },
      { ...base, cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] },
      { ...base, alpnProtocols: ['h2'] },
      { ...base, requireExtendedMasterSecret: true },
      { verifyCertificates: true, trustStore: new TrustStore([]) },
    ];
    const ids = new Set([id(base), ...variants.map(id)].map((d) => Buffer.from(d).toString('hex')));
    expect(ids.size).toBe(variants.length + 1);
  });

  it('does not depend on groups or PSK modes', () => {
    expect(id({ ...base, groups: [0x17] })).toEqual(id(base));
    expect(id({ ...base, pskModes: ['psk_ke'] })).toEqual(id(base));
  });
});
