/**
 * @puretls/tls-core/internal: everything of the main entry plus the building blocks the other
 * puretls packages, the tests and the tools use (codecs, wire messages, record layer, key
 * schedules, crypto primitives, limits). No stability promise: these names change with the
 * implementation. Applications import `@puretls/tls-core`. See docs/design.md.
 * @module
 */
export * from './index.ts';
export * from './wire/enums.ts';
export { Reader } from './codec/reader.ts';
export { Writer, encode } from './codec/writer.ts';
export { concatBytes, equalBytes, toHex, fromHex, utf8, fromUtf8 } from './codec/bytes.ts';
export * as wire from './wire/index.ts';
export { decodeHandshake, encodeHandshake, decodeHandshakeHeader, HANDSHAKE_HEADER_LENGTH } from './wire/handshake.ts';
export type { HandshakeMessage, HandshakeContent, WireVersion } from './wire/handshake.ts';
export { decodeRecordHeader, encodeRecordHeader, RECORD_HEADER_LENGTH } from './wire/record-header.ts';
export type { RecordHeader } from './wire/record-header.ts';
export { findExtension, checkExtensionsAllowed, extension } from './wire/extensions.ts';
export type { ClientEvent, EarlyDataEvent, KeyLogEntry, MessageEvent, NegotiatedParameters, ResumptionData, ResumptionFacts, Tls13TicketData, Tls12SessionData } from './client/events.ts';
export { copyResumptionData } from './client/events.ts';
export { parseCertificate } from './x509/certificate.ts';
export type { Certificate, DistinguishedName, SubjectAltNames } from './x509/certificate.ts';
export { TrustStore } from './x509/trust-store.ts';
export { cachedTrustStoreFromPem, clearTrustStoreCache } from './x509/trust-store-cache.ts';
export { decodePemCertificates, encodePem } from './x509/pem.ts';
export { verifyServerCertificateChain, DEFAULT_PATH_LIMITS } from './x509/path-validation.ts';
export type { VerifyServerCertificateOptions, VerifiedPath, PathLimits } from './x509/path-validation.ts';
export { verifyHostname } from './x509/hostname.ts';
export { ClientConnection } from './client/connection.ts';
export type { ClientEngine } from './engine.ts';
export type { ClientConnectionOptions } from './client/connection.ts';
export { createClientConfig } from './client/config.ts';
export type { ClientConfig, ClientConfigOptions, VersionName } from './client/config.ts';
export { EarlySecret, HandshakeSecret, MasterSecret, hkdfExpandLabel, deriveSecret, deriveTrafficKeys, finishedVerifyData, nextApplicationTrafficSecret, resumptionPsk, exportKeyingMaterial } from './tls13/key-schedule.ts';
export type { TrafficKeys, Tls13KeyScheduleSuite, PskKind } from './tls13/key-schedule.ts';
// The session data's typed secrets: made from bytes and read back by the session format only.
export { ResumptionPsk, revealResumptionPsk } from './tls13/key-schedule.ts';
export { Tls12MasterSecret, revealMasterSecret } from './tls12/master-secret.ts';
export { Transcript, TranscriptBuffer } from './tls13/transcript.ts';
export { prf, masterSecret, extendedMasterSecret, keyBlock, tls12FinishedVerifyData } from './tls12/prf.ts';
export type { Tls12KeyBlock } from './tls12/prf.ts';
export { RecordDeframer } from './record/deframer.ts';
export type { TlsRecord } from './record/deframer.ts';
export { HandshakeReassembler } from './record/handshake-reassembler.ts';
export { LIMITS, X509_LIMITS, MAX_HANDSHAKE_LENGTH, DEFAULT_MAX_HANDSHAKE_LENGTH, maxHandshakeLength } from './limits.ts';
export type { ReassembledMessage } from './record/handshake-reassembler.ts';
export { fragment } from './record/fragmenter.ts';
export { RecordLayer } from './record/record-layer.ts';
export { PlaintextProtector, MAX_PLAINTEXT_LENGTH, MAX_TLS13_CIPHERTEXT_LENGTH, MAX_TLS12_CIPHERTEXT_LENGTH } from './record/protector.ts';
export type { RecordProtector, PlainRecord } from './record/protector.ts';
export { Tls13Protector, padToMultipleOf } from './record/protect-tls13.ts';
export type { PaddingPolicy } from './record/protect-tls13.ts';
export { Tls12Protector } from './record/protect-tls12.ts';
export type { Tls12TrafficKeys } from './record/protect-tls12.ts';
export { generateKeyShare, keyShareFromPrivateKey, isSupportedKeyExchangeGroup, keyShareLength, SUPPORTED_KEY_EXCHANGE_GROUPS } from './crypto/key-exchange.ts';
export type { KeyShare } from './crypto/key-exchange.ts';
export { KeyShareReserve } from './crypto/key-share-reserve.ts';
export { verifySignature, prepareVerificationKey, isPreparedVerificationKey, signatureAlgorithmForScheme, isSchemeCompatibleWithKey, isTls13CertificateVerifyScheme, SUPPORTED_SIGNATURE_SCHEMES } from './crypto/signature.ts';
export type { PublicKey, SignatureAlgorithm } from './crypto/keys.ts';
export { TLS13_SUITES, TLS12_SUITES, tls13SuiteById, tls12SuiteById, suiteByName, isTls13Suite } from './crypto/suites.ts';
export type { Tls13Suite, Tls12Suite } from './crypto/suites.ts';
export { SHA256, SHA384, SHA512, hashByName } from './crypto/noble.ts';
export type { HashAlgorithm, AeadAlgorithm } from './crypto/noble.ts';
export { hmac } from './crypto/noble.ts';
export { decodePemBlocks } from './x509/pem.ts';
export { clearVerificationCaches, verificationCacheSizes } from './x509/verification-cache.ts';
export { createClientCredential, chooseClientCredential } from './client/credential.ts';
export type { ClientCredential, ClientCredentialSelector, CertificateRequestInfo, CredentialChoice } from './client/credential.ts';
export { parsePrivateKeyPem, parsePrivateKeyDer } from './x509/private-key.ts';
export { signWithScheme, signingSchemesFor } from './crypto/signer.ts';
export { rsasp1 } from './crypto/rsa-sign.ts';
export type { PrivateKey } from './crypto/keys.ts';
export { publicKeyOf } from './crypto/keys.ts';
export type { ServerCertificateInfo, ServerCertificateVerifier } from './client/server-certificate.ts';
