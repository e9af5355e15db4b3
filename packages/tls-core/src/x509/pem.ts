/**
 * PEM decoding of certificate bundles (RFC 7468 §2 and §5.1): the `CERTIFICATE` blocks of a text,
 * tolerant of explanatory text around blocks (as `openssl x509 -text` and CA bundles contain) and of
 * CRLF line ends; strict inside a block (base64 alphabet, padding only at the end).
 * @module
 */
import { InvalidCertificate } from '../errors.ts';

/**
 * Extract the DER bytes of every `-----BEGIN CERTIFICATE-----` block, in order. Blocks with other
 * labels (keys, CRLs, `TRUSTED CERTIFICATE`) are skipped.
 * @param text a PEM bundle
 * @returns the DER of each certificate block
 * @throws {InvalidCertificate} BadEncoding for an unterminated block or bad base64 inside a block
 * @example
 * const ders = decodePemCertificates(readFileSync('ca-bundle.pem', 'utf8'));
 */
export function decodePemCertificates(text: string): Uint8Array[] {
  return decodePemBlocks(text)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.der);
}

/** Every PEM block of a text with its label. */
export function decodePemBlocks(text: string): { label: string; der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const begin = /^-----BEGIN ([A-Z0-9 ]+)-----\s*$/.exec(lines[i]!);
    if (begin === null) continue;
    const label = begin[1]!;
    let body = '';
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.startsWith('-----END ')) {
        if (line.trimEnd() !== `-----END ${label}-----`) throw new InvalidCertificate('BadEncoding', `PEM END label does not match ${label}`);
        break;
      }
      body += line.trim();
    }
    if (j === lines.length) throw new InvalidCertificate('BadEncoding', `unterminated PEM block ${label}`);
    out.push({ label, der: decodeBase64(body) });
    i = j;
  }
  return out;
}

/** Encode DER as one PEM block with 64-column lines (RFC 7468 §2). */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function decodeBase64(s: string): Uint8Array {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new InvalidCertificate('BadEncoding', 'PEM body is not base64');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) v = (v << 6) | (s[i + k] === '=' ? 0 : ALPHABET.indexOf(s[i + k]!));
    for (let k = 2; k >= 0 && o < out.length; k--) out[o++] = (v >> (8 * k)) & 0xff;
  }
  return out;
}

function encodeBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = b.length - i;
    const v = (b[i]! << 16) | ((n > 1 ? b[i + 1]! : 0) << 8) | (n > 2 ? b[i + 2]! : 0);
    s += ALPHABET[(v >> 18) & 63]! + ALPHABET[(v >> 12) & 63]!;
    s += n > 1 ? ALPHABET[(v >> 6) & 63]! : '=';
    s += n > 2 ? ALPHABET[v & 63]! : '=';
  }
  return s;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
