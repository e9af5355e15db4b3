/**
 * NSS `selfserv` (Debian `libnss3-tools`, NSS 3.87) as a peer (CONFORMANCE.md §3.2): an independent
 * TLS 1.2/1.3 implementation whose HelloRetryRequest carries a cookie (RFC 8446 §4.2.2), which
 * `s_server` 3.0 cannot send.
 *
 * Quirks this module owns:
 * - selfserv has no bind-address option and listens on all interfaces, so it runs only inside the
 *   private network namespace of netns.ts (the runner's netns child starts it next to the client).
 * - It needs an NSS certificate database: {@link createNssDb} imports the PKI's RSA and ECDSA
 *   leaves (with the intermediate) through PKCS#12 under the nicknames of {@link NSS_NICKNAMES}.
 * - Debian builds NSS without `NSS_ALLOW_SSLKEYLOGFILE` (libssl3.so has no SSLKEYLOGFILE code), so
 *   selfserv writes no key log. Instead it is run with `-x` and prints, per connection, the
 *   exporter value for {@link NSS_EXPORTER_LABEL} (RFC 8446 §7.5 / RFC 5705); {@link expectedExporters}
 *   derives the same value from the client's key log with node:crypto, so the client's
 *   EXPORTER_SECRET (TLS 1.3) or master secret (TLS 1.2) is checked against the server's.
 * - selfserv answers a request with `HTTP/1.0 200 OK`, the request echoed back, and closes; its
 *   stdout is block-buffered, so it runs under `stdbuf -o0`, and `-v` prints the ready line.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NETNS_PORT, netnsUnavailableReason, startNetnsServer } from './netns.ts';
import type { RunningServer } from '../types.ts';

const run = promisify(execFile);

/** Certificate nicknames in the NSS database: pass them to selfserv as `-e ec-leaf` / `-n rsa-leaf`. */
export const NSS_NICKNAMES = { ecdsa: 'ec-leaf', rsa: 'rsa-leaf' } as const;

/** The exporter label selfserv prints keying material for (RFC 5705 §4: EXPERIMENTAL prefix). */
export const NSS_EXPORTER_LABEL = 'EXPERIMENTAL-puretls-keylog';
const EXPORTER_LENGTH = 32;

/** The PKI files imported (gen-pki.sh names) per nickname. */
const IMPORTS: readonly (readonly [string, string])[] = [
  [NSS_NICKNAMES.ecdsa, 'leaf-ecdsa-p256'],
  [NSS_NICKNAMES.rsa, 'leaf-rsa2048'],
];

/**
 * Makes an NSS database in `dir` holding the PKI's ECDSA P-256 and RSA-2048 leaves with their keys
 * and the intermediate (about 0.2 s). Returns the `-d` argument (`sql:<dir>`).
 */
export async function createNssDb(pkiDir: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const db = `sql:${dir}`;
  await run('certutil', ['-N', '-d', db, '--empty-password']);
  for (const [nickname, leaf] of IMPORTS) {
    const p12 = join(dir, `${nickname}.p12`);
    await run('openssl', ['pkcs12', '-export', '-in', join(pkiDir, `${leaf}.pem`), '-inkey', join(pkiDir, `${leaf}.key`), '-certfile', join(pkiDir, 'ca-int.pem'), '-name', nickname, '-out', p12, '-passout', 'pass:']);
    await run('pk12util', ['-i', p12, '-d', db, '-W', '']);
  }
  return db;
}

export interface NssServerOptions {
  /** The PKI directory (gen-pki.sh output); also the server's working directory. */
  readonly pkiDir: string;
  /** selfserv arguments besides `-d`, `-p`, `-v`, `-x` (e.g. `-e ec-leaf -V tls1.3:tls1.3 -I P384`). */
  readonly args: readonly string[];
}

/**
 * Starts selfserv on {@link NETNS_PORT}. Only call this inside a private network namespace
 * (runInNetns); stop it with `stop()` (by PID).
 * @throws Error outside a namespace, or with selfserv's output when it does not start
 */
