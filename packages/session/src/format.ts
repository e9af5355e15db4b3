/**
 * The serialized session format, version 1 (documented in docs/session.md §Format), written
 * and read with tls-core's Writer/Reader (RFC 8446 §3 presentation-language conventions):
 *
 * ```
 * struct {
 *   opaque magic[4] = "PTSS";
 *   uint8 format_version = 1;
 *   opaque domain_id<32>;             // securityDomainId() of the Context: u8 length 32
 *   opaque host<0..255>;              // UTF-8, as connected to (cache key)
 *   uint16 port;
 *   uint8 kind;                       // 1 = TLS 1.3 ticket, 2 = TLS 1.2 session
 *   uint16 cipher_suite;
 *   uint32 issued_at_hi; uint32 issued_at_lo;   // ms since the epoch
 *   uint32 lifetime_seconds;          // <= 604800
 *   opaque alpn<0..255>;              // empty: none
 *   opaque server_name<0..255>;       // empty: no SNI was sent
 *   opaque certificates<0..2^24-1>;   // each: opaque cert<1..2^24-1>, leaf first
 *   select (kind) {
 *     case 1: opaque psk<32|48>; opaque ticket<1..2^16-1>; uint32 age_add; uint32 max_early_data;
 *     case 2: opaque master_secret<48>; opaque session_id<0..32>; uint8 has_ticket;
 *             opaque ticket<0..2^16-1>; uint8 extended_master_secret;
 *   };
 *   opaque client_certificate<1..2^24-1>;  // OPTIONAL, present only when the session was
 *                                     // authenticated with a client certificate (its leaf, DER);
 *                                     // absent, the bytes are those of every earlier writer
 *   opaque tag[32];                   // HMAC-SHA256(session_key, every byte above)
 * }
 * ```
 * The secrets arrive and leave as tls-core's typed values (`ResumptionPsk`, `Tls12MasterSecret`):
 * their bytes are read with the internal entry's reveal functions (a copy)
 * and parsed into new values with `fromBytes`.
 * @module
 */
import {
  InvalidMessage,
  Reader,
  SHA256,
  TlsError,
  Writer,
  decodePemBlocks,
  encodePem,
  equalBytes,
  fromUtf8,
  hmac,
  revealMasterSecret,
  revealResumptionPsk,
  ResumptionPsk,
  Tls12MasterSecret,
  tls12SuiteById,
  tls13SuiteById,
  utf8,
  type ResumptionData,
} from '@puretls/tls-core/internal';
import { SessionError } from './errors.ts';

/** The PEM label of the session file form. */
export const SESSION_PEM_LABEL = 'PURETLS SESSION';
export const SESSION_FORMAT_VERSION = 1;
const MAGIC = /* @__PURE__ */ new Uint8Array([0x50, 0x54, 0x53, 0x53]); // "PTSS"
const TAG_LENGTH = 32;
const KIND_TLS13 = 1;
const KIND_TLS12 = 2;

/**
 * The default integrity key: public, so the tag is a keyed checksum that detects corruption
 * and accidental edits, not a forgery (docs/session.md §Integrity). A Context with a secret
 * `sessionKey` makes the tag an authenticator.
 */
export const PUBLIC_SESSION_KEY: Uint8Array = /* @__PURE__ */ SHA256.digest(utf8('puretls session format v1 public checksum key'));

/** Encode one session. */
export function encodeSession(data: ResumptionData, host: string, port: number, domainId: Uint8Array, key: Uint8Array): Uint8Array {
  const w = new Writer(512);
  w.bytes(MAGIC).u8(SESSION_FORMAT_VERSION);
  w.opaque(1, domainId);
  w.opaque(1, utf8(host));
  w.u16(port);
  w.u8(data.version === 'TLSv1.3' ? KIND_TLS13 : KIND_TLS12);
  w.u16(data.suite);
  w.u32(Math.floor(data.receivedAtMs / 2 ** 32)).u32(data.receivedAtMs >>> 0);
  w.u32(data.lifetimeSeconds);
  w.opaque(1, utf8(data.alpn ?? ''));
  w.opaque(1, utf8(data.serverName ?? ''));
  w.prefixed(3, (l) => data.peerCertificates.forEach((c) => l.opaque(3, c)));
  if (data.version === 'TLSv1.3') {
    // The revealed bytes are a copy; the encoding returned holds the same secret, so it is not wiped apart.
    w.opaque(1, revealResumptionPsk(data.psk)).opaque(2, data.ticket).u32(data.ageAdd).u32(data.maxEarlyData);
  } else {
    w.opaque(1, revealMasterSecret(data.masterSecret)).opaque(1, data.sessionId);
    w.u8(data.ticket === undefined ? 0 : 1).opaque(2, data.ticket ?? new Uint8Array(0));
    w.u8(data.extendedMasterSecret ? 1 : 0);
  }
  // Appended only when used, so sessions without a client certificate keep their exact earlier bytes.
  if (data.clientCertificate !== undefined) w.opaque(3, data.clientCertificate);
  const body = w.finish();
  const out = new Uint8Array(body.length + TAG_LENGTH);
  out.set(body);
  out.set(hmac(SHA256, key, body), body.length);
  return out;
}

