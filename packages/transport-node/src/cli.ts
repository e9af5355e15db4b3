/**
 * `puretls s_client`: an `openssl s_client` look-alike on the puretls engine. Supported flags
 * follow OpenSSL's spelling (`-help` lists them); the output reproduces OpenSSL 3.0's full and
 * `-brief` shapes (`CONNECTED(...)`, `Certificate chain`, the server certificate PEM,
 * `New, TLSv1.3, Cipher is ...`, `Server Temp Key: ...`, `Verify return code: ...`, the
 * `SSL-Session:` block), `-showcerts`, `-msg` / `-trace` / `-state` lines for each handshake
 * message (cli/output.ts) and `-starttls` (cli/starttls.ts).
 *
 * Differences from OpenSSL, on purpose: certificates and the host name are verified by
 * default and a failure aborts the handshake (OpenSSL continues unless `-verify_return_error`);
 * `-no_verify` (puretls) restores "report and continue". On stdin EOF puretls sends
 * close_notify and keeps reading until the server closes (a TLS half-close), where OpenSSL
 * exits at once. The TCP connect, STARTTLS exchange and handshake have a deadline
 * (`-timeout`, default 30 s; OpenSSL waits forever).
 *
 * Sessions (docs/session.md): `-sess_out file` writes each new session as a
 * `-----BEGIN PURETLS SESSION-----` PEM file (the latest wins, as with OpenSSL 3's callback);
 * `-sess_in file` offers it; `-reconnect` makes the first connection and five more with the
 * same Context cache, printing `drop connection and then reconnect` and a `Reused, …` or
 * `New, …` line for each, as OpenSSL does. A session file only loads with the same security
 * flags (-CAfile, versions, suites, ALPN) it was made with.
 * @module
 */
import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  AlertReceived,
  InvalidCertificate,
  TlsError,
  alertFor,
  alertName,
  encodePem,
  parseCertificate,
  verifyHostname,
  type ClientConfigOptions,
  type MessageEvent,
  type ResumptionData,
} from '@puretls/tls-core';
import { Context, SESSION_PEM_LABEL, Session } from '@puretls/session';
import { connect, toConfigOptions, type ConnectOptions } from './connect.ts';
import { ephemeralKeyInfo, opensslSignatureParts } from './names.ts';
import { certificateList, opensslIssuerLine, opensslSubjectLine } from './peer-certificate.ts';
import { authorizationCode, type TLSSocket } from './tls-socket.ts';
import { certificatePem, msgLines, ocspLines, sessionBlock, stateLine, traceLines } from './cli/output.ts';
import { STARTTLS_PROTOCOLS, startTls, type StartTlsProtocol } from './cli/starttls.ts';
import { probeMain } from './probe/cli.ts';

/** Parsed `s_client` flags. */
export interface SClientArgs {
  host: string;
  port: number;
  servername: string | undefined;
  noServername: boolean;
  caFile: string | undefined;
  /** `-CApath dir`: every PEM certificate in the directory's files is a trust anchor. */
  caPath: string | undefined;
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
  /** `-early_data file`: send the file as TLS 1.3 0-RTT early data with the `-sess_in` session (docs/early-data.md). */
  earlyData: string | undefined;
  reconnect: boolean;
  /** `-help`: print the usage and exit 0. */
  help: boolean;
  /** `-verify_hostname name`: the name the certificate must match (instead of the SNI name). */
  verifyHostname: string | undefined;
  /** `-verify N`: most intermediates between leaf and trust anchor (OpenSSL's verify depth). */
  verifyDepth: number | undefined;
  msg: boolean;
  trace: boolean;
  state: boolean;
  /** `-status`: ask for an OCSP staple and print it. */
  status: boolean;
  /** `-no_ticket`: TLS 1.2 without the session_ticket extension. */
  noTicket: boolean;
  /** `-record_size_limit N` (puretls): offer RFC 8449 record_size_limit N. */
  recordSizeLimit: number | undefined;
  /** Seconds for TCP connect + STARTTLS + handshake; 0 waits forever. */
  timeoutSeconds: number;
  starttls: StartTlsProtocol | undefined;
  /** `-xmpphost name`: XMPP `to=` (default: the host). */
  xmppHost: string | undefined;
}

