/**
 * Property: whatever bytes arrive at any handshake stage (TLS 1.3 and TLS 1.2, plaintext and
 * protected), `receive()` followed by `receiveEof()` ends the connection with a TlsError (never
 * another exception type, never a silent success that reads as a clean end), and the connection
 * then refuses further use. Four kinds of input: raw bytes, a well-protected record of any content
 * type and content, a well-protected handshake message of any type and body, and the legitimate
 * next message with one byte changed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConnection } from '../../src/client/connection.ts';
import { TlsError } from '../../src/errors.ts';
import { ContentType, HandshakeType } from '../../src/wire/enums.ts';
import { encodeHandshake } from '../../src/wire/handshake.ts';
import { feed, type ServerWire } from './helpers/harness.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

/** A connection parked in one state, the wire to reach it, and the legitimate next message. */
interface Staged {
  readonly conn: ClientConnection;
  readonly wire: ServerWire;
  readonly next: () => Uint8Array;
}

const STAGES_13 = ['ExpectServerHello', 'ExpectEncryptedExtensions', 'ExpectCertificateOrCertificateRequest', 'ExpectCertificateVerify', 'ExpectFinished', 'ExpectTraffic'] as const;
const STAGES_12 = ['ExpectServerHello', 'ExpectCertificate12', 'ExpectServerKeyExchange', 'ExpectServerHelloDone', 'ExpectChangeCipherSpec12', 'ExpectFinished12', 'ExpectTraffic12'] as const;

function stage13(k: number): Staged {
  const s = new Server13(pki);
  const ok = (): void => {
    expect(s.deliver()).toBeUndefined();
  };
  if (k > 0) {
    s.sendPlain(s.serverHello());
    s.useHandshakeKeys();
    ok();
  }
  const flight = [() => s.encryptedExtensions(), () => s.certificate(), () => s.certificateVerify(), () => s.finished()];
  for (let i = 0; i < k - 1; i++) {
    s.sendEncrypted([flight[i]!()]);
    ok();
  }
  if (k === 5) s.useApplicationKeys();
  expect(s.conn.stateName).toBe(STAGES_13[k]);
  const next = k === 0 ? () => s.serverHello() : k === 5 ? () => s.newSessionTicket() : flight[k - 1]!;
  return { conn: s.conn, wire: s.wire, next };
}

function stage12(k: number): Staged {
  const s = new Server12(pki);
  const steps = [() => s.serverHello(), () => s.certificate(), () => s.serverKeyExchange(), () => s.serverHelloDone()];
  for (let i = 0; i < Math.min(k, 4); i++) {
    s.sendPlain(steps[i]!());
    expect(s.deliver()).toBeUndefined();
  }
  if (k >= 5) {
    s.sendCcs();
    expect(s.deliver()).toBeUndefined();
  }
  if (k >= 6) {
    s.wire.handshake([s.finished()]);
    expect(s.deliver()).toBeUndefined();
  }
  expect(s.conn.stateName).toBe(STAGES_12[k]);
  const next = k < 4 ? steps[k]! : k === 4 || k === 6 ? () => encodeHandshake({ type: HandshakeType.HelloRequest }) : () => s.finished();
  return { conn: s.conn, wire: s.wire, next };
}

/** Feed, then EOF: the connection must end in a TlsError (or, only for a genuine close_notify, a clean close). */
function expectTlsErrorEnd(conn: ClientConnection, bytes: Uint8Array): void {
  let err = feed(conn, bytes);
  if (err === undefined) {
    try {
      conn.receiveEof();
    } catch (e) {
      err = e;
    }
  }
  if (err === undefined) {
    expect(conn.isClosed, 'no error is only acceptable after a close_notify').toBe(true);
    return;
  }
  if (!(err instanceof TlsError)) throw new Error(`non-TlsError escaped receive(): ${String((err as Error)?.stack ?? err)}`);
  expect(conn.error).toBe(err);
  expect(conn.stateName).toBe('Failed');
  conn.takeOutgoing();
  expect(() => conn.receive(new Uint8Array([22, 3, 3, 0, 1, 0]))).toThrow(err);
  expect(() => conn.write(new Uint8Array([1]))).toThrow(err);
  expect(conn.takeOutgoing()).toBeUndefined();
}

const contentTypes = fc.oneof(fc.constantFrom(ContentType.ChangeCipherSpec, ContentType.Alert, ContentType.Handshake, ContentType.ApplicationData), fc.integer({ min: 0, max: 255 }));
const handshakeTypes = fc.oneof(fc.constantFrom(...Object.values(HandshakeType)), fc.integer({ min: 0, max: 255 }));
/** Runs per (stage, kind); raise with PURETLS_FUZZ_RUNS for a longer soak. */
const RUNS = Number(process.env['PURETLS_FUZZ_RUNS'] ?? 15);

type Kind = 'raw bytes' | 'record of any type' | 'handshake message of any type' | 'next message with one byte changed';
const KINDS: readonly Kind[] = ['raw bytes', 'record of any type', 'handshake message of any type', 'next message with one byte changed'];

function property(kind: Kind, setup: () => Staged): fc.IPropertyWithHooks<unknown[]> {
  switch (kind) {
    case 'raw bytes':
      return fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => expectTlsErrorEnd(setup().conn, bytes));
    case 'record of any type':
      return fc.property(contentTypes, fc.uint8Array({ maxLength: 300 }), (type, content) => {
        const st = setup();
        st.wire.record(type, content);
        expectTlsErrorEnd(st.conn, st.wire.take());
      });
    case 'handshake message of any type':
      return fc.property(handshakeTypes, fc.uint8Array({ maxLength: 300 }), (type, body) => {
        const st = setup();
        st.wire.handshake([Uint8Array.of(type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff, ...body)]);
        expectTlsErrorEnd(st.conn, st.wire.take());
      });
    case 'next message with one byte changed':
      return fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const st = setup();
        const msg = st.next().slice();
        msg[at % msg.length]! ^= xor;
        st.wire.handshake([msg]);
        expectTlsErrorEnd(st.conn, st.wire.take());
      });
  }
}

describe('arbitrary input at every TLS 1.3 stage ends in a TlsError', () => {
  STAGES_13.forEach((name, k) => {
    for (const kind of KINDS) it(`${name}: ${kind}`, () => fc.assert(property(kind, () => stage13(k)), { numRuns: RUNS }));
  });
});

describe('arbitrary input at every TLS 1.2 stage ends in a TlsError', () => {
  STAGES_12.forEach((name, k) => {
    for (const kind of KINDS) it(`${name}: ${kind}`, () => fc.assert(property(kind, () => stage12(k)), { numRuns: RUNS }));
  });
});
