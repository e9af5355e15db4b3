/**
 * Recorded replays (docs/testing.md): complete flows recorded once against openssl s_server,
 * gnutls-serv and Botan (`pnpm replays:record`) are replayed here byte for byte without a server.
 * Every byte the client writes must equal the recording, the handshake and the connection must
 * end as recorded, and one changed byte in a recording must fail its replay: a changed server
 * byte inside a protected record is refused with bad_record_mac, a changed client byte is
 * reported at its offset.
 */
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlertDescription, TlsError, alertFor } from '../../src/index.ts';
import { fromHexLines, toHexLines, type ReplayFixture, type Step } from '@puretls/test-support/replay-format';
import { FIXTURES, ReplayMismatch, loadFixture, replay } from './replay.ts';

/** The flows conformance/src/replay/flows.ts records; each must have its fixture. */
const FLOW_IDS = [
  'tls13-x25519-openssl',
  'tls13-p256-openssl',
  'tls13-hrr-openssl',
  'tls13-resumption-openssl',
  'tls13-keyupdate-openssl',
  'tls13-chacha-gnutls',
  'tls12-ecdsa-openssl',
  'tls12-rsa-sessionid-openssl',
  'tls12-ticket-openssl',
  'tls12-rsa-gnutls',
  'tls12-botan',
];

const files = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .sort();

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('recorded replays', () => {
  it('has one fixture per recorded flow', () => {
    expect(files).toEqual([...FLOW_IDS].sort().map((id) => `${id}.json`));
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    const fixture = loadFixture(file);
    describe(fixture.id, () => {
      it(`replays byte for byte and ends as recorded: ${fixture.description}`, () => {
        // Every random byte must come from the recorded seed: Web Crypto is out of reach during the replay.
        vi.stubGlobal('crypto', undefined);
        const result = replay(fixture);
        const clientSteps = fixture.connections.flatMap((c) => c.steps.filter((s): s is Extract<Step, { dir: 'client' }> => 'dir' in s && s.dir === 'client'));
        expect(result.clientChunks).toBe(clientSteps.length);
        expect(result.clientBytes).toBe(clientSteps.reduce((n, s) => n + fromHexLines(s.hex).length, 0));
        expect(result.outcomes).toEqual(fixture.connections.map((c) => c.outcome));
      });

      it('names the server it was recorded against', () => {
        const p = fixture.provenance;
        expect(p.serverVersion).toMatch(/OpenSSL 3|gnutls-serv 3|Botan 2/);
        expect(p.command).toContain(p.server.split(' ')[0]);
        expect(p.serverSaw.length).toBeGreaterThan(0);
        expect(Number.isNaN(Date.parse(p.recordedAt))).toBe(false);
      });

      it('fails with bad_record_mac when one byte of a protected server record is changed', () => {
        const mutated = structuredClone(fixture) as ReplayFixture;
        const target = firstProtectedRecordEnd(mutated);
        flipByte(mutated.connections[target.connection]!.steps[target.step]!, target.offset);
        let error: unknown;
        try {
          replay(mutated);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TlsError);
        expect(alertFor(error)).toBe(AlertDescription.BadRecordMac);
      });

      it('reports the first differing offset when one byte of an expected client chunk is changed', () => {
        const steps = fixture.connections[0]!.steps;
        const first = steps.findIndex((s) => 'dir' in s && s.dir === 'client');
        // Offset 11 of the first chunk is the ClientHello's random (record header 5, handshake header 4, version 2).
        for (const [stepIndex, offset] of [
          [first, 11],
          [lastClientStep(steps), 0],
        ] as const) {
          const mutated = structuredClone(fixture) as ReplayFixture;
          flipByte(mutated.connections[0]!.steps[stepIndex]!, offset);
          let error: unknown;
          try {
            replay(mutated);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ReplayMismatch);
          expect((error as ReplayMismatch).step).toBe(stepIndex);
          expect((error as ReplayMismatch).offset).toBe(offset);
        }
      });
    });
  }
});

function lastClientStep(steps: readonly Step[]): number {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if ('dir' in s && s.dir === 'client') return i;
  }
  throw new Error('no client step');
}

/** XORs one byte of a chunk step with 0x01. */
function flipByte(step: Step, offset: number): void {
  if (!('dir' in step)) throw new Error('not a chunk');
  const bytes = fromHexLines(step.hex);
  bytes[offset]! ^= 0x01;
  (step as { hex: readonly string[] }).hex = toHexLines(bytes);
}

/**
 * The last byte (in the AEAD tag) of the first application_data record the server sent on the
 * first connection, located in the chunk that holds it: the server's stream is parsed by record
 * headers across chunk boundaries.
 */
function firstProtectedRecordEnd(fixture: ReplayFixture): { connection: number; step: number; offset: number } {
  const steps = fixture.connections[0]!.steps;
  const chunks: { step: number; start: number; length: number }[] = [];
  let total = 0;
  const parts: Uint8Array[] = [];
  for (const [i, s] of steps.entries()) {
    if ('dir' in s && s.dir === 'server') {
      const bytes = fromHexLines(s.hex);
      chunks.push({ step: i, start: total, length: bytes.length });
      parts.push(bytes);
      total += bytes.length;
    }
  }
  const stream = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    stream.set(p, at);
    at += p.length;
  }
  for (let off = 0; off + 5 <= stream.length; ) {
    const length = (stream[off + 3]! << 8) | stream[off + 4]!;
    const end = off + 5 + length;
    if (stream[off] === 23) {
      const last = end - 1;
      const chunk = chunks.find((ch) => last >= ch.start && last < ch.start + ch.length)!;
      return { connection: 0, step: chunk.step, offset: last - chunk.start };
    }
    off = end;
  }
  throw new Error(`${fixture.id}: no application_data record from the server`);
}
