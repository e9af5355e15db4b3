/**
 * Whether a server name is an IP address literal, the test that decides whether a ClientHello
 * carries server_name (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in
 * HostName"). Same answer as `net.isIP(name) !== 0`, without its cost for host names: the first
 * IPv6 test in a process compiles a large regular expression, 8-17 ms of a fresh process's first
 * connect to `localhost` on the machine of docs/performance.md. `net.isIP` accepts dotted-decimal
 * IPv4 (digits and dots only) and IPv6 (always with a colon), so any other name is answered at once.
 * @module
 */
import { isIP } from 'node:net';

/** `net.isIP(name) !== 0`, answered without `net.isIP` for names that cannot be addresses. */
export function isIpLiteral(name: string): boolean {
  if (!name.includes(':') && !DIGITS_AND_DOTS.test(name)) return false;
  return isIP(name) !== 0;
}

const DIGITS_AND_DOTS = /^[0-9.]+$/;
