/**
 * The `puretls probe` report: what a TLS server accepts and how it behaves, one JSON document
 * per server with schema id {@link PROBE_SCHEMA}. docs/probe.md documents every field; a change of
 * meaning or a removed field bumps the schema version, an added field does not.
 *
 * Conventions: `null` means "not tested" (or not testable against this server, with the reason
 * in `notes`); `false` means tested and absent. Every fact the handshakes give carries an
 * `evidence` string naming the connection(s) and what was seen on the wire.
 * @module
 */
import type { HelloScanFacts } from './scan-types.ts';

/** The schema id of this report format. */
export const PROBE_SCHEMA = 'puretls-probe/1';

export interface ProbeReport {
  readonly schema: typeof PROBE_SCHEMA;
  readonly target: {
    readonly host: string;
    readonly port: number;
    /** The name sent in SNI and checked against the certificate. */
    readonly servername: string;
    readonly starttls: string | null;
  };
  /** ISO 8601 time the probe started. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly connections: {
    /** Connections opened (each TCP connection counts, also a refused one). */
    readonly opened: number;
    readonly budget: number;
    /** Per-connection deadline in ms. */
    readonly deadlineMs: number;
  };
  /** ClientHello-level facts (versions, suites, groups, HRR, tolerance): hello-scan.ts. Null when the scan failed (see notes). */
  readonly hello: HelloScanFacts | null;
  /** The full handshake puretls makes with its defaults (TLS 1.3 preferred). Null when it failed. */
  readonly handshake: HandshakeFacts | null;
  /** Null when no Certificate message was received. */
  readonly certificate: CertificateFacts | null;
  readonly resumption: ResumptionFacts;
  readonly behaviour: BehaviourFacts;
  /** The `--fail-on` evaluation (empty lists without `--fail-on`). */
  readonly policy: PolicyResult;
  /** Steps that could not run or failed, with the reason. */
  readonly notes: readonly string[];
}

export interface HandshakeFacts {
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  /** IANA suite name. */
  readonly suite: string;
  /** Key exchange group (e.g. `x25519`), null when none. */
  readonly group: string | null;
  /** The server's handshake signature scheme, e.g. `ecdsa_secp256r1_sha256`. */
  readonly signatureScheme: string | null;
  readonly evidence: string;
}

export interface ChainCertificate {
  readonly subject: string;
  readonly issuer: string;
  /** Hex, lower case, as node:crypto prints it. */
  readonly serialNumber: string;
  /** SHA-256 of the DER. */
  readonly sha256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly expired: boolean;
  readonly notYetValid: boolean;
  /** node:crypto's asymmetricKeyType: `rsa`, `rsa-pss`, `ec`, `ed25519`, `ed448`, ... */
  readonly keyType: string;
  /** RSA modulus bits, EC field size (256/384/521), 256 for Ed25519, 456 for Ed448. */
  readonly keyBits: number | null;
  /** EC curve name (node:crypto spelling: `prime256v1`, `secp384r1`, `secp521r1`). */
  readonly curve: string | null;
  /** The certificate's own signature algorithm, e.g. `ecdsa-with-SHA384`; null when puretls cannot parse it. */
  readonly signatureAlgorithm: string | null;
  readonly selfSigned: boolean;
  /** SCTs in the embedded SignedCertificateTimestampList (RFC 6962 §3.3). */
  readonly embeddedScts: number;
}

export interface CertificateFacts {
  /** As sent, leaf first. */
  readonly chain: readonly ChainCertificate[];
  readonly order: { readonly leafFirstEachIssuedByNext: boolean; readonly evidence: string };
  readonly trust: {
    /** `system` (Node's bundled roots) or `file:<path>` (`--CAfile`). */
    readonly store: string;
    /** A path to an anchor exists (possibly only at a time when the chain was valid: see validNow). */
    readonly trusted: boolean;
    /** The path also validates now. */
    readonly validNow: boolean;
    /** Subjects from leaf to anchor. */
    readonly path: readonly string[];
    /** puretls's verification error now, null when the chain verifies. */
    readonly error: string | null;
  };
  readonly hostname: { readonly name: string; readonly matches: boolean; readonly error: string | null };
  readonly expiry: { readonly expired: boolean; readonly notYetValid: boolean; readonly leafNotAfter: string | null; readonly leafDaysLeft: number | null };
  /** The stapled OCSP response to our status_request (RFC 6066 §8). Filled by the orchestrator. */
  readonly ocsp?: { readonly stapled: boolean; readonly status: string; readonly evidence: string };
  /**
   * SCTs (RFC 6962 §3.3) from the full handshake, by source: the TLS extension
   * signed_certificate_timestamp (offered), the leaf's extension 1.3.6.1.4.1.11129.2.4.2, the
   * OCSP staple's SingleResponse extension (null without a staple). Signatures are not verified.
   */
  readonly sct?: {
    /** SCTs from every source. */
    readonly count: number;
    readonly tlsExtension: number;
    readonly embedded: number;
    readonly ocsp: number | null;
    readonly scts: readonly SctEntry[];
    /** Always false: no log list, no signature check. */
    readonly signaturesVerified: false;
    /** Lists that could not be decoded (`source: reason`). */
    readonly errors: readonly string[];
    readonly evidence: string;
  };
}