/**
 * Decode and check one session.
 * @throws SessionError for every defect, never anything else
 */
export function decodeSession(input: Uint8Array, domainId: Uint8Array, key: Uint8Array): { data: ResumptionData; host: string; port: number } {
  if (!(input instanceof Uint8Array)) throw new SessionError('Malformed', 'not bytes');
  // A Uint8Array subclass (Node's Buffer) makes slice() return a view, so the parsed secret would
  // alias the caller's bytes and be wiped in them by free(). Parse a plain view instead.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < MAGIC.length + 1) throw new SessionError(bytes.length === 0 || isPrefixOf(bytes, MAGIC) ? 'Truncated' : 'BadMagic');
  if (!equalBytes(bytes.subarray(0, MAGIC.length), MAGIC)) throw new SessionError('BadMagic');
  if (bytes[MAGIC.length] !== SESSION_FORMAT_VERSION) throw new SessionError('UnsupportedFormatVersion', `version ${bytes[MAGIC.length]}`);
  if (bytes.length < MAGIC.length + 1 + TAG_LENGTH) throw new SessionError('Truncated');
  const body = bytes.subarray(0, bytes.length - TAG_LENGTH);
  let parsed: { data: ResumptionData; host: string; port: number; domain: Uint8Array };
  try {
    parsed = parseBody(new Reader(body.subarray(MAGIC.length + 1)));
  } catch (e) {
    if (e instanceof SessionError) throw e;
    // A body that runs short is what a cut-off file looks like (the tag then sits inside the body).
    if (e instanceof InvalidMessage && e.reason === 'MissingData') throw new SessionError('Truncated', e.what);
    if (e instanceof TlsError) throw new SessionError('Malformed', e.message);
    throw new SessionError('Malformed', String(e));
  }
  // equalBytes runs in time that depends only on the lengths (both TAG_LENGTH here).
  if (!equalBytes(hmac(SHA256, key, body), bytes.subarray(bytes.length - TAG_LENGTH))) throw new SessionError('Altered', 'integrity tag mismatch');
  if (!equalBytes(parsed.domain, domainId)) throw new SessionError('ForeignConfiguration', 'made by a Context with another security configuration');
  return { data: parsed.data, host: parsed.host, port: parsed.port };
}

/** The PEM block text. */
export function sessionToPem(bytes: Uint8Array): string {
  return encodePem(SESSION_PEM_LABEL, bytes);
}

/**
 * The bytes of the first `PURETLS SESSION` block.
 * @throws SessionError BadPem
 */
export function sessionFromPem(text: string): Uint8Array {
  let blocks: { label: string; der: Uint8Array }[];
  try {
    blocks = decodePemBlocks(text);
  } catch (e) {
    throw new SessionError('BadPem', (e as Error).message);
  }
  const block = blocks.find((b) => b.label === SESSION_PEM_LABEL);
  if (block === undefined) throw new SessionError('BadPem', `no ${SESSION_PEM_LABEL} block`);
  return block.der;
}

