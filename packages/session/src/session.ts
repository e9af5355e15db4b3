/**
 * `Session`, the analogue of OpenSSL's `SSL_SESSION`: immutable client-side resumption state
 * (RFC 8446 §4.6.1 ticket + PSK; RFC 5246 §7.3 session ID / RFC 5077 ticket + master secret,
 * RFC 7627 EMS flag), reference counted like `SSL_SESSION_up_ref()` / `SSL_SESSION_free()`.
 * The secret is wiped when the count reaches zero; every later use is a
 * {@link SessionError} 'SessionFreed'. A session belongs to the Context that created (or
 * parsed) it.
 * @module
 */
import { tls12SuiteById, tls13SuiteById, type ResumptionData, type Tls12SessionData } from '@puretls/tls-core';
import { copyResumptionData, equalBytes } from '@puretls/tls-core/internal';
import { SessionError } from './errors.ts';
import { decodeSession, encodeSession, sessionFromPem, sessionToPem } from './format.ts';
import type { SessionOwner } from './owner.ts';

/** RFC 8446 §4.6.1: a ticket lifetime is at most seven days. Applied to TLS 1.2 sessions too. */
export const MAX_SESSION_LIFETIME_S = 604800;

export class Session {
  /** The Context this session belongs to. */
  readonly context: SessionOwner;
  /** The host name or address the connection was made to (cache key; may differ from the SNI). */
  readonly host: string;
  /** The TCP port (cache key; 0 when unknown). */
  readonly port: number;
  readonly #data: ResumptionData;
  #refs = 1;

  /** Internal: use the Context, a connection, or {@link Session.fromBytes}. The caller owns the one reference. */
  constructor(context: SessionOwner, data: ResumptionData, host: string, port: number) {
    this.context = context;
    this.host = host;
    this.port = port;
    this.#data = freezeCopy(data);
  }

  /**
   * Parse {@link Session.toBytes} output for a Context (the analogue of `d2i_SSL_SESSION`).
   * @returns a new Session with one reference, owned by the caller
   * @throws SessionError BadMagic / UnsupportedFormatVersion / Truncated / Malformed / Altered / ForeignConfiguration
   */
  static fromBytes(context: SessionOwner, bytes: Uint8Array): Session {
    const decoded = decodeSession(bytes, context.domainId, context.sessionKey);
    const session = new Session(context, decoded.data, decoded.host, decoded.port);
    // The Session made its own copy; the parse's copy of the secret is ours to wipe.
    const d = decoded.data;
    (d.version === 'TLSv1.3' ? d.psk : d.masterSecret).wipe();
    return session;
  }

  /**
   * Parse the PEM form (`-----BEGIN PURETLS SESSION-----`).
   * @throws SessionError BadPem, or any reason of {@link Session.fromBytes}
   */
  static fromPem(context: SessionOwner, text: string): Session {
    return Session.fromBytes(context, sessionFromPem(text));
  }

  /** Current reference count (0 once freed). */
  get refCount(): number {
    return this.#refs;
  }

  /**
   * Take another reference (`SSL_SESSION_up_ref`).
   * @throws SessionError SessionFreed
   */
  upRef(): this {
    this.#live();
    this.#refs++;
    return this;
  }

