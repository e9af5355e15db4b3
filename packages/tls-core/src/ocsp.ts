/**
 * `@puretls/tls-core/ocsp`: the stapled OCSP response checker (RFC 6960 §4.2 via RFC 6066 §8 and
 * RFC 8446 §4.4.2.1), kept out of the main entry so that code which does not ask for a staple
 * carries neither the OCSP parser nor SHA-1 (docs/embedding.md). Use:
 * `createClientConfig({ statusRequest: true, ocspStapleChecker, ... })`. Asking for a staple
 * (`statusRequest: true`, `ocspPolicy: 'require'`) without it is a UsageError.
 * @module
 */
import { checkOcspResponse, type OcspCheck } from './x509/ocsp.ts';
import type { OcspStapleChecker } from './client/config.ts';

/** The built-in checker: parses the response, checks its signature, CertID and validity window. */
export const ocspStapleChecker: OcspStapleChecker = checkOcspResponse;
export { OCSP_CLOCK_SKEW_MS } from './x509/ocsp.ts';
export type { OcspCheck, OcspStapleChecker };
