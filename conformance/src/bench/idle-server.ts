/**
 * A Node TLS server for the idle-connection row (run by idle.ts in its own process, so its memory
 * is not the client's): accepts TLS connections on 127.0.0.1 and keeps them open without writing
 * application data. Prints its port on stdout.
 *
 * Usage: node idle-server.js <cert.pem> <key.pem> <chain.pem>
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createServer, type TLSSocket } from 'node:tls';

const [certPath, keyPath, chainPath] = process.argv.slice(2) as [string, string, string];
const held = new Set<TLSSocket>();
const server = createServer({ cert: readFileSync(certPath, 'utf8') + readFileSync(chainPath, 'utf8'), key: readFileSync(keyPath, 'utf8') }, (socket) => {
  held.add(socket);
  socket.on('error', () => held.delete(socket));
  socket.on('close', () => held.delete(socket));
  socket.resume();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
