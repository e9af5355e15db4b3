/**
 * `puretls s_client` output in OpenSSL 3.0's shapes: the certificate PEMs of the full output
 * and of `-showcerts`, the `SSL-Session:` block, the `-msg` / `-trace` lines for each handshake
 * message, alert and ChangeCipherSpec (RFC 8446 §4, §5.1, §6; RFC 5246 §7), the `-state` lines
 * (`SSL_connect:SSLv3/TLS read server hello`, ...) and the `-status` OCSP line (RFC 6066 §8).
 * @module
 */
import { encodePem, revealMasterSecret, revealResumptionPsk, toHex, type MessageEvent, type ResumptionData } from '@puretls/tls-core/internal';
import { opensslCipherName } from '../names.ts';

/** A DER certificate as the PEM block OpenSSL prints (64-column base64). */
export function certificatePem(der: Uint8Array): string {
  return encodePem('CERTIFICATE', der).trimEnd();
}

const HANDSHAKE_NAMES: Readonly<Record<number, string>> = {
  0: 'HelloRequest',
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  5: 'EndOfEarlyData',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  12: 'ServerKeyExchange',
  13: 'CertificateRequest',
  14: 'ServerHelloDone',
  15: 'CertificateVerify',
  16: 'ClientKeyExchange',
  20: 'Finished',
  22: 'CertificateStatus',
  24: 'KeyUpdate',
};

/** OpenSSL's `-state` wording for a handshake message (ssl/statem/statem_lib.c, SSL_state_string_long). */
const STATE_NAMES: Readonly<Record<number, string>> = {
  1: 'SSLv3/TLS write client hello',
  2: 'SSLv3/TLS read server hello',
  4: 'SSLv3/TLS read server session ticket',
  8: 'TLSv1.3 read encrypted extensions',
  11: 'SSLv3/TLS read server certificate',
  12: 'SSLv3/TLS read server key exchange',
  13: 'SSLv3/TLS read server certificate request',
  14: 'SSLv3/TLS read server done',
  15: 'TLSv1.3 read server certificate verify',
  16: 'SSLv3/TLS write client key exchange',
  20: 'SSLv3/TLS read finished',
  22: 'SSLv3/TLS read certificate status',
  24: 'TLSv1.3 read key update',
};

/** The message name `-msg` prints, e.g. `ServerHello` (a HelloRetryRequest is a ServerHello with the RFC 8446 §4.1.3 random). */
export function handshakeName(body: Uint8Array): string {
  const type = body[0] ?? -1;
  if (type === 2 && isHelloRetryRequest(body)) return 'ServerHello'; // OpenSSL prints HRRs as ServerHello too
  return HANDSHAKE_NAMES[type] ?? `UnknownHandshake(${type})`;
}

const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

function isHelloRetryRequest(body: Uint8Array): boolean {
  return body.length >= 38 && toHex(body.subarray(6, 38)) === HRR_RANDOM;
}

const CONTENT_NAMES: Readonly<Record<number, string>> = { 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake' };

/** `TLS 1.3` / `TLS 1.2` as OpenSSL's message callback names the version (1.3 until negotiated, when 1.3 is offered). */
function versionLabel(event: MessageEvent, maxVersion: 'TLSv1.2' | 'TLSv1.3'): string {
  const v = event.version ?? maxVersion;
  return v === 'TLSv1.3' ? 'TLS 1.3' : 'TLS 1.2';
}

/** Hex dump lines as OpenSSL's `-msg` prints them: 16 bytes a line, 4 spaces of indent. */
export function hexLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row: string[] = [];
    for (const b of bytes.subarray(i, i + 16)) row.push(b.toString(16).padStart(2, '0'));
    lines.push(`    ${row.join(' ')}`);
  }
  return lines;
}

/**
 * `-msg` lines for one message, e.g. `>>> TLS 1.3, Handshake [length 012d], ClientHello` and its
 * hex dump (`>>>` sent, `<<<` received). Record headers are not shown (puretls reports messages,
 * not records).
 */
export function msgLines(event: MessageEvent, maxVersion: 'TLSv1.2' | 'TLSv1.3'): string[] {
  const arrow = event.direction === 'sent' ? '>>>' : '<<<';
  const kind = CONTENT_NAMES[event.contentType] ?? `ContentType(${event.contentType})`;
  const length = event.body.length.toString(16).padStart(4, '0');
  let suffix = '';
  if (event.contentType === 22) suffix = `, ${handshakeName(event.body)}`;
  else if (event.contentType === 21 && event.body.length === 2) suffix = `, ${event.body[0] === 1 ? 'warning' : 'fatal'} ${alertText(event.body[1]!)}`;
  return [`${arrow} ${versionLabel(event, maxVersion)}, ${kind} [length ${length}]${suffix}`, ...hexLines(event.body)];
}

/**
 * `-trace` lines: OpenSSL's `Sent Record` / `Received Record` header with the message name
 * and length (`ClientHello, Length=297`); the fields inside the messages are not decoded.
 */
export function traceLines(event: MessageEvent, maxVersion: 'TLSv1.2' | 'TLSv1.3'): string[] {
  const head = event.direction === 'sent' ? 'Sent Record' : 'Received Record';
  const kind = CONTENT_NAMES[event.contentType] ?? 'Unknown';
  const lines = [head, `  Content Type = ${kind} (${event.contentType})`, `  Length = ${event.body.length}`];
  if (event.contentType === 22) lines.push(`    ${handshakeName(event.body)}, Length=${Math.max(0, event.body.length - 4)}`);
  else if (event.contentType === 21 && event.body.length === 2) lines.push(`    Level=${event.body[0] === 1 ? 'warning' : 'fatal'}(${event.body[0]}), description=${alertText(event.body[1]!)}(${event.body[1]})`);
  else if (event.contentType === 20) lines.push('    change_cipher_spec (1)');
  void maxVersion;
  return lines;
}

