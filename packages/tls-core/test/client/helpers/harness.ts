/**
 * Test harness for driving `ClientConnection` in memory against a scripted server: the server's
 * record writer (plaintext, TLS 1.3 and TLS 1.2 protection, with knobs the real record layer
 * refuses: oversize records, any inner/outer content type, padding), a reader that decrypts what
 * the client wrote (to see the alert it queued), and the assertions every failure case shares.
 *
 * The record sealing/opening (TLS 1.3 and TLS 1.2) is @puretls/test-support/records, on
 * node:crypto, shared with transport-node's hostile server: it is not the client's record layer,
 * so the server can produce records the production protectors would never produce, and a fault in
 * them is not mirrored on the server side.
 */
import { expect } from 'vitest';
import { aeadName, protectTls12Records, protectTls13Records, recordHeader, splitHandshakeMessages, type RecordProtection } from '@puretls/test-support/records';
import { concatBytes } from '../../../src/codec/bytes.ts';
import type { Tls12Suite } from '../../../src/crypto/suites.ts';
import { TlsError } from '../../../src/errors.ts';
import { RecordDeframer, type TlsRecord } from '../../../src/record/deframer.ts';
import type { TrafficKeys } from '../../../src/tls13/key-schedule.ts';
import { ContentType } from '../../../src/wire/enums.ts';
import type { ClientConnection } from '../../../src/client/connection.ts';

/** One record as the client sent it, after removing protection. */
export interface ClientRecord {
  readonly type: number;
  readonly content: Uint8Array;
  /** Whether the record was protected on the wire. */
  readonly encrypted: boolean;
}

/** Options for one server record. */
export interface RecordOptions {
  /** TLS 1.3: zero padding bytes after the inner content type. */
  readonly padding?: number;
  /** TLS 1.3: the outer (header) content type; default application_data. */
  readonly outerType?: number;
  /** Record header version; default 0x0303. */
  readonly version?: number;
}

/** TLS 1.3 record protection over one traffic key (@puretls/test-support/records, RFC 8446 §5.2–§5.3). */
export class Tls13Sealer {
  readonly #records: RecordProtection;

  constructor(keys: TrafficKeys) {
    this.#records = protectTls13Records(aeadName(keys.aead), keys.key, keys.iv);
  }

  /** The next record's sequence number (RFC 8446 §5.3). */
  get seq(): bigint {
    return this.#records.seq;
  }

  set seq(value: bigint) {
    this.#records.seq = value;
  }

  seal(innerType: number, content: Uint8Array, opts: RecordOptions = {}): Uint8Array {
    return new Uint8Array(this.#records.seal(innerType, content, opts));
  }

  /** Open a record sealed under this key; returns the inner type and content. */
  open(rec: TlsRecord): { type: number; content: Uint8Array } {
    const opened = this.#records.open(rec.header, rec.fragment);
    if (opened === undefined) throw new Error('harness: a client record did not authenticate');
    if (opened.type === 0) throw new Error('harness: client sent a record without a content type');
    return { type: opened.type, content: new Uint8Array(opened.content) };
  }
}

/** TLS 1.2 AEAD record protection (@puretls/test-support/records, RFC 5288 §3, RFC 7905 §2). */
function tls12Records(suite: Tls12Suite, key: Uint8Array, iv: Uint8Array): RecordProtection {
  return protectTls12Records(aeadName(suite.aead), key, iv);
}

type WriteEpoch = { kind: 'plain' } | { kind: 'tls13'; sealer: Tls13Sealer } | { kind: 'tls12'; records: RecordProtection };

/** The server's outgoing byte stream, one protection epoch at a time. */
export class ServerWire {
  #out: Uint8Array[] = [];
  #epoch: WriteEpoch = { kind: 'plain' };

  /** Switch to plaintext records. */
  plain(): void {
    this.#epoch = { kind: 'plain' };
  }

  /** Switch to TLS 1.3 protection with these keys (sequence number 0). */
  tls13(keys: TrafficKeys): void {
    this.#epoch = { kind: 'tls13', sealer: new Tls13Sealer(keys) };
  }

  /** Switch to TLS 1.2 AEAD protection (sequence number 0). */
  tls12(suite: Tls12Suite, key: Uint8Array, iv: Uint8Array): void {
    this.#epoch = { kind: 'tls12', records: tls12Records(suite, key, iv) };
  }

  get protected(): boolean {
    return this.#epoch.kind !== 'plain';
  }

