/**
 * The server configurations `puretls probe` is checked against (issue #17, conformance/test/
 * probe.test.ts): each is a real peer started on 127.0.0.1 (gnutls-serv and Botan inside a private
 * network namespace, netns.ts) with a configuration whose facts are known from the peer's own
 * options, and stopped by PID. {@link probeServerInNetns} runs the probe next to a namespaced
 * server (probe-netns-child.ts) and returns its report.
 * @module
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { probe, type ProbeReport } from '@puretls/transport-node';
import { startBotanServer } from './servers/botan.ts';
import { startGnutlsServer } from './servers/gnutls.ts';
import { NSS_NICKNAMES, startNssServer } from './servers/nss.ts';
import { NETNS_PORT, compiledScript, runScriptInNetns } from './servers/netns.ts';
import { startOpensslServer } from '@puretls/test-support/openssl';
import type { Pki } from './pki.ts';

const run = promisify(execFile);

export type ProbePeer = 'openssl' | 'gnutls' | 'botan' | 'nss';

/** One server configuration. */
export interface ProbeServerConfig {
  readonly id: string;
  readonly peer: ProbePeer;
  /** Peer arguments after the listening address (file names relative to the PKI directory). */
  readonly args: readonly string[];
  /** Botan text policy. */
  readonly policy?: string;
}

/** OpenSSL s_server with the ECDSA P-256 leaf and its intermediate. */
const P256 = ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-cert_chain', 'ca-int.pem'];
const RSA = ['-cert', 'leaf-rsa2048-pss-signed.pem', '-key', 'leaf-rsa2048-pss-signed.key', '-cert_chain', 'ca-int-rsa.pem'];

const SCT_LEAF = ['-cert', 'leaf-sct.pem', '-key', 'leaf-sct.key', '-cert_chain', 'ca-int.pem'];

/** One SCT of the fixtures: its log ID is 32 times `logByte`. */
export interface SctFixture {
  readonly logByte: number;
  readonly timestampMs: number;
}

/** The SCTs writeSctFixtures embeds in leaf-sct.pem and serves in the TLS extension. */
export const SCT_FIXTURES: { readonly embedded: readonly SctFixture[]; readonly tlsExtension: readonly SctFixture[] } = {
  embedded: [{ logByte: 0xaa, timestampMs: 1_764_000_000_000 }],
  tlsExtension: [
    { logByte: 0xbb, timestampMs: 1_764_000_001_000 },
    { logByte: 0xcc, timestampMs: 1_764_000_002_500 },
  ],
};

/** A SignedCertificateTimestampList (RFC 6962 §3.3) of v1 SCTs with a placeholder signature. */
function sctList(scts: readonly SctFixture[]): Buffer {
  const serialized = scts.map((s) => {
    const body = Buffer.alloc(1 + 32 + 8 + 2 + 2 + 2 + 2);
    body.writeUInt8(0, 0); // v1
    body.fill(s.logByte, 1, 33);
    body.writeBigUInt64BE(BigInt(s.timestampMs), 33);
    body.writeUInt16BE(0, 41); // no CtExtensions
    body.writeUInt8(4, 43); // sha256
    body.writeUInt8(3, 44); // ecdsa
    body.writeUInt16BE(2, 45);
    body.writeUInt16BE(0x3000, 47); // not a real signature: the probe verifies none
    return Buffer.concat([u16(body.length), body]);
  });
  const items = Buffer.concat(serialized);
  return Buffer.concat([u16(items.length), items]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/**
 * Write the SCT fixtures into the PKI directory: leaf-sct.pem (P-256, for localhost, issued by
 * ca-int with `openssl req -x509 -CA -addext 1.3.6.1.4.1.11129.2.4.2=DER:...`, the extnValue an
 * OCTET STRING holding the list) and sct.serverinfo.pem (SERVERINFOV2 for extension 18, context
 * ClientHello | TLS 1.2 ServerHello | TLS 1.3 Certificate, as s_server -serverinfo reads it).
 */
export async function writeSctFixtures(pki: Pki): Promise<void> {
  const embedded = sctList(SCT_FIXTURES.embedded);
  if (embedded.length > 127) throw new Error('the embedded SCT list must stay under 128 bytes (short DER length)');
  const extnValue = Buffer.concat([Buffer.from([0x04, embedded.length]), embedded]).toString('hex');
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'leaf-sct.key'], { cwd: pki.dir });
  await run(
    'openssl',
    [
      'req', '-new', '-x509', '-key', 'leaf-sct.key', '-subj', '/CN=leaf-sct', '-days', '30', '-CA', 'ca-int.pem', '-CAkey', 'ca-int.key',
      '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-addext', `1.3.6.1.4.1.11129.2.4.2=DER:${extnValue}`, '-out', 'leaf-sct.pem',
    ],
    { cwd: pki.dir },
  );
  const served = sctList(SCT_FIXTURES.tlsExtension);
  const context = 0x0080 | 0x0100 | 0x1000; // SSL_EXT_CLIENT_HELLO | SSL_EXT_TLS1_2_SERVER_HELLO | SSL_EXT_TLS1_3_CERTIFICATE
  const header = Buffer.alloc(8);
  header.writeUInt32BE(context, 0);
  header.writeUInt16BE(18, 4); // signed_certificate_timestamp
  header.writeUInt16BE(served.length, 6);
  const b64 = Buffer.concat([header, served]).toString('base64').replace(/(.{64})/g, '$1\n');
  await writeFile(join(pki.dir, 'sct.serverinfo.pem'), `-----BEGIN SERVERINFOV2 FOR signed_certificate_timestamp-----\n${b64}\n-----END SERVERINFOV2 FOR signed_certificate_timestamp-----\n`);
}

