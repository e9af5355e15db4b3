/**
 * `@puretls/tls-core/pq`: the post-quantum hybrid key exchange X25519MLKEM768
 * (draft-ietf-tls-ecdhe-mlkem), kept out of the main entry so that code which does not import it
 * carries no ML-KEM (docs/embedding.md). Use: `groups: [x25519MLKEM768, NamedGroup.x25519]` in
 * `createClientConfig` (the provider object, not the bare code point).
 * @module
 */
export { x25519MLKEM768, hybridKeyShareFromSeeds, X25519MLKEM768_SERVER_SHARE_LENGTH } from './crypto/x25519-mlkem768.ts';
export type { KeyExchange, KeyShare } from './crypto/key-exchange.ts';
