/** A bounded, expiring cache of outbound tokens with single-flight loading (DESIGN-18). */

/** What a loader returns: the value and until when (epoch ms) it may be reused, if at all. */
export interface Loaded<T> {
  value: T;
  cacheUntil: number | undefined;
}

interface Entry<T> {
  value: T;
  until: number;
}

/**
 * Least-recently-used cache whose entries expire at a given instant. `getOrLoad` runs one
 * loader per key at a time: concurrent callers for the same key share its promise, and a
 * failed load is not remembered.
 */
export class TokenCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #inflight = new Map<string, Promise<T>>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { maxEntries: number; now: () => number }) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError("maxEntries must be a positive integer");
    }
    this.#maxEntries = options.maxEntries;
    this.#now = options.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() >= entry.until) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-insert so Map order stays least-recently-used first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: T, until: number): void {
    this.#entries.delete(key);
    if (until <= this.#now()) return;
    this.#entries.set(key, { value, until });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  getOrLoad(key: string, load: () => Promise<Loaded<T>>): Promise<T> {
    const cached = this.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.#inflight.get(key);
    if (pending !== undefined) return pending;
    const promise = load()
      .then(({ value, cacheUntil }) => {
        if (cacheUntil !== undefined) this.set(key, value, cacheUntil);
        return value;
      })
      .finally(() => {
        this.#inflight.delete(key);
      });
    this.#inflight.set(key, promise);
    return promise;
  }
}
