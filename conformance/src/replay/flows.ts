/**
 * The recorded flows (docs/testing.md, "Recorded replays"): which server, with which flags, and
 * what the client does on each connection. Each flow states what must have happened (checked on
 * the client's outcome and on the server's own output) before its recording is written.
 *
 * Servers (flags from CONFORMANCE.md §2.1, §3.1, §3.2), all with the committed fixture PKI:
 * openssl s_server in its default mode echoes nothing by itself: the data the client sends is
 * printed on its stdout, and what is written to its stdin is sent to the client (`K` there sends
 * a KeyUpdate with update_requested). With `-rev` it answers each line reversed, and the line
 * `CLOSE` makes it send close_notify. gnutls-serv `--echo` and Botan's tls_server echo lines.
 *
 * @module
 */
import { CipherSuite, NamedGroup, SignatureScheme } from '@puretls/tls-core';
import type { RunningServer } from '../types.ts';
import type { Outcome, ReplayClientOptions } from '@puretls/test-support/replay-format';
import type { SocketRecorder } from './recorder.ts';

export interface FlowDefinition {
  readonly id: string;
  readonly description: string;
  readonly server:
    | { readonly kind: 'openssl'; readonly args: readonly string[] }
    | { readonly kind: 'gnutls'; readonly args: readonly string[] }
    | { readonly kind: 'botan'; readonly args: readonly string[]; readonly policy: string };
  readonly client: { readonly seed: string; readonly host: string; readonly options: ReplayClientOptions };
  readonly connections: readonly ConnectionScript[];
  /** Server output lines that must appear (copied into the provenance). */
  readonly serverSaw: readonly RegExp[];
}

export interface ConnectionScript {
  readonly resume?: { readonly fromConnection: number; readonly sessionIndex: number };
  run(recorder: SocketRecorder, server: RunningServer): Promise<void>;
  /** Undefined when the outcome is what the flow is about, else what is wrong. */
  check(outcome: Outcome): string | undefined;
}

/** The client's default lists at the time of the first recordings, pinned (@puretls/test-support/replay-format ClientSetup). */
const TLS13_SUITES = [CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384];
const TLS12_SUITES = [
  CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
];
const SCHEMES = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];
const DEFAULT_OPTIONS: ReplayClientOptions = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  cipherSuites: [...TLS13_SUITES, ...TLS12_SUITES],
  groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1],
  keyShareGroups: [NamedGroup.x25519],
  signatureSchemes: SCHEMES,
  alpnProtocols: [],
  sessionTickets: true,
  pskModes: ['psk_dhe_ke'],
};

const EC = ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-cert_chain', 'ca-int.pem'];
const RSA = ['-cert', 'leaf-rsa2048.pem', '-key', 'leaf-rsa2048.key', '-cert_chain', 'ca-int.pem'];
const GNUTLS_EC = ['-a', '--echo', '--x509certfile', 'leaf-ecdsa-p256.chain.pem', '--x509keyfile', 'leaf-ecdsa-p256.key'];
const GNUTLS_RSA = ['-a', '--echo', '--x509certfile', 'leaf-rsa2048.chain.pem', '--x509keyfile', 'leaf-rsa2048.key'];

function client(seed: string, options: Partial<ReplayClientOptions> = {}): FlowDefinition['client'] {
  return { seed, host: 'localhost', options: { ...DEFAULT_OPTIONS, ...options } };
}

/** Checks fields of an outcome; every listed field must match exactly, and no error may have ended the connection. */
function expectOutcome(wanted: Partial<Outcome>): (outcome: Outcome) => string | undefined {
  return (outcome) => {
    if (outcome.error !== (wanted.error ?? null)) return `ended with ${outcome.error ?? 'no error'}`;
    for (const [key, value] of Object.entries(wanted)) {
      const actual = outcome[key as keyof Outcome];
      if (JSON.stringify(actual) !== JSON.stringify(value)) return `${key} is ${JSON.stringify(actual)}, wanted ${JSON.stringify(value)}`;
    }
    return undefined;
  };
}

/** s_server default mode: the client's line shows up on the server, the server's stdin line comes back. */
async function exchangeViaStdin(r: SocketRecorder, server: RunningServer, ping: string, pong: string): Promise<void> {
  r.write(`${ping}\n`);
  await server.waitForOutput(ping, 5000);
  server.sendStdin(`${pong}\n`);
  await r.text(pong);
}

/** We close first: close_notify, then the server's close_notify (or its TCP FIN) ends the connection. */
async function clientCloses(r: SocketRecorder): Promise<void> {
  r.close();
  await r.until('the server to close', () => r.conn.isClosed || r.tcpEnded);
  r.endTcp();
}

/** s_server -rev: `CLOSE` makes the server send close_notify first; we answer with ours. */
async function serverCloses(r: SocketRecorder): Promise<void> {
  r.write('CLOSE\n');
  await r.peerClosed();
  r.close();
  r.endTcp();
}

