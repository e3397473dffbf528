/** Jobs on SQLite (§7): idempotent insert, compare-and-set transitions, pruning. */
import type { Database, Statement } from "better-sqlite3";
import { type JobState, TERMINAL_JOB_STATES } from "../../protocol/job-state.js";
import type { JobPage, JobPatch, JobQuery, JobRecord } from "../store.js";
import { StoreConstraintError } from "../store-error.js";
import type { JobHistory } from "./job-history.js";
import { JobListing } from "./job-listing.js";
import { JOB_COLUMNS, type JobRaw, jobFromRaw, jobParams, toJson } from "./rows.js";

/** Where last_event_seq is among jobParams. */
const LAST_EVENT_SEQ = 21;

const TERMINAL_LIST = TERMINAL_JOB_STATES.map((s) => `'${s}'`).join(", ");

/** Each patchable field, its column, and how its value is bound. */
const PATCHABLE: readonly [keyof JobPatch, string, (patch: JobPatch) => unknown][] = [
  ["budget", "budget", (p) => (p.budget == null ? null : toJson(p.budget))],
  ["startedAt", "started_at", (p) => p.startedAt ?? null],
  ["endedAt", "ended_at", (p) => p.endedAt ?? null],
  ["errorCode", "error_code", (p) => p.errorCode ?? null],
  ["lastEventSeq", "last_event_seq", (p) => p.lastEventSeq ?? null],
];

/**
 * A patch as the SET terms for exactly its fields, a key naming that shape, and the values:
 * one small statement per shape, prepared on first use, binds far fewer parameters than one
 * statement with a (flag, value) pair for every field.
 */
function patchShape(patch: JobPatch): { key: string; set: string[]; values: unknown[] } {
  let key = "";
  const set: string[] = [];
  const values: unknown[] = [];
  for (const [field, column, value] of PATCHABLE) {
    if (patch[field] === undefined) continue;
    key += `${column},`;
    set.push(`${column} = ?`);
    values.push(value(patch));
  }
  return { key, set, values };
}

export class JobStatements {
  readonly #db: Database;
  readonly #insert: Statement;
  readonly #insertWithOwn: Statement;
  readonly #get: Statement;
  readonly #byRunId: Statement;
  readonly #byIdempotencyKey: Statement;
  readonly #shaped = new Map<string, Statement>();
  readonly #live: Statement;
  readonly #listing: JobListing;
  readonly #prune: (before: number) => number;

