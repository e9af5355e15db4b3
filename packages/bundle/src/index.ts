/**
 * The puretls embedding API for hosts without Node (QuickJS, browsers, Workers, sandboxes): the
 * client engine of `@puretls/tls-core` and the resumption layer of `@puretls/session`, which
 * `build.js` bundles with `@noble/*` into `dist/puretls.min.mjs` (ESM) and
 * `dist/puretls.iife.min.js` (a script that sets `globalThis.puretls`). The only things the host
 * gives are bytes in each direction and, where it has no `globalThis.crypto.getRandomValues`, a
 * `randomBytes` function in the config (docs/embedding.md).
 *
 * The list is explicit, not `export *`: tls-core's entry also exports the wire codec, record
 * layer and key schedules for the other packages, and a bundle that re-exported them could not
 * drop them (issue 11's size budget). What is here is what an embedding needs to connect,
 * verify, resume and report; docs/embedding.md lists it. Client certificates (private key
 * parsing, RSA/ECDSA/Ed25519 signing) and X25519MLKEM768 (ML-KEM, SHA-3) are in full.ts, the
 * `puretls-full` bundles, so this default one stays under issue 11's 70 KB budget.
 * @module
 */

// The engine and its configuration.
export { ClientConnection, createClientConfig, KeyShareReserve } from '@puretls/tls-core';
export type { ClientConnectionOptions, ClientConfig, ClientConfigOptions, VersionName, ClientEvent, KeyLogEntry, MessageEvent, NegotiatedParameters, ResumptionData } from '@puretls/tls-core';

// Trust anchors, certificates and server verification hooks.
export { TrustStore, decodePemCertificates, decodePemBlocks, encodePem, parseCertificate, clearVerificationCaches } from '@puretls/tls-core';
export type { Certificate, DistinguishedName, SubjectAltNames, ServerCertificateInfo, ServerCertificateVerifier } from '@puretls/tls-core';

// Client authentication types (building a credential, which carries the signing code, is in full.ts).
export type { PrivateKey, ClientCredential, ClientCredentialSelector, CertificateRequestInfo, CredentialChoice } from '@puretls/tls-core';

// Typed errors, and the alert each maps to.
export { TlsError, InvalidMessage, InappropriateMessage, PeerMisbehaved, PeerIncompatible, InvalidCertificate, InvalidPrivateKey, CertificateRejected, DecryptError, AlertReceived, UnexpectedEof, UsageError, CryptoError, alertFor, alertName } from '@puretls/tls-core';
export type { InvalidMessageReason, PeerMisbehavedReason, PeerIncompatibleReason, CertificateErrorReason, PrivateKeyErrorReason } from '@puretls/tls-core';

// Code point tables for display (`nameOf(CipherSuite, n.cipherSuite)`), and byte helpers.
export { ProtocolVersion, CipherSuite, NamedGroup, SignatureScheme, AlertDescription, nameOf } from '@puretls/tls-core';
export { utf8, fromUtf8, toHex, fromHex } from '@puretls/tls-core';

// Resumption (docs/session.md): Context ≈ SSL_CTX, Session ≈ SSL_SESSION with its serialized form.
export { Context, Connection, Session, SessionError, SESSION_PEM_LABEL, MAX_SESSION_LIFETIME_S } from '@puretls/session';
export type { ContextOptions, SessionCacheMode, ConnectionTarget, ConnectionEvent, SessionErrorReason } from '@puretls/session';