/** Where an SCT came from (RFC 6962 §3.3). */
export type SctSource = 'tls-extension' | 'certificate' | 'ocsp';

/** One SCT; `logId`, `timestamp` and `timestampMs` are null for a version other than v1 (0). */
export interface SctEntry {
  readonly source: SctSource;
  readonly version: number;
  /** The log's ID (SHA-256 of its key), hex. */
  readonly logId: string | null;
  /** ISO 8601. */
  readonly timestamp: string | null;
  readonly timestampMs: number | null;
}

export interface Tls13ResumptionFacts {
  /** NewSessionTicket messages after the first full handshake. */
  readonly ticketsPerHandshake: number;
  readonly ticketLifetimesSeconds: readonly number[];
  /** Resumed with a ticket, offering psk_dhe_ke only. */
  readonly pskDheKe: boolean | null;
  /** Resumed with a ticket, offering psk_ke only (no key share used: RFC 8446 §4.2.9). */
  readonly pskKe: boolean | null;
  /** A ticket offered a second time: `reusable` when resumed again, `single-use` when not. */
  readonly reuse: 'reusable' | 'single-use' | null;
  /** An unused ticket offered after `delayMs`. */
  readonly afterDelay: { readonly delayMs: number; readonly resumed: boolean } | null;
  /**
   * 0-RTT: `advertisedMaxSize` is the largest max_early_data_size of the tickets (RFC 8446
   * §4.6.1, the server's advertisement); `accepted` is whether the server accepted early data
   * offered with such a ticket (RFC 8446 §4.2.10: early_data in EncryptedExtensions), null while
   * not tested (`acceptanceTested: false`: no ticket allowed early data, none was left unused, the
   * handshake failed, or the probe ran after STARTTLS). The early data is an HTTP HEAD request.
   */
  readonly earlyData: { readonly advertisedMaxSize: number; readonly acceptanceTested: boolean; readonly accepted: boolean | null };
  readonly evidence: readonly string[];
}

export interface Tls12ResumptionFacts {
  /** The server gave a non-empty session ID (RFC 5246 §7.4.1.3), offered without session_ticket. */
  readonly sessionIdIssued: boolean;
  readonly sessionIdResumed: boolean | null;
  /** A NewSessionTicket (RFC 5077 §3.3) answered our session_ticket extension. */
  readonly ticketIssued: boolean;
  readonly ticketLifetimeSeconds: number | null;
  readonly ticketResumed: boolean | null;
  readonly evidence: readonly string[];
}

export interface ResumptionFacts {
  /** Null when TLS 1.3 was not negotiated. */
  readonly tls13: Tls13ResumptionFacts | null;
  /** Null when TLS 1.2 was not negotiated. */
  readonly tls12: Tls12ResumptionFacts | null;
}

export interface BehaviourFacts {
  /** ALPN: the protocol chosen from our offer (`h2`, `http/1.1`), null when the server chose none. */
  readonly alpn: {
    readonly offered: readonly string[];
    readonly selected: string | null;
    /** A protocol the server chose that was not offered (the handshake is then refused, RFC 7301 §3.2), else null. */
    readonly unofferedSelected: string | null;
    readonly evidence: string;
  } | null;
  /**
   * TLS 1.3 KeyUpdate(update_requested): did the server's KeyUpdate arrive while we waited?
   * RFC 8446 §4.6.3 only requires it before the server's next application data, and the probe
   * sends no application data, so `false` means "not answered while idle".
   */
  readonly keyUpdate: { readonly answered: boolean; readonly waitedMs: number; readonly evidence: string } | null;
  /** Did the server answer our close_notify with its own (RFC 8446 §6.1) before closing? */
  readonly closeNotify: { readonly sent: boolean; readonly evidence: string } | null;
  /** record_size_limit (RFC 8449): offered value and the server's, null when it did not answer. */
  readonly recordSizeLimit: { readonly offered: number; readonly serverLimit: number | null; readonly evidence: string } | null;
}

/** The `--fail-on` policies. */
export const FAIL_ON_POLICIES = ['weak', 'expired', 'untrusted', 'hostname'] as const;
export type FailOnPolicy = (typeof FAIL_ON_POLICIES)[number];

export interface PolicyViolation {
  readonly policy: FailOnPolicy;
  readonly reason: string;
}

export interface PolicyResult {
  readonly failOn: readonly FailOnPolicy[];
  readonly violations: readonly PolicyViolation[];
}
