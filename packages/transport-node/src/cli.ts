/**
 * `puretls s_client`: an `openssl s_client` look-alike on the puretls engine. Supported flags
 * follow OpenSSL's spelling; the summary reproduces the lines of OpenSSL 3.0's full and
 * `-brief` output that apply (`New, TLSv1.3, Cipher is ...`, `Server Temp Key: ...`,
 * `Peer signature type: ...`, `Verification: OK`, ...).
 *
 * Differences from OpenSSL, on purpose: certificates and the host name are verified by
 * default and a failure aborts the handshake (OpenSSL continues unless `-verify_return_error`);
 * `-no_verify` (puretls) restores "report and continue". On stdin EOF puretls sends
 * close_notify and keeps reading until the server closes (a TLS half-close), where OpenSSL
 * exits at once.
 *
 * Sessions (docs/session.md): `-sess_out file` writes each new session as a
 * `-----BEGIN PURETLS SESSION-----` PEM file (the latest wins, as with OpenSSL 3's callback);
 * `-sess_in file` offers it; `-reconnect` makes the first connection and five more with the
 * same Context cache, printing `drop connection and then reconnect` and a `Reused, …` or
 * `New, …` line for each, as OpenSSL does. A session file only loads with the same security
 * flags (-CAfile, versions, suites, ALPN) it was made with.
 * @module
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { AlertReceived, InvalidCertificate, TlsError, alertFor, alertName, encodePem } from '@puretls/tls-core';
import { Context, SESSION_PEM_LABEL, Session } from '@puretls/session';
import { connect, toConfigOptions, type ConnectOptions } from './connect.ts';
import { ephemeralKeyInfo, opensslSignatureParts } from './names.ts';
import { opensslIssuerLine, opensslSubjectLine } from './peer-certificate.ts';
import type { TLSSocket } from './tls-socket.ts';

/** Parsed `s_client` flags. */
export interface SClientArgs {
  host: string;
  port: number;
  servername: string | undefined;
  noServername: boolean;
  caFile: string | undefined;
  /** Client certificate chain (PEM) and its key (PEM); -key defaults to the -cert file, as in OpenSSL. */
  certFile: string | undefined;
  keyFile: string | undefined;
  /** External PSK key (hex) and identity (default `Client_identity`, as OpenSSL's s_client). */
  pskHex: string | undefined;
  pskIdentity: string | undefined;
  alpn: string[] | undefined;
  minVersion: 'TLSv1.2' | 'TLSv1.3' | undefined;
  maxVersion: 'TLSv1.2' | 'TLSv1.3' | undefined;
  ciphersuites: string | undefined;
  cipher: string | undefined;
  groups: string | undefined;
  keylogFile: string | undefined;
  brief: boolean;
  quiet: boolean;
  ignEof: boolean;
  noVerify: boolean;
  showCerts: boolean;
  /** Write each new session to this file (PEM). */
  sessOut: string | undefined;
  sessIn: string | undefined;
  reconnect: boolean;
}

/** The process streams main() uses (tests pass their own). */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/**
 * Run the CLI.
 * @param argv arguments after `puretls`, e.g. `['s_client', '-connect', '127.0.0.1:4433']`
 * @returns the exit code
 */
export async function main(argv: readonly string[], io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-help' || command === '--help' || command === 'help') {
    io.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command !== 's_client') {
    io.stderr.write(`puretls: unknown command "${command}"\n${USAGE}`);
    return 1;
  }
  let args: SClientArgs;
  try {
    args = parseSClientArgs(rest);
  } catch (e) {
    io.stderr.write(`puretls: ${(e as Error).message}\n`);
    return 1;
  }
  let options: ConnectOptions;
  try {
    options = sessionOptionsFor(args, connectOptionsFor(args));
  } catch (e) {
    io.stderr.write(`puretls: ${(e as Error).message.replace(/^tls: /, '')}\n`);
    return 1;
  }
  if (args.reconnect) {
    // OpenSSL: the first connection, then five reconnections; the last one stays interactive.
    for (let i = 0; i < RECONNECTIONS; i++) {
      const code = await handshakeOnly(args, options, io);
      if (code !== 0) return code;
      io.stdout.write('drop connection and then reconnect\n');
      options = { ...options, session: undefined };
    }
  }
  return sClient(args, io, options);
}

/** The number of reconnections `-reconnect` makes (OpenSSL's fixed 5). */
export const RECONNECTIONS = 5;

