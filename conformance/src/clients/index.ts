/**
 * Client selection for the matrix and the benchmarks: `puretls` (default once
 * `@puretls/transport-node` exports `connect`) or `node` (Node's `tls.connect`).
 *
 * @module
 */
import type { ClientUnderTest } from '../types.ts';
import { nodeClient } from './node.ts';
import { loadPuretlsClient } from './puretls.ts';

export type ClientName = 'puretls' | 'node';

/**
 * Loads a client by name. Without a name: puretls if it resolves, else node (with a warning).
 * @throws Error when `puretls` is requested explicitly but does not resolve
 */
export async function loadClient(name?: string): Promise<ClientUnderTest> {
  if (name === 'node') return nodeClient;
  const puretls = await loadPuretlsClient();
  if (puretls !== undefined) return puretls;
  if (name === 'puretls') throw new Error('puretls client unavailable: @puretls/transport-node does not export connect() yet');
  if (name !== undefined) throw new Error(`unknown client ${JSON.stringify(name)} (use puretls or node)`);
  console.warn('[conformance] @puretls/transport-node has no connect() yet: falling back to --client node');
  return nodeClient;
}
