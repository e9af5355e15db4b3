/**
 * `preparedContext` (types.ts): both adapters reuse one client context per distinct option set, as
 * the benchmark's node:tls baseline reuses one secureContext, and never share one across options
 * that change the configuration.
 */
import { describe, expect, it } from 'vitest';
import { nodeTlsOptions } from '../src/clients/node.ts';
import { puretlsOptions, type SessionContextParts } from '../src/clients/puretls.ts';
import type { ClientConnectOptions } from '../src/types.ts';

const base: ClientConnectOptions = { host: '127.0.0.1', port: 4433, servername: 'localhost', ca: 'PEM A', preparedContext: true };

/** A stand-in for @puretls/session: records each Context built and the options it got. */
function fakeSessionParts(): SessionContextParts & { built: Array<Record<string, unknown>> } {
  const built: Array<Record<string, unknown>> = [];
  class Context {
    constructor(options: Record<string, unknown>) {
      built.push(options);
    }
  }
  return { Context, toConfigOptions: (o) => ({ ca: o.ca, minVersion: o.minVersion }), built };
}

describe('preparedContext', () => {
  it('puretls: one cache-less Context per option set, whatever the port, server name or session', () => {
    const parts = fakeSessionParts();
    const a = puretlsOptions({ ...base, ca: 'PEM P1' }, undefined, parts).context;
    const b = puretlsOptions({ ...base, ca: 'PEM P1', port: 5555, servername: 'other', session: new Uint8Array([1]) }, undefined, parts).context;
    const c = puretlsOptions({ ...base, ca: 'PEM P2' }, undefined, parts).context;
    const d = puretlsOptions({ ...base, ca: 'PEM P1', minVersion: 'TLSv1.3' }, undefined, parts).context;
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(d).not.toBe(a);
    expect(parts.built).toHaveLength(3);
    expect(parts.built.every((o) => o.sessionCacheMode === 'off')).toBe(true);
  });

  it('puretls: without the option every connect() gets its own configuration (no context passed)', () => {
    const parts = fakeSessionParts();
    expect(puretlsOptions({ ...base, preparedContext: false }, undefined, parts).context).toBeUndefined();
    expect(parts.built).toHaveLength(0);
  });

  it('node:tls: one secureContext per option set', () => {
    const a = nodeTlsOptions({ ...base, ca: undefined as unknown as string }).secureContext;
    const b = nodeTlsOptions({ ...base, ca: undefined as unknown as string, port: 1, servername: 'x' }).secureContext;
    const c = nodeTlsOptions({ ...base, ca: undefined as unknown as string, maxVersion: 'TLSv1.2' }).secureContext;
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(nodeTlsOptions({ ...base, preparedContext: false }).secureContext).toBeUndefined();
  });
});