/**
 * Add a session Context (client cache on) and the `-sess_in` session to the connect options.
 * @throws Error when -sess_in cannot be read or is refused (SessionError reasons)
 */
export function sessionOptionsFor(args: SClientArgs, options: ConnectOptions): ConnectOptions {
  const context = new Context({ ...toConfigOptions(options), sessionCacheMode: 'client' });
  const out: ConnectOptions = { ...options, context };
  if (args.sessIn !== undefined) {
    let text: string;
    try {
      text = readFileSync(args.sessIn, 'latin1');
    } catch (e) {
      throw new Error(`-sess_in ${args.sessIn}: ${(e as Error).message}`);
    }
    try {
      out.session = Session.fromPem(context, text);
    } catch (e) {
      throw new Error(`-sess_in ${args.sessIn}: ${(e as Error).message.replace(/^tls: /, '')}`);
    }
  }
  return out;
}

/** One connection of `-reconnect`: handshake, summary, close_notify, wait for the server to close. */
function handshakeOnly(args: SClientArgs, options: ConnectOptions, io: CliIo): Promise<number> {
  const socket = connect(options);
  attachSessionOutputs(args, socket);
  let secure = false;
  let failure: Error | undefined;
  socket.once('secureConnect', () => {
    secure = true;
    if (!args.quiet) (args.brief ? io.stderr : io.stdout).write(`${summaryLines(socket, args.brief).join('\n')}\n`);
    socket.end();
  });
  socket.on('data', () => {});
  socket.on('error', (err) => (failure ??= err));
  return new Promise((resolve) => {
    socket.once('close', () => {
      if (failure !== undefined) {
        io.stderr.write(`${failureLine(failure, !secure)}\n`);
        resolve(1);
      } else resolve(0);
    });
  });
}

function attachSessionOutputs(args: SClientArgs, socket: TLSSocket): void {
  if (args.keylogFile !== undefined) {
    const file = args.keylogFile;
    socket.on('keylog', (line: Buffer) => appendFileSync(file, line));
  }
  if (args.sessOut !== undefined) {
    const file = args.sessOut;
    socket.on('session', (session: unknown) => {
      if (session instanceof Uint8Array) writeFileSync(file, encodePem(SESSION_PEM_LABEL, session));
    });
  }
}

/**
 * Parse `s_client` flags (OpenSSL spelling, single dash; `--flag` accepted too).
 * @throws Error naming the bad flag
 */
export function parseSClientArgs(argv: readonly string[]): SClientArgs {
  const args: SClientArgs = {
    host: 'localhost',
    port: 4433,
    servername: undefined,
    noServername: false,
    caFile: undefined,
    certFile: undefined,
    keyFile: undefined,
    pskHex: undefined,
    pskIdentity: undefined,
    alpn: undefined,
    minVersion: undefined,
    maxVersion: undefined,
    ciphersuites: undefined,
    cipher: undefined,
    groups: undefined,
    keylogFile: undefined,
    brief: false,
    quiet: false,
    ignEof: false,
    noVerify: false,
    showCerts: false,
    sessOut: undefined,
    sessIn: undefined,
    reconnect: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!.replace(/^--/, '-');
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-connect': {
        const { host, port } = parseHostPort(value());
        args.host = host;
        args.port = port;
        break;
      }
      case '-host':
        args.host = value();
        break;
      case '-port':
        args.port = parsePort(value());
        break;
      case '-servername':
        args.servername = value();
        break;
      case '-noservername':
        args.noServername = true;
        break;
      case '-CAfile':
        args.caFile = value();
        break;
      case '-cert':
        args.certFile = value();
        break;
      case '-key':
        args.keyFile = value();
        break;
      case '-psk':
        args.pskHex = value();
        if (!/^([0-9a-fA-F]{2})+$/.test(args.pskHex)) throw new Error('-psk needs an even number of hex digits');
        break;
      case '-psk_identity':
        args.pskIdentity = value();
        break;
      case '-alpn':
        args.alpn = value().split(',').filter((p) => p !== '');
        break;
      case '-tls1_2':
        args.minVersion = args.maxVersion = 'TLSv1.2';
        break;
      case '-tls1_3':
        args.minVersion = args.maxVersion = 'TLSv1.3';
        break;
      case '-no_tls1_3':
        args.maxVersion = 'TLSv1.2';
        break;
      case '-no_tls1_2':
        args.minVersion = 'TLSv1.3';
        break;
      case '-ciphersuites':
        args.ciphersuites = value();
        break;
      case '-cipher':
        args.cipher = value();
        break;
      case '-groups':
      case '-curves':
        args.groups = value();
        break;
      case '-keylogfile':
        args.keylogFile = value();
        break;
      case '-brief':
        args.brief = true;
        break;
      case '-quiet':
        args.quiet = true;
        args.ignEof = true; // as in OpenSSL: -quiet implies -ign_eof
        break;
      case '-ign_eof':
        args.ignEof = true;
        break;
      case '-no_ign_eof':
        args.ignEof = false;
        break;
      case '-verify_return_error':
        break; // puretls always aborts on a verification failure unless -no_verify
      case '-no_verify':
        args.noVerify = true;
        break;
      case '-showcerts':
        args.showCerts = true;
        break;
      case '-sess_out':
        args.sessOut = value();
        break;
      case '-sess_in':
        args.sessIn = value();
        break;
      case '-reconnect':
        args.reconnect = true;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return args;
}

