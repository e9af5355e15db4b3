/**
 * Replays a recorded flow (@puretls/test-support/replay-format, docs/testing.md) against the
 * sans-IO engine, with no socket and no server: the client is rebuilt from the recorded seed,
 * clock and options, the server's chunks are fed in the recorded order between the recorded
 * actions, and after every input the bytes the client queued must equal the recorded client
 * chunk exactly (or be nothing when none was recorded).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientConnection, createClientConfig, TrustStore, utf8, type ResumptionData } from '../../src/index.ts';
import { OutcomeCollector, fromHexLines, seededRandomBytes, type Outcome, type ReplayFixture, type Step } from '@puretls/test-support/replay-format';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The client's bytes differ from the recording (or an input did not throw as recorded). */
export class ReplayMismatch extends Error {
  readonly connection: number;
  readonly step: number;
  /** First differing byte offset within the chunk, when bytes differ. */
  readonly offset: number | undefined;
  constructor(connection: number, step: number, offset: number | undefined, message: string) {
    super(`connection ${connection}, step ${step}: ${message}`);
    this.name = 'ReplayMismatch';
    this.connection = connection;
    this.step = step;
    this.offset = offset;
  }
}

export interface ReplayResult {
  readonly outcomes: readonly Outcome[];
  /** Client chunks compared, and their bytes. */
  readonly clientChunks: number;
  readonly clientBytes: number;
  readonly serverBytes: number;
}

export function loadFixture(name: string): ReplayFixture {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as ReplayFixture;
}

/**
 * Replays every connection of `fixture`.
 * @throws ReplayMismatch when a client byte differs; the engine's own error when an input throws where the recording did not
 */
export function replay(fixture: ReplayFixture): ReplayResult {
  const trustStore = TrustStore.fromPem(readFileSync(join(FIXTURES, fixture.client.trustAnchors), 'utf8'));
  const setup = fixture.client;
  const config = createClientConfig({ ...setup.options, trustStore, now: () => setup.nowMs, randomBytes: seededRandomBytes(setup.seed) });
  const sessions: (readonly ResumptionData[])[] = [];
  const outcomes: Outcome[] = [];
  let clientChunks = 0;
  let clientBytes = 0;
  let serverBytes = 0;
  for (const [c, recorded] of fixture.connections.entries()) {
    let session: ResumptionData | undefined;
    if (recorded.resume !== undefined) {
      session = sessions[recorded.resume.fromConnection]?.[recorded.resume.sessionIndex];
      if (session === undefined) throw new ReplayMismatch(c, 0, undefined, `no session ${recorded.resume.sessionIndex} from connection ${recorded.resume.fromConnection} to resume`);
    }
    const conn = new ClientConnection(config, session === undefined ? { host: setup.host } : { host: setup.host, session });
    const collector = new OutcomeCollector<ResumptionData>();
    const steps = recorded.steps;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if ('dir' in step && step.dir === 'client') throw new ReplayMismatch(c, i, undefined, 'fixture: a client chunk that follows no input');
      if ('dir' in step) serverBytes += fromHexLines(step.hex).length;
      runInput(conn, step, collector, c, i);
      const out = conn.takeOutgoing() ?? new Uint8Array(0);
      const next = steps[i + 1];
      const expected = next !== undefined && 'dir' in next && next.dir === 'client' ? fromHexLines(next.hex) : new Uint8Array(0);
      compareChunk(expected, out, c, i + 1);
      if (expected.length > 0) {
        clientChunks++;
        clientBytes += expected.length;
        i++;
      }
      collector.absorb(conn);
    }
    sessions.push(collector.sessions);
    outcomes.push(collector.outcome(conn));
  }
  return { outcomes, clientChunks, clientBytes, serverBytes };
}

/** Performs one recorded input; an error is expected exactly when the recording has `throws`. */
function runInput(conn: ClientConnection, step: Step, collector: OutcomeCollector<ResumptionData>, c: number, i: number): void {
  const wanted = 'throws' in step ? step.throws : undefined;
  try {
    if ('dir' in step) conn.receive(fromHexLines(step.hex));
    else if (step.op === 'start') conn.start();
    else if (step.op === 'write') conn.write(utf8(step.text));
    else if (step.op === 'keyUpdate') conn.requestKeyUpdate(step.requestPeer);
    else if (step.op === 'close') conn.close();
    else conn.receiveEof();
  } catch (error) {
    const name = (error as Error).constructor.name;
    if (wanted !== name) throw error;
    collector.error ??= name;
    return;
  }
  if (wanted !== undefined) throw new ReplayMismatch(c, i, undefined, `the recording threw ${wanted} here, the replay did not`);
}

function compareChunk(expected: Uint8Array, actual: Uint8Array, c: number, i: number): void {
  const n = Math.min(expected.length, actual.length);
  let offset = 0;
  while (offset < n && expected[offset] === actual[offset]) offset++;
  if (offset === n && expected.length === actual.length) return;
  const what =
    offset < n
      ? `client byte ${offset} is 0x${hex(actual[offset]!)}, recorded 0x${hex(expected[offset]!)}`
      : `the client queued ${actual.length} bytes, recorded ${expected.length} (equal for the first ${n})`;
  throw new ReplayMismatch(c, i, offset, what);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
