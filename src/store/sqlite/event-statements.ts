/**
 * The event log on SQLite (§8.3, DESIGN-14): group-committed appends and ordered reads.
 * This is the runtime's hottest path, so an event is one row of one B-tree (rowid = session
 * key << 32 | seq, migration 0002), rows go in through a multi-row INSERT, reads come back as
 * raw arrays, and every statement is prepared once.
 */
import type { Database, Statement } from "better-sqlite3";
import type { EventFramesPage } from "../event-frames.js";
import type { EventRecord } from "../store.js";
import type { JobHistory } from "./job-history.js";
import { SEQ_LIMIT, type SessionKeys, seqFloor } from "./session-keys.js";

/** Rows per multi-row INSERT: fewer native calls, still few bound parameters (8 a row). */
const CHUNK = 32;
const ROW = "((? << 32) + ?, ?, ?, ?, ?, ?, ?)";
const INSERT = "INSERT INTO events (id, job_id, type, kind, ts, frame, owner_event) VALUES ";
/** A session's rowid range after a seq: bound as (key, after, key). */
const AFTER = "id > (? << 32) + ? AND id <= (? << 32) + 4294967295";

type SessionEventRow = [
  seq: number,
  jobId: string | null,
  type: string,
  kind: string | null,
  ts: number,
  frame: string,
  owner: number,
];

/** What one append batch holds for one session: its key, top seq, and its jobs' own seqs. */
interface SessionBatch {
  key: number;
  maxSeq: number;
  /** Job id → [lowest, highest] seq of the job's own events in this batch and session. */
  jobs: Map<string, [number, number]>;
  /** Inserted by this transaction with its last seq already covering the batch. */
  isNew: boolean;
}

/** A job's own seqs among a batch's events in its owning session (null: none there). */
export interface OwnSeqs {
  sessionId: string;
  low: number | null;
  high: number | null;
}

/**
 * Rows the same transaction inserted with the counters of its events already in them:
 * sessions (id → last seq) and jobs (id → own seqs in the owning session).
 */
export interface FoldedCounters {
  sessions: ReadonlyMap<string, number>;
  jobs: ReadonlyMap<string, OwnSeqs>;
}

const NOTHING_FOLDED: FoldedCounters = { sessions: new Map(), jobs: new Map() };

function checkSeq(e: EventRecord): void {
  // The seq is the low 32 bits of the rowid; anything else would land on another seq.
  if (e.seq >>> 0 !== e.seq)
    throw new RangeError(`event seq ${e.seq} of session ${e.sessionId} is not in 0..2^32-1`);
}

export class EventStatements {
  readonly #keys: SessionKeys;
  readonly #history: JobHistory;
  readonly #insertOne: Statement;
  readonly #insertChunk: Statement;
  readonly #raiseSession: Statement;
  readonly #raiseJob: Statement;
  readonly #read: Statement;
  readonly #readFrames: (key: number, after: number, limit: number) => EventFramesPage;
  readonly #first: Statement;
  readonly #prune: (key: number, upto: number) => number;
  readonly #chunkArgs: unknown[] = new Array(CHUNK * 8);
  readonly #append: (events: readonly EventRecord[], fresh: Map<string, number>) => void;

