/**
 * The child process of servers/node.ts: a `tls.createServer` echo server, run by whichever Node
 * binary the parent chose (this machine's Node 20 or the Node 26 of servers/node26.ts). Plain
 * node:tls, no puretls code: it is the peer, not the client under test.
 *
 * Configuration is one JSON argument ({@link NodeServerConfig}); the server binds 127.0.0.1 on
 * port 0 and prints `PORT <n>` and `OPENSSL <version>` on stdout once listening. Every 'keylog'
 * event line is appended to `keylogPath` (NSS key log format, as the server derived it). Each
 * connection echoes what it receives and answers the client's end with its own (close_notify).
 * The parent stops it by PID.
 *
 * @module
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer, type TlsOptions } from 'node:tls';

/** What the parent passes (file names are absolute). */
export interface NodeServerConfig {
  readonly cert: string;
  readonly key: string;
  readonly keylogPath: string;
  /** node:tls `ecdhCurve` (colon-separated OpenSSL group names), e.g. `P-256` or `X25519MLKEM768`. */
  readonly ecdhCurve?: string;
  /** TLS 1.3 suites (OpenSSL names), passed in node:tls `ciphers`. */
  readonly ciphersuites?: string;
  /** node:tls `ciphers` (TLS 1.2, OpenSSL names). */
  readonly ciphers?: string;
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

const config = JSON.parse(process.argv[2] ?? '{}') as NodeServerConfig;
const options: TlsOptions = {
  cert: readFileSync(config.cert),
  key: readFileSync(config.key),
  ...(config.ecdhCurve === undefined ? {} : { ecdhCurve: config.ecdhCurve }),
  // node:tls takes TLS 1.3 suites in `ciphers` too (it has no `ciphersuites` option).
  ...(config.ciphersuites === undefined && config.ciphers === undefined ? {} : { ciphers: [config.ciphersuites, config.ciphers].filter((c) => c !== undefined).join(':') }),
  ...(config.minVersion === undefined ? {} : { minVersion: config.minVersion }),
  ...(config.maxVersion === undefined ? {} : { maxVersion: config.maxVersion }),
};
const server = createServer(options, (socket) => {
  socket.on('data', (data: Buffer) => socket.write(data));
  socket.on('end', () => socket.end());
  socket.on('error', () => socket.destroy());
});
server.on('keylog', (line: Buffer) => appendFileSync(config.keylogPath, line));
server.on('tlsClientError', (error: Error) => process.stdout.write(`TLS_CLIENT_ERROR ${error.message}\n`));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`PORT ${port}\nOPENSSL ${process.versions.openssl}\n`);
});