  /** One record of `type` carrying `content`, under the current epoch. */
  record(type: number, content: Uint8Array, opts: RecordOptions = {}): this {
    const e = this.#epoch;
    if (e.kind === 'tls13') this.#out.push(e.sealer.seal(type, content, opts));
    else if (e.kind === 'tls12') this.#out.push(new Uint8Array(e.records.seal(type, content)));
    else this.#out.push(concatBytes(recordHeader(type, opts.version ?? 0x0303, content.length), content));
    return this;
  }

  /**
   * Handshake messages, concatenated and cut into records of at most `fragment` bytes
   * (default 2^14): several messages can share a record, and one message can span records.
   */
  handshake(messages: readonly Uint8Array[], fragment = 16384): this {
    const all = concatBytes(...messages);
    for (let off = 0; off < all.length; off += fragment) this.record(ContentType.Handshake, all.subarray(off, off + fragment));
    return this;
  }

  /** A plaintext ChangeCipherSpec record (any epoch: it is never protected in TLS 1.3). */
  ccs(body: Uint8Array = new Uint8Array([1])): this {
    this.#out.push(concatBytes(recordHeader(ContentType.ChangeCipherSpec, 0x0303, body.length), body));
    return this;
  }

  /** Bytes exactly as given. */
  raw(bytes: Uint8Array): this {
    this.#out.push(bytes);
    return this;
  }

  /** Everything queued since the last call. */
  take(): Uint8Array {
    const all = concatBytes(...this.#out);
    this.#out = [];
    return all;
  }

  /** Apply `edit` to the queued bytes (e.g. flip a bit in the last record). */
  editQueued(edit: (queued: Uint8Array[]) => Uint8Array[]): void {
    this.#out = edit(this.#out);
  }
}

/** Result of handing bytes to the client: the error it threw, if any. */
export function feed(conn: ClientConnection, bytes: Uint8Array): unknown {
  try {
    conn.receive(bytes);
    return undefined;
  } catch (e) {
    return e;
  }
}

/** What `expectFatal` checks. */
export interface FatalExpectation {
  /** The error class (TlsError subclass). */
  readonly error: abstract new (...args: never[]) => TlsError;
  /** The `reason` field, when the class has one. */
  readonly reason?: string;
  /** The alert description the client must send, or undefined for "no alert at all". */
  readonly alert: number | undefined;
  /** Whether the alert record must be protected (RFC 8446 §6: alerts follow the current write state). */
  readonly encrypted?: boolean;
}

/**
 * Assert that `thrown` is the expected TlsError, that the client queued exactly the expected
 * fatal alert as the last thing it wrote (`alerts` are the client's records since the failure,
 * decrypted by the caller), and that the connection is sticky-failed: every later call throws the
 * same error object and nothing more is written.
 */
export function expectFatal(conn: ClientConnection, thrown: unknown, after: readonly ClientRecord[], x: FatalExpectation): void {
  expect(thrown, 'the client must reject this input with a TlsError').toBeInstanceOf(x.error);
  if (x.reason !== undefined) expect((thrown as { reason?: string }).reason).toBe(x.reason);
  expect(conn.error).toBe(thrown);
  const alerts = after.filter((r) => r.type === ContentType.Alert);
  if (x.alert === undefined) {
    expect(alerts, 'no alert may be sent').toEqual([]);
  } else {
    expect(alerts.length, 'exactly one alert').toBe(1);
    expect([...alerts[0]!.content]).toEqual([2, x.alert]);
    if (x.encrypted !== undefined) expect(alerts[0]!.encrypted, 'alert protection').toBe(x.encrypted);
    expect(after[after.length - 1]!.type, 'the alert is the last record').toBe(ContentType.Alert);
  }
  expectSticky(conn, thrown);
}

/** Every later use throws the same error and writes nothing. */
export function expectSticky(conn: ClientConnection, thrown: unknown): void {
  expect(conn.stateName).toBe('Failed');
  expect(conn.isHandshaking).toBe(false);
  expect(() => conn.receive(new Uint8Array([23, 3, 3, 0, 1, 0]))).toThrow(thrown as Error);
  expect(() => conn.write(new Uint8Array([1]))).toThrow(thrown as Error);
  expect(() => conn.receiveEof()).toThrow(thrown as Error);
  conn.close();
  expect(conn.takeOutgoing(), 'nothing is written after the failure').toBeUndefined();
}

/**
 * The client's record stream as the server reads it. TLS 1.3: records with outer type
 * application_data are opened with the current client key; others are plaintext. TLS 1.2: records
 * after the client's ChangeCipherSpec are opened with the client write key.
 */
export class ClientReader {
  readonly #deframer = new RecordDeframer();
  #tls13: Tls13Sealer | undefined;
  #tls12: RecordProtection | undefined;
  #pending12: RecordProtection | undefined;

