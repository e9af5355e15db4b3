/**
 * `-starttls smtp|imap|pop3|ftp|xmpp`: the plaintext exchange before the TLS handshake, as
 * `openssl s_client -starttls` does it: SMTP `EHLO` + `STARTTLS` (RFC 3207 §4), IMAP
 * `CAPABILITY` + `STARTTLS` (RFC 3501 §6.2.1), POP3 `STLS` (RFC 2595 §4), FTP `AUTH TLS`
 * (RFC 4217 §6) and XMPP `<starttls/>` (RFC 6120 §5.4). Every server reply is capped in size.
 * @module
 */
import type { Socket } from 'node:net';

export const STARTTLS_PROTOCOLS = ['smtp', 'imap', 'pop3', 'ftp', 'xmpp'] as const;
export type StartTlsProtocol = (typeof STARTTLS_PROTOCOLS)[number];

/** A server reply longer than this before the TLS handshake is refused (a hostile server gets nothing for free). */
const MAX_REPLY_BYTES = 64 * 1024;

/** Reads a plaintext connection in chunks until a predicate over all text so far holds. */
class LineReader {
  #text = '';
  #waiters: Array<() => void> = [];
  #error: Error | undefined;
  readonly #socket: Socket;
  readonly #onData = (chunk: Buffer): void => {
    this.#text += chunk.toString('latin1');
    if (this.#text.length > MAX_REPLY_BYTES) this.#error = new Error(`STARTTLS: the server sent more than ${MAX_REPLY_BYTES} bytes without the expected reply`);
    this.#wake();
  };
  readonly #onEnd = (): void => {
    this.#error ??= new Error('STARTTLS: the server closed the connection');
    this.#wake();
  };
  readonly #onError = (err: Error): void => {
    this.#error ??= err;
    this.#wake();
  };

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Wait until `done(text)` returns a match; the text up to and including the match is consumed. */
  async until(done: (text: string) => number | undefined): Promise<string> {
    for (;;) {
      const end = done(this.#text);
      if (end !== undefined) {
        const taken = this.#text.slice(0, end);
        this.#text = this.#text.slice(end);
        return taken;
      }
      if (this.#error !== undefined) throw this.#error;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Wait for a reply whose final line starts with `code` + space (SMTP/FTP multi-line replies: `250-...` continue). */
  async reply(): Promise<{ code: string; text: string }> {
    let code = '';
    const text = await this.until((t) => {
      const m = /^(\d{3}) [^\n]*\n/m.exec(t);
      if (m === null) return undefined;
      code = m[1]!;
      return m.index + m[0].length;
    });
    return { code, text };
  }

  async line(): Promise<string> {
    return this.until((t) => {
      const i = t.indexOf('\n');
      return i < 0 ? undefined : i + 1;
    });
  }

  /** Stop reading: the socket goes to the TLS layer; nothing the server sent may be left over. */
  detach(): void {
    this.#socket.removeListener('data', this.#onData);
    this.#socket.removeListener('end', this.#onEnd);
    this.#socket.removeListener('error', this.#onError);
    this.#socket.pause();
    if (this.#text.length > 0) throw new Error('STARTTLS: the server sent data after its go-ahead, before the TLS handshake');
  }
}

/**
 * Run the plaintext part of `-starttls proto` on a connected socket.
 * @param host the name used in XMPP's `to=` (OpenSSL: -xmpphost, else the host)
 * @throws Error naming the step when the server refuses or closes
 */
export async function startTls(protocol: StartTlsProtocol, socket: Socket, host: string): Promise<void> {
  const reader = new LineReader(socket);
  const send = (text: string): void => {
    socket.write(text);
  };
  switch (protocol) {
    case 'smtp': {
      const greeting = await reader.reply();
      if (greeting.code !== '220') throw new Error(`STARTTLS: SMTP greeting ${greeting.text.trim()}`);
      send('EHLO mail.example.com\r\n');
      const ehlo = await reader.reply();
      if (ehlo.code !== '250') throw new Error(`STARTTLS: SMTP EHLO refused: ${ehlo.text.trim()}`);
      // OpenSSL goes on when STARTTLS is not advertised, with a warning; so does puretls (the server decides).
      send('STARTTLS\r\n');
      const go = await reader.reply();
      if (go.code !== '220') throw new Error(`STARTTLS: SMTP STARTTLS refused: ${go.text.trim()}`);
      break;
    }
    case 'ftp': {
      const greeting = await reader.reply();
      if (greeting.code !== '220') throw new Error(`STARTTLS: FTP greeting ${greeting.text.trim()}`);
      send('AUTH TLS\r\n');
      const go = await reader.reply();
      if (go.code !== '234') throw new Error(`STARTTLS: FTP AUTH TLS refused: ${go.text.trim()}`);
      break;
    }
    case 'pop3': {
      const greeting = await reader.line();
      if (!greeting.startsWith('+OK')) throw new Error(`STARTTLS: POP3 greeting ${greeting.trim()}`);
      send('STLS\r\n');
      const go = await reader.line();
      if (!go.startsWith('+OK')) throw new Error(`STARTTLS: POP3 STLS refused: ${go.trim()}`);
      break;
    }
    case 'imap': {
      const greeting = await reader.line();
      if (!greeting.startsWith('* OK')) throw new Error(`STARTTLS: IMAP greeting ${greeting.trim()}`);
      send('. CAPABILITY\r\n');
      await reader.until((t) => {
        const m = /^\. (OK|NO|BAD)[^\n]*\n/m.exec(t);
        return m === null ? undefined : m.index + m[0].length;
      });
      send('. STARTTLS\r\n');
      const go = await reader.until((t) => {
        const m = /^\. (OK|NO|BAD)[^\n]*\n/m.exec(t);
        return m === null ? undefined : m.index + m[0].length;
      });
      if (!/^\. OK/m.test(go)) throw new Error(`STARTTLS: IMAP STARTTLS refused: ${go.trim()}`);
      break;
    }
    case 'xmpp': {
      send(`<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' to='${xmlEscape(host)}' version='1.0'>`);
      await reader.until((t) => {
        const i = t.search(/<starttls[\s/>]/);
        if (i < 0) return undefined;
        const end = t.indexOf('</stream:features>', i);
        return end < 0 ? undefined : end + '</stream:features>'.length;
      });
      send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      const go = await reader.until((t) => {
        const m = /<(proceed|failure)[^>]*>/.exec(t);
        return m === null ? undefined : m.index + m[0].length;
      });
      if (!go.includes('<proceed')) throw new Error(`STARTTLS: XMPP starttls refused: ${go.trim()}`);
      break;
    }
  }
  reader.detach();
}

function xmlEscape(text: string): string {
  return text.replace(/[&<>'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
