/**
 * The event log on SQLite (§8.3, DESIGN-14): group-committed appends and ordered reads.
 * This is the runtime's hottest path, so rows go in through a multi-row INSERT, reads come
 * back as raw arrays, and every statement is prepared once.
 */
import type { Database, Statement } from "better-sqlite3";
import type { EventFramesPage } from "../event-frames.js";
import type { EventRecord } from "../store.js";

/** Rows per multi-row INSERT: fewer native calls, still few bound parameters (8 a row). */
const CHUNK = 32;
const ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";
const INSERT =
  "INSERT INTO events (session_id, seq, job_id, type, kind, ts, frame, owner_event) VALUES ";

type SessionEventRow = [
  seq: number,
  jobId: string | null,
  type: string,
  kind: string | null,
  ts: number,
  frame: string,
  owner: number,
];
type JobEventRow = [
  sessionId: string,
  seq: number,
  type: string,
  kind: string | null,
  ts: number,
  frame: string,
];

export class EventStatements {
  readonly #insertOne: Statement;
  readonly #insertChunk: Statement;
  readonly #raiseSession: Statement;
  readonly #raiseJob: Statement;
  readonly #read: Statement;
  readonly #readJob: Statement;
  readonly #readFrames: (sessionId: string, afterSeq: number, limit: number) => EventFramesPage;
  readonly #first: Statement;
  readonly #prune: Statement;
  readonly #chunkArgs: unknown[] = new Array(CHUNK * 8);
  readonly #append: (events: readonly EventRecord[]) => void;

  constructor(db: Database) {
    this.#insertOne = db.prepare(INSERT + ROW);
    this.#insertChunk = db.prepare(INSERT + new Array(CHUNK).fill(ROW).join(", "));
    this.#raiseSession = db.prepare(
      "UPDATE sessions SET last_seq = ? WHERE id = ? AND last_seq < ?",
    );
    this.#raiseJob = db.prepare(
      "UPDATE jobs SET last_event_seq = ? WHERE id = ? AND last_event_seq < ?",
    );
    this.#read = db
      .prepare(
        `SELECT seq, job_id, type, kind, ts, frame, owner_event FROM events
         WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      )
      .raw(true);
    this.#readJob = db
      .prepare(
        `SELECT session_id, seq, type, kind, ts, frame FROM events
         WHERE job_id = ? AND owner_event = 1 AND seq > ? ORDER BY seq LIMIT ?`,
      )
      .raw(true);
    this.#readFrames = this.#prepareReadFrames(db);
    this.#first = db.prepare("SELECT min(seq) FROM events WHERE session_id = ?").pluck();
    this.#prune = db.prepare("DELETE FROM events WHERE session_id = ? AND seq <= ?");
    this.#append = db.transaction((events: readonly EventRecord[]) =>
      this.#appendInTransaction(events),
    ).immediate;
  }

  #prepareReadFrames(
    db: Database,
  ): (sessionId: string, afterSeq: number, limit: number) => EventFramesPage {
    // Plucked frames come back without a row array each, which is what makes this fast; the
    // page's last seq then comes from the index alone, in the same read transaction.
    const frames = db
      .prepare("SELECT frame FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?")
      .pluck();
    const lastSeq = db
      .prepare(
        `SELECT max(seq) FROM (SELECT seq FROM events WHERE session_id = ? AND seq > ?
         ORDER BY seq LIMIT ?)`,
      )
      .pluck();
    return db.transaction((sessionId: string, afterSeq: number, limit: number): EventFramesPage => {
      const page = frames.all(sessionId, afterSeq, limit) as string[];
      if (page.length === 0) return { frames: page, lastSeq: afterSeq };
      return { frames: page, lastSeq: lastSeq.get(sessionId, afterSeq, limit) as number };
    });
  }

  /** One IMMEDIATE transaction for the whole batch; a duplicate seq rolls all of it back. */
  append(events: readonly EventRecord[]): void {
    if (events.length > 0) this.#append(events);
  }

  #appendInTransaction(events: readonly EventRecord[]): void {
    const n = events.length;
    const args = this.#chunkArgs;
    let i = 0;
    for (; i + CHUNK <= n; i += CHUNK) {
      let a = 0;
      for (let j = i; j < i + CHUNK; j++) {
        const e = events[j] as EventRecord;
        args[a++] = e.sessionId;
        args[a++] = e.seq;
        args[a++] = e.jobId;
        args[a++] = e.type;
        args[a++] = e.kind;
        args[a++] = e.ts;
        args[a++] = e.frame;
        args[a++] = e.ownerEvent ? 1 : 0;
      }
      this.#insertChunk.run(args);
    }
    for (; i < n; i++) {
      const e = events[i] as EventRecord;
      this.#insertOne.run(
        e.sessionId,
        e.seq,
        e.jobId,
        e.type,
        e.kind,
        e.ts,
        e.frame,
        e.ownerEvent ? 1 : 0,
      );
    }
    this.#raiseCounters(events);
  }

  /** One UPDATE per affected session and owning job, with the maxima computed here. */
  #raiseCounters(events: readonly EventRecord[]): void {
    const sessions = new Map<string, number>();
    const jobs = new Map<string, number>();
    for (const e of events) {
      if (!(e.seq <= (sessions.get(e.sessionId) ?? 0))) sessions.set(e.sessionId, e.seq);
      if (e.ownerEvent && e.jobId !== null && !(e.seq <= (jobs.get(e.jobId) ?? 0)))
        jobs.set(e.jobId, e.seq);
    }
    for (const [id, seq] of sessions) this.#raiseSession.run(seq, id, seq);
    for (const [id, seq] of jobs) this.#raiseJob.run(seq, id, seq);
  }

  read(sessionId: string, afterSeq: number, limit: number): EventRecord[] {
    if (!(limit > 0)) return [];
    const rows = this.#read.all(sessionId, afterSeq, limit) as SessionEventRow[];
    const out: EventRecord[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as SessionEventRow;
      out[i] = {
        sessionId,
        seq: r[0],
        jobId: r[1],
        type: r[2],
        kind: r[3],
        ts: r[4],
        frame: r[5],
        ownerEvent: r[6] === 1,
      };
    }
    return out;
  }

  readFrames(sessionId: string, afterSeq: number, limit: number): EventFramesPage {
    if (!(limit > 0)) return { frames: [], lastSeq: afterSeq };
    return this.#readFrames(sessionId, afterSeq, limit);
  }

  readJob(jobId: string, afterSeq: number, limit: number): EventRecord[] {
    if (!(limit > 0)) return [];
    const rows = this.#readJob.all(jobId, afterSeq, limit) as JobEventRow[];
    const out: EventRecord[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as JobEventRow;
      out[i] = {
        sessionId: r[0],
        seq: r[1],
        jobId,
        type: r[2],
        kind: r[3],
        ts: r[4],
        frame: r[5],
        ownerEvent: true,
      };
    }
    return out;
  }

  firstRetained(sessionId: string): number | null {
    return (this.#first.get(sessionId) as number | null | undefined) ?? null;
  }

  prune(sessionId: string, uptoSeq: number): number {
    return this.#prune.run(sessionId, uptoSeq).changes;
  }
}