function parseBody(r: Reader): { data: ResumptionData; host: string; port: number; domain: Uint8Array } {
  const domain = r.opaque8('domain_id').slice();
  if (domain.length !== 32) throw new SessionError('Malformed', 'domain_id length');
  const host = text(r.opaque8('host'));
  const port = r.u16('port');
  const kind = r.u8('kind');
  const suite = r.u16('cipher_suite');
  const hi = r.u32('issued_at_hi');
  const lo = r.u32('issued_at_lo');
  if (hi >= 2 ** 21) throw new SessionError('Malformed', 'issued_at beyond 2^53');
  const receivedAtMs = hi * 2 ** 32 + lo;
  const lifetimeSeconds = r.u32('lifetime_seconds');
  if (lifetimeSeconds > 604800) throw new SessionError('Malformed', 'lifetime above 7 days');
  const alpn = optionalText(r.opaque8('alpn'));
  const serverName = optionalText(r.opaque8('server_name'));
  const certList = r.vec24('certificates');
  const peerCertificates: Uint8Array[] = [];
  while (!certList.atEnd) peerCertificates.push(certList.opaque24('certificate', { nonEmpty: true }).slice());
  let data: ResumptionData;
  if (kind === KIND_TLS13) {
    const s = tls13SuiteById(suite);
    if (s === undefined) throw new SessionError('Malformed', 'not a TLS 1.3 suite');
    const pskBytes = r.opaque8('psk');
    if (pskBytes.length !== s.hash.outputLen) throw new SessionError('Malformed', 'psk length differs from the suite hash');
    const psk = ResumptionPsk.fromBytes(pskBytes);
    const ticket = r.opaque16('ticket', { nonEmpty: true }).slice();
    const ageAdd = r.u32('age_add');
    const maxEarlyData = r.u32('max_early_data');
    data = { version: 'TLSv1.3', suite, psk, ticket, lifetimeSeconds, ageAdd, receivedAtMs, maxEarlyData, alpn, serverName, peerCertificates };
  } else if (kind === KIND_TLS12) {
    const s = tls12SuiteById(suite);
    if (s === undefined) throw new SessionError('Malformed', 'not a TLS 1.2 suite');
    const masterBytes = r.opaque8('master_secret');
    if (masterBytes.length !== 48) throw new SessionError('Malformed', 'master secret length');
    const masterSecret = Tls12MasterSecret.fromBytes(s.prfHash, masterBytes);
    const sessionId = r.opaque8('session_id', { max: 32 }).slice();
    const hasTicket = flag(r.u8('has_ticket'), 'has_ticket');
    const ticketBytes = r.opaque16('ticket').slice();
    if (hasTicket !== ticketBytes.length > 0) throw new SessionError('Malformed', 'has_ticket disagrees with the ticket');
    if (!hasTicket && sessionId.length === 0) throw new SessionError('Malformed', 'neither a session ID nor a ticket');
    const extendedMasterSecret = flag(r.u8('extended_master_secret'), 'extended_master_secret');
    data = {
      version: 'TLSv1.2',
      suite,
      masterSecret,
      sessionId,
      ticket: hasTicket ? ticketBytes : undefined,
      lifetimeSeconds,
      receivedAtMs,
      extendedMasterSecret,
      alpn,
      serverName,
      peerCertificates,
    };
  } else {
    throw new SessionError('Malformed', `kind ${kind}`);
  }
  if (!r.atEnd) data = { ...data, clientCertificate: clientCertificateField(r) };
  r.expectEnd('session');
  return { data, host, port, domain };
}

/** The optional trailing field; bytes after the last fixed field that do not form it are Malformed (not Truncated). */
function clientCertificateField(r: Reader): Uint8Array {
  try {
    return r.opaque24('client_certificate', { nonEmpty: true }).slice();
  } catch (e) {
    if (e instanceof InvalidMessage) throw new SessionError('Malformed', `trailing bytes: ${e.what}`);
    throw e;
  }
}

function flag(v: number, what: string): boolean {
  if (v > 1) throw new SessionError('Malformed', what);
  return v === 1;
}

function text(b: Uint8Array): string {
  try {
    const s = fromUtf8(b);
    if (!equalBytes(utf8(s), b)) throw new Error('not UTF-8');
    return s;
  } catch {
    throw new SessionError('Malformed', 'text is not UTF-8');
  }
}

function optionalText(b: Uint8Array): string | undefined {
  return b.length === 0 ? undefined : text(b);
}

function isPrefixOf(b: Uint8Array, full: Uint8Array): boolean {
  return b.length <= full.length && equalBytes(b, full.subarray(0, b.length));
}
