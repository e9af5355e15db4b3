/**
 * What the sans-IO client engine reports to its driver: events, negotiated parameters, and
 * the ticket data the session package turns into resumable sessions (RFC 8446 §4.6.1,
 * RFC 5077 §3.3), and NSS key log lines (the SSLKEYLOGFILE format). The secrets in the session
 * data are typed (`ResumptionPsk`, `Tls12MasterSecret`): no raw secret bytes in these objects.
 * @module
 */
import type { CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme } from '../wire/enums.ts';
import type { ResumptionPsk } from '../tls13/key-schedule.ts';
import type { Tls12MasterSecret } from '../tls12/master-secret.ts';

/** One NSS key log entry: `${label} ${hex(clientRandom)} ${hex(secret)}`. */
export interface KeyLogEntry {
  /** CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0, ..., EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET, EARLY_EXPORTER_SECRET (0-RTT), CLIENT_RANDOM (TLS 1.2 master secret). */
  readonly label: string;
  readonly clientRandom: Uint8Array;
  readonly secret: Uint8Array;
  /** The whole line, without a trailing newline. */
  readonly line: string;
}

/** What every resumable session records, whatever its version: its lifetime, and what the original handshake negotiated. */
export interface ResumptionFacts {
  /** The lifetime the server gave (TLS 1.3 ticket_lifetime, RFC 8446 §4.6.1; TLS 1.2 ticket_lifetime_hint, RFC 5077 §3.3). */
  readonly lifetimeSeconds: number;
  /** When the ticket or session was received, from the config clock (ms since the epoch). */
  readonly receivedAtMs: number;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** DER certificates of the server, leaf first, as validated in the original handshake. */
  readonly peerCertificates: readonly Uint8Array[];
  /** The leaf of the client certificate we authenticated with in the original handshake; absent when none. */
  readonly clientCertificate?: Uint8Array | undefined;
}

/** A TLS 1.3 NewSessionTicket with everything needed to resume (RFC 8446 §4.6.1). */
export interface Tls13TicketData extends ResumptionFacts {
  readonly version: 'TLSv1.3';
  readonly suite: CipherSuite;
  /** The PSK derived from resumption_master_secret and the ticket nonce (typed: no getter for its bytes). */
  readonly psk: ResumptionPsk;
  readonly ticket: Uint8Array;
  readonly ageAdd: number;
  readonly maxEarlyData: number;
}

/** TLS 1.2 resumption state (RFC 5246 §7.3 session ID, RFC 5077 ticket, RFC 7627 EMS flag). */
export interface Tls12SessionData extends ResumptionFacts {
  readonly version: 'TLSv1.2';
  readonly suite: CipherSuite;
  /** The session's master secret (typed: no getter for its bytes). */
  readonly masterSecret: Tls12MasterSecret;
  readonly sessionId: Uint8Array;
  readonly ticket: Uint8Array | undefined;
  readonly extendedMasterSecret: boolean;
}

export type ResumptionData = Tls13TicketData | Tls12SessionData;

/** Events queued by the engine; drain them with `ClientConnection.takeEvents()`. */
export type ClientEvent =
  | { readonly type: 'handshakeDone' }
  | { readonly type: 'session'; readonly session: ResumptionData }
  | { readonly type: 'keyUpdate'; readonly direction: 'received' | 'sent'; readonly updateRequested: boolean }
  | { readonly type: 'alert'; readonly level: 'warning' | 'fatal'; readonly description: number; readonly sent: boolean }
  | { readonly type: 'peerClosed' }
  | { readonly type: 'keyLog'; readonly entry: KeyLogEntry }
  | EarlyDataEvent
  | MessageEvent;

/**
 * What became of the early data (RFC 8446 §4.2.10) given in `ClientConnectionOptions.earlyData`,
 * reported once, when the handshake completes (just before `handshakeDone`), whenever early data
 * was given. docs/early-data.md describes the policy.
 */
export interface EarlyDataEvent {
  readonly type: 'earlyData';
  /**
   * 'accepted': the server's EncryptedExtensions carried early_data; 'rejected': it did not, or it
   * answered with a HelloRetryRequest, a full handshake or TLS 1.2; 'not-offered': the session
   * did not allow 0-RTT (none, TLS 1.2, no max_early_data_size, suite or ALPN not offered).
   */
  readonly status: 'accepted' | 'rejected' | 'not-offered';
  /** Bytes sent in 0-RTT records (at most the ticket's max_early_data_size), whatever the server did with them. */
  readonly sentAsEarlyData: number;
  /**
   * Bytes sent as ordinary application data right after our Finished: when accepted, the part
   * beyond max_early_data_size; when rejected and the negotiated ALPN equals the session's (both
   * may be none), all of the data.
   */
  readonly sentAfterHandshake: number;
  /**
   * Rejected with a different ALPN (RFC 8446 §4.2.10: "MUST NOT automatically resend early data
   * unless the negotiated connection selects the same ALPN protocol"), or not offered: all of the
   * data, handed back unsent (a copy the receiver owns). Otherwise undefined.
   */
  readonly unsent: Uint8Array | undefined;
}