/** gnutls-serv --echo and Botan's tls_server send each line back. */
async function echoed(r: SocketRecorder, line: string): Promise<void> {
  r.write(`${line}\n`);
  await r.text(line);
}

/** A TLS 1.2 flow: a full handshake, data, close; then a resumption of its session on a second connection. */
function tls12Resumption(wanted: Partial<Outcome>): readonly ConnectionScript[] {
  return [
    {
      async run(r, server) {
        await r.handshakeDone();
        await r.sessionCount(1);
        await exchangeViaStdin(r, server, 'first visit', 'hello stranger');
        await clientCloses(r);
      },
      check: expectOutcome({ version: 'TLSv1.2', sessionReused: false, ...wanted }),
    },
    {
      resume: { fromConnection: 0, sessionIndex: 0 },
      async run(r, server) {
        await r.handshakeDone();
        await exchangeViaStdin(r, server, 'second visit', 'welcome back');
        await clientCloses(r);
      },
      check: expectOutcome({ version: 'TLSv1.2', sessionReused: true, ...wanted }),
    },
  ];
}

/** s_server -rev answers a line with the line reversed. */
async function reversed(r: SocketRecorder, line: string): Promise<void> {
  r.write(`${line}\n`);
  await r.text([...line].reverse().join(''));
}

function keyUpdates(r: SocketRecorder): readonly string[] {
  return r.outcome().keyUpdates;
}