  /**
   * Drop a reference (`SSL_SESSION_free`); at zero the secret is overwritten with zeros.
   * @throws SessionError SessionFreed when the count is already zero (a double free)
   */
  free(): void {
    this.#live();
    if (--this.#refs > 0) return;
    const d = this.#data;
    (d.version === 'TLSv1.3' ? d.psk : d.masterSecret).wipe();
  }

  get version(): 'TLSv1.3' | 'TLSv1.2' {
    return this.#data.version;
  }

  /** IANA cipher suite value. */
  get suite(): number {
    return this.#data.suite;
  }

  /** The IANA suite name, e.g. `TLS_AES_128_GCM_SHA256`. */
  get suiteName(): string {
    return (this.#data.version === 'TLSv1.3' ? tls13SuiteById(this.#data.suite)?.name : tls12SuiteById(this.#data.suite)?.name) ?? `0x${this.#data.suite.toString(16)}`;
  }

  /** The SNI name of the handshake that made the session, if SNI was sent. */
  get serverName(): string | undefined {
    return this.#data.serverName;
  }

  get alpn(): string | undefined {
    return this.#data.alpn;
  }

  /** When the ticket / session was received (ms since the epoch, Context clock). */
  get issuedAtMs(): number {
    return this.#data.receivedAtMs;
  }

  /** The lifetime the server announced, capped at 7 days. */
  get lifetimeSeconds(): number {
    return this.#data.lifetimeSeconds;
  }

  /** TLS 1.3 ticket_age_add (0 for TLS 1.2). */
  get ageAdd(): number {
    return this.#data.version === 'TLSv1.3' ? this.#data.ageAdd : 0;
  }

  /** TLS 1.3 max_early_data_size from the ticket (0: no 0-RTT; always 0 for TLS 1.2). */
  get maxEarlyData(): number {
    return this.#data.version === 'TLSv1.3' ? this.#data.maxEarlyData : 0;
  }

  /** TLS 1.2: whether the session used the extended master secret (always true in TLS 1.3). */
  get extendedMasterSecret(): boolean {
    return this.#data.version === 'TLSv1.2' ? this.#data.extendedMasterSecret : true;
  }

  /** The ticket (TLS 1.3 identity or RFC 5077 ticket), a copy, or undefined. */
  get ticket(): Uint8Array | undefined {
    return this.#data.ticket?.slice();
  }

  /** The TLS 1.2 session ID (a copy; empty for TLS 1.3 and ticket-only sessions). */
  get sessionId(): Uint8Array {
    return this.#data.version === 'TLSv1.2' ? this.#data.sessionId.slice() : new Uint8Array(0);
  }

  /** The server's certificates from the original full handshake, leaf first (copies). */
  get peerCertificates(): Uint8Array[] {
    return this.#data.peerCertificates.map((c) => c.slice());
  }

  /** The leaf of the client certificate the session was authenticated with (a copy), or undefined when none was sent. */
  get clientCertificate(): Uint8Array | undefined {
    return this.#data.clientCertificate?.slice();
  }

  /** True once the lifetime has passed (or when `nowMs` is before the issue time). */
  isExpired(nowMs: number): boolean {
    const age = nowMs - this.#data.receivedAtMs;
    return age < 0 || age > this.#data.lifetimeSeconds * 1000;
  }

  /**
   * The versioned binary form (docs/session.md §Format), with its integrity tag.
   * @throws SessionError SessionFreed
   */
  toBytes(): Uint8Array {
    this.#live();
    return encodeSession(this.#data, this.host, this.port, this.context.domainId, this.context.sessionKey);
  }

  /** The PEM form of {@link toBytes}. */
  toPem(): string {
    return sessionToPem(this.toBytes());
  }

  /**
   * Internal: the engine's view, lent, not given: it shares the secret buffer, which free()
   * wipes. The tls-core engine copies it when a connection starts (ClientConnection options);
   * any other taker must copy what it keeps beyond the reference it holds.
   * @throws SessionError SessionFreed
   */
  resumptionData(): ResumptionData {
    this.#live();
    return this.#data;
  }

  /** Internal: a TLS 1.2 session with the same suite, ticket, session ID and master secret as `data` (a resumption that changed nothing). */
  sameAs(data: Tls12SessionData): boolean {
    const d = this.#data;
    return d.version === 'TLSv1.2' && d.suite === data.suite && sameOptional(d.ticket, data.ticket) && equalBytes(d.sessionId, data.sessionId) && d.masterSecret.equals(data.masterSecret);
  }

  #live(): void {
    if (this.#refs <= 0) throw new SessionError('SessionFreed');
  }
}

/** Both absent, or the same bytes (tls-core's `equalBytes`: time depends on the lengths only). */
function sameOptional(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined || b === undefined ? a === b : equalBytes(a, b);
}

/** A deep, frozen copy with the lifetime capped at {@link MAX_SESSION_LIFETIME_S}. */
function freezeCopy(data: ResumptionData): ResumptionData {
  // tls-core's copy makes the secret, ticket, session ID and server certificates the Session's own; the client leaf too.
  const copy = copyResumptionData(data);
  return Object.freeze({
    ...copy,
    peerCertificates: Object.freeze(copy.peerCertificates),
    lifetimeSeconds: Math.min(data.lifetimeSeconds, MAX_SESSION_LIFETIME_S),
    clientCertificate: data.clientCertificate?.slice(),
  });
}