  constructor(db: Database, keys: SessionKeys, history: JobHistory) {
    this.#keys = keys;
    this.#history = history;
    this.#insertOne = db.prepare(INSERT + ROW);
    this.#insertChunk = db.prepare(INSERT + new Array(CHUNK).fill(ROW).join(", "));
    this.#raiseSession = db.prepare(
      "UPDATE sessions SET last_seq = ? WHERE id = ? AND last_seq < ?",
    );
    // The owning session comes back, so own events filed elsewhere can be noted as unowned.
    this.#raiseJob = db
      .prepare(
        `UPDATE jobs SET last_event_seq = max(last_event_seq, @high),
           own_first_seq = coalesce(min(own_first_seq, @low), @low),
           own_last_seq = coalesce(max(own_last_seq, @high), @high)
         WHERE id = @id RETURNING session_id`,
      )
      .pluck();
    this.#read = db
      .prepare(
        `SELECT id & 4294967295, job_id, type, kind, ts, frame, owner_event FROM events
         WHERE ${AFTER} ORDER BY id LIMIT ?`,
      )
      .raw(true);
    this.#readFrames = this.#prepareReadFrames(db);
    this.#first = db
      .prepare(
        `SELECT id & 4294967295 FROM events WHERE id >= (? << 32) AND id < ((? + 1) << 32)
         ORDER BY id LIMIT 1`,
      )
      .pluck();
    this.#prune = this.#preparePrune(db);
    this.#append = db.transaction((events: readonly EventRecord[], fresh: Map<string, number>) =>
      this.appendInTransaction(events, fresh),
    ).immediate;
  }

  #preparePrune(db: Database): (key: number, upto: number) => number {
    // The prefix ends before the first own event of a job that still has a row (DESIGN-13).
    const firstKept = db
      .prepare(
        `SELECT id & 4294967295 FROM events
         WHERE id >= (? << 32) AND id <= (? << 32) + ? AND owner_event = 1 AND job_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM jobs WHERE jobs.id = events.job_id)
         ORDER BY id LIMIT 1`,
      )
      .pluck();
    const remove = db.prepare("DELETE FROM events WHERE id >= (? << 32) AND id <= (? << 32) + ?");
    return db.transaction((key: number, upto: number): number => {
      const kept = firstKept.get(key, key, upto) as number | undefined;
      const last = kept === undefined ? upto : kept - 1;
      return last < 0 ? 0 : remove.run(key, key, last).changes;
    }).immediate;
  }

  #prepareReadFrames(db: Database): (key: number, after: number, limit: number) => EventFramesPage {
    // Plucked frames come back without a row array each, which is what makes this fast; the
    // page's last seq then comes from the rowids alone, in the same read transaction.
    const frames = db
      .prepare(`SELECT frame FROM events WHERE ${AFTER} ORDER BY id LIMIT ?`)
      .pluck();
    const lastSeq = db
      .prepare(
        `SELECT max(id) & 4294967295 FROM (SELECT id FROM events WHERE ${AFTER} ORDER BY id LIMIT ?)`,
      )
      .pluck();
    return db.transaction((key: number, after: number, limit: number): EventFramesPage => {
      const page = frames.all(key, after, key, limit) as string[];
      if (page.length === 0) return { frames: page, lastSeq: after };
      return { frames: page, lastSeq: lastSeq.get(key, after, key, limit) as number };
    });
  }

  /** One IMMEDIATE transaction for the whole batch; a duplicate seq rolls all of it back. */
  append(events: readonly EventRecord[]): void {
    if (events.length === 0) return;
    const fresh = new Map<string, number>();
    this.#append(events, fresh);
    this.#keys.commit(fresh);
  }

  /**
   * The body of `append`, for a caller that runs it inside its own transaction: session keys
   * allocated here go into `fresh`, and the caller passes them to SessionKeys.commit only once
   * its outermost transaction has committed (a rolled-back key is reused by the next session).
   * `folded` names the rows this transaction inserted with their counters already covering
   * `events`: those are not raised again, and a new session's key is allocated unlooked-up.
   */
  appendInTransaction(
    events: readonly EventRecord[],
    fresh: Map<string, number>,
    folded: FoldedCounters = NOTHING_FOLDED,
  ): void {
    const batches = new Map<string, SessionBatch>();
    let lastId: string | undefined;
    let last: SessionBatch | undefined;
    const batchOf = (e: EventRecord): SessionBatch => {
      // Batches are mostly one session's run of events: skip the map for a repeat.
      if (e.sessionId === lastId && last !== undefined) return last;
      lastId = e.sessionId;
      last = batches.get(lastId);
      if (last === undefined) {
        const isNew = folded.sessions.has(lastId);
        last = { key: this.#keys.resolve(lastId, fresh, isNew), maxSeq: 0, jobs: new Map(), isNew };
        batches.set(lastId, last);
      }
      return last;
    };
    const n = events.length;
    const args = this.#chunkArgs;
    let i = 0;
    for (; i + CHUNK <= n; i += CHUNK) {
      let a = 0;
      for (let j = i; j < i + CHUNK; j++) {
        const e = events[j] as EventRecord;
        args[a++] = this.#track(batchOf(e), e);
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
      const key = this.#track(batchOf(e), e);
      this.#insertOne.run(key, e.seq, e.jobId, e.type, e.kind, e.ts, e.frame, e.ownerEvent ? 1 : 0);
    }
    this.#raiseCounters(batches, folded.jobs);
  }

  /** Check the seq, fold it into the batch's counters, and return the session key. */
  #track(batch: SessionBatch, e: EventRecord): number {
    checkSeq(e);
    if (e.seq > batch.maxSeq) batch.maxSeq = e.seq;
    if (e.ownerEvent && e.jobId !== null) {
      const seqs = batch.jobs.get(e.jobId);
      if (seqs === undefined) batch.jobs.set(e.jobId, [e.seq, e.seq]);
      else if (e.seq < seqs[0]) seqs[0] = e.seq;
      else if (e.seq > seqs[1]) seqs[1] = e.seq;
    }
    return batch.key;
  }

  /** One UPDATE per affected session and per owning job, with the extremes computed here. */
  #raiseCounters(
    batches: ReadonlyMap<string, SessionBatch>,
    foldedJobs: ReadonlyMap<string, OwnSeqs>,
  ): void {
    for (const [sessionId, batch] of batches) {
      if (batch.maxSeq > 0 && !batch.isNew)
        this.#raiseSession.run(batch.maxSeq, sessionId, batch.maxSeq);
      for (const [jobId, [low, high]] of batch.jobs) {
        // Inserted with these seqs, by the session that owns it: nothing to raise or note.
        if (foldedJobs.get(jobId)?.sessionId === sessionId) continue;
        const owner = this.#raiseJob.get({ high, low, id: jobId }) as string | undefined;
        if (owner !== sessionId) this.#history.recordUnowned(batch.key, jobId);
      }
    }
  }

  /** The session's key, or undefined when nothing can follow `afterSeq` in its log. */
  #range(sessionId: string, afterSeq: number): [key: number, after: number] | undefined {
    const after = seqFloor(afterSeq);
    if (after === null) return undefined;
    const key = this.#keys.find(sessionId);
    return key === undefined ? undefined : [key, after];
  }

  read(sessionId: string, afterSeq: number, limit: number): EventRecord[] {
    const range = limit > 0 ? this.#range(sessionId, afterSeq) : undefined;
    if (range === undefined) return [];
    const [key, after] = range;
    const rows = this.#read.all(key, after, key, limit) as SessionEventRow[];
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
    const range = limit > 0 ? this.#range(sessionId, afterSeq) : undefined;
    if (range === undefined) return { frames: [], lastSeq: afterSeq };
    const page = this.#readFrames(range[0], range[1], limit);
    return page.frames.length === 0 ? { frames: [], lastSeq: afterSeq } : page;
  }

  readJob(jobId: string, afterSeq: number, limit: number): EventRecord[] {
    return this.#history.read(jobId, afterSeq, limit);
  }

  firstRetained(sessionId: string): number | null {
    const key = this.#keys.find(sessionId);
    if (key === undefined) return null;
    return (this.#first.get(key, key) as number | undefined) ?? null;
  }

  prune(sessionId: string, uptoSeq: number): number {
    const key = this.#keys.find(sessionId);
    if (key === undefined || !(uptoSeq >= 0)) return 0;
    return this.#prune(key, Math.min(Math.floor(uptoSeq), SEQ_LIMIT - 1));
  }
}
