/**
 * The client side of a namespaced `puretls probe` row (gnutls-serv, Botan), executed by
 * probeServerInNetns() inside `unshare -n`: starts the server next to itself, probes it, stops it
 * by PID and prints `RESULT <json>`. Arguments: configuration id, PKI directory, ticket delay (ms).
 * @module
 */
import { openPki } from './pki.ts';
import { PROBE_SERVERS, probeNamespacedServer } from './probe-servers.ts';
import { netnsChildMain } from './servers/netns.ts';

netnsChildMain('probe-netns-child.js', ['ID', 'PKI_DIR', 'TICKET_DELAY_MS'], async ([id, pkiDir, delay]) => {
  const config = PROBE_SERVERS.find((c) => c.id === id);
  if (config === undefined) throw new Error(`unknown probe server ${id}`);
  return probeNamespacedServer(config, await openPki(pkiDir!), Number(delay));
});
