/**
 * The client session cache of a Context (OpenSSL's `SSL_SESS_CACHE_CLIENT`): sessions grouped
 * by cache key, a capacity with oldest-first eviction (rustls `LimitedCache`), expiry by
 * lifetime, and take-once TLS 1.3 tickets (RFC 8446 Appendix C.4: a client should not reuse a
 * ticket, so a lookup removes it). The cache holds one reference to every session in it.
 * @module
 */
import type { Session } from './session.ts';

/** What the cache needs to know about time and policy. */
export interface CachePolicy {
  readonly capacity: number;
  /** The Context's lifetime cap in seconds (applied on top of each session's own lifetime). */
  readonly lifetimeSeconds: number;
  readonly singleUseTickets: boolean;
  readonly now: () => number;
}

export class SessionCache {
  readonly #policy: CachePolicy;
  /** Insertion order is eviction order (Map iteration order is insertion order). */
  readonly #entries = new Map<Session, string>();
  readonly #byKey = new Map<string, Session[]>();

  constructor(policy: CachePolicy) {
    this.#policy = policy;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(session: Session): boolean {
    return this.#entries.has(session);
  }

  /**
   * Add a session under `key`, taking a reference; evict the oldest past capacity.
   * @returns false when it was already cached (nothing changes)
   */
  add(key: string, session: Session): boolean {
    if (this.#entries.has(session)) return false;
    session.upRef();
    this.#entries.set(session, key);
    const list = this.#byKey.get(key);
    if (list === undefined) this.#byKey.set(key, [session]);
    else list.push(session);
    while (this.#entries.size > this.#policy.capacity) this.remove(this.#entries.keys().next().value!);
    return true;
  }

  /**
   * Remove a session and drop the cache's reference.
   * @returns false when it was not cached
   */
  remove(session: Session): boolean {
    const key = this.#entries.get(session);
    if (key === undefined) return false;
    this.#entries.delete(session);
    const list = this.#byKey.get(key)!;
    list.splice(list.indexOf(session), 1);
    if (list.length === 0) this.#byKey.delete(key);
    session.free();
    return true;
  }

  /**
   * The newest unexpired session for a key, with a reference for the caller. A TLS 1.3 session
   * is taken out of the cache (single use) unless the policy says otherwise. Expired sessions
   * met on the way are removed.
   */
  lookup(key: string): Session | undefined {
    const list = this.#byKey.get(key);
    if (list === undefined) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i]!;
      if (this.isExpired(s)) {
        this.remove(s);
        continue;
      }
      if (s.version === 'TLSv1.3' && this.#policy.singleUseTickets) {
        // Hand the cache's reference over to the caller.
        s.upRef();
        this.remove(s);
        return s;
      }
      return s.upRef();
    }
    return undefined;
  }

  /** Sessions cached for a key, oldest first (no references taken). */
  peek(key: string): readonly Session[] {
    return [...(this.#byKey.get(key) ?? [])];
  }

  /** Expired by its own lifetime or by the Context's lifetime cap. */
  isExpired(session: Session): boolean {
    const now = this.#policy.now();
    return session.isExpired(now) || now - session.issuedAtMs > this.#policy.lifetimeSeconds * 1000;
  }

  /** Remove every expired session (`SSL_CTX_flush_sessions`). @returns how many were removed */
  flushExpired(): number {
    let n = 0;
    for (const s of [...this.#entries.keys()]) if (this.isExpired(s) && this.remove(s)) n++;
    return n;
  }

  /** Remove everything. */
  clear(): void {
    for (const s of [...this.#entries.keys()]) this.remove(s);
  }
}
