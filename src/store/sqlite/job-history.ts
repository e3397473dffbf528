/**
 * A job's own history on SQLite (§8.3, DESIGN-13): read from the owning session's rowid range
 * rather than through a per-event index, and kept or dropped as jobs and sessions go.
 */
import type { Database, Statement } from "better-sqlite3";
import type { EventRecord } from "../store.js";
import { SEQ_LIMIT, type SessionKeys, seqFloor } from "./session-keys.js";

/** A session range holding some of a job's own events: seqs after `after`, up to `upto`. */
interface Source {
  sessionId: string;
  key: number;
  after: number;
  upto: number;
}

type OwnerRow = [sessionId: string, firstSeq: number | null, lastSeq: number | null];

type HistoryRow = [seq: number, type: string, kind: string | null, ts: number, frame: string];

const RANGE = "id > (? << 32) + ? AND id <= (? << 32) + ?";
const WHOLE_RANGE = "id >= (? << 32) AND id < ((? + 1) << 32)";

export class JobHistory {
  readonly #keys: SessionKeys;
  readonly #owner: Statement;
  readonly #unowned: Statement;
  readonly #read: Statement;
  readonly #recordUnowned: Statement;
  readonly #forgetUnowned: Statement;
  readonly #forgetAllUnowned: Statement;
  readonly #forgetJoblessUnowned: Statement;
  readonly #sessionExists: Statement;
  readonly #deleteJobEvents: Statement;
  readonly #deleteSessionEvents: Statement;
  readonly #anyEvent: Statement;

  constructor(db: Database, keys: SessionKeys) {
    this.#keys = keys;
    this.#owner = db
      .prepare("SELECT session_id, own_first_seq, own_last_seq FROM jobs WHERE id = ?")
      .raw(true);
    this.#unowned = db
      .prepare(
        `SELECT k.id, k.key FROM unowned_history AS u JOIN session_keys AS k ON k.key = u.session_key
         WHERE u.job_id = ?`,
      )
      .raw(true);
    this.#read = db
      .prepare(
        `SELECT id & 4294967295, type, kind, ts, frame FROM events
         WHERE ${RANGE} AND job_id = ? AND owner_event = 1 ORDER BY id LIMIT ?`,
      )
      .raw(true);
    this.#recordUnowned = db.prepare(
      "INSERT OR IGNORE INTO unowned_history (session_key, job_id) VALUES (?, ?)",
    );
    this.#forgetUnowned = db.prepare(
      "DELETE FROM unowned_history WHERE session_key = ? AND job_id = ?",
    );
    this.#forgetAllUnowned = db.prepare("DELETE FROM unowned_history WHERE session_key = ?");
    this.#forgetJoblessUnowned = db.prepare(
      `DELETE FROM unowned_history WHERE session_key = ?
         AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id = unowned_history.job_id)`,
    );
    this.#sessionExists = db.prepare("SELECT 1 FROM sessions WHERE id = ?").pluck();
    this.#deleteJobEvents = db.prepare(
      `DELETE FROM events WHERE ${WHOLE_RANGE} AND job_id = ? AND owner_event = 1`,
    );
    // A session's events go with it, except a still-present job's own history, which
    // job.subscribe may still replay after the session is gone (DESIGN-13).
    this.#deleteSessionEvents = db.prepare(
      `DELETE FROM events WHERE ${WHOLE_RANGE} AND (owner_event = 0 OR job_id IS NULL
         OR NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id = events.job_id))`,
    );
    this.#anyEvent = db.prepare(`SELECT 1 FROM events WHERE ${WHOLE_RANGE} LIMIT 1`).pluck();
  }

  /** Note that a session holds own events of a job whose row does not name that session. */
  recordUnowned(key: number, jobId: string): void {
    this.#recordUnowned.run(key, jobId);
  }

  /** The job's own events with seq > afterSeq, ascending, at most `limit`. */
  read(jobId: string, afterSeq: number, limit: number): EventRecord[] {
    const after = seqFloor(afterSeq);
    if (!(limit > 0) || after === null) return [];
    const sources = this.#sources(jobId, after);
    if (sources.length <= 1)
      return sources[0] === undefined ? [] : this.#readSource(jobId, sources[0], limit);
    // Own events in more than one session: only if appended so; merged as one seq order.
    const all = sources.flatMap((source) => this.#readSource(jobId, source, limit));
    return all.sort((a, b) => a.seq - b.seq).slice(0, limit);
  }

  #sources(jobId: string, after: number): Source[] {
    const sources: Source[] = [];
    const owner = this.#owner.get(jobId) as OwnerRow | undefined;
    const ownerKey = owner === undefined ? undefined : this.#keys.find(owner[0]);
    const unowned = this.#unowned.all(jobId) as [string, number][];
    if (owner !== undefined && ownerKey !== undefined) {
      const [sessionId, first, last] = owner;
      // The row's bounds cover the own events appended while it existed; any appended
      // without it in this range are listed as unowned, and then the whole range is read.
      if (unowned.some(([, key]) => key === ownerKey))
        sources.push({ sessionId, key: ownerKey, after, upto: SEQ_LIMIT - 1 });
      else if (first !== null && last !== null && last > after)
        sources.push({ sessionId, key: ownerKey, after: Math.max(after, first - 1), upto: last });
    }
    for (const [sessionId, key] of unowned)
      if (key !== ownerKey) sources.push({ sessionId, key, after, upto: SEQ_LIMIT - 1 });
    return sources;
  }

  #readSource(jobId: string, source: Source, limit: number): EventRecord[] {
    const { sessionId, key, after, upto } = source;
    const rows = this.#read.all(key, after, key, upto, jobId, limit) as HistoryRow[];
    const out: EventRecord[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as HistoryRow;
      out[i] = {
        sessionId,
        seq: r[0],
        jobId,
        type: r[1],
        kind: r[2],
        ts: r[3],
        frame: r[4],
        ownerEvent: true,
      };
    }
    return out;
  }

  /**
   * After the job row is deleted: its own history stays in sessions that still exist (now
   * unowned) and goes from sessions already gone. Call inside the deleting transaction.
   */
  retire(jobId: string, ownerSessionId: string): void {
    const unowned = this.#unowned.all(jobId) as [string, number][];
    const ownerKey = this.#keys.find(ownerSessionId);
    if (ownerKey !== undefined) this.#retireIn(jobId, ownerSessionId, ownerKey);
    for (const [sessionId, key] of unowned)
      if (key !== ownerKey) this.#retireIn(jobId, sessionId, key);
  }

  #retireIn(jobId: string, sessionId: string, key: number): void {
    if (this.#sessionExists.get(sessionId) !== undefined) {
      this.#recordUnowned.run(key, jobId);
      return;
    }
    this.#deleteJobEvents.run(key, key, jobId);
    this.#forgetUnowned.run(key, jobId);
    this.#releaseIfEmpty(sessionId, key);
  }

  /** A deleted session's events, but for present jobs' own history. Call inside its transaction. */
  dropSession(sessionId: string): void {
    const key = this.#keys.find(sessionId);
    if (key === undefined) return;
    this.#deleteSessionEvents.run(key, key);
    this.#forgetJoblessUnowned.run(key);
    this.#releaseIfEmpty(sessionId, key);
  }

  #releaseIfEmpty(sessionId: string, key: number): void {
    if (this.#anyEvent.get(key, key) !== undefined) return;
    this.#forgetAllUnowned.run(key);
    this.#keys.release(sessionId, key);
  }
}