export function startNssServer(options: NssServerOptions): Promise<RunningServer> {
  return startNetnsServer({
    kind: 'nss',
    command: 'stdbuf',
    args: async (workDir) => {
      const db = await createNssDb(options.pkiDir, join(workDir, 'nssdb'));
      return ['-o0', '-e0', 'selfserv', '-d', db, '-p', String(NETNS_PORT), '-v', '-x', `${NSS_EXPORTER_LABEL}:${EXPORTER_LENGTH}`, ...options.args];
    },
    cwd: options.pkiDir,
    ready: /About to call accept/,
  });
}

/** Why NSS cases cannot run here (libnss3-tools missing, no `unshare -n`), or undefined. */
export async function nssUnavailableReason(): Promise<string | undefined> {
  try {
    await run('sh', ['-c', 'command -v selfserv && command -v certutil && command -v pk12util']);
  } catch {
    return 'selfserv/certutil/pk12util not installed (apt-get install libnss3-tools)';
  }
  return netnsUnavailableReason();
}

/** The exporter values selfserv printed (`Keying Material:` blocks), as hex, in connection order. */
export function printedExporters(output: string): string[] {
  const values: string[] = [];
  for (const match of output.matchAll(/Keying Material:\s*\n((?:\s+[0-9a-f]{2}(?::[0-9a-f]{2})*:?\s*\n)+)/g)) {
    values.push((match[1] ?? '').replace(/[\s:]/g, ''));
  }
  return values;
}

/** HKDF-Expand (RFC 5869 §2.3) with node:crypto's HMAC. */
function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    previous = createHmac(hash, prk).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** HKDF-Expand-Label (RFC 8446 §7.1). */
function expandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([context.length]), context]);
  return hkdfExpand(hash, secret, info, length);
}

/** The TLS 1.2 PRF P_hash (RFC 5246 §5). */
function prf12(hash: string, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out: Buffer[] = [];
  let a = labelSeed;
  while (Buffer.concat(out).length < length) {
    a = createHmac(hash, secret).update(a).digest();
    out.push(createHmac(hash, secret).update(Buffer.concat([a, labelSeed])).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** The hash of a suite's PRF / HKDF (SHA-384 for the *_SHA384 suites). */
export function suiteHash(suite: string): 'sha256' | 'sha384' {
  return suite.endsWith('SHA384') ? 'sha384' : 'sha256';
}

/**
 * The exporter values selfserv must print, derived from the client's key log: TLS 1.3
 * `EXPORTER_SECRET` lines (RFC 8446 §7.5, empty context), TLS 1.2 `CLIENT_RANDOM` master secrets
 * with the server random of that connection (RFC 5705 §4, no context). `serverRandoms` maps a
 * client random (hex) to the server random (hex) seen on the wire.
 */
export function expectedExporters(clientKeylog: readonly string[], suite: string, serverRandoms: ReadonlyMap<string, string>): string[] {
  const hash = suiteHash(suite);
  const values: string[] = [];
  for (const line of clientKeylog) {
    const [label, clientRandom, secretHex] = line.split(' ');
    if (secretHex === undefined || clientRandom === undefined) continue;
    const secret = Buffer.from(secretHex, 'hex');
    if (label === 'EXPORTER_SECRET') {
      const emptyHash = createHash(hash).update(Buffer.alloc(0)).digest();
      const derived = expandLabel(hash, secret, NSS_EXPORTER_LABEL, emptyHash, emptyHash.length);
      values.push(expandLabel(hash, derived, 'exporter', emptyHash, EXPORTER_LENGTH).toString('hex'));
    } else if (label === 'CLIENT_RANDOM') {
      const serverRandom = serverRandoms.get(clientRandom);
      if (serverRandom === undefined) continue;
      values.push(prf12(hash, secret, NSS_EXPORTER_LABEL, Buffer.from(clientRandom + serverRandom, 'hex'), EXPORTER_LENGTH).toString('hex'));
    }
  }
  return values;
}
