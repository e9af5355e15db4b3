/**
 * The other end of the transport floor (tcp-floor.ts), run in its own process so that its CPU is
 * not the client's: a plain TCP server on 127.0.0.1 that answers a client with the byte pattern of
 * a TLS handshake and no TLS. Each connection: after the client has sent `clientBytes[i]` more
 * bytes it writes `serverBytes[i]` bytes (none when 0); extra bytes are read and dropped. Prints
 * its port on stdout; exits when stdin ends.
 *
 * Usage: node tcp-responder.js <clientBytes,...> <serverBytes,...>
 *
 * @module
 */
import { createServer } from 'node:net';

const [clientArg, serverArg] = process.argv.slice(2) as [string, string];
const clientBytes = clientArg.split(',').map(Number);
const serverBytes = serverArg.split(',').map(Number);
const replies = serverBytes.map((n) => Buffer.alloc(n, 0x17));

const server = createServer((socket) => {
  let round = 0;
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    while (round < clientBytes.length && received >= clientBytes[round]!) {
      received -= clientBytes[round]!;
      const reply = replies[round++];
      if (reply !== undefined && reply.length > 0) socket.write(reply);
    }
  });
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