export const PROBE_SERVERS: readonly ProbeServerConfig[] = [
  { id: 'openssl-default', peer: 'openssl', args: P256 },
  { id: 'openssl-no-ticket', peer: 'openssl', args: [...P256, '-no_ticket'] },
  { id: 'openssl-tickets-0', peer: 'openssl', args: [...P256, '-num_tickets', '0'] },
  { id: 'openssl-tickets-1', peer: 'openssl', args: [...P256, '-num_tickets', '1'] },
  { id: 'openssl-tickets-5', peer: 'openssl', args: [...P256, '-num_tickets', '5'] },
  { id: 'openssl-allow-no-dhe-kex', peer: 'openssl', args: [...P256, '-allow_no_dhe_kex'] },
  { id: 'openssl-early-data', peer: 'openssl', args: [...P256, '-early_data'] },
  { id: 'openssl-tls12-order', peer: 'openssl', args: [...RSA, '-tls1_2', '-serverpref', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256'] },
  { id: 'openssl-expired', peer: 'openssl', args: ['-cert', 'bad-expired.pem', '-key', 'bad-expired.key', '-cert_chain', 'ca-int.pem'] },
  { id: 'openssl-wrong-host', peer: 'openssl', args: ['-cert', 'bad-wronghost.pem', '-key', 'bad-wronghost.key', '-cert_chain', 'ca-int.pem'] },
  { id: 'openssl-ocsp-staple', peer: 'openssl', args: ['-cert', 'good-ocsp.pem', '-key', 'good-ocsp.key', '-cert_chain', 'ca-int.pem', '-status_file', 'good-ocsp.ocsp.der'] },
  // SCTs (RFC 6962 §3.3): a leaf with an embedded list, and a list served in the TLS extension
  // (-serverinfo, SERVERINFOV2 for the ClientHello, TLS 1.2 ServerHello and TLS 1.3 Certificate).
  // The files come from writeSctFixtures.
  { id: 'openssl-sct-tls13', peer: 'openssl', args: [...SCT_LEAF, '-serverinfo', 'sct.serverinfo.pem'] },
  { id: 'openssl-sct-tls12', peer: 'openssl', args: [...SCT_LEAF, '-serverinfo', 'sct.serverinfo.pem', '-tls1_2'] },
  {
    id: 'gnutls-server-precedence-rsl',
    peer: 'gnutls',
    args: ['--x509certfile', 'leaf-ecdsa-p256.chain.pem', '--x509keyfile', 'leaf-ecdsa-p256.key', '--priority', 'NORMAL:%SERVER_PRECEDENCE', '--recordsize', '4096', '--echo'],
  },
  {
    id: 'botan-tls12',
    peer: 'botan',
    args: ['leaf-ecdsa-p256.chain.pem', 'leaf-ecdsa-p256.key'],
    policy: 'allow_tls12 = true\nallow_tls13 = false\nciphers = AES-256/GCM AES-128/GCM\nkey_exchange_groups = x25519 secp256r1\n',
  },
  // NSS selfserv accepting only P-384: puretls's X25519 share gets a HelloRetryRequest, with a cookie.
  { id: 'nss-hrr-cookie', peer: 'nss', args: ['-e', NSS_NICKNAMES.ecdsa, '-V', 'tls1.2:tls1.3', '-I', 'P384'] },
];

/**
 * Start an OpenSSL configuration on 127.0.0.1 and probe it.
 * @returns the report and the server's PID (stopped before returning)
 */
export async function probeOpensslServer(config: ProbeServerConfig, pki: Pki, ticketDelayMs: number): Promise<{ report: ProbeReport; pid: number }> {
  const server = await startOpensslServer({ args: config.args, cwd: pki.dir, naccept: 0, lifetimeSeconds: 90 });
  try {
    const report = await probe({ host: '127.0.0.1', port: server.port, servername: 'localhost', caPem: pki.caRootPem, caSource: 'file:ca-root.pem', ticketDelayMs });
    return { report, pid: server.pid };
  } finally {
    await server.stop();
  }
}

/** Inside the namespace: start a gnutls / Botan configuration, probe it, stop it by PID. */
export async function probeNamespacedServer(config: ProbeServerConfig, pki: Pki, ticketDelayMs: number): Promise<{ report: ProbeReport; pid: number }> {
  const server =
    config.peer === 'gnutls'
      ? await startGnutlsServer({ args: config.args, cwd: pki.dir })
      : config.peer === 'nss'
        ? await startNssServer({ pkiDir: pki.dir, args: config.args })
        : await startBotanServer({ args: config.args, cwd: pki.dir, ...(config.policy === undefined ? {} : { policy: config.policy }) });
  try {
    const report = await probe({ host: '127.0.0.1', port: NETNS_PORT, servername: 'localhost', caPem: pki.caRootPem, caSource: 'file:ca-root.pem', ticketDelayMs });
    return { report, pid: server.pid };
  } finally {
    await server.stop();
  }
}

/**
 * Run {@link probeNamespacedServer} in a fresh private network namespace (probe-netns-child.js).
 * @throws Error when the child fails or prints no result
 */
export async function probeServerInNetns(id: string, pkiDir: string, ticketDelayMs: number): Promise<{ report: ProbeReport; pid: number }> {
  return (await runScriptInNetns(compiledScript('probe-netns-child.js'), [id, pkiDir, String(ticketDelayMs)], `probe netns child for ${id}`)) as { report: ProbeReport; pid: number };
}
