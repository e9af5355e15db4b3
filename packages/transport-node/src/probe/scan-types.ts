/**
 * The types of the ClientHello scanner (hello-scan.ts, which documents the facts and their RFC
 * sections): its options, the reply read from one ClientHello ({@link HelloReply}, the evidence
 * every fact points at), and the facts. Kept apart so that the scan's modules (scan-plan.ts,
 * probe-connection.ts, first-flight.ts) and hello-scan.ts depend on them, not on each other.
 * @module
 */
import type { Duplex } from 'node:stream';

/** A connected byte stream: a net.Socket, or a socket a STARTTLS exchange has prepared. */
export type ScanSocket = Duplex;

export interface HelloScanOptions {
  readonly host: string;
  readonly port: number;
  /** SNI host name to send (default: `host` unless it is an IP address, RFC 6066 §3). */
  readonly servername?: string;
  /** Wall-clock budget for the whole scan, in milliseconds. */
  readonly deadlineMs: number;
  /** Most connections the scan may open (the probe as a whole stays within 60). */
  readonly maxConnections: number;
  /**
   * Opens one connection, ready for the first TLS byte (for STARTTLS, after the plaintext
   * exchange). Default: `net.connect(port, host)`.
   */
  readonly connect?: (host: string, port: number) => Promise<ScanSocket>;
  /** Called with a short description before each probe connection. */
  readonly onProgress?: (what: string) => void;
}

/**
 * What the server answered to one ClientHello: the evidence every fact points at.
 * Numbers are wire code points; `*Name` fields are display names (`0x..` when unknown).
 */
export type HelloReply =
  | {
      readonly kind: 'server-hello';
      /** The negotiated version: supported_versions when present, else legacy_version. */
      readonly version: number;
      readonly versionName: string;
      readonly cipherSuite: number;
      readonly cipherSuiteName: string;
      /** TLS 1.3: the key_share group; TLS 1.2: the ServerKeyExchange named curve, if read. */
      readonly group?: number;
      readonly groupName?: string;
      /** TLS 1.2 DHE: bit length of the ServerKeyExchange dh_p. */
      readonly dhBits?: number;
      /** Extension types in the ServerHello, in order. */
      readonly extensions: readonly number[];
      /** Last 8 bytes of server_random were DOWNGRD\x01 ('tls12') or DOWNGRD\x00 ('tls11'). */
      readonly downgradeSentinel?: 'tls12' | 'tls11';
    }
  | {
      readonly kind: 'hello-retry-request';
      readonly cipherSuite: number;
      readonly cipherSuiteName: string;
      /** The group the server asks for (key_share selected_group), if any. */
      readonly selectedGroup?: number;
      readonly selectedGroupName?: string;
      readonly cookie: boolean;
      readonly extensions: readonly number[];
    }
  | { readonly kind: 'alert'; readonly level: number; readonly description: number; readonly descriptionName: string }
  /** The server closed (or reset) the connection without a ServerHello or alert. */
  | { readonly kind: 'closed'; readonly error?: string }
  /** No complete reply before the per-connection timeout or the scan's deadline. */
  | { readonly kind: 'timeout'; readonly afterMs: number }
  /** The server sent bytes that are not a TLS reply we can read (the parser's error). */
  | { readonly kind: 'malformed'; readonly error: string }
  /** The connection could not be opened. */
  | { readonly kind: 'connect-failed'; readonly error: string };

/** One probe connection: what was offered and what came back. */
export interface HelloProbe {
  /** Short label, e.g. `tls12-suites#3`, `tolerance:grease`. */
  readonly id: string;
  /** What the ClientHello offered, in words (versions, how many suites, groups, padding...). */
  readonly offered: string;
  /** Length of the ClientHello handshake message in bytes (header included). */
  readonly helloLength: number;
  readonly reply: HelloReply;
  readonly ms: number;
}

/** A yes/no fact; `value` is undefined when the probes could not tell (budget, timeout, error). */
export interface Fact<T = boolean> {
  readonly value: T | undefined;
  /** Ids of the {@link HelloProbe}s this was read from, and their replies. */
  readonly evidence: readonly ProbeEvidence[];
}

export interface ProbeEvidence {
  readonly probe: string;
  readonly reply: HelloReply;
}

/** Whether a protocol version is accepted. */
export type VersionFact = Fact<boolean>;

