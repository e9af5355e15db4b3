/**
 * The wire codec's public surface (RFC 8446 §4–§6, RFC 5246 §6–§7): record header, alert,
 * handshake messages and extensions. Pure encode/decode; protocol decisions live in the engine.
 * @module
 */
export * from './record-header.ts';
export * from './alert.ts';
export * from './handshake.ts';
export * from './extensions.ts';
export * from './extension-bodies.ts';
export * from './client-hello.ts';
export * from './server-hello.ts';
export * from './encrypted-extensions.ts';
export * from './certificate.ts';
export * from './certificate-verify.ts';
export * from './finished.ts';
export * from './new-session-ticket.ts';
export * from './key-update.ts';
export * from './server-key-exchange.ts';