/**
 * A handshake message, alert or ChangeCipherSpec as it passed, in plaintext (only with
 * `traceMessages`; what `openssl s_client -msg` shows). `body` is a copy the receiver owns:
 * for a handshake message the whole message with its 4-byte header (RFC 8446 §4).
 */
export interface MessageEvent {
  readonly type: 'message';
  readonly direction: 'sent' | 'received';
  /** ContentType: 20 change_cipher_spec, 21 alert, 22 handshake (RFC 8446 §5.1). */
  readonly contentType: number;
  /** The version negotiated so far (undefined before the ServerHello). */
  readonly version: 'TLSv1.3' | 'TLSv1.2' | undefined;
  readonly body: Uint8Array;
}

/** What was negotiated; available once the handshake is done (some fields earlier). */
export interface NegotiatedParameters {
  readonly version: ProtocolVersion;
  /** 'TLSv1.3' or 'TLSv1.2' as Node prints it. */
  readonly versionName: 'TLSv1.3' | 'TLSv1.2';
  readonly suite: CipherSuite;
  /** The ECDHE group, or undefined for a psk_ke resumption. */
  readonly group: NamedGroup | undefined;
  /** The scheme of the server's CertificateVerify / ServerKeyExchange signature, undefined when resumed. */
  readonly signatureScheme: SignatureScheme | undefined;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  readonly sessionReused: boolean;
  readonly helloRetryRequest: boolean;
  /**
   * The record_size_limit values in force (RFC 8449), when the server answered ours: `send`, the
   * server's limit on our protected records, `receive`, ours on its (TLS 1.3: TLSInnerPlaintext,
   * content type byte included). Absent when not negotiated.
   */
  readonly recordSizeLimit?: { readonly send: number; readonly receive: number };
  readonly extendedMasterSecret: boolean;
  /** DER certificates as the server sent them, leaf first. */
  readonly peerCertificates: readonly Uint8Array[];
  /** The stapled OCSP response (DER) when status_request was sent and the server stapled one (RFC 6066 §8, RFC 8446 §4.4.2.1). Not evaluated. */
  readonly ocspResponse: Uint8Array | undefined;
  /**
   * The stapled OCSP response's verdict under the config's ocspPolicy: 'good', 'revoked',
   * 'unknown', 'invalid' (bad signature, not current, not for this certificate), 'none' (no
   * staple), 'unchecked' (policy 'ignore'); undefined when resumed.
   */
  readonly ocspStatus?: 'good' | 'revoked' | 'unknown' | 'invalid' | 'none' | 'unchecked' | undefined;
  /**
   * The server's SignedCertificateTimestampList as received (RFC 6962 §3.3.1: TLS 1.2 ServerHello,
   * TLS 1.3 leaf CertificateEntry) when requestSignedCertificateTimestamps was set; not decoded or
   * verified (decode with `@puretls/tls-core/wire`). Undefined when none came.
   */
  readonly signedCertificateTimestamps?: Uint8Array | undefined;
  /** Set when certificate verification was disabled and the chain failed: the reason it failed. */
  readonly certificateError: Error | undefined;
  /**
   * The client certificate chain we authenticated with (DER, leaf first): sent in this handshake,
   * or, when resuming, the leaf recorded with the session. Absent when we sent none.
   */
  readonly clientCertificate?: readonly Uint8Array[] | undefined;
  /** The identity of the external PSK (RFC 8446 §4.2.11) the server accepted; the server was authenticated by it, not by a certificate. */
  readonly externalPskIdentity?: Uint8Array | undefined;
  /** The scheme of our CertificateVerify, when we sent one in this handshake. */
  readonly clientSignatureScheme?: SignatureScheme | undefined;
  /**
   * TLS 1.3 0-RTT (RFC 8446 §4.2.10): 'not-offered' unless `ClientConnectionOptions.earlyData`
   * was given and the offered session allowed it; then 'accepted' or 'rejected' (the
   * `earlyData` event says what was sent and what was handed back).
   */
  readonly earlyData: 'accepted' | 'rejected' | 'not-offered';
}

/**
 * A copy of `data` whose secret (PSK or master secret), ticket, session ID and server
 * certificates are the copy's own. Whoever takes resumption data into long-lived state (the engine when a session
 * is offered) copies it: the giver (e.g. a reference-counted Session) may wipe its bytes at any
 * time after the hand-over, and only the owner of a buffer may wipe it.
 */
export function copyResumptionData(data: ResumptionData): ResumptionData {
  const peerCertificates = data.peerCertificates.map((c) => c.slice());
  if (data.version === 'TLSv1.3') return { ...data, psk: data.psk.copy(), ticket: data.ticket.slice(), peerCertificates };
  return { ...data, masterSecret: data.masterSecret.copy(), sessionId: data.sessionId.slice(), ticket: data.ticket?.slice(), peerCertificates };
}
