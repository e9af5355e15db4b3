/**
 * @puretls/transport-node: run the puretls engine over Node sockets with a
 * `tls.connect()`-shaped API.
 * @module
 */
export { connect, toConfigOptions, readyKeyShareCount, clearKeyShareReserve, type ConnectOptions } from './connect.ts';
export { TLSSocket, authorizationCode, DEFAULT_HANDSHAKE_TIMEOUT_MS, type TLSSocketOptions, type EngineFactory, type EphemeralKeyInfo, type EarlyDataInfo } from './tls-socket.ts';
export { HandshakeTimeout } from './node-errors.ts';
export { Pump, type PumpHost } from './pump.ts';
export { defaultTrustStore, trustStoreFromPem } from './engine-factory.ts';
/** Forget the parsed `ca` bundles (the benchmark's first-contact rows; a process that reloads its CA files). */
export { clearTrustStoreCache } from '@puretls/tls-core';
export type { PeerCertificate } from './peer-certificate.ts';
export { cipherInfo, groupName, signatureSchemeName, parseCipherString, parseTls13Suites, parseGroups, type CipherInfo } from './names.ts';
export { probe, reportTable, PROBE_SCHEMA, FAIL_ON_POLICIES, type ProbeOptions, type ProbeReport, type FailOnPolicy } from './probe/index.ts';