/** The process streams main() uses (tests pass their own). */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** The handshake deadline without `-timeout`, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

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
  if (command === 'probe') return probeMain(rest, io);
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
  if (args.help) {
    io.stdout.write(USAGE);
    return 0;
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
      const code = await runConnection(args, options, io, false);
      if (code !== 0) return code;
      io.stdout.write('drop connection and then reconnect\n');
      // Early data goes with the -sess_in session, on the first connection only.
      options = { ...options, session: undefined, earlyData: undefined };
    }
  }
  return runConnection(args, options, io, true);
}

/** The number of reconnections `-reconnect` makes (OpenSSL's fixed 5). */
export const RECONNECTIONS = 5;

/**
 * The tls-core settings the CLI flags add to the connect options' (message tracing, tickets,
 * verify depth, OCSP, `-verify_hostname`).
 */
export function cliConfigOptions(args: SClientArgs, options: ConnectOptions): ClientConfigOptions {
  // Messages are always traced: the CLI reads the Certificate message to name a refused chain.
  const config: ClientConfigOptions = { ...toConfigOptions(options), traceMessages: true };
  if (args.noTicket) config.sessionTickets = false;
  if (args.verifyDepth !== undefined) config.verifyDepth = args.verifyDepth;
  if (args.status) config.statusRequest = true;
  const name = args.verifyHostname;
  if (name !== undefined) {
    config.checkServerIdentity = (_sni, leafDer) => {
      try {
        verifyHostname(parseCertificate(leafDer), name);
        return undefined;
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    };
  }
  return config;
}

/**
 * Add a session Context (client cache on, with the CLI's settings) and the `-sess_in` session
 * to the connect options.
 * @throws Error when -sess_in cannot be read or is refused (SessionError reasons)
 */
export function sessionOptionsFor(args: SClientArgs, options: ConnectOptions): ConnectOptions {
  const context = new Context({ ...cliConfigOptions(args, options), sessionCacheMode: 'client' });
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

/** Everything one connection saw, for its output. */
interface ConnectionTrace {
  /** DER certificates of the server's Certificate message (also when the chain was refused). */
  certificates: Uint8Array[];
  /** The server's first bytes (up to 8), to recognise a peer that does not speak TLS. */
  firstBytes: Uint8Array | undefined;
  tcpConnected: boolean;
  timedOut: boolean;
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
}

/**
 * One connection: TCP (and STARTTLS), handshake, summary; then either the interactive session
 * (stdin to the server, the server to stdout) or, for `-reconnect`, close_notify at once.
 */
async function runConnection(args: SClientArgs, options: ConnectOptions, io: CliIo, interactive: boolean): Promise<number> {
  const trace: ConnectionTrace = { certificates: [], firstBytes: undefined, tcpConnected: false, timedOut: false, maxVersion: args.maxVersion ?? 'TLSv1.3' };
  const full = !args.brief && !args.quiet;
  if (args.state) io.stderr.write('SSL_connect:before SSL initialization\n');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let abort: ((err: Error) => void) | undefined;
  const deadline = args.timeoutSeconds > 0 ? args.timeoutSeconds : undefined;
  if (deadline !== undefined) {
    timer = setTimeout(() => {
      trace.timedOut = true;
      abort?.(new Error(`timed out after ${deadline} s (-timeout)`));
    }, deadline * 1000);
  }
  try {
    let transport: Socket | undefined;
    if (args.starttls !== undefined) {
      const tcp = netConnect({ host: args.host, port: args.port });
      abort = (err) => tcp.destroy(err);
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('connect', resolve);
          tcp.once('error', reject);
        });
        trace.tcpConnected = true;
        if (full) io.stdout.write(`CONNECTED(${tcp.remoteAddress ?? '?'}:${tcp.remotePort ?? '?'})\n`);
        await startTls(args.starttls, tcp, args.xmppHost ?? args.servername ?? args.host);
      } catch (e) {
        tcp.destroy();
        io.stderr.write(`${failureLine(e as Error, true, trace)}\n`);
        return 1;
      }
      transport = tcp;
    }
    let socket: TLSSocket;
    try {
      socket = connect(transport === undefined ? options : { ...options, socket: transport });
    } catch (e) {
      io.stderr.write(`puretls: ${(e as Error).message.replace(/^tls: /, '')}\n`);
      return 1;
    }
    abort = (err) => socket.destroy(err);
    return await drive(args, socket, io, interactive, trace, options.context, () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function drive(args: SClientArgs, socket: TLSSocket, io: CliIo, interactive: boolean, trace: ConnectionTrace, context: Context | undefined, handshakeDone: () => void): Promise<number> {
  const full = !args.brief && !args.quiet;
  attachSessionOutputs(args, socket);
  const tcp = socket.socket as Socket;
  const watchFirstBytes = (): void => {
    // A 'data' listener next to the pump's 'readable' one sees every chunk the pump read() takes.
    const onData = (chunk: Buffer): void => {
      trace.firstBytes = new Uint8Array(chunk.subarray(0, 8));
      tcp.removeListener('data', onData);
    };
    tcp.on('data', onData);
  };
  if (!trace.tcpConnected) {
    tcp.once('connect', () => {
      trace.tcpConnected = true;
      if (full) io.stdout.write(`CONNECTED(${tcp.remoteAddress ?? '?'}:${tcp.remotePort ?? '?'})\n`);
      watchFirstBytes();
    });
  } else setImmediate(watchFirstBytes);
  // The ClientHello is made before the TCP connection is up: its -msg lines follow CONNECTED(...).
  const held: string[] = [];
  const writeMsg = (text: string): void => {
    if (trace.tcpConnected) io.stdout.write(text);
    else held.push(text);
  };
  tcp.once('connect', () => {
    for (const text of held.splice(0)) io.stdout.write(text);
  });
  socket.on('message', (event: MessageEvent) => {
    if (event.direction === 'received' && event.contentType === 22 && event.body[0] === 11) trace.certificates = certificateList(event.body, event.version ?? trace.maxVersion);
    if (args.msg) writeMsg(`${msgLines(event, trace.maxVersion).join('\n')}\n`);
    if (args.trace) writeMsg(`${traceLines(event, trace.maxVersion).join('\n')}\n`);
    if (args.state) {
      const line = stateLine(event);
      if (line !== undefined) io.stderr.write(`${line}\n`);
    }
  });
  let secure = false;
  let failure: Error | undefined;
  let tls12Session: ResumptionData | undefined;
  socket.on('session', (value: unknown) => {
    const data = context === undefined ? undefined : resumptionDataOf(context, value);
    if (data === undefined || !full) return;
    if (!secure) {
      tls12Session = data; // TLS 1.2: printed in the summary, as OpenSSL does
      return;
    }
    if (data.version === 'TLSv1.2' && tls12Session === undefined && !summaryPrinted) {
      tls12Session = data;
      return;
    }
    io.stdout.write(`---\nPost-Handshake New Session Ticket arrived:\n${sessionBlock(data, verifyReturn(socket)).join('\n')}\n---\n`);
  });
  let summaryPrinted = false;
  socket.once('secureConnect', () => {
    secure = true;
    handshakeDone();
    if (args.state) io.stderr.write('SSL_connect:SSL negotiation finished successfully\n');
    // After this turn: a TLS 1.2 session event of the same read comes right after secureConnect.
    queueMicrotask(() => {
      summaryPrinted = true;
      if (!args.quiet) {
        const lines = args.brief ? summaryLines(socket, true) : fullSummaryLines(socket, args, tls12Session);
        (args.brief ? io.stderr : io.stdout).write(`${lines.join('\n')}\n`);
      }
      if (interactive) io.stdin.pipe(socket, { end: !args.ignEof });
      else socket.end();
    });
  });
  if (interactive) socket.pipe(io.stdout, { end: false });
  else socket.on('data', () => {});
  socket.on('error', (err) => (failure ??= err));
  return new Promise((resolve) => {
    socket.once('close', () => {
      if (interactive) {
        io.stdin.unpipe(socket);
        if (io.stdin !== process.stdin || !process.stdin.isTTY) io.stdin.pause();
      }
      if (failure !== undefined) {
        if (trace.timedOut && !secure) failure = new Error(`timed out after ${args.timeoutSeconds} s waiting for the ${trace.tcpConnected ? 'handshake' : 'TCP connection'} (-timeout)`);
        io.stderr.write(`${failureLine(failure, !secure, trace)}\n`);
        resolve(1);
        return;
      }
      if (interactive && !args.quiet) io.stderr.write('DONE\n');
      resolve(0);
    });
  });
}

/** The engine data of a `'session'` event value (the serialized bytes). */
function resumptionDataOf(context: Context, value: unknown): ResumptionData | undefined {
  if (value instanceof Uint8Array) {
    try {
      const session = Session.fromBytes(context, value);
      const data = session.resumptionData();
      // Copy the secret: free() wipes the Session's own bytes (it is their owner).
      const copy: ResumptionData = data.version === 'TLSv1.3' ? { ...data, psk: data.psk.copy() } : { ...data, masterSecret: data.masterSecret.copy() };
      session.free();
      return copy;
    } catch {
      return undefined;
    }
  }
  return undefined;
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
    caPath: undefined,
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
    earlyData: undefined,
    reconnect: false,
    help: false,
    verifyHostname: undefined,
    verifyDepth: undefined,
    msg: false,
    trace: false,
    state: false,
    status: false,
    noTicket: false,
    recordSizeLimit: undefined,
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    starttls: undefined,
    xmppHost: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!.replace(/^--/, '-');
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-help':
      case '-h':
        args.help = true;
        break;
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
      case '-CApath':
        args.caPath = value();
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
      case '-verify':
        args.verifyDepth = parseCount(flag, value());
        break;
      case '-verify_hostname':
        args.verifyHostname = value();
        break;
      case '-showcerts':
        args.showCerts = true;
        break;
      case '-msg':
        args.msg = true;
        break;
      case '-trace':
        args.trace = true;
        break;
      case '-state':
        args.state = true;
        break;
      case '-status':
        args.status = true;
        break;
      case '-no_ticket':
        args.noTicket = true;
        break;
      case '-timeout':
        args.timeoutSeconds = parseCount(flag, value());
        break;
      case '-record_size_limit':
        args.recordSizeLimit = parseCount(flag, value());
        break;
      case '-starttls': {
        const proto = value();
        if (!(STARTTLS_PROTOCOLS as readonly string[]).includes(proto)) throw new Error(`-starttls wants one of ${STARTTLS_PROTOCOLS.join(', ')}, got "${proto}"`);
        args.starttls = proto as StartTlsProtocol;
        break;
      }
      case '-xmpphost':
        args.xmppHost = value();
        break;
      case '-sess_out':
        args.sessOut = value();
        break;
      case '-sess_in':
        args.sessIn = value();
        break;
      case '-early_data':
        args.earlyData = value();
        break;
      case '-reconnect':
        args.reconnect = true;
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (puretls s_client -help lists the options)`);
    }
  }
  // 0-RTT resumes a TLS 1.3 session whose ticket allows early data (RFC 8446 §4.2.10).
  if (args.earlyData !== undefined && args.sessIn === undefined) throw new Error('-early_data needs -sess_in (a TLS 1.3 session whose ticket allows early data)');
  return args;
}

/**
 * The trust anchors of `-CApath dir`: the PEM text of every regular file in the directory that
 * holds a certificate (OpenSSL looks up hashed names; puretls reads them all).
 * @throws Error when the directory cannot be read
 */
export function readCaPath(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) continue;
      const text = readFileSync(path, 'latin1');
      if (text.includes('-----BEGIN CERTIFICATE-----')) out.push(text);
    } catch {
      // unreadable entries are skipped, as OpenSSL's lookup skips them
    }
  }
  return out;
}

/** The `tls.connect()`-style options for parsed flags. */
export function connectOptionsFor(args: SClientArgs): ConnectOptions {
  // The CLI's own -timeout deadline covers TCP connect, STARTTLS and the handshake: connect()'s is off.
  const options: ConnectOptions = { host: args.host, port: args.port, rejectUnauthorized: !args.noVerify, handshakeTimeout: 0 };
  if (args.servername !== undefined) options.servername = args.servername;
  if (args.noServername) options.sendServerName = false;
  const anchors: string[] = [];
  if (args.caFile !== undefined) anchors.push(readFileSync(args.caFile, 'latin1'));
  if (args.caPath !== undefined) anchors.push(...readCaPath(args.caPath));
  if (args.caFile !== undefined || args.caPath !== undefined) options.ca = anchors;
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
  if (args.recordSizeLimit !== undefined) options.recordSizeLimit = args.recordSizeLimit;
  if (args.earlyData !== undefined) {
    try {
      options.earlyData = readFileSync(args.earlyData);
    } catch (e) {
      throw new Error(`-early_data ${args.earlyData}: ${(e as Error).message}`);
    }
  }
  return options;
}

/** OpenSSL's verify result number and text for a Node/OpenSSL verify code (x509_txt.c, OpenSSL 3.0 wording). */
const OPENSSL_VERIFY: Readonly<Record<string, readonly [number, string]>> = {
  CERT_SIGNATURE_FAILURE: [7, 'certificate signature failure'],
  CERT_NOT_YET_VALID: [9, 'certificate is not yet valid'],
  CERT_HAS_EXPIRED: [10, 'certificate has expired'],
  DEPTH_ZERO_SELF_SIGNED_CERT: [18, 'self-signed certificate'],
  SELF_SIGNED_CERT_IN_CHAIN: [19, 'self-signed certificate in certificate chain'],
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: [6, 'unable to decode issuer public key'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [20, 'unable to get local issuer certificate'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [21, 'unable to verify the first certificate'],
  CERT_CHAIN_TOO_LONG: [22, 'certificate chain too long'],
  INVALID_CA: [24, 'invalid CA certificate'],
  PATH_LENGTH_EXCEEDED: [25, 'path length constraint exceeded'],
  INVALID_PURPOSE: [26, 'unsupported certificate purpose'],
  UNHANDLED_CRITICAL_EXTENSION: [34, 'unhandled critical extension'],
  PERMITTED_VIOLATION: [47, 'permitted subtree violation'],
  ERR_TLS_CERT_ALTNAME_INVALID: [62, 'hostname mismatch'],
  EE_KEY_TOO_SMALL: [66, 'EE certificate key too weak'],
  CA_MD_TOO_WEAK: [68, 'CA signature digest algorithm too weak'],
};

/** `[number, text]` of OpenSSL's verify result for a certificate error and the chain the server sent. */
export function opensslVerifyResult(err: Error, chain: readonly Uint8Array[]): readonly [number, string] {
  const code = authorizationCode(err, chain);
  return OPENSSL_VERIFY[code] ?? [1, code];
}

function verifyReturn(socket: TLSSocket): string {
  const n = socket.negotiated;
  if (socket.authorized || n?.certificateError === undefined) return '0 (ok)';
  const [num, text] = opensslVerifyResult(n.certificateError, n.peerCertificates);
  return `${num} (${text})`;
}

/** The OpenSSL-style summary lines for an established connection (`-brief`, or the short full form). */
export function summaryLines(socket: TLSSocket, brief: boolean): string[] {
  const n = socket.negotiated;
  if (n === undefined) return [];
  const cipher = socket.getCipher()?.name ?? '(none)';
  const chain = socket.getPeerCertificateChain();
  const leaf = chain[0];
  const subject = leaf === undefined ? undefined : opensslSubjectLine(leaf);
  const sig = n.signatureScheme === undefined ? undefined : opensslSignatureParts(n.signatureScheme);
  const tempKey = n.group === undefined ? undefined : `Server Temp Key: ${ephemeralKeyInfo(n.group).openssl}`;
  const verification = socket.authorized ? 'Verification: OK' : `Verification error: ${verifyReturn(socket).replace(/^\d+ \((.*)\)$/, '$1')}`;
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
  lines.push('---', 'Certificate chain');
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
  lines.push(`Verify return code: ${verifyReturn(socket)}`);
  lines.push('---');
  return lines;
}

/** OpenSSL's `v:NotBefore: Dec  4 16:20:45 2026 GMT; NotAfter: ...` line of a chain entry. */
function validityLine(der: Uint8Array): string | undefined {
  try {
    const cert = parseCertificate(der);
    return `   v:NotBefore: ${opensslTime(cert.notBefore)}; NotAfter: ${opensslTime(cert.notAfter)}`;
  } catch {
    return undefined;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ASN1_TIME_print's form: `Dec  4 16:20:45 2026 GMT`. */
export function opensslTime(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

/**
 * The full (non-`-brief`) output of OpenSSL 3.0 after the handshake: chain (with PEMs under
 * `-showcerts`), `Server certificate` PEM, key exchange, byte counts, verification, the session
 * line and, for TLS 1.2, the `SSL-Session:` block.
 */
export function fullSummaryLines(socket: TLSSocket, args: Pick<SClientArgs, 'showCerts' | 'status'>, tls12Session?: ResumptionData): string[] {
  const n = socket.negotiated;
  if (n === undefined) return [];
  const cipher = socket.getCipher()?.name ?? '(none)';
  const chain = socket.getPeerCertificateChain();
  const leaf = chain[0];
  const sig = n.signatureScheme === undefined ? undefined : opensslSignatureParts(n.signatureScheme);
  const lines: string[] = [];
  if (args.status) lines.push(...ocspLines(n.ocspResponse));
  lines.push('---');
  if (chain.length === 0) lines.push('no peer certificate available');
  else {
    lines.push('Certificate chain');
    chain.forEach((der, i) => {
      lines.push(` ${i} s:${opensslSubjectLine(der)}`, `   i:${opensslIssuerLine(der)}`);
      const v = validityLine(der);
      if (v !== undefined) lines.push(v);
      if (args.showCerts) lines.push(certificatePem(der));
    });
    lines.push('---', 'Server certificate');
    if (!args.showCerts && leaf !== undefined) lines.push(certificatePem(leaf));
    if (leaf !== undefined) lines.push(`subject=${opensslSubjectLine(leaf)}`, `issuer=${opensslIssuerLine(leaf)}`);
  }
  lines.push('---', 'No client certificate CA names sent');
  if (sig?.digest !== undefined) lines.push(`Peer signing digest: ${sig.digest}`);
  if (sig !== undefined) lines.push(`Peer signature type: ${sig.type}`);
  if (n.group !== undefined) lines.push(`Server Temp Key: ${ephemeralKeyInfo(n.group).openssl}`);
  const tcp = socket.socket as Partial<Socket>;
  lines.push('---', `SSL handshake has read ${tcp.bytesRead ?? 0} bytes and written ${tcp.bytesWritten ?? 0} bytes`);
  lines.push(socket.authorized ? 'Verification: OK' : `Verification error: ${verifyReturn(socket).replace(/^\d+ \((.*)\)$/, '$1')}`);
  lines.push('---', `${n.sessionReused ? 'Reused' : 'New'}, ${n.versionName}, Cipher is ${cipher}`);
  lines.push(`Protocol version: ${n.versionName}`, `Ciphersuite: ${cipher}`);
  if (leaf !== undefined) lines.push(`Peer certificate: ${opensslSubjectLine(leaf)}`);
  lines.push(`Secure Renegotiation IS${n.versionName === 'TLSv1.2' ? '' : ' NOT'} supported`, 'Compression: NONE', 'Expansion: NONE');
  lines.push(n.alpn === undefined ? 'No ALPN negotiated' : `ALPN protocol: ${n.alpn}`);
  // OpenSSL 3.0 print_stuff(): SSL_get_early_data_status() for every TLS 1.3 connection.
  if (n.versionName === 'TLSv1.3') lines.push(EARLY_DATA_LINES[n.earlyData]);
  lines.push(`Verify return code: ${verifyReturn(socket)}`);
  if (tls12Session !== undefined) lines.push(...sessionBlock(tls12Session, verifyReturn(socket)));
  lines.push('---');
  return lines;
}

/** OpenSSL 3.0 s_client's wording for SSL_EARLY_DATA_ACCEPTED / _REJECTED / _NOT_SENT. */
const EARLY_DATA_LINES = {
  accepted: 'Early data was accepted',
  rejected: 'Early data was rejected',
  'not-offered': 'Early data was not sent',
} as const;

/** The printable start of what a non-TLS peer sent, e.g. `"HTTP/1.0"`, or undefined when it looks like TLS. */
export function nonTlsPreview(first: Uint8Array | undefined): string | undefined {
  if (first === undefined || first.length === 0) return undefined;
  // A TLS record starts with content type 20..24 and version major 3 (RFC 8446 §5.1).
  if (first[0]! >= 20 && first[0]! <= 24 && (first.length < 2 || first[1] === 3)) return undefined;
  let text = '';
  for (const b of first) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return text;
}

/**
 * One-line failure reason: the TCP error, the alert received or sent, the certificate error in
 * OpenSSL's words (`self-signed certificate`), or a hint that the peer does not speak TLS.
 * @example failureLine(new AlertReceived(40), true) // 'puretls: handshake failed: received fatal alert handshake_failure (40)'
 */
export function failureLine(err: Error, duringHandshake: boolean, trace?: Pick<ConnectionTrace, 'certificates' | 'firstBytes' | 'tcpConnected'>): string {
  const sys = err as { code?: string; syscall?: string; errno?: number; address?: string; port?: number };
  if (sys.syscall === 'connect' || (trace !== undefined && !trace.tcpConnected && typeof sys.code === 'string' && sys.code.startsWith('E'))) {
    const where = sys.address === undefined ? '' : ` ${sys.address}${sys.port === undefined ? '' : `:${sys.port}`}`;
    return `puretls: connect: ${SYSCALL_TEXT[sys.code ?? ''] ?? err.message} (${sys.code ?? 'error'}${where})\nconnect:errno=${Math.abs(sys.errno ?? 0)}`;
  }
  if (sys.syscall === 'getaddrinfo') return `puretls: connect: cannot resolve ${sys.code === 'ENOTFOUND' ? 'host name' : 'host'} (${err.message})`;
  const stage = duringHandshake ? 'handshake failed' : 'connection error';
  const text = err.message.replace(/^tls: /, '');
  const preview = duringHandshake ? nonTlsPreview(trace?.firstBytes) : undefined;
  if (preview !== undefined && !(err instanceof AlertReceived)) {
    return `puretls: ${stage}: wrong version number: the record layer is not TLS (${text}; the server sent "${preview}")\nhint: the peer does not speak TLS on this port (plaintext HTTP, SMTP, ...?); for a STARTTLS service use -starttls`;
  }
  if (err instanceof AlertReceived) return `puretls: ${stage}: ${text}`;
  const sent = err instanceof TlsError ? alertFor(err) : undefined;
  const sentText = sent === undefined ? '' : ` (sent alert ${alertName(sent)} (${sent}))`;
  if (err instanceof InvalidCertificate) {
    const [num, words] = opensslVerifyResult(err, trace?.certificates ?? []);
    const verifyText = num === 1 ? err.reason : `${words} (${err.reason})`;
    return `verify error:num=${num}:${words}\npuretls: ${stage}: certificate verify failed: ${verifyText}${sentText}`;
  }
  const code = sys.code;
  return `puretls: ${stage}: ${text}${code !== undefined && !text.includes(code) ? ` (${code})` : ''}${sentText}`;
}

const SYSCALL_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
};

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

function parseCount(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new Error(`${flag} wants a non-negative integer, got "${text}"`);
  return n;
}

const USAGE = `Usage: puretls s_client [options] | puretls probe host:port [options] (puretls probe --help)
  -help                  print this list and exit
  -connect host:port     server to connect to (default localhost:4433)
  -servername name       SNI and verification name (default: the host)
  -noservername          do not send SNI (verification still uses the host)
  -verify_hostname name  the name the certificate must match (default: the SNI name)
  -CAfile file           PEM trust anchors (replace the default roots)
  -CApath dir            every PEM certificate in the directory's files is a trust anchor
  -cert file             client certificate chain (PEM, leaf first), sent when the server asks
  -key file              the client certificate's private key (PEM; default: the -cert file)
  -psk hex               TLS 1.3 external PSK (key in hex; the server authenticates with it)
  -psk_identity id       the external PSK's identity (default Client_identity)
  -verify depth          most intermediate certificates between leaf and anchor
  -no_verify             report a verification failure and continue (puretls)
  -verify_return_error   accepted; puretls always aborts on verification failure
  -alpn p1,p2            offer ALPN protocols
  -tls1_2 | -tls1_3      only this version (-no_tls1_2, -no_tls1_3)
  -ciphersuites list     TLS 1.3 suites, colon-separated
  -cipher list           TLS 1.2 suites, OpenSSL names, colon-separated
  -groups list           key exchange groups, e.g. X25519:P-256
  -status                ask for an OCSP staple and print its status
  -no_ticket             TLS 1.2: no session_ticket extension
  -record_size_limit n   offer record_size_limit n, 64..16385 (RFC 8449; puretls)
  -starttls proto        smtp, imap, pop3, ftp or xmpp: STARTTLS before the handshake
  -xmpphost name         the XMPP to= name (default: the host)
  -timeout sec           deadline for TCP connect, STARTTLS and handshake (default ${DEFAULT_TIMEOUT_SECONDS}; 0: none)
  -showcerts             print every certificate the server sent as PEM
  -msg                   print each handshake message, alert and ChangeCipherSpec (hex)
  -trace                 print each message's type and length
  -state                 print the handshake states (SSL_connect:...) on stderr
  -keylogfile file       append NSS key log lines (SSLKEYLOGFILE format)
  -brief                 short summary on stderr
  -quiet                 no summary (implies -ign_eof)
  -ign_eof               on stdin EOF keep reading until the server closes
  -sess_out file         write each new session to file (PEM, PURETLS SESSION)
  -sess_in file          offer the session in file
  -early_data file       send file as TLS 1.3 0-RTT early data (needs -sess_in; replayable:
                         only requests safe to repeat; rejected data is re-sent after the
                         handshake if the ALPN is the session's, else dropped)
  -reconnect             reconnect 5 times with the cached session (prints Reused/New)
`;
