/** Session ids and the integer keys that place their events in the log (§8.3, migration 0002). */
import type { Database, Statement } from "better-sqlite3";

/** Seqs are the low 32 bits of an event's rowid, so a session's seqs are 0 … 2^32 − 1. */
export const SEQ_LIMIT = 2 ** 32;

/** Entries kept before the cache starts over; a miss costs one indexed lookup. */
const CACHE_LIMIT = 16_384;

/**
 * The largest integer n with seq > afterSeq ⇔ seq > n for every storable seq, or null when
 * no storable seq is greater (a read after it is empty).
 */
export function seqFloor(afterSeq: number): number | null {
  if (afterSeq < 0) return -1;
  if (!(afterSeq < SEQ_LIMIT - 1)) return null;
  return Math.floor(afterSeq);
}

/**
 * Maps session ids to keys, allocating on the first append. The cache assumes this store is
 * the database's only writer, which DESIGN-14/15 make it (several nodes use PostgreSQL).
 * A key allocated inside a transaction reaches the cache only after it commits.
 */
export class SessionKeys {
  readonly #cache = new Map<string, number>();
  readonly #find: Statement;
  readonly #allocate: Statement;
  readonly #allocateFree: Statement;
  readonly #release: Statement;

  constructor(db: Database) {
    this.#find = db.prepare("SELECT key FROM session_keys WHERE id = ?").pluck();
    this.#allocate = db.prepare("INSERT INTO session_keys (id) VALUES (?) RETURNING key").pluck();
    // Nothing for a taken id (and no error): the caller then looks the key up. That rare case
    // skips a key number, which is harmless: keys are never reused, gaps or not.
    this.#allocateFree = db
      .prepare("INSERT INTO session_keys (id) VALUES (?) ON CONFLICT (id) DO NOTHING RETURNING key")
      .pluck();
    this.#release = db.prepare("DELETE FROM session_keys WHERE key = ?");
  }

  /** The session's key, or undefined when it has never had an event. Never allocates. */
  find(sessionId: string): number | undefined {
    const cached = this.#cache.get(sessionId);
    if (cached !== undefined) return cached;
    const key = this.#find.get(sessionId) as number | undefined;
    if (key !== undefined) this.#remember(sessionId, key);
    return key;
  }

  /**
   * The session's key, allocated if it has none, for use inside a write transaction: keys
   * it finds or makes go into `fresh`, for `commit` once the transaction has committed.
   * `isNew` (the session's row was inserted in this transaction) says it most likely has no
   * key yet: one is allocated first and looked up only if the id turns out to hold one.
   */
  resolve(sessionId: string, fresh: Map<string, number>, isNew = false): number {
    const known = this.#cache.get(sessionId) ?? fresh.get(sessionId);
    if (known !== undefined) return known;
    const key = (
      isNew
        ? (this.#allocateFree.get(sessionId) ?? this.#find.get(sessionId))
        : (this.#find.get(sessionId) ?? this.#allocate.get(sessionId))
    ) as number;
    fresh.set(sessionId, key);
    return key;
  }

  /** Cache what `resolve` found, now that its transaction has committed. */
  commit(fresh: ReadonlyMap<string, number>): void {
    for (const [sessionId, key] of fresh) this.#remember(sessionId, key);
  }

  /** Give up a key whose range is empty; a later event of the session gets a new one. */
  release(sessionId: string, key: number): void {
    this.#release.run(key);
    this.#cache.delete(sessionId);
  }

  #remember(sessionId: string, key: number): void {
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(sessionId, key);
  }
}