/** `-state` line for one message, or undefined for messages OpenSSL's callback does not name. */
export function stateLine(event: MessageEvent): string | undefined {
  if (event.contentType === 20) return `SSL_connect:SSLv3/TLS ${event.direction === 'sent' ? 'write' : 'read'} change cipher spec`;
  if (event.contentType === 21) return `SSL3 alert ${event.direction === 'sent' ? 'write' : 'read'}:${event.body[0] === 1 ? 'warning' : 'fatal'}:${alertText(event.body[1] ?? 0).replace(/_/g, ' ')}`;
  const type = event.body[0] ?? -1;
  if (type === 20) return `SSL_connect:SSLv3/TLS ${event.direction === 'sent' ? 'write' : 'read'} finished`;
  if (type === 11 && event.direction === 'sent') return 'SSL_connect:SSLv3/TLS write client certificate';
  if (type === 24) return `SSL_connect:TLSv1.3 ${event.direction === 'sent' ? 'write' : 'read'} key update`;
  const name = STATE_NAMES[type];
  return name === undefined ? undefined : `SSL_connect:${name}`;
}

const ALERT_TEXT: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

function alertText(description: number): string {
  return ALERT_TEXT[description] ?? `alert_${description}`;
}

function upperHex(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase();
}

/** OpenSSL's ticket dump: `    0000 - 1b 14 fa 39 ... 46 46   ...9'Xx.0..m.xFF`. */
function ticketDump(ticket: Uint8Array): string[] {
  const lines: string[] = [];
  for (let i = 0; i < ticket.length; i += 16) {
    const chunk = ticket.subarray(i, i + 16);
    let hex = '';
    let text = '';
    for (let j = 0; j < 16; j++) {
      const b = chunk[j];
      hex += b === undefined ? '   ' : `${b.toString(16).padStart(2, '0')}${j === 7 ? '-' : ' '}`;
      if (b !== undefined) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`    ${i.toString(16).padStart(4, '0')} - ${hex}  ${text}`);
  }
  return lines;
}

/**
 * OpenSSL's `SSL-Session:` block (SSL_SESSION_print) for a session puretls received. It prints
 * the resumption secret (TLS 1.3 `Resumption PSK`, TLS 1.2 `Master-Key`) as OpenSSL does: this
 * is a debugging tool's output, like a key log. A TLS 1.3 session has no session ID in puretls
 * (OpenSSL makes up a random one): the line is empty.
 */
export function sessionBlock(session: ResumptionData, verifyCode: string): string[] {
  const lines = ['SSL-Session:', `    Protocol  : ${session.version}`, `    Cipher    : ${opensslCipherName(session.suite)}`];
  if (session.version === 'TLSv1.3') {
    lines.push('    Session-ID: ', '    Session-ID-ctx: ', `    Resumption PSK: ${upperHex(revealResumptionPsk(session.psk))}`);
  } else {
    lines.push(`    Session-ID: ${upperHex(session.sessionId)}`, '    Session-ID-ctx: ', `    Master-Key: ${upperHex(revealMasterSecret(session.masterSecret))}`);
  }
  lines.push('    PSK identity: None', '    PSK identity hint: None', '    SRP username: None');
  const ticket = session.ticket;
  if (ticket !== undefined && ticket.length > 0) {
    lines.push(`    TLS session ticket lifetime hint: ${session.lifetimeSeconds} (seconds)`, '    TLS session ticket:', ...ticketDump(ticket), '');
  }
  lines.push(`    Start Time: ${Math.floor(session.receivedAtMs / 1000)}`, `    Timeout   : ${session.lifetimeSeconds} (sec)`, `    Verify return code: ${verifyCode}`);
  lines.push(`    Extended master secret: ${session.version === 'TLSv1.2' && session.extendedMasterSecret ? 'yes' : 'no'}`);
  if (session.version === 'TLSv1.3') lines.push(`    Max Early Data: ${session.maxEarlyData}`);
  return lines;
}

/**
 * The `-status` line(s): `OCSP response: no response sent`, or the response status of the
 * stapled OCSPResponse (RFC 6960 §4.2.1 `responseStatus`; the response itself is not evaluated).
 */
export function ocspLines(response: Uint8Array | undefined): string[] {
  if (response === undefined) return ['OCSP response: no response sent'];
  const status = ocspResponseStatus(response);
  const name = status === undefined ? 'unparsable' : (OCSP_STATUS[status] ?? 'unknown');
  return [
    'OCSP response: ',
    '======================================',
    'OCSP Response Data:',
    `    OCSP Response Status: ${name} (0x${(status ?? 0).toString(16)})`,
    `    (${response.length} bytes stapled; not evaluated by puretls)`,
    '======================================',
  ];
}

const OCSP_STATUS: Readonly<Record<number, string>> = { 0: 'successful', 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized' };

/** OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, ... }: the status, or undefined. */
export function ocspResponseStatus(der: Uint8Array): number | undefined {
  if (der[0] !== 0x30) return undefined;
  let off = 1;
  const first = der[off++];
  if (first === undefined) return undefined;
  if (first & 0x80) off += first & 0x7f; // long-form length of the SEQUENCE
  if (der[off] !== 0x0a || der[off + 1] !== 1) return undefined;
  return der[off + 2];
}
