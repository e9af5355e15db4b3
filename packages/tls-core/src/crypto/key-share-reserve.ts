/**
 * Ephemeral key shares made ahead of the ClientHello that sends them (RFC 8446 §4.2.8): the
 * X25519 key generation every TLS 1.3-capable ClientHello needs (RFC 7748 §6.1) is the largest
 * fixed cost of a resumed handshake in pure JS (docs/performance.md), and it does not depend on
 * anything the server says. A transport that waits on the network anyway (after sending a
 * ClientHello) can call {@link KeyShareReserve.refill} in that idle time, so the next connection
 * takes a ready share instead of computing one on its critical path.
 *
 * Rules that keep this as safe as generating on demand:
 * - a share leaves the reserve exactly once ({@link KeyShareReserve.take} removes it), so no
 *   private key is ever used for two handshakes (RFC 8446 §4.2.8.2 key shares are ephemeral);
 * - the reserve holds at most one share per group, and only for groups a handshake has taken
 *   before (no speculative work for groups never used);
 * - {@link KeyShareReserve.clear} drops every held share.
 *
 * Sans-IO: no timers here. The caller decides when idle time is (transport-node uses
 * `setImmediate` after the ClientHello is written).
 * @module
 */
import type { NamedGroup } from '../wire/enums.ts';
import { generateKeyShare, type KeyExchange, type KeyShare } from './key-exchange.ts';
import { defaultRandomBytes, type RandomBytes } from './noble.ts';

export class KeyShareReserve {
  /** One ready share per group. */
  readonly #ready = new Map<NamedGroup, KeyShare>();
  /** Groups taken since the last refill, in the order they were taken, with the randomness of the taker. */
  readonly #wanted = new Map<NamedGroup, { randomBytes: RandomBytes; providers: readonly KeyExchange[] }>();
  readonly #generate: (group: NamedGroup, randomBytes: RandomBytes, providers?: readonly KeyExchange[]) => KeyShare;

  /** @param generate how a share is made (tests count calls); default {@link generateKeyShare} */
  constructor(generate: (group: NamedGroup, randomBytes: RandomBytes, providers?: readonly KeyExchange[]) => KeyShare = generateKeyShare) {
    this.#generate = generate;
  }

  /**
   * A share for `group` that no one else will ever get: the ready one if there is one (it is
   * removed), else a fresh one from `randomBytes`. Either way the group is marked for the next
   * {@link refill}, which makes its share from the same `randomBytes` (the taker's config's: no
   * randomness but the caller's is ever used).
   * @param providers the config's `keyExchanges` (groups implemented outside key-exchange.ts)
   * @throws UsageError for a group neither the key exchange module nor a provider implements
   */
  take(group: NamedGroup, randomBytes: RandomBytes = defaultRandomBytes, providers: readonly KeyExchange[] = []): KeyShare {
    this.#wanted.set(group, { randomBytes, providers });
    const ready = this.#ready.get(group);
    if (ready !== undefined) {
      this.#ready.delete(group);
      return ready;
    }
    return this.#generate(group, randomBytes, providers);
  }

  /** True when {@link refill} has work to do. */
  get needsRefill(): boolean {
    for (const group of this.#wanted.keys()) if (!this.#ready.has(group)) return true;
    return false;
  }

  /**
   * Make one ready share for each group taken since the last refill that has none.
   * @returns how many shares were generated
   */
  refill(): number {
    let made = 0;
    for (const [group, { randomBytes, providers }] of this.#wanted) {
      if (this.#ready.has(group)) continue;
      this.#ready.set(group, this.#generate(group, randomBytes, providers));
      made++;
    }
    this.#wanted.clear();
    return made;
  }

  /** Ready shares held, per group (diagnostics and tests). */
  get readyCount(): number {
    return this.#ready.size;
  }

  /** Drop every ready share and forget the wanted groups. */
  clear(): void {
    this.#ready.clear();
    this.#wanted.clear();
  }
}