/** The `tls.connect()`-style options for parsed flags. */
export function connectOptionsFor(args: SClientArgs): ConnectOptions {
  const options: ConnectOptions = { host: args.host, port: args.port, rejectUnauthorized: !args.noVerify };
  if (args.servername !== undefined) options.servername = args.servername;
  if (args.noServername) options.sendServerName = false;
  if (args.caFile !== undefined) options.ca = readFileSync(args.caFile, 'latin1');
  if (args.certFile !== undefined) {
    options.cert = readFileSync(args.certFile, 'latin1');
    options.key = readFileSync(args.keyFile ?? args.certFile, 'latin1');
  } else if (args.keyFile !== undefined) throw new Error('-key needs -cert');
  if (args.pskHex !== undefined) options.externalPsk = { identity: args.pskIdentity ?? 'Client_identity', key: new Uint8Array(Buffer.from(args.pskHex, 'hex')) };
  if (args.alpn !== undefined) options.ALPNProtocols = args.alpn;
  if (args.minVersion !== undefined) options.minVersion = args.minVersion;
  if (args.maxVersion !== undefined) options.maxVersion = args.maxVersion;
  if (args.ciphersuites !== undefined) options.suites = args.ciphersuites;
  if (args.cipher !== undefined) options.ciphers = args.cipher;
  if (args.groups !== undefined) options.groups = args.groups;
  if (args.keylogFile !== undefined) options.keylog = true;
  return options;
}

/** The OpenSSL-style summary lines for an established connection. */
export function summaryLines(socket: TLSSocket, brief: boolean): string[] {
  const n = socket.negotiated;
  if (n === undefined) return [];
  const cipher = socket.getCipher()?.name ?? '(none)';
  const chain = socket.getPeerCertificateChain();
  const leaf = chain[0];
  const subject = leaf === undefined ? undefined : opensslSubjectLine(leaf);
  const sig = n.signatureScheme === undefined ? undefined : opensslSignatureParts(n.signatureScheme);
  const tempKey = n.group === undefined ? undefined : `Server Temp Key: ${ephemeralKeyInfo(n.group).openssl}`;
  const verification = socket.authorized ? 'Verification: OK' : `Verification error: ${socket.authorizationError ?? 'unknown'}`;
  const alpn = n.alpn === undefined ? 'No ALPN negotiated' : `ALPN protocol: ${n.alpn}`;
  const lines: string[] = [];
  if (brief) {
    lines.push('CONNECTION ESTABLISHED', `Protocol version: ${n.versionName}`, `Ciphersuite: ${cipher}`);
    if (subject !== undefined) lines.push(`Peer certificate: ${subject}`);
    if (sig?.digest !== undefined) lines.push(`Hash used: ${sig.digest}`);
    if (sig !== undefined) lines.push(`Signature type: ${sig.type}`);
    lines.push(verification);
    if (tempKey !== undefined) lines.push(tempKey);
    if (n.alpn !== undefined) lines.push(alpn);
    return lines;
  }
  lines.push(`CONNECTED(${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'})`, '---', 'Certificate chain');
  chain.forEach((der, i) => lines.push(` ${i} s:${opensslSubjectLine(der)}`, `   i:${opensslIssuerLine(der)}`));
  lines.push('---');
  if (sig?.digest !== undefined) lines.push(`Peer signing digest: ${sig.digest}`);
  if (sig !== undefined) lines.push(`Peer signature type: ${sig.type}`);
  if (tempKey !== undefined) lines.push(tempKey);
  lines.push('---', verification, '---');
  lines.push(`${n.sessionReused ? 'Reused' : 'New'}, ${n.versionName}, Cipher is ${cipher}`);
  lines.push(`Protocol version: ${n.versionName}`, `Ciphersuite: ${cipher}`);
  if (subject !== undefined) lines.push(`Peer certificate: ${subject}`);
  lines.push(alpn);
  lines.push(socket.authorized ? 'Verify return code: 0 (ok)' : `Verify return code: 1 (${socket.authorizationError ?? 'unknown'})`);
  lines.push('---');
  return lines;
}

