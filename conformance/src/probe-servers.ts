/**
 * The server configurations `puretls probe` is checked against (issue #17, conformance/test/
 * probe.test.ts): each is a real peer started on 127.0.0.1 (gnutls-serv and Botan inside a private
 * network namespace, netns.ts) with a configuration whose facts are known from the peer's own
 * options, and stopped by PID. {@link probeServerInNetns} runs the probe next to a namespaced
 * server (probe-netns-child.ts) and returns its report.
 * @module
 */
import { join } from 'node:path';
import { probe, type ProbeReport } from '@puretls/transport-node';
import { startBotanServer } from './servers/botan.ts';
import { startGnutlsServer } from './servers/gnutls.ts';
import { NSS_NICKNAMES, startNssServer } from './servers/nss.ts';
import { NETNS_PORT } from './servers/netns.ts';
import { startOpensslServer } from '@puretls/test-support/openssl';
import type { Pki } from './pki.ts';
import { spawnTracked } from '@puretls/test-support/process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const script = `ip link set lo up && exec "$0" "$@"`;
  const child = spawnTracked('unshare', ['-n', '--', 'sh', '-c', script, process.execPath, childScript(), id, pkiDir, String(ticketDelayMs)], {
    env: { ...process.env, PURETLS_CONFORMANCE_NETNS: '1' },
    lifetimeSeconds: 90,
  });
  const exit = await child.exited;
  const output = child.output();
  const line = output.split('\n').find((candidate) => candidate.startsWith('RESULT '));
  if (line === undefined) throw new Error(`probe netns child for ${id} exited (${exit.code ?? exit.signal}) without a result:\n${output.slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as { report: ProbeReport; pid: number };
}

function childScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'probe-netns-child.js'), join(here, '..', 'dist', 'probe-netns-child.js')]) if (existsSync(candidate)) return candidate;
  throw new Error('probe-netns-child.js not built: run `pnpm -s build` first');
}
