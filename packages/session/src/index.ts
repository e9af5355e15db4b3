/**
 * @puretls/session: OpenSSL-faithful client session resumption for puretls. `Context`
 * (≈ SSL_CTX) owns a configuration and a session cache; `Session` (≈ SSL_SESSION) is
 * reference-counted resumption state with a versioned, integrity-checked serialized form;
 * `Connection` keeps the `SSL_set_session` contract. See docs/session.md.
 * @module
 */
export { Context, type ContextOptions, type SessionCacheMode, type EngineFactory } from './context.ts';
export { Connection, type ConnectionTarget, type ConnectionEvent, type SessionEvent, type ConnectionOwner } from './connection.ts';
export type { SessionOwner } from './owner.ts';
export { Session, MAX_SESSION_LIFETIME_S } from './session.ts';
export { SessionError, type SessionErrorReason } from './errors.ts';
export { SESSION_PEM_LABEL, SESSION_FORMAT_VERSION, PUBLIC_SESSION_KEY } from './format.ts';
export { securityDomainId, trustAnchorsId } from './domain.ts';
