/**
 * The full embedding API (`dist/puretls-full.min.mjs`, `dist/puretls-full.iife.min.js`, global
 * `puretls`): everything in index.ts plus the optional parts left out of the default bundle for
 * size (docs/embedding.md): client authentication (`createClientCredential`, `parsePrivateKeyPem`,
 * `parsePrivateKeyDer`, which bring RSA signing and noble's ECDSA signer) and the post-quantum
 * hybrid key exchange `x25519MLKEM768` (ML-KEM-768 and SHA-3), passed in `groups`; and TLS 1.3
 * 0-RTT early data (`ClientConnectionOptions.earlyData`), which the default bundle is built without
 * (build.js `dropLabels`; docs/early-data.md).
 * @module
 */
export * from './index.ts';
export { parsePrivateKeyPem, parsePrivateKeyDer, createClientCredential } from '@puretls/tls-core';
export { x25519MLKEM768 } from '@puretls/tls-core/pq';
export type { KeyExchange, KeyShare } from '@puretls/tls-core/pq';
export { ocspStapleChecker } from '@puretls/tls-core/ocsp';
export type { OcspCheck, OcspStapleChecker } from '@puretls/tls-core/ocsp';