export const FLOWS: readonly FlowDefinition[] = [
  {
    id: 'tls13-x25519-openssl',
    description: 'TLS 1.3 full handshake on X25519 with ALPN, two tickets, data both ways, client closes first',
    server: { kind: 'openssl', args: [...EC, '-tls1_3', '-alpn', 'http/1.1'] },
    client: client('tls13-x25519-openssl', { alpnProtocols: ['h2', 'http/1.1'] }),
    connections: [
      {
        async run(r, server) {
          await r.handshakeDone();
          await r.sessionCount(2);
          await exchangeViaStdin(r, server, 'hello from puretls', 'hello from s_server');
          await clientCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.3', group: NamedGroup.x25519, alpn: 'http/1.1', sessions: 2, helloRetryRequest: false }),
      },
    ],
    serverSaw: [/^CIPHER is /, /^hello from puretls/],
  },
  {
    id: 'tls13-p256-openssl',
    description: 'TLS 1.3 full handshake with a P-256 key share on AES-128-GCM, s_server -rev answers reversed, then the server closes first',
    server: { kind: 'openssl', args: [...EC, '-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256', '-rev'] },
    client: client('tls13-p256-openssl', { groups: [NamedGroup.secp256r1, NamedGroup.x25519], keyShareGroups: [NamedGroup.secp256r1] }),
    connections: [
      {
        async run(r) {
          await r.handshakeDone();
          await reversed(r, 'p256 key share');
          await serverCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.3', suite: CipherSuite.TLS_AES_128_GCM_SHA256, group: NamedGroup.secp256r1, helloRetryRequest: false, peerClosed: true }),
      },
    ],
    serverSaw: [/^Ciphersuite: /, /^Supported groups: /, /^CONNECTION CLOSED/],
  },
  {
    id: 'tls13-hrr-openssl',
    description: 'TLS 1.3 HelloRetryRequest on AES-256-GCM: s_server -groups P-256 while the first key share is X25519',
    server: { kind: 'openssl', args: [...EC, '-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384', '-groups', 'P-256'] },
    client: client('tls13-hrr-openssl'),
    connections: [
      {
        async run(r, server) {
          await r.handshakeDone();
          await r.sessionCount(2);
          await exchangeViaStdin(r, server, 'after a retry', 'retry answered');
          await clientCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.3', suite: CipherSuite.TLS_AES_256_GCM_SHA384, group: NamedGroup.secp256r1, helloRetryRequest: true }),
      },
    ],
    serverSaw: [/^CIPHER is /, /^after a retry/],
  },
  {
    id: 'tls13-resumption-openssl',
    description: 'TLS 1.3 full handshake, then a psk_dhe_ke resumption with the second ticket on a new connection',
    server: { kind: 'openssl', args: [...EC, '-tls1_3'] },
    client: client('tls13-resumption-openssl'),
    connections: [
      {
        async run(r) {
          await r.handshakeDone();
          await r.sessionCount(2);
          await clientCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.3', sessionReused: false, sessions: 2 }),
      },
      {
        resume: { fromConnection: 0, sessionIndex: 1 },
        async run(r, server) {
          await r.handshakeDone();
          await exchangeViaStdin(r, server, 'resumed', 'welcome back');
          await clientCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.3', sessionReused: true, group: NamedGroup.x25519 }),
      },
    ],
    serverSaw: [/^Reused session-id|^CIPHER is /, /^resumed/],
  },
  {
    id: 'tls13-keyupdate-openssl',
    description: 'TLS 1.3 KeyUpdate both ways: the server asks (s_server K) and the client answers; the client asks and the server answers before its next data; data flows on the new keys',
    server: { kind: 'openssl', args: [...EC, '-tls1_3'] },
    client: client('tls13-keyupdate-openssl'),
    connections: [
      {
        async run(r, server) {
          await r.handshakeDone();
          await r.sessionCount(2);
          server.sendStdin('K\n');
          await r.until('the server KeyUpdate', () => keyUpdates(r).includes('received update_requested'));
          r.keyUpdate(true);
          // OpenSSL answers our update_requested with its own KeyUpdate when it next writes.
          await exchangeViaStdin(r, server, 'on new keys', 'new keys here too');
          await r.until('the server answer to our KeyUpdate', () => keyUpdates(r).filter((k) => k === 'received').length === 1);
          await clientCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.3', keyUpdates: ['received update_requested', 'sent', 'sent update_requested', 'received'] }),
      },
    ],
    serverSaw: [/^CIPHER is /, /^on new keys/],
  },
  {
    id: 'tls13-chacha-gnutls',
    description: 'TLS 1.3 on ChaCha20-Poly1305 against gnutls-serv --echo (a second, independent TLS 1.3 implementation)',
    server: { kind: 'gnutls', args: [...GNUTLS_EC, '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305'] },
    client: client('tls13-chacha-gnutls', { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, ...TLS12_SUITES] }),
    connections: [
      {
        async run(r) {
          await r.handshakeDone();
          await echoed(r, 'hello gnutls');
          await clientCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.3', suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256, group: NamedGroup.x25519 }),
      },
    ],
    serverSaw: [/CHACHA20-POLY1305|CHACHA20_POLY1305/],
  },
  {
    id: 'tls12-rsa-gnutls',
    description: 'TLS 1.2 ECDHE-RSA with AES-128-GCM against gnutls-serv --echo (RSA-PSS ServerKeyExchange signature)',
    server: { kind: 'gnutls', args: [...GNUTLS_RSA, '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA'] },
    client: client('tls12-rsa-gnutls'),
    connections: [
      {
        async run(r) {
          await r.handshakeDone();
          await echoed(r, 'hello gnutls over TLS 1.2');
          await clientCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.2', suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, extendedMasterSecret: true }),
      },
    ],
    serverSaw: [/TLS1\.2/],
  },
  {
    id: 'tls12-ecdsa-openssl',
    description: 'TLS 1.2 ECDHE-ECDSA full handshake with AES-256-GCM, s_server -rev answers reversed, then the server closes first',
    server: { kind: 'openssl', args: [...EC, '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384', '-rev'] },
    client: client('tls12-ecdsa-openssl'),
    connections: [
      {
        async run(r) {
          await r.handshakeDone();
          await reversed(r, 'tls 1.2 with ecdsa');
          await serverCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.2', suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, peerClosed: true, extendedMasterSecret: true }),
      },
    ],
    serverSaw: [/^Ciphersuite: /, /^CONNECTION CLOSED/],
  },
  {
    id: 'tls12-rsa-sessionid-openssl',
    description: 'TLS 1.2 ECDHE-RSA full handshake (s_server -no_ticket), then a session ID resumption on a second connection',
    server: { kind: 'openssl', args: [...RSA, '-tls1_2', '-no_ticket'] },
    client: client('tls12-rsa-sessionid-openssl'),
    connections: tls12Resumption({ extendedMasterSecret: true }),
    serverSaw: [/^CIPHER is ECDHE-RSA-/, /^Reused session-id/, /^second visit/],
  },
  {
    id: 'tls12-ticket-openssl',
    description: 'TLS 1.2 ECDHE-RSA full handshake with an RFC 5077 ticket, then a ticket resumption on a second connection',
    server: { kind: 'openssl', args: [...RSA, '-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'] },
    client: client('tls12-ticket-openssl'),
    connections: tls12Resumption({ suite: CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, extendedMasterSecret: true }),
    serverSaw: [/^CIPHER is ECDHE-RSA-CHACHA20-POLY1305/, /^Reused session-id/, /^second visit/],
  },
  {
    id: 'tls12-botan',
    description: 'TLS 1.2 ECDHE-ECDSA with ChaCha20-Poly1305 on X25519 against Botan 2 tls_server (TLS 1.2 only), echo, client closes first',
    server: { kind: 'botan', args: ['leaf-ecdsa-p256.chain.pem', 'leaf-ecdsa-p256.key'], policy: 'ciphers = ChaCha20Poly1305\nkey_exchange_groups = x25519\nsignature_hashes = SHA-256\n' },
    client: client('tls12-botan'),
    connections: [
      {
        async run(r) {
          await r.handshakeDone();
          await echoed(r, 'hello botan');
          await clientCloses(r);
        },
        check: expectOutcome({ version: 'TLSv1.2', suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, group: NamedGroup.x25519 }),
      },
    ],
    serverSaw: [/Handshake complete|ChaCha20Poly1305|TLS v1\.2/],
  },
];
