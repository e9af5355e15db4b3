/**
 * Time-bounded fuzzing of the whole engine (issue 10): a scripted server's complete flights
 * (TLS 1.3: ServerHello, CCS, encrypted flight, then tickets, KeyUpdates and data; TLS 1.2: both
 * server flights, the plaintext one optionally re-cut into tiny records) are mutated (bit flips, byte overwrites, truncation, inserted junk, a span
 * repeated many times) and fed to a fresh ClientConnection in random chunks, then EOF. Two
 * properties: nothing but a TlsError ever escapes, and no input costs more CPU than a fixed
 * allowance for the handshake's public-key operations plus a few ms per KiB received (the same
 * flights unmutated cost well under that). Budget per suite: PURETLS_FUZZ_MS (default 4000 ms).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConnection } from '../../src/client/connection.ts';
import { TlsError } from '../../src/errors.ts';
import { ContentType, KeyUpdateRequest } from '../../src/wire/enums.ts';
import { makeTestPki, type TestPki } from '../client/helpers/pki.ts';
import { Server12 } from '../client/helpers/server12.ts';
import { Server13 } from '../client/helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const BUDGET_MS = Number(process.env['PURETLS_FUZZ_MS'] ?? 4000);
/** Fixed CPU allowance per connection for key generation, ECDHE and signature checks (ms). */
const FIXED_MS = 60;
/** CPU allowed per KiB received, on top (ms). */
const PER_KIB_MS = 4;

type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'repeat'; readonly at: number; readonly length: number; readonly times: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x16, 0x17, 0x15, 0x14) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 300 }), times: fc.integer({ min: 2, max: 2000 }) }) },
);

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = input;
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case 'flip':
        b = b.slice();
        b[at]! ^= 1 << m.bit;
        break;
      case 'set':
        b = b.slice();
        b[at] = m.value;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
        break;
      case 'repeat': {
        const span = b.subarray(at, Math.min(b.length, at + m.length));
        const out = new Uint8Array(b.length + span.length * (m.times - 1));
        out.set(b.subarray(0, at));
        for (let i = 0; i < m.times; i++) out.set(span, at + i * span.length);
        out.set(b.subarray(at + span.length), at + span.length * m.times);
        b = out;
        break;
      }
    }
  }
  return b;
}

/** Re-cut a stream of plaintext handshake records into records of `size` bytes (RFC 8446 §5.1 allows any split). */
function refragment(stream: Uint8Array, size: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let off = 0; off + 5 <= stream.length; ) {
    const length = (stream[off + 3]! << 8) | stream[off + 4]!;
    parts.push(stream.subarray(off + 5, off + 5 + length));
    off += 5 + length;
  }
  const body = Uint8Array.from(parts.flatMap((p) => [...p]));
  const out: number[] = [];
  for (let off = 0; off < body.length; off += size) {
    const piece = body.subarray(off, off + size);
    out.push(ContentType.Handshake, 3, 3, piece.length >> 8, piece.length & 0xff, ...piece);
  }
  return Uint8Array.from(out);
}

/** Feed `bytes` in chunks of the given sizes (cycled), then EOF; returns the CPU ms and what escaped. */
function feedAll(conn: ClientConnection, bytes: Uint8Array, chunks: readonly number[]): { ms: number; escaped: unknown } {
  const before = process.cpuUsage();
  let escaped: unknown;
  try {
    let k = 0;
    for (let off = 0; off < bytes.length; k++) {
      const n = chunks[k % chunks.length]!;
      conn.receive(bytes.subarray(off, off + n));
      conn.takeOutgoing();
      conn.takeEvents();
      while (conn.readPlaintext() !== undefined);
      off += n;
    }
    conn.receiveEof();
  } catch (e) {
    escaped = e;
  }
  const d = process.cpuUsage(before);
  return { ms: (d.user + d.system) / 1000, escaped };
}

/**
 * Run one input (a fresh connection each attempt, as `attempt` builds it); only TlsError may
 * escape. CPU time is noisy (JIT, GC threads are counted too), so an input over the bound is run
 * again, up to three times, and fails only if every run is over it: a real superlinear cost is
 * deterministic and fails all three.
 */
