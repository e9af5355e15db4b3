/**
 * @puretls/tls-core: the sans-IO TLS 1.2/1.3 client engine and X.509 validation in pure
 * TypeScript. This entry is the public API: the engine (`ClientConnection`, the `ClientEngine`
 * interface), its configuration and events, the typed errors and `alertFor()`, the wire enums,
 * trust stores, certificate and host name verification, client credentials, hex and UTF-8
 * helpers. The building
 * blocks other puretls packages share (codecs, record layer, key schedules, crypto primitives)
 * are in `@puretls/tls-core/internal` (docs/design.md).
 * @module
 */
export * from './errors.ts';
export * from './wire/enums.ts';
export { ClientConnection } from './client/connection.ts';
export type { ClientConnectionOptions } from './client/connection.ts';
export type { ClientEngine } from './engine.ts';
export { createClientConfig } from './client/config.ts';
export type { ClientConfig, ClientConfigOptions, VersionName, OcspStapleChecker } from './client/config.ts';
export type { ClientEvent, EarlyDataEvent, KeyLogEntry, MessageEvent, NegotiatedParameters, ResumptionData, ResumptionFacts, Tls13TicketData, Tls12SessionData } from './client/events.ts';
// The session data's secret types, by name only: their bytes and constructors are in the internal entry.
export type { ResumptionPsk } from './tls13/key-schedule.ts';
export type { Tls12MasterSecret } from './tls12/master-secret.ts';
export { KeyShareReserve } from './crypto/key-share-reserve.ts';
export { TLS13_SUITES, TLS12_SUITES, tls13SuiteById, tls12SuiteById, suiteByName } from './crypto/suites.ts';
export type { Tls13Suite, Tls12Suite } from './crypto/suites.ts';
export { parseCertificate } from './x509/certificate.ts';
export type { Certificate, DistinguishedName, SubjectAltNames } from './x509/certificate.ts';
export { TrustStore } from './x509/trust-store.ts';
export { cachedTrustStoreFromPem, clearTrustStoreCache } from './x509/trust-store-cache.ts';
export { decodePemCertificates, decodePemBlocks, encodePem } from './x509/pem.ts';
export { verifyServerCertificateChain, DEFAULT_PATH_LIMITS } from './x509/path-validation.ts';
export type { VerifyServerCertificateOptions, VerifiedPath, PathLimits } from './x509/path-validation.ts';
export { verifyHostname } from './x509/hostname.ts';
export { clearVerificationCaches, verificationCacheSizes } from './x509/verification-cache.ts';
export type { ServerCertificateInfo, ServerCertificateVerifier } from './client/server-certificate.ts';
export { createClientCredential, chooseClientCredential } from './client/credential.ts';
export type { ClientCredential, ClientCredentialSelector, CertificateRequestInfo, CredentialChoice } from './client/credential.ts';
export { parsePrivateKeyPem, parsePrivateKeyDer } from './x509/private-key.ts';
export type { PrivateKey, PublicKey, SignatureAlgorithm } from './crypto/keys.ts';
export { toHex, fromHex, utf8, fromUtf8 } from './codec/bytes.ts';
