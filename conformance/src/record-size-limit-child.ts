/**
 * record_size_limit (RFC 8449) against `gnutls-serv --recordsize` (GnuTLS implements RFC 8449),
 * run inside `unshare -n` like netns-child.ts (gnutls-serv listens on all interfaces). A TCP proxy
 * between the puretls client and the server reads every record header in both directions, so the
 * record sizes checked are the ones on the wire: a protected record's ciphertext length bounds its
 * plaintext. The client offers `clientLimit`, gnutls-serv advertises `serverLimit`; a payload
 * goes through `--echo` and back.
 *
 * Arguments: PKI directory, `1.3` or `1.2`, client limit, server limit, payload bytes.
 * Prints `RESULT <json>`; gnutls-serv is stopped by PID before exit.
 * @module
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect } from '@puretls/transport-node';
import { startGnutlsServer } from './servers/gnutls.ts';
import { NETNS_PORT } from './servers/netns.ts';

/** One record header seen by the proxy. */
export interface SeenRecord {
  readonly dir: 'c2s' | 's2c';
  readonly type: number;
  readonly length: number;
}

/** What the child reports. */
export interface RecordSizeLimitResult {
  readonly version: string | null;
  readonly suite: string | null;
  readonly recordSizeLimit: { readonly send: number; readonly receive: number } | null;
  readonly echoedIntact: boolean;
  readonly payloadBytes: number;
  readonly records: readonly SeenRecord[];
  readonly serverOutputTail: string;
}

/** Reads TLS record headers out of one direction of the byte stream. */
class RecordScanner {
  #buf = Buffer.alloc(0);
  readonly #dir: SeenRecord['dir'];
  readonly #out: SeenRecord[];

  constructor(dir: SeenRecord['dir'], out: SeenRecord[]) {
    this.#dir = dir;
    this.#out = out;
  }

  push(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    while (this.#buf.length >= 5) {
      const length = this.#buf.readUInt16BE(3);
      if (this.#buf.length < 5 + length) return;
      this.#out.push({ dir: this.#dir, type: this.#buf[0]!, length });
      this.#buf = this.#buf.subarray(5 + length);
    }
  }
}

function startProxy(records: SeenRecord[]): Promise<Server> {
  const server = createServer((down: Socket) => {
    const up = netConnect(NETNS_PORT, '127.0.0.1');
    const c2s = new RecordScanner('c2s', records);
    const s2c = new RecordScanner('s2c', records);
    down.on('data', (d: Buffer) => {
      c2s.push(d);
      up.write(d);
    });
    up.on('data', (d: Buffer) => {
      s2c.push(d);
      down.write(d);
    });
    down.on('end', () => up.end());
    up.on('end', () => down.end());
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main(): Promise<void> {
  const [pkiDir, version, clientLimitText, serverLimitText, payloadText] = process.argv.slice(2);
  if (pkiDir === undefined || (version !== '1.3' && version !== '1.2') || clientLimitText === undefined || serverLimitText === undefined || payloadText === undefined)
    throw new Error('usage: record-size-limit-child.js PKI_DIR 1.3|1.2 CLIENT_LIMIT SERVER_LIMIT PAYLOAD_BYTES');
  if (process.env.PURETLS_CONFORMANCE_NETNS !== '1') throw new Error('record-size-limit-child.js must run inside unshare -n');
  const priority = version === '1.3' ? 'NORMAL:-VERS-ALL:+VERS-TLS1.3' : 'NORMAL:-VERS-ALL:+VERS-TLS1.2';
  const server = await startGnutlsServer({
    args: ['--echo', '--recordsize', serverLimitText, '--x509certfile', 'leaf-ecdsa-p256.chain.pem', '--x509keyfile', 'leaf-ecdsa-p256.key', '--priority', priority],
    cwd: pkiDir,
  });
  const records: SeenRecord[] = [];
  const proxy = await startProxy(records);
  try {
    const port = (proxy.address() as AddressInfo).port;
    const tlsVersion = version === '1.3' ? 'TLSv1.3' : 'TLSv1.2';
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: readFileSync(join(pkiDir, 'ca-root.pem'), 'latin1'),
      minVersion: tlsVersion,
      maxVersion: tlsVersion,
      recordSizeLimit: Number(clientLimitText),
    });
    await once(socket, 'secureConnect');
    // Printable bytes without CR or LF (gnutls-serv --echo rewrites CRLF), then one LF.
    const size = Number(payloadText);
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size - 1; i++) payload[i] = 0x21 + ((i * 7) % 90);
    payload[size - 1] = 0x0a;
    const received: Buffer[] = [];
    let got = 0;
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (d: Buffer) => {
        received.push(d);
        got += d.length;
        if (got >= size) resolve();
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`closed after ${got} of ${size} echoed bytes`)));
    });
    socket.write(payload);
    await done;
    const result: RecordSizeLimitResult = {
      version: socket.getProtocol(),
      suite: socket.negotiated === undefined ? null : `0x${socket.negotiated.suite.toString(16).padStart(4, '0')}`,
      recordSizeLimit: socket.negotiated?.recordSizeLimit ?? null,
      echoedIntact: Buffer.concat(received).equals(payload),
      payloadBytes: size,
      records: [],
      serverOutputTail: '',
    };
    socket.end();
    await once(socket, 'close').catch(() => undefined);
    const log = await server.stop();
    process.stdout.write(`RESULT ${JSON.stringify({ ...result, records, serverOutputTail: log.output.slice(-1500) })}\n`);
  } finally {
    proxy.close();
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
