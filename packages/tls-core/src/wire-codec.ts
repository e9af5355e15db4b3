/**
 * `@puretls/tls-core/wire`: the wire codec for tools that write and read TLS messages themselves
 * (a server tester's hand-built ClientHellos, a dissector): the Reader/Writer codec with labelled
 * errors, the record header (RFC 8446 §5.1, RFC 5246 §6.2.1), handshake messages and extensions
 * (RFC 8446 §4, RFC 5246 §7.4), handshake reassembly across records (RFC 8446 §5.1), ephemeral key
 * shares for hand-built key_share entries (RFC 8446 §4.2.8), and the SignedCertificateTimestampList
 * decoder (RFC 6962 §3.3). Kept out of the main entry, which stays the engine's API
 * (docs/design.md); nothing here is needed to make a connection. `puretls probe` uses this entry.
 * Stability: the names and shapes follow the RFC structures they encode; a change that breaks a
 * caller is a breaking change of the package, as for the main entry.
 * @module
 */
export * from './wire/index.ts';
export { decodeSignedCertificateTimestampList, certificateSctList, ocspSctLists, SCT_LIST_EXTENSION_OID } from './wire/sct.ts';
export type { SignedCertificateTimestamp } from './wire/sct.ts';
export { Reader } from './codec/reader.ts';
export { Writer, encode } from './codec/writer.ts';
export { concatBytes, equalBytes } from './codec/bytes.ts';
export { HandshakeReassembler } from './record/handshake-reassembler.ts';
export type { ReassembledMessage } from './record/handshake-reassembler.ts';
export { generateKeyShare, isSupportedKeyExchangeGroup, SUPPORTED_KEY_EXCHANGE_GROUPS } from './crypto/key-exchange.ts';
export type { KeyShare, KeyExchange } from './crypto/key-exchange.ts';
