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
import { netnsChildMain } from '../servers/netns.ts';
import { runCase } from './run-case.ts';

netnsChildMain('netns-child.js', ['CASE', 'CLIENT', 'PKI_DIR'], async ([caseId, clientName, pkiDir]) => {
  const testCase = findCase(caseId!);
  if (testCase === undefined) throw new Error(`unknown case ${caseId}`);
  const client = await loadClient(clientName!);
  return runCase(testCase, client, { pki: await openPki(pkiDir!), insideNetns: true });
});