/**
 * One-line failure reason: the alert received or sent, or the certificate error.
 * @example failureLine(new AlertReceived(40), true) // 'puretls: handshake failed: received fatal alert handshake_failure (40)'
 */
export function failureLine(err: Error, duringHandshake: boolean): string {
  const stage = duringHandshake ? 'handshake failed' : 'connection error';
  const text = err.message.replace(/^tls: /, '');
  if (err instanceof AlertReceived) return `puretls: ${stage}: ${text}`;
  const sent = err instanceof TlsError ? alertFor(err) : undefined;
  const sentText = sent === undefined ? '' : ` (sent alert ${alertName(sent)} (${sent}))`;
  if (err instanceof InvalidCertificate) return `puretls: ${stage}: certificate verify failed: ${err.reason}${sentText}`;
  const code = (err as { code?: string }).code;
  return `puretls: ${stage}: ${text}${code !== undefined && !text.includes(code) ? ` (${code})` : ''}${sentText}`;
}

function sClient(args: SClientArgs, io: CliIo, options: ConnectOptions = connectOptionsFor(args)): Promise<number> {
  let socket: TLSSocket;
  try {
    socket = connect(options);
  } catch (e) {
    io.stderr.write(`puretls: ${(e as Error).message.replace(/^tls: /, '')}\n`);
    return Promise.resolve(1);
  }
  attachSessionOutputs(args, socket);
  let secure = false;
  let failure: Error | undefined;
  socket.once('secureConnect', () => {
    secure = true;
    if (!args.quiet) {
      const lines = summaryLines(socket, args.brief);
      (args.brief ? io.stderr : io.stdout).write(`${lines.join('\n')}\n`);
    }
    io.stdin.pipe(socket, { end: !args.ignEof });
  });
  socket.pipe(io.stdout, { end: false });
  socket.on('error', (err) => (failure ??= err));
  return new Promise((resolve) => {
    socket.once('close', () => {
      io.stdin.unpipe(socket);
      if (io.stdin !== process.stdin || !process.stdin.isTTY) io.stdin.pause();
      if (failure !== undefined) {
        io.stderr.write(`${failureLine(failure, !secure)}\n`);
        resolve(1);
        return;
      }
      if (!args.quiet) io.stderr.write('DONE\n');
      resolve(0);
    });
  });
}

function parseHostPort(text: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed !== null) return { host: bracketed[1]!, port: parsePort(bracketed[2]!) };
  const colon = text.lastIndexOf(':');
  if (colon <= 0) throw new Error(`-connect wants host:port, got "${text}"`);
  return { host: text.slice(0, colon), port: parsePort(text.slice(colon + 1)) };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port "${text}"`);
  return port;
}

const USAGE = `usage: puretls s_client [options]
  -connect host:port     server to connect to (default localhost:4433)
  -servername name       SNI and verification name (default: the host)
  -noservername          do not send SNI (verification still uses the host)
  -CAfile file           PEM trust anchors (replace the default roots)
  -alpn p1,p2            offer ALPN protocols
  -tls1_2 | -tls1_3      only this version
  -ciphersuites list     TLS 1.3 suites, colon-separated
  -cipher list           TLS 1.2 suites, OpenSSL names, colon-separated
  -groups list           key exchange groups, e.g. X25519:P-256
  -keylogfile file       append NSS key log lines (SSLKEYLOGFILE format)
  -brief                 short summary on stderr
  -quiet                 no summary (implies -ign_eof)
  -ign_eof               on stdin EOF keep reading until the server closes
  -verify_return_error   accepted; puretls always aborts on verification failure
  -no_verify             report a verification failure and continue (puretls)
  -sess_out file         write each new session to file (PEM, PURETLS SESSION)
  -sess_in file          offer the session in file
  -reconnect             reconnect 5 times with the cached session (prints Reused/New)
`;