  /** TLS 1.3: the client's current write key (from sequence number `seq`: 0 after a key change). */
  setTls13Key(keys: TrafficKeys, seq = 0n): void {
    this.#tls13 = new Tls13Sealer(keys);
    this.#tls13.seq = seq;
  }

  /** TLS 1.2: the client's write key, used once its ChangeCipherSpec is read. */
  setTls12Key(suite: Tls12Suite, key: Uint8Array, iv: Uint8Array): void {
    this.#pending12 = tls12Records(suite, key, iv);
  }

  /**
   * Decode `bytes`. `onHandshake` sees each decrypted handshake record as it is read, so the
   * caller can switch keys (client Finished, KeyUpdate) before the next record.
   */
  read(bytes: Uint8Array | undefined, onHandshake?: (content: Uint8Array) => void): ClientRecord[] {
    if (bytes === undefined) return [];
    this.#deframer.push(bytes);
    const out: ClientRecord[] = [];
    for (let rec = this.#deframer.next(); rec !== undefined; rec = this.#deframer.next()) {
      let r: ClientRecord;
      if (rec.type === ContentType.ChangeCipherSpec) {
        r = { type: rec.type, content: rec.fragment.slice(), encrypted: false };
        if (this.#pending12 !== undefined) {
          this.#tls12 = this.#pending12;
          this.#pending12 = undefined;
        }
      } else if (this.#tls12 !== undefined) {
        const p = this.#tls12.open(rec.header, rec.fragment);
        if (p === undefined) throw new Error('harness: a client record did not authenticate');
        r = { type: p.type, content: new Uint8Array(p.content), encrypted: true };
      } else if (rec.type === ContentType.ApplicationData && this.#tls13 !== undefined) {
        const p = this.#tls13.open(rec);
        r = { type: p.type, content: p.content, encrypted: true };
      } else {
        r = { type: rec.type, content: rec.fragment.slice(), encrypted: false };
      }
      out.push(r);
      if (r.type === ContentType.Handshake) onHandshake?.(r.content);
    }
    return out;
  }
}


/**
 * What Server12 and Server13 share: the client under test, the server's outgoing records, the
 * reader of the client's records, and the deliver/pump loop. A subclass creates `conn`, handles
 * each client handshake message (`onClientHandshake`) and calls `pump()` once the client started.
 */
export abstract class ScriptedServer {
  abstract readonly conn: ClientConnection;
  readonly wire = new ServerWire();
  readonly reader = new ClientReader();
  /** Every record the client wrote, decrypted. */
  readonly fromClient: ClientRecord[] = [];
  /** The records read by the last `deliver()`. */
  lastRecords: ClientRecord[] = [];

  /** One whole handshake message the client sent (ClientHello included). */
  protected abstract onClientHandshake(raw: Uint8Array): void;

  /** Read everything the client wrote since the last call (switching client keys as it goes). */
  pump(): ClientRecord[] {
    const recs = this.reader.read(this.conn.takeOutgoing(), (content) => {
      for (const raw of splitHandshakeMessages(content)) this.onClientHandshake(raw);
    });
    this.fromClient.push(...recs);
    return recs;
  }

  /** Hand the queued server bytes to the client; returns what it threw (undefined if nothing). */
  deliver(): unknown {
    const err = feed(this.conn, this.wire.take());
    this.lastRecords = this.pump();
    return err;
  }

  /** `deliver()` and assert a fatal failure (see {@link expectFatal}). */
  deliverExpectingFatal(x: FatalExpectation): unknown {
    const err = this.deliver();
    expectFatal(this.conn, err, this.lastRecords, x);
    return err;
  }

  /** Plaintext the client received, concatenated. */
  readAll(): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let p = this.conn.readPlaintext(); p !== undefined; p = this.conn.readPlaintext()) parts.push(p);
    return Uint8Array.from(parts.flatMap((p) => [...p]));
  }

  /** Application data the client wrote, concatenated. */
  clientData(records: readonly ClientRecord[] = this.lastRecords): Uint8Array {
    return Uint8Array.from(records.filter((r) => r.type === ContentType.ApplicationData).flatMap((r) => [...r.content]));
  }
}

export { recordHeader, splitHandshakeMessages } from '@puretls/test-support/records';
