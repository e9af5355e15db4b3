/**
 * `Context`, the analogue of OpenSSL's `SSL_CTX`: one client configuration (tls-core
 * `createClientConfig` options: trust anchors, versions, suites, groups, ALPN, verification
 * policy), its security domain id, and its client session cache (modes 'off' | 'client',
 * capacity with oldest-first eviction, lifetime, single-use TLS 1.3 tickets). It creates
 * {@link Connection}s, which feed the cache from the engine's session events.
 * @module
 */
import {
  ClientConnection,
  UsageError,
  createClientConfig,
  toHex,
  type ClientConfig,
  type ClientConfigOptions,
  type ClientConnectionOptions,
  type ClientEngine,
} from '@puretls/tls-core';
import { SessionCache } from './cache.ts';
import { Connection, type ConnectionOwner, type ConnectionTarget } from './connection.ts';
import { securityDomainId } from './domain.ts';
import { SessionError } from './errors.ts';
import { PUBLIC_SESSION_KEY } from './format.ts';
import type { Session } from './session.ts';

/** Builds the engine for one handshake (tests replace it with a scripted engine; default: tls-core's `ClientConnection`). */
export type EngineFactory = (config: ClientConfig, options: ClientConnectionOptions) => ClientEngine;

export type SessionCacheMode = 'off' | 'client';

/** Context options: everything tls-core's config takes, plus the session cache policy. */
export interface ContextOptions extends ClientConfigOptions {
  /** 'client' (default) caches sessions and offers them automatically; 'off' only via setSession(). */
  sessionCacheMode?: SessionCacheMode;
  /** Most sessions kept; the oldest is evicted first (default 20480, OpenSSL's default). */
  sessionCacheSize?: number;
  /** The longest a session is used, in seconds, on top of its own lifetime (default 7200, OpenSSL 3's default timeout). */
  sessionLifetimeSeconds?: number;
  /** Take TLS 1.3 tickets out of the cache when offering them (default true; RFC 8446 Appendix C.4). */
  singleUseTickets?: boolean;
  /**
   * A secret (>= 16 bytes) that makes the serialized form's tag an HMAC only holders of the key
   * can produce. Default: a public key, so the tag detects corruption only (docs/session.md).
   */
  sessionKey?: Uint8Array;
  /** Replace the engine (tests; transport-node's `connect({ engineFactory })`). */
  engineFactory?: EngineFactory;
}

export class Context implements ConnectionOwner {
  /** The frozen tls-core configuration every connection of this Context uses. */
  readonly config: ClientConfig;
  /** SHA-256 fingerprint of the security-relevant configuration (domain.ts). */
  readonly domainId: Uint8Array;
  /** The integrity key of the serialized form. */
  readonly sessionKey: Uint8Array;
  readonly sessionCacheMode: SessionCacheMode;
  readonly sessionLifetimeSeconds: number;
  readonly #options: ContextOptions;
  readonly #cache: SessionCache;
  readonly #engineFactory: EngineFactory;
  #keyLogConfig: ClientConfig | undefined;

  /**
   * @throws UsageError for bad options (tls-core's checks, and the cache settings)
   * @example const ctx = new Context({ trustStore: TrustStore.fromPem(caPem) });
   */
  constructor(options: ContextOptions = {}) {
    this.#options = { ...options };
    this.config = createClientConfig(options);
    this.domainId = securityDomainId(this.config);
    const mode = options.sessionCacheMode ?? 'client';
    if (mode !== 'off' && mode !== 'client') throw new UsageError(`sessionCacheMode must be 'off' or 'client', got ${String(mode)}`);
    this.sessionCacheMode = mode;
    const capacity = options.sessionCacheSize ?? 20480;
    if (!Number.isInteger(capacity) || capacity < 1) throw new UsageError('sessionCacheSize must be a positive integer');
    const lifetime = options.sessionLifetimeSeconds ?? 7200;
    if (!Number.isInteger(lifetime) || lifetime < 1) throw new UsageError('sessionLifetimeSeconds must be a positive integer');
    this.sessionLifetimeSeconds = lifetime;
    if (options.sessionKey !== undefined && options.sessionKey.length < 16) throw new UsageError('sessionKey must be at least 16 bytes');
    this.sessionKey = options.sessionKey?.slice() ?? PUBLIC_SESSION_KEY;
    this.#cache = new SessionCache({ capacity, lifetimeSeconds: lifetime, singleUseTickets: options.singleUseTickets ?? true, now: this.config.now });
    this.#engineFactory = options.engineFactory ?? ((config, o) => new ClientConnection(config, o));
  }

  /**
   * A new connection to `target`. In 'client' cache mode the newest usable cached session for
   * (security domain, host, port) is set on it (a TLS 1.3 ticket is taken out of the cache).
   */
  createConnection(target: ConnectionTarget): Connection {
    const conn = new Connection(this, target);
    if (this.sessionCacheMode === 'client') {
      const cached = this.#cache.lookup(this.cacheKey(target.host, target.port ?? 0));
      if (cached !== undefined) {
        conn.setSession(cached);
        cached.free(); // the lookup's reference; the connection holds its own now
      }
    }
    return conn;
  }

  /** The cache key: security domain, server name, port. */
  cacheKey(host: string, port: number): string {
    return `${toHex(this.domainId)}\u0000${host}\u0000${port}`;
  }

  /**
   * Add a session to the cache (`SSL_CTX_add_session`), taking a reference.
   * @returns false when it was already cached or caching is off
   * @throws SessionError ForeignContext / SessionFreed
   */
  addSession(session: Session): boolean {
    this.checkOwn(session);
    if (this.sessionCacheMode === 'off') return false;
    return this.#cache.add(this.cacheKey(session.host, session.port), session);
  }

  /**
   * Remove a session from the cache (`SSL_CTX_remove_session`), dropping the cache's reference.
   * @returns false when it was not cached
   * @throws SessionError ForeignContext
   */
  removeSession(session: Session): boolean {
    if (session.context !== this) throw new SessionError('ForeignContext');
    return this.#cache.remove(session);
  }

  /** True when the session is in this Context's cache. */
  isCached(session: Session): boolean {
    return this.#cache.has(session);
  }

  /** Number of cached sessions. */
  get cachedSessionCount(): number {
    return this.#cache.size;
  }

  /** The cached sessions for a server, oldest first (no references taken). */
  cachedSessions(host: string, port: number): readonly Session[] {
    return this.#cache.peek(this.cacheKey(host, port));
  }

  /** True when the session is past its own lifetime or this Context's. */
  isExpired(session: Session): boolean {
    return this.#cache.isExpired(session);
  }

  /** Remove expired sessions (`SSL_CTX_flush_sessions`). @returns how many */
  flushSessions(): number {
    return this.#cache.flushExpired();
  }

  /** Empty the cache. */
  clearSessions(): void {
    this.#cache.clear();
  }

  /** The Context clock (the config's `now`). */
  now(): number {
    return this.config.now();
  }

  /**
   * @throws SessionError ForeignContext when the session belongs to another Context, SessionFreed when freed
   */
  checkOwn(session: Session): void {
    if (session.context !== this) throw new SessionError('ForeignContext', 'the session belongs to another Context');
    if (session.refCount <= 0) throw new SessionError('SessionFreed');
  }

  /** Internal: an engine for one handshake. */
  newEngine(options: ClientConnectionOptions, keyLog: boolean): ClientEngine {
    let config = this.config;
    if (keyLog && !config.keyLog) config = this.#keyLogConfig ??= createClientConfig({ ...this.#options, keyLog: true });
    return this.#engineFactory(config, options);
  }
}
