/**
 * Conformance rows for the `puretls s_client` command (issue 13): each row starts a peer
 * (`openssl s_server` on 127.0.0.1, a STARTTLS responder in front of one, a plaintext HTTP
 * server, a silent server, or nothing for a refused connect), runs the command
 * (`node packages/transport-node/bin/puretls.js s_client ...`) and checks its exit code and
 * output. Where possible the expected value comes from the peer, not from puretls: the PEM the
 * server was given, the master secret in the server's key log, the message lengths in the
 * server's `-msg` output, the OCSP response s_server staples. Run by cli-runner.ts.
 *
 * @module
 */
import type { StartTlsProtocol } from '../starttls-responder.ts';

/** The peer a row talks to. */
export type CliPeer =
  /** s_server with these arguments (file names relative to the PKI directory). */
  | { readonly kind: 'openssl'; readonly args: readonly string[]; readonly keylog?: boolean }
  /** A STARTTLS responder for `protocol` spliced to an s_server with these arguments. */
  | { readonly kind: 'starttls'; readonly protocol: StartTlsProtocol; readonly args: readonly string[] }
  /** A plaintext HTTP/1.0 server (answers any bytes with an HTTP error page). */
  | { readonly kind: 'http' }
  /** A TCP server that accepts and never sends a byte. */
  | { readonly kind: 'silent' }
  /** A port nobody listens on. */
  | { readonly kind: 'refused' }
  /** No peer (e.g. -help). */
  | { readonly kind: 'none' };

/** What a run produced, for the row's checks. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
  /** s_server output (stdout and stderr), or ''. */
  readonly serverOutput: string;
  /** s_server key log lines (with `keylog: true`). */
  readonly serverKeylog: readonly string[];
  /** Commands the STARTTLS responder received. */
  readonly starttlsCommands: readonly string[];
  /** Absolute path of a PKI file. */
  path(name: string): string;
  readFile(name: string): string;
}

/** One named check: returns undefined when it holds, else what was observed. */
export interface CliCheck {
  readonly name: string;
  check(run: CliRun): string | undefined;
}

export interface CliCase {
  readonly id: string;
  readonly description: string;
  readonly peer: CliPeer;
  /** s_client arguments after `s_client`; `port` is the peer's, `path` resolves PKI files. */
  args(port: number, path: (name: string) => string): string[];
  /** Standard input (default: empty, so the command ends after the handshake). */
  readonly stdin?: string;
  /**
   * A first run of the command against the same peer (s_server then accepts two connections),
   * e.g. to write a session with -sess_out; it must exit 0. Its output is not checked.
   */
  readonly setup?: (port: number, path: (name: string) => string) => string[];
  /** Files written into the PKI directory before the runs (name -> content), e.g. an -early_data file. */
  readonly files?: Readonly<Record<string, string>>;
  readonly exitCode: number;
  readonly checks: readonly CliCheck[];
}

const LEAF = ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-cert_chain', 'ca-int.pem'];
const connectArgs = (port: number, path: (name: string) => string, ...more: string[]): string[] => ['-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', path('ca-root.pem'), ...more];

const contains = (where: 'stdout' | 'stderr', text: string | RegExp, name?: string): CliCheck => ({
  name: name ?? `${where} ${typeof text === 'string' ? `contains "${text}"` : `matches ${text}`}`,
  check: (run) => {
    const out = run[where];
    const ok = typeof text === 'string' ? out.includes(text) : text.test(out);
    return ok ? undefined : `${where} was:\n${out.slice(0, 3000)}`;
  },
});
const lacks = (where: 'stdout' | 'stderr', text: string | RegExp): CliCheck => ({
  name: `${where} lacks ${String(text)}`,
  check: (run) => {
    const out = run[where];
    const hit = typeof text === 'string' ? out.includes(text) : text.test(out);
    return hit ? `${where} was:\n${out.slice(0, 3000)}` : undefined;
  },
});
const count = (where: 'stdout' | 'stderr' | 'serverOutput', pattern: RegExp, n: number): CliCheck => ({
  name: `${where} has ${n} × ${pattern}`,
  check: (run) => {
    const got = (run[where].match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)) ?? []).length;
    return got === n ? undefined : `${got} matches`;
  },
});

/** The PEM blocks of a text, normalised. */
function pemBlocks(text: string): string[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((b) => b.replace(/\r/g, ''));
}

