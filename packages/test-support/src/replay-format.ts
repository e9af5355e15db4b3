/**
 * The recorded-replay fixture format (docs/testing.md), shared by the recorder
 * (conformance/src/replay/record.ts, `pnpm replays:record`) and the replay tests in
 * packages/tls-core/test/replay/: one JSON file per flow, holding the client's configuration
 * (seed, clock, options), every chunk that crossed the socket in either direction in the order
 * it crossed, the caller's actions between them (write, KeyUpdate, close, end of stream), the
 * outcome, and where the server's bytes came from.
 *
 * The engine is deterministic given its inputs: every random byte comes from the config's
 * `randomBytes` (here {@link seededRandomBytes}) and the time from `now` (a fixed instant), so a
 * replay must reproduce every client byte exactly, as Go's crypto/tls testdata recordings do.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/** Where the fixture files live, relative to the repository root. */
export const FIXTURE_DIR = 'packages/tls-core/test/replay/fixtures';
/** The committed test PKI the servers were started with (trust anchor: ca-root.pem). */
export const PKI_DIR = `${FIXTURE_DIR}/pki`;
/** The one instant every recording and replay runs at: 2027-01-01T00:00:00Z (inside the fixture certificates' validity). */
export const FIXED_NOW_MS = Date.UTC(2027, 0, 1);

/** Format version: bump when a field changes meaning. */
export const REPLAY_FORMAT = 1;

/** One recorded flow: one or more connections made with one configuration and one random stream. */
export interface ReplayFixture {
  readonly format: typeof REPLAY_FORMAT;
  readonly id: string;
  readonly description: string;
  readonly provenance: Provenance;
  readonly client: ClientSetup;
  readonly connections: readonly RecordedConnection[];
}

export interface Provenance {
  /** e.g. `openssl s_server`. */
  readonly server: string;
  /** The server's own version line (`openssl version`, `gnutls-serv --version`, `botan version`). */
  readonly serverVersion: string;
  /** The server's command line (PORT stands for the port that was used). */
  readonly command: string;
  /** Extra server configuration (a Botan policy file), verbatim. */
  readonly serverConfig?: string;
  /** ISO 8601 time of the recording (wall clock; the client ran on {@link FIXED_NOW_MS}). */
  readonly recordedAt: string;
  readonly recorder: string;
  /** Server output lines that show what the server itself saw (independent of our client). */
  readonly serverSaw: readonly string[];
}

/** Everything needed to rebuild the client: all of it goes into createClientConfig / ClientConnection. */
export interface ClientSetup {
  /** {@link seededRandomBytes} seed: one stream for the whole flow, shared by its connections. */
  readonly seed: string;
  /** The config's `now`, constant. */
  readonly nowMs: number;
  /** `host` of every ClientConnection (SNI and the certificate identity check). */
  readonly host: string;
  /** Trust anchors, relative to {@link FIXTURE_DIR}. */
  readonly trustAnchors: string;
  /**
   * The JSON-representable ClientConfigOptions, pinned in full (suites, groups, schemes) so that
   * a change of a default list does not change the ClientHello of an old recording.
   */
  readonly options: ReplayClientOptions;
}

export interface ReplayClientOptions {
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly cipherSuites: readonly number[];
  readonly groups: readonly number[];
  readonly keyShareGroups: readonly number[];
  readonly signatureSchemes: readonly number[];
  readonly alpnProtocols: readonly string[];
  readonly sessionTickets: boolean;
  readonly pskModes: readonly ('psk_ke' | 'psk_dhe_ke')[];
}

export interface RecordedConnection {
  /** Offer a session received on an earlier connection of this flow: `sessions[sessionIndex]` of `fromConnection`. */
  readonly resume?: { readonly fromConnection: number; readonly sessionIndex: number };
  readonly steps: readonly Step[];
  readonly outcome: Outcome;
}

/**
 * One step. Inputs: the caller's actions (`start`, `write`, `keyUpdate`, `close`, `eof`) and the
 * bytes the server sent (`server`). After every input, whatever the client queued
 * (`takeOutgoing()`) is recorded as the `client` step right after it; no `client` step means the
 * client queued nothing. `throws` names the error an input raised.
 */
export type Step =
  | { readonly op: 'start' | 'close' | 'eof'; readonly throws?: string }
  | { readonly op: 'write'; readonly text: string; readonly throws?: string }
  | { readonly op: 'keyUpdate'; readonly requestPeer: boolean; readonly throws?: string }
  | { readonly dir: 'server'; readonly hex: readonly string[]; readonly records: string; readonly throws?: string }
  | { readonly dir: 'client'; readonly hex: readonly string[]; readonly records: string };

/** What the connection ended with; the replay must end the same way. */
export interface Outcome {
  readonly version: string | null;
  readonly suite: number | null;
  readonly group: number | null;
  readonly signatureScheme: number | null;
  readonly alpn: string | null;
  readonly sessionReused: boolean;
  readonly helloRetryRequest: boolean;
  readonly extendedMasterSecret: boolean;
  /** Application data received, decoded as UTF-8. */
  readonly received: string;
  /** Number of `session` events (TLS 1.3 tickets, TLS 1.2 sessions). */
  readonly sessions: number;
  readonly keyUpdates: readonly string[];
  /** Alerts as `sent|received level description`. */
  readonly alerts: readonly string[];
  readonly peerClosed: boolean;
  /** The error the connection ended with (constructor name), or null. */
  readonly error: string | null;
}

/**
 * The parts of tls-core's ClientEvent an {@link OutcomeCollector} reads, by shape (test-support
 * does not import tls-core, so tls-core's tests can depend on it without a cycle).
 */
