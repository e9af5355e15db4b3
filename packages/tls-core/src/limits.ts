/**
 * Every denial-of-service limit of the client engine in one place (issue 10): how much a server
 * may make us buffer, and how much work it may make us do per byte it sends. Each number is
 * compared with what OpenSSL 3, rustls and Go's crypto/tls use; docs/security.md §Limits lists
 * them for users. The RFCs set no such numbers (RFC 8446 allows handshake messages of 2^24 - 1
 * bytes and any number of KeyUpdates, tickets, warnings or empty records); exceeding one is a
 * typed error with the alert named in errors.ts (unexpected_message for floods, decode_error for
 * oversized messages), then a clean close.
 *
 * Limits that stay next to the code that enforces them, listed here so that this file names
 * every one (a new limit goes into this file, or into this list):
 * - record/record.ts: the RFC's record sizes (2^14 plaintext, 2^14 + 256 / 2^14 + 2048
 *   ciphertext); the deframer refuses a longer record from its header, before buffering it;
 *   RFC 8449 record_size_limit narrows them per connection (ClientConfig.recordSizeLimit).
 * - record/record-layer.ts: sequence numbers stop at 2^64 - 1 (RFC 8446 §5.3), never wrap.
 * - client/tls13.ts MAX_POST_HANDSHAKE_AUTHS 64: post-handshake CertificateRequests per connection.
 * - client/expect-server-hello.ts MAX_TICKET_LIFETIME_S 604800: RFC 8446 §4.6.1's 7 days.
 * - x509/trust-store-cache.ts: 16 parsed trust stores cached per process (our memory, not the peer's).
 * - @puretls/session (cannot be imported here): MAX_SESSION_LIFETIME_S 604800 (session.ts) and
 *   the session cache's default capacity of 20480 (context.ts, OpenSSL's SSL_SESSION_CACHE_MAX_SIZE_DEFAULT).
 * - @puretls/transport-node: DEFAULT_HANDSHAKE_TIMEOUT_MS 30 s (tls-socket.ts, Node's
 *   handshakeTimeout default) and the 64 KiB STARTTLS reply cap of `puretls s_client` (cli/starttls.ts).
 * @module
 */
import { HandshakeType } from './wire/enums.ts';

/** Counts of records or messages that carry no application data (each ends in a PeerMisbehaved). */
export const LIMITS = {
  /**
   * Consecutive empty application_data records (RFC 8446 §5.1 allows them; reset by data).
   * OpenSSL: MAX_EMPTY_RECORDS 32. Go: maxUselessRecords 16 (empty records, CCS and warning
   * alerts together). rustls: none for empty data records.
   */
  emptyRecords: 32,
  /**
   * KeyUpdates received between two application data records (RFC 8446 §4.6.3).
   * OpenSSL: MAX_KEY_UPDATE_MESSAGES 32 (reset by data). Go: maxUselessRecords 16 counts them.
   */
  keyUpdates: 32,
  /**
   * Warning alerts over a connection's life (TLS 1.2, and unrecognized_name before the version
   * is known). OpenSSL: MAX_WARN_ALERT_COUNT 5 (consecutive). Go: maxUselessRecords 16.
   */
  warningAlerts: 4,
  /**
   * TLS 1.3 middlebox-compatibility ChangeCipherSpec records (RFC 8446 Appendix D.4): one before
   * the second flight after a HelloRetryRequest and one after the ServerHello. OpenSSL and Go
   * accept any number before the server Finished (Go's maxUselessRecords bounds them at 16).
   */
  compatChangeCipherSpecs: 2,
  /**
   * TLS 1.2 HelloRequests answered with a no_renegotiation warning between two application data
   * records (RFC 5246 §7.4.1.1, RFC 5746 §4.2). Go answers the first one by ending the connection
   * (RenegotiateNever); OpenSSL answers each, bounded only by its warning-alert count; rustls
   * answers each. Four lets a server that retries renegotiation a few times keep the connection.
   */
  helloRequests: 4,
  /**
   * TLS 1.3 NewSessionTickets turned into sessions per connection (RFC 8446 §4.6.1). Later ones
   * are decoded and checked, then dropped: a client MAY ignore tickets. Servers send 1 or 2
   * (OpenSSL's num_tickets default 2, rustls' send_tls13_tickets default 2, Go 1); OpenSSL, Go and
   * rustls keep every ticket they get; a cap bounds the work and memory a ticket flood costs.
   */
  sessionTickets: 8,
} as const;

