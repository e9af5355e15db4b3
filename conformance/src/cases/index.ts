/**
 * The conformance matrix as data: every row of every peer, in run order. The schema of a row is
 * in schema.ts, the suites and groups with each server's spelling in suites.ts, and the rows in
 * one file per peer (the peers themselves are started by ../servers/, the rows run by ../runner/).
 *
 * @module
 */
import { BOTAN_CASES } from './botan.ts';
import { GNUTLS_CASES } from './gnutls.ts';
import { NODE_CASES } from './node.ts';
import { NSS_CASES } from './nss.ts';
import { OPENSSL_CASES } from './openssl/index.ts';
import type { ConformanceCase } from './schema.ts';

export type * from './schema.ts';

/** All cases, in run order. */
export const CASES: readonly ConformanceCase[] = [...OPENSSL_CASES, ...GNUTLS_CASES, ...BOTAN_CASES, ...NSS_CASES, ...NODE_CASES];

/** Looks a case up by id. */
export function findCase(id: string): ConformanceCase | undefined {
  return CASES.find((testCase) => testCase.id === id);
}
