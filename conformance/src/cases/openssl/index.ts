/**
 * The rows against `openssl s_server` (OpenSSL 3.0; CONFORMANCE.md §2.1, §6.2), the main peer,
 * one file per theme, all built by ./spec.ts on the one case schema (../schema.ts).
 *
 * @module
 */
import type { ConformanceCase } from '../schema.ts';
import { OPENSSL_BADSSL_CASES } from './badssl.ts';
import { OPENSSL_CLIENT_AUTH_CASES } from './client-auth.ts';
import { OPENSSL_EARLY_DATA_CASES } from './early-data.ts';
import { OPENSSL_OCSP_CASES } from './ocsp.ts';
import { OPENSSL_PSK_CASES } from './psk.ts';
import { OPENSSL_RESUMPTION_CASES } from './resumption.ts';
import { OPENSSL_TLS12_CASES } from './tls12.ts';
import { OPENSSL_TLS13_CASES } from './tls13.ts';

/** The s_server rows, in run order. */
export const OPENSSL_CASES: readonly ConformanceCase[] = [
  ...OPENSSL_TLS13_CASES,
  ...OPENSSL_TLS12_CASES,
  ...OPENSSL_BADSSL_CASES,
  ...OPENSSL_RESUMPTION_CASES,
  ...OPENSSL_EARLY_DATA_CASES,
  ...OPENSSL_CLIENT_AUTH_CASES,
  ...OPENSSL_OCSP_CASES,
  ...OPENSSL_PSK_CASES,
];