function check(attempt: () => { conn: ClientConnection; bytes: Uint8Array }, chunks: readonly number[], stats: Stats): void {
  let best = Infinity;
  let size = 0;
  for (let i = 0; i < 3; i++) {
    const { conn, bytes } = attempt();
    const { ms, escaped } = feedAll(conn, bytes, chunks);
    if (escaped !== undefined && !(escaped instanceof TlsError)) throw new Error(`a non-TlsError escaped: ${String((escaped as Error)?.stack ?? escaped)}`);
    size = bytes.length;
    best = Math.min(best, ms);
    if (i === 0) {
      stats.runs++;
      stats.bytes += bytes.length;
      stats.ms += ms;
    }
    if (best < FIXED_MS + PER_KIB_MS * (size / 1024)) break;
  }
  if (best > stats.worstMs) {
    stats.worstMs = best;
    stats.worstBytes = size;
  }
  expect(best, `CPU ms for ${size} bytes (best of the attempts)`).toBeLessThan(FIXED_MS + PER_KIB_MS * (size / 1024));
}

/** Run the clean flight a few times so that JIT compilation is not charged to the first fuzz input. */
function warmUp(run: () => void): void {
  for (let i = 0; i < 5; i++) run();
}

interface Stats {
  runs: number;
  bytes: number;
  ms: number;
  /** The costliest input (best of its attempts) and its size. */
  worstMs: number;
  worstBytes: number;
}

const chunking = fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 4 });
const options = { numRuns: 1_000_000, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false } as const;

/** TLS 1.3: the whole server side as one byte stream. */
function flight13(): { server: Server13; bytes: Uint8Array } {
  const s = new Server13(pki);
  s.sendPlain(s.serverHello());
  s.wire.ccs();
  s.useHandshakeKeys();
  s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()]);
  s.useApplicationKeys();
  s.sendEncrypted([s.newSessionTicket(), s.newSessionTicket()]);
  s.sendKeyUpdate(KeyUpdateRequest.UpdateRequested);
  s.sendData(new Uint8Array(300).fill(7));
  s.wire.record(ContentType.Alert, Uint8Array.of(1, 0));
  return { server: s, bytes: s.wire.take() };
}

describe('the whole engine fed mutated server flights (time-bounded)', () => {
  it('TLS 1.3: only TlsError escapes; CPU stays within a fixed allowance plus a few ms per KiB', () => {
    const stats: Stats = { runs: 0, bytes: 0, ms: 0, worstMs: 0, worstBytes: 0 };
    // The unmutated flight completes cleanly (the fuzz starts from a valid conversation).
    warmUp(() => {
      const base = flight13();
      const clean = feedAll(base.server.conn, base.bytes, [base.bytes.length]);
      expect(clean.escaped).toBeUndefined();
      expect(base.server.conn.isClosed).toBe(true);
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), chunking, (mutations, chunks) => {
        check(() => {
          const { server, bytes } = flight13();
          return { conn: server.conn, bytes: mutate(bytes, mutations) };
        }, chunks, stats);
      }),
      options,
    );
    console.log(`TLS 1.3 engine fuzz: ${stats.runs} inputs, ${(stats.bytes / 1024).toFixed(0)} KiB, ${stats.ms.toFixed(0)} ms CPU; costliest input ${stats.worstMs.toFixed(1)} ms for ${stats.worstBytes} bytes`);
    expect(stats.runs).toBeGreaterThan(10);
  });

  it('TLS 1.2: both server flights, one of them mutated; same properties', () => {
    const stats: Stats = { runs: 0, bytes: 0, ms: 0, worstMs: 0, worstBytes: 0 };
    warmUp(() => {
      const s = new Server12(pki);
      s.handshake();
    });
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 16 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), chunking, (second, split, mutations, chunks) => {
        check(() => {
          const s = new Server12(pki);
          s.sendPlain(s.serverHello(), s.certificate(), s.serverKeyExchange(), s.serverHelloDone());
          const first = s.wire.take();
          // The plaintext first flight, optionally re-cut into records of 1..16 bytes, then mutated.
          if (!second) return { conn: s.conn, bytes: mutate(split === 0 ? first : refragment(first, split), mutations) };
          s.wire.raw(first);
          expect(s.deliver()).toBeUndefined();
          s.sendCcsAndFinished();
          s.wire.handshake([new Uint8Array([0, 0, 0, 0])]); // a HelloRequest
          s.sendData(new Uint8Array(200).fill(3));
          s.wire.record(ContentType.Alert, Uint8Array.of(1, 0));
          return { conn: s.conn, bytes: mutate(s.wire.take(), mutations) };
        }, chunks, stats);
      }),
      options,
    );
    console.log(`TLS 1.2 engine fuzz: ${stats.runs} inputs, ${(stats.bytes / 1024).toFixed(0)} KiB, ${stats.ms.toFixed(0)} ms CPU; costliest input ${stats.worstMs.toFixed(1)} ms for ${stats.worstBytes} bytes`);
    expect(stats.runs).toBeGreaterThan(10);
  });
});
