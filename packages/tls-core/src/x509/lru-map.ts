/**
 * The bounded least-recently-used map behind the process-wide X.509 caches (verified signatures,
 * end-entity keys, trust stores parsed from PEM). Not protocol code: no RFC.
 * @module
 */
/** A small least-recently-used map: a lookup makes an entry the newest; adding beyond capacity drops the oldest. */
export class LruMap<V> {
  readonly #capacity: number;
  readonly #map = new Map<string, V>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#capacity) this.#map.delete(this.#map.keys().next().value!);
  }

  clear(): void {
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }
}
