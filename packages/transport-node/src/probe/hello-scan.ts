/**
 * The ClientHello scanner of `puretls probe` (issue #17): what a server accepts, learned from
 * ClientHellos and the server's first flight only. No handshake is ever completed: every probe
 * connection sends one ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2, RFC 2246 / RFC 4346 /
 * RFC 6101 forms for the legacy versions), reads up to the ServerHello (TLS 1.3) or up to the
 * ServerKeyExchange / ServerHelloDone (TLS 1.2 and below), then sends a fatal alert and closes.
 *
 * Facts and their evidence:
 * - versions: TLS 1.3 via supported_versions (RFC 8446 §4.2.1), TLS 1.2 / 1.1 / 1.0 / SSL 3.0 via
 *   a ClientHello whose legacy_version is that version and offers nothing newer;
 * - suites: enumeration by removal (offer all candidates, drop the chosen one, repeat), which
 *   yields the accepted set and, when the server imposes its own order, that order; a second
 *   hello with the candidates reversed tells server order from client order;
 * - groups: TLS 1.3 by HelloRetryRequest (an empty key_share asks the server to name a group,
 *   RFC 8446 §4.2.8), TLS 1.2 by the ServerKeyExchange named curve (RFC 8422 §5.4);
 * - tolerance: unknown extension (RFC 8446 §4.2: must be ignored), GREASE (RFC 8701), hello
 *   length (RFC 7685 padding; the 256..511-byte zone of an old F5 bug; over 2^14 bytes so the
 *   hello spans two records, RFC 8446 §5.1), the downgrade sentinel (RFC 8446 §4.1.3), secure
 *   renegotiation (RFC 5746) and extended master secret (RFC 7627) in the TLS 1.2 ServerHello.
 *
 * Every fact carries the reply it was read from ({@link HelloReply}). Everything is bounded:
 * connections (`maxConnections`, at most four at once), time (`deadlineMs` for the whole scan,
 * and a per-connection timeout) and bytes read per connection.
 * @module
 */
import { runScan } from './scan-plan.ts';
import type { HelloScanFacts, HelloScanOptions } from './scan-types.ts';

export type * from './scan-types.ts';

/**
 * Scan a server with ClientHellos. Never throws for anything the server does; a failure to
 * connect at all shows as `connect-failed` replies.
 * @throws UsageError for bad options (no connections, no time, a non-integer port)
 */
export function scanHellos(opts: HelloScanOptions): Promise<HelloScanFacts> {
  return runScan(opts);
}
