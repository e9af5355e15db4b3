/**
 * Entry point of the client side of a gnutls case, executed by `runInNetns()` inside
 * `unshare -n` (see netns.ts). Arguments: case id, client name, PKI directory.
 * Prints `RESULT <json>` and exits; gnutls-serv is killed by PID before exit.
 *
 * @module
 */
import { findCase } from '../cases/index.ts';
import { loadClient } from '../clients/index.ts';
import { openPki } from '../pki.ts';
import { runCase } from './run-case.ts';

async function main(): Promise<void> {
  const [caseId, clientName, pkiDir] = process.argv.slice(2);
  if (caseId === undefined || clientName === undefined || pkiDir === undefined) throw new Error('usage: netns-child.js CASE CLIENT PKI_DIR');
  if (process.env.PURETLS_CONFORMANCE_NETNS !== '1') throw new Error('netns-child.js must run inside runInNetns()');
  const testCase = findCase(caseId);
  if (testCase === undefined) throw new Error(`unknown case ${caseId}`);
  const client = await loadClient(clientName);
  const result = await runCase(testCase, client, { pki: await openPki(pkiDir), insideNetns: true });
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
