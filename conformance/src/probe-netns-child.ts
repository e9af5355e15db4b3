/**
 * The client side of a namespaced `puretls probe` row (gnutls-serv, Botan), executed by
 * probeServerInNetns() inside `unshare -n`: starts the server next to itself, probes it, stops it
 * by PID and prints `RESULT <json>`. Arguments: configuration id, PKI directory, ticket delay (ms).
 * @module
 */
import { openPki } from './pki.ts';
import { PROBE_SERVERS, probeNamespacedServer } from './probe-servers.ts';

async function main(): Promise<void> {
  const [id, pkiDir, delay] = process.argv.slice(2);
  if (id === undefined || pkiDir === undefined || delay === undefined) throw new Error('usage: probe-netns-child.js ID PKI_DIR TICKET_DELAY_MS');
  if (process.env.PURETLS_CONFORMANCE_NETNS !== '1') throw new Error('probe-netns-child.js must run inside a private network namespace');
  const config = PROBE_SERVERS.find((c) => c.id === id);
  if (config === undefined) throw new Error(`unknown probe server ${id}`);
  const result = await probeNamespacedServer(config, await openPki(pkiDir), Number(delay));
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