  constructor(db: Database, history: JobHistory) {
    this.#db = db;
    const placeholders = JOB_COLUMNS.split(",")
      .map(() => "?")
      .join(", ");
    this.#insert = db.prepare(
      `INSERT INTO jobs (${JOB_COLUMNS}) VALUES (${placeholders}) ON CONFLICT DO NOTHING`,
    );
    this.#insertWithOwn = db.prepare(
      `INSERT INTO jobs (${JOB_COLUMNS}, own_first_seq, own_last_seq)
       VALUES (${placeholders}, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.#get = db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`).raw(true);
    this.#byRunId = db
      .prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE principal = ? AND run_id = ?`)
      .raw(true);
    this.#byIdempotencyKey = db
      .prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE principal = ? AND idempotency_key = ?`)
      .raw(true);
    // A full scan, once at startup: an index kept for it would cost every insert and transition.
    this.#live = db
      .prepare(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE state IN ('pending', 'running') ORDER BY created_at, id`,
      )
      .raw(true);
    this.#listing = new JobListing(db);
    this.#prune = this.#preparePrune(db, history);
  }

  #preparePrune(db: Database, history: JobHistory): (before: number) => number {
    const deleteJobs = db
      .prepare(
        `DELETE FROM jobs WHERE ended_at IS NOT NULL AND ended_at < ? AND state IN (${TERMINAL_LIST})
         RETURNING id, session_id`,
      )
      .raw(true);
    const deleteRevoked = db.prepare(
      "DELETE FROM credentials WHERE job_id = ? AND state = 'revoked'",
    );
    // A pruned job's own history goes too where its session is already gone (otherwise the
    // session keeps it until pruneEvents or deleteSession); revoked ledger rows go with it,
    // while live, revoking and failed ones stay for the revoker and operators (§9.8).
    return db.transaction((before: number) => {
      const pruned = deleteJobs.all(before) as [id: string, sessionId: string][];
      for (const [id, sessionId] of pruned) {
        history.retire(id, sessionId);
        deleteRevoked.run(id);
      }
      return pruned.length;
    }).immediate;
  }

  /**
   * Insert, or return the job that already holds this principal's idempotency key or run id.
   * `own` carries the seqs of its own events appended in the same transaction, which the row
   * then holds from the start (as the raise after those events would have left it).
   */
  create(
    job: JobRecord,
    own?: { low: number | null; high: number | null },
  ): { created: true } | { created: false; existing: JobRecord } {
    if (this.#insertRow(job, own) === 1) return { created: true };
    const existing =
      (job.idempotencyKey === null
        ? undefined
        : this.findIdempotent(job.principal, job.idempotencyKey)) ??
      (job.runId === null ? undefined : this.getByRunId(job.principal, job.runId));
    if (existing === undefined) throw new StoreConstraintError(`job ${job.id} already exists`);
    return { created: false, existing };
  }

  #insertRow(job: JobRecord, own: { low: number | null; high: number | null } | undefined): number {
    const params = jobParams(job);
    if (own?.low == null || own.high == null) return this.#insert.run(params).changes;
    params[LAST_EVENT_SEQ] = Math.max(job.lastEventSeq, own.high);
    params.push(own.low, own.high);
    return this.#insertWithOwn.run(params).changes;
  }

  get(id: string): JobRecord | undefined {
    return this.#one(this.#get, id);
  }

  getByRunId(principal: string, runId: string): JobRecord | undefined {
    return this.#one(this.#byRunId, principal, runId);
  }

  findIdempotent(principal: string, key: string): JobRecord | undefined {
    return this.#one(this.#byIdempotencyKey, principal, key);
  }

  transition(
    id: string,
    from: readonly JobState[],
    to: JobState,
    patch: JobPatch,
  ): JobRecord | undefined {
    const states = [...new Set(from)];
    if (states.length === 0) return undefined;
    const { key, set, values } = patchShape(patch);
    const statement = this.#statement(`t${states.length}:${key}`, (db) => {
      const slots = states.map(() => "?").join(", ");
      return db
        .prepare(
          `UPDATE jobs SET ${["state = ?", ...set].join(", ")} WHERE id = ? AND state IN (${slots})
           RETURNING ${JOB_COLUMNS}`,
        )
        .raw(true);
    });
    const row = statement.get(to, ...values, id, ...states) as JobRaw | undefined;
    return row === undefined ? undefined : jobFromRaw(row);
  }

  /** transition() without reading the row back: the group-commit path (appendEvents). */
  apply(id: string, from: readonly JobState[], to: JobState, patch: JobPatch): void {
    const states = [...new Set(from)];
    if (states.length === 0) return;
    const { key, set, values } = patchShape(patch);
    const statement = this.#statement(`a${states.length}:${key}`, (db) => {
      const slots = states.map(() => "?").join(", ");
      return db.prepare(
        `UPDATE jobs SET ${["state = ?", ...set].join(", ")} WHERE id = ? AND state IN (${slots})`,
      );
    });
    statement.run(to, ...values, id, ...states);
  }

  update(id: string, patch: JobPatch): void {
    const { key, set, values } = patchShape(patch);
    if (set.length === 0) return;
    const statement = this.#statement(`u:${key}`, (db) =>
      db.prepare(`UPDATE jobs SET ${set.join(", ")} WHERE id = ?`),
    );
    statement.run(...values, id);
  }

  #statement(key: string, prepare: (db: Database) => Statement): Statement {
    let statement = this.#shaped.get(key);
    if (statement === undefined) {
      statement = prepare(this.#db);
      this.#shaped.set(key, statement);
    }
    return statement;
  }

  list(query: JobQuery): JobPage {
    return this.#listing.list(query);
  }

  listLive(): JobRecord[] {
    return (this.#live.all() as JobRaw[]).map(jobFromRaw);
  }

  prune(before: number): number {
    return this.#prune(before);
  }

  #one(statement: Statement, ...params: unknown[]): JobRecord | undefined {
    const row = statement.get(...params) as JobRaw | undefined;
    return row === undefined ? undefined : jobFromRaw(row);
  }
}