/** `Handshake [length 00e7], ClientHello` lengths in -msg output, for one direction. */
function msgLengths(text: string, arrow: '>>>' | '<<<', message: string): number[] {
  const re = new RegExp(`^${arrow} TLS 1\\.[23], Handshake \\[length ([0-9a-f]{4})\\], ${message}$`, 'gm');
  return [...text.matchAll(re)].map((m) => parseInt(m[1]!, 16));
}

export const CLI_CASES: readonly CliCase[] = [
  {
    id: 'cli-help',
    description: '-help lists the options and exits 0',
    peer: { kind: 'none' },
    args: () => ['-help'],
    exitCode: 0,
    checks: ['-showcerts', '-verify_hostname', '-CApath', '-msg', '-trace', '-state', '-status', '-no_ticket', '-timeout', '-starttls'].map((f) => contains('stdout', `  ${f} `)),
  },
  {
    id: 'cli-full-output',
    description: 'full output: chain, the server certificate PEM (as s_server was given it), byte counts, verify return code',
    peer: { kind: 'openssl', args: LEAF },
    args: (port, path) => connectArgs(port, path),
    exitCode: 0,
    checks: [
      contains('stdout', /^CONNECTED\(127\.0\.0\.1:\d+\)$/m),
      contains('stdout', /^Certificate chain\n 0 s:CN = leaf-ecdsa-p256\n {3}i:CN = ca-int\n {3}v:NotBefore: \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT; NotAfter: /m),
      {
        name: 'the Server certificate PEM is the one s_server serves',
        check: (run) => {
          const m = /^Server certificate\n(-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----)\nsubject=CN = leaf-ecdsa-p256\nissuer=CN = ca-int$/m.exec(run.stdout);
          if (m === null) return 'no Server certificate block';
          return m[1] === pemBlocks(run.readFile('leaf-ecdsa-p256.pem'))[0] ? undefined : 'PEM differs';
        },
      },
      contains('stdout', /^SSL handshake has read \d+ bytes and written \d+ bytes$/m),
      contains('stdout', /^New, TLSv1\.3, Cipher is TLS_/m),
      contains('stdout', /^Verify return code: 0 \(ok\)$/m),
      count('stdout', /^Post-Handshake New Session Ticket arrived:$/m, 2),
      contains('stdout', /^ {4}Resumption PSK: (?!0+$)[0-9A-F]{64,96}$/m, 'a non-zero Resumption PSK'),
      contains('stdout', /^ {4}TLS session ticket lifetime hint: 7200 \(seconds\)$/m),
    ],
  },
  {
    id: 'cli-showcerts',
    description: '-showcerts prints every certificate the server sent, as PEM, equal to the files s_server was given',
    peer: { kind: 'openssl', args: LEAF },
    args: (port, path) => connectArgs(port, path, '-showcerts'),
    exitCode: 0,
    checks: [
      {
        name: 'PEMs = leaf + intermediate files',
        check: (run) => {
          const expected = [...pemBlocks(run.readFile('leaf-ecdsa-p256.pem')), ...pemBlocks(run.readFile('ca-int.pem'))];
          const got = pemBlocks(run.stdout);
          return JSON.stringify(got) === JSON.stringify(expected) ? undefined : `${got.length} PEM blocks, expected ${expected.length}`;
        },
      },
      contains('stdout', /^Server certificate\nsubject=CN = leaf-ecdsa-p256$/m),
    ],
  },
  {
    id: 'cli-tls12-session',
    description: 'TLS 1.2 SSL-Session block: Master-Key equals the master secret in s_server\'s key log',
    peer: { kind: 'openssl', args: [...LEAF, '-tls1_2'], keylog: true },
    args: (port, path) => connectArgs(port, path, '-tls1_2'),
    exitCode: 0,
    checks: [
      contains('stdout', /^New, TLSv1\.2, Cipher is ECDHE-ECDSA-/m),
      {
        name: 'Master-Key = CLIENT_RANDOM secret of the server key log',
        check: (run) => {
          const key = /^ {4}Master-Key: ([0-9A-F]+)$/m.exec(run.stdout)?.[1];
          const server = run.serverKeylog.find((l) => l.startsWith('CLIENT_RANDOM '))?.split(' ')[2]?.toUpperCase();
          if (key === undefined || server === undefined) return `Master-Key ${key ?? 'missing'}, server key log ${server ?? 'missing'}`;
          return key === server ? undefined : `${key} != ${server}`;
        },
      },
      contains('stdout', /^ {4}Extended master secret: yes$/m),
      contains('stdout', /^ {4}TLS session ticket:$/m),
    ],
  },
  {
    id: 'cli-no-ticket',
    description: '-no_ticket (TLS 1.2): the server issues no ticket (s_server -msg shows no NewSessionTicket) and assigns a session ID',
    peer: { kind: 'openssl', args: [...LEAF, '-tls1_2', '-msg'] },
    args: (port, path) => connectArgs(port, path, '-tls1_2', '-no_ticket'),
    exitCode: 0,
    checks: [count('serverOutput', /NewSessionTicket$/m, 0), lacks('stdout', 'TLS session ticket:'), contains('stdout', /^ {4}Session-ID: [0-9A-F]{64}$/m)],
  },
  {
    id: 'cli-ticket-control',
    description: 'control for -no_ticket: without it s_server (TLS 1.2) sends one NewSessionTicket',
    peer: { kind: 'openssl', args: [...LEAF, '-tls1_2', '-msg'] },
    args: (port, path) => connectArgs(port, path, '-tls1_2'),
    exitCode: 0,
    checks: [count('serverOutput', /^>>> TLS 1\.2, Handshake \[length [0-9a-f]{4}\], NewSessionTicket$/m, 1)],
  },
  {
    id: 'cli-msg',
    description: '-msg: each handshake message as it passes; lengths equal those s_server -msg reports',
    peer: { kind: 'openssl', args: [...LEAF, '-msg'] },
    args: (port, path) => connectArgs(port, path, '-msg'),
    exitCode: 0,
    checks: [
      ...(['ClientHello', 'Finished'] as const).map((m) => ({
        name: `${m} sent: same length as s_server received`,
        check: (run: CliRun) => {
          const ours = msgLengths(run.stdout, '>>>', m);
          const theirs = msgLengths(run.serverOutput, '<<<', m);
          return ours.length > 0 && JSON.stringify(ours) === JSON.stringify(theirs) ? undefined : `ours ${JSON.stringify(ours)}, s_server ${JSON.stringify(theirs)}`;
        },
      })),
      ...(['ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished'] as const).map((m) => ({
        name: `${m} received: same length as s_server sent`,
        check: (run: CliRun) => {
          const ours = msgLengths(run.stdout, '<<<', m);
          const theirs = msgLengths(run.serverOutput, '>>>', m).slice(0, ours.length || 1);
          return ours.length > 0 && JSON.stringify(ours) === JSON.stringify(theirs) ? undefined : `ours ${JSON.stringify(ours)}, s_server ${JSON.stringify(theirs)}`;
        },
      })),
      contains('stdout', /^>>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], ClientHello\n {4}01 00 [0-9a-f]{2} [0-9a-f]{2} 03 03 /m),
    ],
  },
  {
    id: 'cli-trace',
    description: '-trace: Sent/Received Record lines with the message name and body length (s_server -msg length - 4)',
    peer: { kind: 'openssl', args: [...LEAF, '-msg'] },
    args: (port, path) => connectArgs(port, path, '-trace'),
    exitCode: 0,
    checks: [
      {
        name: 'ClientHello, Length= matches s_server',
        check: (run) => {
          const ours = /^ {4}ClientHello, Length=(\d+)$/m.exec(run.stdout)?.[1];
          const theirs = msgLengths(run.serverOutput, '<<<', 'ClientHello')[0];
          return ours !== undefined && theirs !== undefined && Number(ours) === theirs - 4 ? undefined : `ours ${ours}, s_server ${theirs}`;
        },
      },
      contains('stdout', /^Received Record\n {2}Content Type = Handshake \(22\)\n {2}Length = \d+\n {4}Certificate, Length=\d+$/m),
    ],
  },
  {
    id: 'cli-state',
    description: '-state: SSL_connect lines in handshake order on stderr (TLS 1.2)',
    peer: { kind: 'openssl', args: [...LEAF, '-tls1_2'] },
    args: (port, path) => connectArgs(port, path, '-tls1_2', '-state'),
    exitCode: 0,
    checks: [
      contains(
        'stderr',
        /SSL_connect:before SSL initialization\nSSL_connect:SSLv3\/TLS write client hello\nSSL_connect:SSLv3\/TLS read server hello\nSSL_connect:SSLv3\/TLS read server certificate\nSSL_connect:SSLv3\/TLS read server key exchange\nSSL_connect:SSLv3\/TLS read server done\nSSL_connect:SSLv3\/TLS write client key exchange\nSSL_connect:SSLv3\/TLS write change cipher spec\nSSL_connect:SSLv3\/TLS write finished\nSSL_connect:SSLv3\/TLS read server session ticket\nSSL_connect:SSLv3\/TLS read change cipher spec\nSSL_connect:SSLv3\/TLS read finished\nSSL_connect:SSL negotiation finished successfully/,
        'the TLS 1.2 state sequence OpenSSL prints',
      ),
    ],
  },
  {
    id: 'cli-status',
    description: '-status: the OCSP response s_server staples (-status_file) is reported as successful (the good-ocsp leaf has no SAN: -no_verify)',
    peer: { kind: 'openssl', args: ['-cert', 'good-ocsp.pem', '-key', 'good-ocsp.key', '-cert_chain', 'ca-int.pem', '-status_file', 'good-ocsp.ocsp.der'] },
    args: (port, path) => connectArgs(port, path, '-status', '-no_verify'),
    exitCode: 0,
    checks: [contains('stdout', /^OCSP response: \n=+\nOCSP Response Data:\n {4}OCSP Response Status: successful \(0x0\)$/m)],
  },
  {
    id: 'cli-status-none',
    description: '-status without a staple: "OCSP response: no response sent"',
    peer: { kind: 'openssl', args: LEAF },
    args: (port, path) => connectArgs(port, path, '-status'),
    exitCode: 0,
    checks: [contains('stdout', /^OCSP response: no response sent$/m)],
  },
  {
    id: 'cli-verify-hostname',
    description: '-verify_hostname test.local (a SAN of the leaf) with SNI localhost: verified',
    peer: { kind: 'openssl', args: LEAF },
    args: (port, path) => connectArgs(port, path, '-verify_hostname', 'test.local'),
    exitCode: 0,
    checks: [contains('stdout', /^Verify return code: 0 \(ok\)$/m)],
  },
  {
    id: 'cli-verify-hostname-mismatch',
    description: '-verify_hostname other.example: refused with OpenSSL\'s "hostname mismatch"',
    peer: { kind: 'openssl', args: LEAF },
    args: (port, path) => connectArgs(port, path, '-verify_hostname', 'other.example'),
    exitCode: 1,
    checks: [contains('stderr', /^verify error:num=62:hostname mismatch$/m), contains('stderr', 'certificate verify failed: hostname mismatch')],
  },
  {
    id: 'cli-verify-depth',
    description: '-verify 0 with one intermediate: "certificate chain too long"; -verify 1 passes (next row)',
    peer: { kind: 'openssl', args: LEAF },
    args: (port, path) => connectArgs(port, path, '-verify', '0'),
    exitCode: 1,
    checks: [contains('stderr', /^verify error:num=22:certificate chain too long$/m)],
  },
  {
    id: 'cli-verify-depth-1',
    description: '-verify 1 with one intermediate: verified',
    peer: { kind: 'openssl', args: LEAF },
    args: (port, path) => connectArgs(port, path, '-verify', '1'),
    exitCode: 0,
    checks: [contains('stdout', /^Verify return code: 0 \(ok\)$/m)],
  },
  {
    id: 'cli-capath',
    description: '-CApath: the root found in a directory of PEM files',
    peer: { kind: 'openssl', args: LEAF },
    args: (port, path) => ['-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CApath', path('capath')],
    exitCode: 0,
    checks: [contains('stdout', /^Verify return code: 0 \(ok\)$/m)],
  },
  {
    id: 'cli-self-signed',
    description: 'a self-signed server certificate (not trusted) is named as OpenSSL names it',
    peer: { kind: 'openssl', args: ['-cert', 'bad-selfsigned.pem', '-key', 'bad-selfsigned.key'] },
    args: (port, path) => connectArgs(port, path),
    exitCode: 1,
    checks: [contains('stderr', /^verify error:num=18:self-signed certificate$/m), contains('stderr', 'certificate verify failed: self-signed certificate')],
  },
  {
    id: 'cli-refused',
    description: 'a refused TCP connect says so, not "handshake failed"',
    peer: { kind: 'refused' },
    args: (port, path) => connectArgs(port, path),
    exitCode: 1,
    checks: [contains('stderr', /^puretls: connect: Connection refused \(ECONNREFUSED 127\.0\.0\.1:\d+\)\nconnect:errno=111$/m), lacks('stderr', 'handshake failed')],
  },
  {
    id: 'cli-plaintext-http',
    description: 'a plaintext HTTP server: "wrong version number" and a hint that the peer does not speak TLS',
    peer: { kind: 'http' },
    args: (port, path) => connectArgs(port, path),
    exitCode: 1,
    checks: [contains('stderr', /wrong version number: the record layer is not TLS .*"HTTP\/1\.0"/), contains('stderr', /^hint: the peer does not speak TLS on this port/m)],
  },
  {
    id: 'cli-timeout',
    description: '-timeout 2 against a server that never answers: gives up after 2 s (issue 10 defect 9)',
    peer: { kind: 'silent' },
    args: (port, path) => connectArgs(port, path, '-timeout', '2'),
    exitCode: 1,
    checks: [
      contains('stderr', /^puretls: handshake failed: timed out after 2 s waiting for the handshake \(-timeout\)$/m),
      { name: 'ends within 2-10 s', check: (run) => (run.elapsedMs >= 2000 && run.elapsedMs < 10_000 ? undefined : `${run.elapsedMs.toFixed(0)} ms`) },
    ],
  },
  {
    id: 'cli-early-data',
    description:
      '-sess_out, then -sess_in with -early_data file against s_server -early_data (default mode, which prints early data): Reused, "Early data was accepted", the file arrives once, and the -keylogfile lines (CLIENT_EARLY_TRAFFIC_SECRET included) equal the server\'s',
    peer: { kind: 'openssl', args: [...LEAF, '-tls1_3', '-early_data'], keylog: true },
    files: { 'cli-early-data.txt': 'CLI-EARLY-DATA-LINE\n', 'cli-early-data.keys': '' },
    setup: (port, path) => connectArgs(port, path, '-sess_out', path('cli-early-data.sess.pem')),
    args: (port, path) => connectArgs(port, path, '-sess_in', path('cli-early-data.sess.pem'), '-early_data', path('cli-early-data.txt'), '-keylogfile', path('cli-early-data.keys')),
    exitCode: 0,
    checks: [
      contains('stdout', /^Reused, TLSv1\.3, Cipher is TLS_/m),
      contains('stdout', /^Early data was accepted$/m),
      count('serverOutput', /CLI-EARLY-DATA-LINE/g, 1),
      count('serverOutput', /^Early data received:$/m, 1),
      {
        name: 'the -keylogfile lines equal the server key log for that client random, CLIENT_EARLY_TRAFFIC_SECRET included',
        check: (run) => {
          const client = run.readFile('cli-early-data.keys').split('\n').filter((l) => l.length > 0);
          const random = client[0]?.split(' ')[1];
          const server = run.serverKeylog.filter((l) => l.split(' ')[1] === random);
          if (!client.some((l) => l.startsWith('CLIENT_EARLY_TRAFFIC_SECRET '))) return `no CLIENT_EARLY_TRAFFIC_SECRET in ${client.length} lines`;
          return JSON.stringify([...client].sort()) === JSON.stringify([...server].sort()) ? undefined : `client ${client.length} lines, server ${server.length}`;
        },
      },
    ],
  },
  {
    id: 'cli-early-data-needs-sess-in',
    description: '-early_data without -sess_in is refused before connecting (0-RTT needs a resumed session)',
    peer: { kind: 'none' },
    args: (port, path) => connectArgs(port, path, '-early_data', path('ca-root.pem')),
    exitCode: 1,
    checks: [contains('stderr', /^puretls: -early_data needs -sess_in/m)],
  },
  ...(['smtp', 'imap', 'pop3', 'ftp', 'xmpp'] as const).map(
    (protocol): CliCase => ({
      id: `cli-starttls-${protocol}`,
      description: `-starttls ${protocol} against a STARTTLS responder spliced to s_server`,
      peer: { kind: 'starttls', protocol, args: LEAF },
      args: (port, path) => connectArgs(port, path, '-starttls', protocol, '-brief'),
      exitCode: 0,
      checks: [
        contains('stderr', 'CONNECTION ESTABLISHED'),
        contains('stderr', 'Verification: OK'),
        {
          name: 'the client sent the protocol\'s commands',
          check: (run) => {
            const expected = { smtp: ['EHLO mail.example.com', 'STARTTLS'], imap: ['. CAPABILITY', '. STARTTLS'], pop3: ['STLS'], ftp: ['AUTH TLS'], xmpp: ["<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' to='localhost' version='1.0'>", "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"] }[protocol];
            return JSON.stringify(run.starttlsCommands) === JSON.stringify(expected) ? undefined : JSON.stringify(run.starttlsCommands);
          },
        },
      ],
    }),
  ),
];
