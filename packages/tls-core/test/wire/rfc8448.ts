/**
 * Reads hex dumps out of the RFC 8448 trace text (test/fixtures/rfc8448.txt), so tests use the
 * RFC's bytes without hand-copying them. A dump starts with `Label (N octets):  xx xx ...` and
 * continues on indented hex-only lines, possibly across a page break.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TEXT = readFileSync(fileURLToPath(new URL('../fixtures/rfc8448.txt', import.meta.url)), 'utf8');
const LINES = TEXT.split(/\r?\n/);

/**
 * The `nth` dump labelled `label` in section `section` (e.g. 3 = "Simple 1-RTT Handshake").
 * @example rfc8448(3, 'ClientHello') // the 196-octet ClientHello
 */
export function rfc8448(section: number, label: string, nth = 0): Uint8Array {
  const start = LINES.findIndex((l) => l.startsWith(`${section}.  `));
  if (start === -1) throw new Error(`rfc8448: no section ${section}`);
  const heading = new RegExp(`^\\s+${escape(label)} \\((\\d+) octets\\):\\s+(.*)$`);
  let seen = 0;
  for (let i = start + 1; i < LINES.length; i++) {
    const line = LINES[i]!;
    if (/^\d+\. {2}\S/.test(line)) break; // next section
    const m = heading.exec(line);
    if (m === null) continue;
    if (seen++ < nth) continue;
    return collect(Number(m[1]), m[2]!, i + 1, label);
  }
  throw new Error(`rfc8448: no dump #${nth} labelled '${label}' in section ${section}`);
}

function collect(octets: number, first: string, from: number, label: string): Uint8Array {
  const tokens = hexTokens(first);
  if (tokens === undefined) throw new Error(`rfc8448: '${label}' does not start with hex`);
  for (let i = from; tokens.length < octets && i < LINES.length; i++) {
    const line = LINES[i]!;
    const more = hexTokens(line);
    if (more !== undefined) tokens.push(...more);
    else if (!isPageFurniture(line)) throw new Error(`rfc8448: '${label}' ends early at line ${i + 1}`);
  }
  if (tokens.length !== octets) throw new Error(`rfc8448: '${label}' has ${tokens.length} octets, expected ${octets}`);
  return Uint8Array.from(tokens, (t) => parseInt(t, 16));
}

function hexTokens(line: string): string[] | undefined {
  const t = line.trim();
  return /^[0-9a-f]{2}( [0-9a-f]{2})*$/.test(t) ? t.split(' ') : undefined;
}

function isPageFurniture(line: string): boolean {
  const t = line.trim();
  return t === '' || t === '\f' || /\[Page \d+\]$/.test(t) || /^Internet-Draft\s/.test(t) || /^RFC 8448\s/.test(t);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