/** What a server's certificate chain may make the X.509 code do (x509/path-validation.ts, x509/der.ts). */
export const X509_LIMITS = {
  /** Intermediates in one candidate path. webpki (rustls): MAX_SUB_CA_COUNT 6; OpenSSL: verify depth 100; Go: none. */
  maxIntermediates: 6,
  /** Signature verifications while building paths. webpki: a budget of 100 signatures; Go: no fixed budget. */
  maxSignatureChecks: 100,
  /** Certificates the server may present. Go: none (the 256 KiB message cap bounds it); OpenSSL: max_cert_list bytes. */
  maxPresented: 32,
  /** Largest RSA modulus verified (one check costs ~bits^2). Go: 8192 (tls: RSA key larger than 8192 bits). */
  maxRsaBits: 8192,
  /** DER nesting depth (X.509 needs about 10). Bounds recursion; OpenSSL's ASN1_MAX_CONSTRUCTED_NEST is 30. */
  derDepth: 32,
  /** Responder certificates read from one stapled OCSP response (x509/ocsp.ts); more are ignored. */
  ocspResponderCerts: 4,
  /** SingleResponses read from one stapled OCSP response (x509/ocsp.ts); more are ignored. */
  ocspSingleResponses: 32,
} as const;

/**
 * Largest handshake message body accepted, per message type (RFC 8446 §4: the length field
 * allows 2^24 - 1). Checked as soon as the 4-byte message header is in, before anything is
 * buffered. Types not listed get {@link DEFAULT_MAX_HANDSHAKE_LENGTH}.
 */
export const MAX_HANDSHAKE_LENGTH: Readonly<Partial<Record<number, number>>> = {
  [HandshakeType.HelloRequest]: 0, // RFC 5246 §7.4.1.1: empty
  /**
   * ServerHello and HelloRetryRequest: 65,607, the largest syntactically possible with one
   * extensions<0..2^16-1> block (OpenSSL 3.2 SERVER_HELLO_MAX_LENGTH; rustls 65,535).
   */
  [HandshakeType.ServerHello]: 65_607,
  [HandshakeType.NewSessionTicket]: 131_338, // OpenSSL SESSION_TICKET_MAX_LENGTH_TLS13 (largest possible)
  [HandshakeType.EndOfEarlyData]: 0,
  [HandshakeType.EncryptedExtensions]: 65_535, // rustls 65,535; OpenSSL 20,000
  /** Certificate: 256 KiB, Go's maxHandshakeCertificateMsg (OpenSSL max_cert_list 100 KiB; rustls 64 KiB). */
  [HandshakeType.Certificate]: 262_144,
  [HandshakeType.ServerKeyExchange]: 102_400, // OpenSSL SERVER_KEY_EXCH_MAX_LENGTH
  [HandshakeType.CertificateRequest]: 102_400, // OpenSSL max_cert_list (TLS 1.2 lists CA names)
  [HandshakeType.ServerHelloDone]: 0, // OpenSSL SERVER_HELLO_DONE_MAX_LENGTH
  [HandshakeType.CertificateVerify]: 65_539, // OpenSSL CERTIFICATE_VERIFY_MAX_LENGTH (largest possible)
  [HandshakeType.Finished]: 64, // OpenSSL FINISHED_MAX_LENGTH (SHA-384 verify_data is 48)
  [HandshakeType.CertificateStatus]: 65_535, // rustls' general cap (OpenSSL 16,384)
  [HandshakeType.KeyUpdate]: 1, // OpenSSL KEY_UPDATE_MAX_LENGTH
} as const;

/** Every other handshake message type: rustls' MAX_HANDSHAKE_SIZE 0xffff (Go maxHandshake 65,536). */
export const DEFAULT_MAX_HANDSHAKE_LENGTH = 65_535;

/**
 * What a `HandshakeReassembler` (record/handshake-reassembler.ts) buffers for one message when it is built without a per-type
 * table (the connection always passes {@link maxHandshakeLength}): 256 KiB, the largest entry above.
 */
export const DEFAULT_REASSEMBLY_LIMIT = 262_144;

/** The body length limit for handshake message type `type`. */
export function maxHandshakeLength(type: number): number {
  return MAX_HANDSHAKE_LENGTH[type] ?? DEFAULT_MAX_HANDSHAKE_LENGTH;
}
