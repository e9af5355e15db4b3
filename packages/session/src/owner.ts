/**
 * `SessionOwner`: what a {@link Session} needs of the Context that made it: the security domain
 * id and the integrity key of the serialized form (docs/session.md §Format). The Context
 * implements it; keeping it here lets `session.ts` depend on no other module of this package, so
 * the package's imports point one way: context → connection → session → owner.
 * @module
 */

/** The Context as a Session sees it (its identity decides ownership: `session.context === ctx`). */
export interface SessionOwner {
  /** SHA-256 fingerprint of the security-relevant configuration (domain.ts): bound into the serialized form. */
  readonly domainId: Uint8Array;
  /** The integrity key of the serialized form. */
  readonly sessionKey: Uint8Array;
}
