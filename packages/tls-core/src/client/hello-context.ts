/**
 * What the first ClientHello fixes for the rest of the handshake (RFC 8446 §4.1.2, RFC 5246
 * §7.4.1.2): the offered names, randoms, session ID, extensions and resumption offers that the
 * later TLS 1.3 and TLS 1.2 states check the server's answers against. A leaf module: every state
 * file imports it, it imports no state.
 * @module
 */
import type { ClientConfig } from './config.ts';
import type { Tls12SessionData, Tls13TicketData } from './events.ts';

/** Everything fixed by the first ClientHello that later states need. */
export interface HelloContext {
  readonly config: ClientConfig;
  /** SNI sent (a DNS name), if any. */
  readonly serverName: string | undefined;
  /** The name the certificate must match (may be an IP address literal). */
  readonly verifyHostname: string | undefined;
  readonly clientRandom: Uint8Array;
  readonly sessionId: Uint8Array;
  /** Extension types in the (last) ClientHello. */
  readonly offeredExtensions: ReadonlySet<number>;
  /** The TLS 1.3 ticket offered, if any (for an external PSK, a stand-in carrying its identity and key). */
  readonly offeredTicket: Tls13TicketData | undefined;
  /** True when `offeredTicket` is the config's external PSK (RFC 8446 §4.2.11: "ext binder", ticket age 0). */
  readonly offeredExternalPsk: boolean;
  /** The TLS 1.2 session offered, if any. */
  readonly offeredTls12Session: Tls12SessionData | undefined;
  /**
   * True when the (last) ClientHello carries early_data and 0-RTT records followed it (RFC 8446
   * §4.2.10); false again after a HelloRetryRequest (the second ClientHello never offers it).
   */
  readonly offeredEarlyData?: boolean;
  /** True once a HelloRetryRequest was answered. */
  readonly helloRetried: boolean;
  /** True once the middlebox-compatibility ChangeCipherSpec was sent (RFC 8446 Appendix D.4). */
  readonly sentCompatCcs: boolean;
}

/** RFC 8446 §4.6.1: tickets live at most seven days. */
export const MAX_TICKET_LIFETIME_S = 604800;