/** A cipher suite found accepted. */
export interface AcceptedSuite {
  readonly code: number;
  readonly name: string;
  /** False for suites puretls itself never offers (CBC, RSA key exchange, DHE, 3DES, RC4, NULL, export...). */
  readonly puretlsUses: boolean;
  /** TLS 1.2: the ServerKeyExchange group / DH size seen when it was chosen. */
  readonly group?: number;
  readonly groupName?: string;
  readonly dhBits?: number;
  /**
   * Found by the weak-suite check after the enumeration was cut short (NULL, anonymous, export,
   * DES, RC4, 3DES offered alone): accepted, but its place in the preference order is unknown.
   */
  readonly outOfOrder?: true;
  readonly probe: string;
}

/**
 * An enumeration by removal (suites or groups): what was found accepted, in the order the server
 * chose it, and how far the enumeration got.
 */
export interface Enumeration<Accepted> {
  /**
   * Found accepted, in the order the server chose them while candidates were removed one by one:
   * the server's preference order when `serverPreference.value` is true, else the client's order.
   */
  readonly accepted: readonly Accepted[];
  /** True when the server chose by its own order (the same candidates offered in reverse got the same first choice). */
  readonly serverPreference: Fact<boolean>;
  /** True when every candidate was resolved (not cut short by the budget or the deadline). */
  readonly complete: boolean;
  /**
   * Candidates neither found accepted nor proven refused (empty when complete). For suites, when
   * the budget cut the enumeration short, the weak ones (NULL, anonymous, export, DES, RC4, 3DES)
   * are offered once more on their own, so they are resolved even then.
   */
  readonly unresolved: readonly string[];
  /** How many candidates were offered in all. */
  readonly candidates: number;
}

/** The accepted cipher suites. */
export type SuiteEnumeration = Enumeration<AcceptedSuite>;

export interface AcceptedGroup {
  readonly code: number;
  readonly name: string;
  readonly probe: string;
}

/** The supported groups. */
export type GroupEnumeration = Enumeration<AcceptedGroup>;

/** How the server treated one kind of unusual ClientHello. */
export interface ToleranceFact {
  /** 'accepted' = a normal ServerHello / HelloRetryRequest; 'rejected' = alert; else no usable reply. */
  readonly outcome: 'accepted' | 'rejected' | 'closed' | 'timeout' | 'error' | 'not-probed';
  /** Length of the ClientHello handshake message sent. */
  readonly helloLength?: number;
  readonly evidence: readonly ProbeEvidence[];
}

export interface HelloScanFacts {
  readonly host: string;
  readonly port: number;
  /** The SNI sent, if any. */
  readonly servername?: string;
  readonly connectionsUsed: number;
  readonly durationMs: number;
  /** False when the budget or deadline cut a part of the scan short (see each `complete`). */
  readonly complete: boolean;
  readonly versions: {
    readonly tls13: VersionFact;
    readonly tls12: VersionFact;
    readonly tls11: VersionFact;
    readonly tls10: VersionFact;
    readonly ssl3: VersionFact;
  };
  readonly tls13: {
    readonly suites: SuiteEnumeration;
    /** Groups a HelloRetryRequest named when offered with an empty key_share. */
    readonly groups: GroupEnumeration;
    /**
     * True when the server answered a key_share for a supported but not preferred group with a
     * HelloRetryRequest for its preferred group; false when it used the share sent.
     */
    readonly hrrWhenShareNotPreferred: Fact<boolean>;
    /** True when a HelloRetryRequest carried a cookie (RFC 8446 §4.2.2). */
    readonly hrrCookie: Fact<boolean>;
  };
  readonly tls12: {
    readonly suites: SuiteEnumeration;
    /** ECDHE curves seen in ServerKeyExchange, found by removal. */
    readonly groups: GroupEnumeration;
    /** renegotiation_info in the TLS 1.2 ServerHello (RFC 5746 §3.6). */
    readonly secureRenegotiation: Fact<boolean>;
    /** extended_master_secret in the TLS 1.2 ServerHello (RFC 7627 §5.1). */
    readonly extendedMasterSecret: Fact<boolean>;
    /** DOWNGRD\x01 in server_random when only TLS 1.2 was offered; undefined unless TLS 1.3 is accepted. */
    readonly downgradeSentinel: Fact<boolean>;
  };
  readonly tolerance: {
    readonly unknownExtension: ToleranceFact;
    /** GREASE values (RFC 8701) in cipher suites, groups, key_share, extensions and supported_versions. */
    readonly grease: ToleranceFact;
    /** A ClientHello of 256..511 bytes (the F5 hang zone; RFC 7685 §1). */
    readonly helloIn256To511: ToleranceFact;
    /** A ClientHello over 512 bytes. */
    readonly helloOver512: ToleranceFact;
    /** A ClientHello over 16 KiB, split across two records. */
    readonly helloOver16k: ToleranceFact;
  };
  /** Every probe connection, in the order they finished. */
  readonly probes: readonly HelloProbe[];
}
