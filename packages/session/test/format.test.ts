/** The serialized session: round trips, PEM, and typed errors for truncated, altered and foreign input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CipherSuite, Reader, ResumptionPsk, SHA256, Tls12MasterSecret, equalBytes, hmac, revealResumptionPsk } from '@puretls/tls-core/internal';
import { Context, PUBLIC_SESSION_KEY, Session, SessionError, type SessionErrorReason } from '../src/index.ts';
import { session12, ticket13 } from './helpers/scripted-engine.ts';

const ctx = new Context({ verifyCertificates: false });

// The typed secrets keep their bytes in private fields, which toEqual does not see: compare them by value.
expect.addEqualityTesters([
  (a: unknown, b: unknown): boolean | undefined => {
    if (a instanceof ResumptionPsk && b instanceof ResumptionPsk) return equalBytes(revealResumptionPsk(a), revealResumptionPsk(b));
    if (a instanceof Tls12MasterSecret && b instanceof Tls12MasterSecret) return a.equals(b);
    return undefined;
  },
]);

function reasonOf(fn: () => unknown): SessionErrorReason | 'ok' | 'other' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e instanceof SessionError ? e.reason : 'other';
  }
}

const t13 = new Session(ctx, ticket13('a.test', 1_700_000_000_123, { alpn: 'h2', maxEarlyData: 16384, suite: CipherSuite.TLS_AES_256_GCM_SHA384, psk: ResumptionPsk.fromBytes(new Uint8Array(48).fill(5)) }), 'a.test', 8443);
const t12 = new Session(ctx, session12('b.test', 1_700_000_000_456, { ticket: new Uint8Array(200).fill(3), extendedMasterSecret: false }), 'b.test', 443);

describe('toBytes / fromBytes', () => {
  it('round-trips every field of a TLS 1.3 and a TLS 1.2 session', () => {
    for (const s of [t13, t12]) {
      const back = Session.fromBytes(ctx, s.toBytes());
      expect(back.context).toBe(ctx);
      expect(back.refCount).toBe(1);
      expect(back.resumptionData()).toEqual(s.resumptionData());
      expect([back.host, back.port]).toEqual([s.host, s.port]);
      expect(back.toBytes()).toEqual(s.toBytes());
    }
  });

  it('never aliases its input: freeing a Session parsed from a Node Buffer leaves the Buffer intact', () => {
    for (const s of [t13, t12]) {
      const input = Buffer.from(s.toBytes());
      const before = Buffer.from(input);
      Session.fromBytes(ctx, input).free();
      expect(input.equals(before)).toBe(true);
      expect(Session.fromBytes(ctx, input).resumptionData()).toEqual(s.resumptionData());
    }
  });

  it('starts with the documented header: "PTSS", version 1, the 32-byte domain id', () => {
    const r = new Reader(t13.toBytes());
    expect(Array.from(r.bytes(4, 'magic'))).toEqual([0x50, 0x54, 0x53, 0x53]);
    expect(r.u8('version')).toBe(1);
    expect(r.opaque8('domain')).toEqual(ctx.domainId);
  });

  it('has a PEM form', () => {
    const pem = t12.toPem();
    expect(pem.startsWith('-----BEGIN PURETLS SESSION-----\n')).toBe(true);
    expect(pem.trimEnd().endsWith('-----END PURETLS SESSION-----')).toBe(true);
    expect(Session.fromPem(ctx, `junk before\n${pem}`).resumptionData()).toEqual(t12.resumptionData());
    expect(reasonOf(() => Session.fromPem(ctx, 'no pem here'))).toBe('BadPem');
    expect(reasonOf(() => Session.fromPem(ctx, '-----BEGIN PURETLS SESSION-----\n!!!!\n-----END PURETLS SESSION-----\n'))).toBe('BadPem');
    expect(reasonOf(() => Session.fromPem(ctx, pem.replace(/SESSION/g, 'THING')))).toBe('BadPem');
  });
});

describe('bad input gives a typed error', () => {
  it('every truncation is Truncated', () => {
    for (const s of [t13, t12]) {
      const bytes = s.toBytes();
      for (let n = 0; n < bytes.length; n++) expect(reasonOf(() => Session.fromBytes(ctx, bytes.subarray(0, n)))).toBe('Truncated');
    }
  });

  it('every single-bit change is refused; in the secret, the ticket or the tag it is Altered', () => {
    const bytes = t12.toBytes();
    const seen = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      const changed = bytes.slice();
      changed[i]! ^= 0x01;
      const reason = reasonOf(() => Session.fromBytes(ctx, changed));
      expect(reason === 'ok' || reason === 'other').toBe(false);
      seen.add(reason);
    }
    expect(seen.has('Altered')).toBe(true);
    expect(seen.has('BadMagic')).toBe(true);
    expect(seen.has('UnsupportedFormatVersion')).toBe(true);
    const tagFlip = bytes.slice();
    tagFlip[tagFlip.length - 1]! ^= 0x80;
    expect(reasonOf(() => Session.fromBytes(ctx, tagFlip))).toBe('Altered');
  });

  it('trailing bytes are refused', () => {
    const bytes = t13.toBytes();
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(['Malformed', 'Altered']).toContain(reasonOf(() => Session.fromBytes(ctx, longer)));
  });

  it('another configuration is ForeignConfiguration; another secret sessionKey is Altered', () => {
    const other = new Context({ verifyCertificates: false, alpnProtocols: ['h2'] });
    expect(reasonOf(() => Session.fromBytes(other, t13.toBytes()))).toBe('ForeignConfiguration');
    const keyed = new Context({ verifyCertificates: false, sessionKey: new Uint8Array(32).fill(1) });
    const keyed2 = new Context({ verifyCertificates: false, sessionKey: new Uint8Array(32).fill(2) });
    const s = new Session(keyed, ticket13('a.test'), 'a.test', 1);
    expect(reasonOf(() => Session.fromBytes(keyed2, s.toBytes()))).toBe('Altered');
    expect(reasonOf(() => Session.fromBytes(ctx, s.toBytes()))).toBe('Altered');
    expect(reasonOf(() => Session.fromBytes(keyed, s.toBytes()))).toBe('ok');
  });

  it('fuzz: random bytes and mutated encodings give a Session or a SessionError, nothing else', () => {
    const valid = [t13.toBytes(), t12.toBytes()];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const r = reasonOf(() => Session.fromBytes(ctx, bytes));
        return r !== 'other' && r !== 'ok';
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (base, edits, cut) => {
          const b = base.slice(0, base.length - (cut % 4));
          for (const [at, v] of edits) b[at % b.length] = v;
          return reasonOf(() => Session.fromBytes(ctx, b)) !== 'other';
        },
      ),
      { numRuns: 1000 },
    );
    // With the public key anyone can recompute the tag: the parser's own checks must hold then too.
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (base, edits) => {
        const body = base.slice(0, base.length - 32);
        for (const [at, v] of edits) body[5 + (at % (body.length - 5))] = v;
        const b = new Uint8Array(body.length + 32);
        b.set(body);
        b.set(hmac(SHA256, PUBLIC_SESSION_KEY, body), body.length);
        const r = reasonOf(() => Session.fromBytes(ctx, b));
        return r !== 'other' && r !== 'Altered';
      }),
      { numRuns: 500 },
    );
  });
});

describe('the optional client_certificate field', () => {
  const leaf = new Uint8Array(300).fill(0x42);
  const withCert = new Session(ctx, { ...t13.resumptionData(), clientCertificate: leaf }, 'a.test', 8443);

  it('round-trips and is exposed as Session.clientCertificate', () => {
    const back = Session.fromBytes(ctx, withCert.toBytes());
    expect(back.clientCertificate).toEqual(leaf);
    expect(back.resumptionData()).toEqual(withCert.resumptionData());
    expect(Session.fromBytes(ctx, t13.toBytes()).clientCertificate).toBeUndefined();
  });

  it('is appended after every earlier field, so sessions without it keep their earlier bytes', () => {
    const plain = t13.toBytes();
    const extended = withCert.toBytes();
    const body = plain.subarray(0, plain.length - 32);
    expect(extended.subarray(0, body.length)).toEqual(body);
    expect(extended.length).toBe(plain.length + 3 + leaf.length);
    const r = new Reader(extended.subarray(body.length, extended.length - 32));
    expect(r.opaque24('client_certificate')).toEqual(leaf);
  });

  it('an empty client_certificate is Malformed', () => {
    const plain = t13.toBytes();
    const body = new Uint8Array([...plain.subarray(0, plain.length - 32), 0, 0, 0]);
    const forged = new Uint8Array([...body, ...hmac(SHA256, PUBLIC_SESSION_KEY, body)]);
    expect(reasonOf(() => Session.fromBytes(ctx, forged))).toBe('Malformed');
  });
});