export interface ObservedEvent {
  readonly type: string;
  readonly session?: unknown;
  readonly direction?: unknown;
  readonly updateRequested?: boolean;
  readonly sent?: boolean;
  readonly level?: unknown;
  readonly description?: unknown;
}

/** The parts of tls-core's NegotiatedParameters an {@link Outcome} records. */
export interface ObservedParameters {
  readonly versionName: string;
  readonly suite: number;
  readonly group: number | undefined;
  readonly signatureScheme: number | undefined;
  readonly alpn: string | undefined;
  readonly sessionReused: boolean;
  readonly helloRetryRequest: boolean;
  readonly extendedMasterSecret: boolean;
}

/** The parts of a ClientConnection an {@link OutcomeCollector} reads. */
export interface OutcomeSource {
  readPlaintext(): Uint8Array | undefined;
  takeEvents(): readonly ObservedEvent[];
  readonly negotiated: ObservedParameters | undefined;
  readonly isClosed: boolean;
}

/**
 * Collects what a connection produced (data, sessions, KeyUpdates, alerts) after each input, the
 * same way for the recorder and the replay, and turns it into an {@link Outcome}. `Session` is
 * tls-core's ResumptionData (the `session` of a `session` event).
 */
export class OutcomeCollector<Session = unknown> {
  readonly sessions: Session[] = [];
  received = '';
  error: string | null = null;
  readonly #keyUpdates: string[] = [];
  readonly #alerts: string[] = [];
  readonly #decoder = new TextDecoder();

  /** Drains the connection's plaintext and events. */
  absorb(conn: OutcomeSource): void {
    for (let chunk = conn.readPlaintext(); chunk !== undefined; chunk = conn.readPlaintext()) {
      this.received += this.#decoder.decode(chunk, { stream: true });
    }
    for (const event of conn.takeEvents()) {
      if (event.type === 'session') this.sessions.push(event.session as Session);
      else if (event.type === 'keyUpdate') this.#keyUpdates.push(`${String(event.direction)}${event.updateRequested === true ? ' update_requested' : ''}`);
      else if (event.type === 'alert') this.#alerts.push(`${event.sent === true ? 'sent' : 'received'} ${String(event.level)} ${String(event.description)}`);
    }
  }

  outcome(conn: OutcomeSource): Outcome {
    const n = conn.negotiated;
    return {
      version: n?.versionName ?? null,
      suite: n?.suite ?? null,
      group: n?.group ?? null,
      signatureScheme: n?.signatureScheme ?? null,
      alpn: n?.alpn ?? null,
      sessionReused: n?.sessionReused ?? false,
      helloRetryRequest: n?.helloRetryRequest ?? false,
      extendedMasterSecret: n?.extendedMasterSecret ?? false,
      received: this.received,
      sessions: this.sessions.length,
      keyUpdates: [...this.#keyUpdates],
      alerts: [...this.#alerts],
      peerClosed: conn.isClosed,
      error: this.error,
    };
  }
}

/** Bytes per hex line in fixture files. */
const HEX_LINE_BYTES = 32;

/** Hex in lines of 32 bytes (readable, diff-friendly). */
export function toHexLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += HEX_LINE_BYTES) lines.push(Buffer.from(bytes.subarray(i, i + HEX_LINE_BYTES)).toString('hex'));
  return lines;
}

/** The bytes of a hex-line list. */
export function fromHexLines(lines: readonly string[]): Uint8Array {
  return new Uint8Array(Buffer.from(lines.join(''), 'hex'));
}

/**
 * A deterministic byte stream for tests: block i is SHA-256(`${seed}/${i}`), consumed in order
 * (not a CSPRNG design; it only has to be reproducible and give valid private keys).
 */
export function seededRandomBytes(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (n) => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (pool.length === 0) pool = new Uint8Array(createHash('sha256').update(`${seed}/${counter++}`).digest());
      const take = Math.min(pool.length, n - filled);
      out.set(pool.subarray(0, take), filled);
      pool = pool.subarray(take);
      filled += take;
    }
    return out;
  };
}

const CONTENT_TYPES: Readonly<Record<number, string>> = { 20: 'change_cipher_spec', 21: 'alert', 22: 'handshake', 23: 'application_data' };

/**
 * A one-line summary of the TLS records in a chunk, from their 5-byte headers (`handshake 517,
 * application_data 27`); a record cut by the chunk boundary is marked `(partial)`, and a chunk
 * that starts inside a record is summarized as `continuation`. For readers of the fixture only.
 */
export function describeRecords(chunk: Uint8Array, carried: number): { summary: string; carry: number } {
  const parts: string[] = [];
  let offset = Math.min(carried, chunk.length);
  if (carried > 0) parts.push(`continuation ${offset}`);
  let carry = carried - offset;
  while (offset < chunk.length) {
    if (chunk.length - offset < 5) {
      parts.push('header (partial)');
      // Header bytes straddling chunks: the next chunk is summarized as a continuation of unknown length.
      carry = 0;
      break;
    }
    const type = chunk[offset]!;
    const length = (chunk[offset + 3]! << 8) | chunk[offset + 4]!;
    const available = chunk.length - offset - 5;
    const name = CONTENT_TYPES[type] ?? `type_${type}`;
    if (available < length) {
      parts.push(`${name} ${length} (partial)`);
      carry = length - available;
      break;
    }
    parts.push(`${name} ${length}`);
    offset += 5 + length;
  }
  return { summary: parts.join(', '), carry };
}
