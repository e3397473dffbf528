/** Jobs on SQLite (§7): idempotent insert, compare-and-set transitions, pruning. */
import type { Database, Statement } from "better-sqlite3";
import { JOB_STATES, type JobState, TERMINAL_JOB_STATES } from "../../protocol/job-state.js";
import type { JobPage, JobPatch, JobQuery, JobRecord } from "../store.js";
import { JobListing } from "./job-listing.js";
import { type JobRow, jobFromRow, jobParams, toJson } from "./rows.js";

const COLUMNS = `id, session_id, principal, agent, state, input, lease, lease_constraints, budget,
  parent_job_id, delegate_id, trace_id, idempotency_key, submit_digest, max_runtime_sec,
  accepted_payload, run_id, run_context, created_at, started_at, ended_at, last_event_seq, error_code`;

// Each patchable column is (has-value flag, value), so one prepared statement serves every patch.
const PATCH_SET = `
  budget = CASE WHEN @hasBudget THEN @budget ELSE budget END,
  started_at = CASE WHEN @hasStartedAt THEN @startedAt ELSE started_at END,
  ended_at = CASE WHEN @hasEndedAt THEN @endedAt ELSE ended_at END,
  error_code = CASE WHEN @hasErrorCode THEN @errorCode ELSE error_code END,
  last_event_seq = CASE WHEN @hasLastEventSeq THEN @lastEventSeq ELSE last_event_seq END`;

const TERMINAL_LIST = TERMINAL_JOB_STATES.map((s) => `'${s}'`).join(", ");

function patchParams(patch: JobPatch): Record<string, unknown> {
  const flag = (present: boolean): number => (present ? 1 : 0);
  return {
    hasBudget: flag(patch.budget !== undefined),
    budget: patch.budget == null ? null : toJson(patch.budget),
    hasStartedAt: flag(patch.startedAt !== undefined),
    startedAt: patch.startedAt ?? null,
    hasEndedAt: flag(patch.endedAt !== undefined),
    endedAt: patch.endedAt ?? null,
    hasErrorCode: flag(patch.errorCode !== undefined),
    errorCode: patch.errorCode ?? null,
    hasLastEventSeq: flag(patch.lastEventSeq !== undefined),
    lastEventSeq: patch.lastEventSeq ?? null,
  };
}

/** The `from` list as exactly JOB_STATES.length IN-list slots; unused slots are null (never equal). */
function fromSlots(from: readonly JobState[]): Record<string, unknown> {
  const unique = [...new Set(from)];
  const slots: Record<string, unknown> = {};
  JOB_STATES.forEach((_, i) => {
    slots[`from${i}`] = unique[i] ?? null;
  });
  return slots;
}

export class JobStatements {
  readonly #insert: Statement;
  readonly #get: Statement;
  readonly #byRunId: Statement;
  readonly #byIdempotencyKey: Statement;
  readonly #transition: Statement;
  readonly #update: Statement;
  readonly #live: Statement;
  readonly #listing: JobListing;
  readonly #prune: (before: number) => number;

  constructor(db: Database) {
    const placeholders = COLUMNS.split(",")
      .map(() => "?")
      .join(", ");
    this.#insert = db.prepare(
      `INSERT INTO jobs (${COLUMNS}) VALUES (${placeholders}) ON CONFLICT DO NOTHING`,
    );
    this.#get = db.prepare("SELECT * FROM jobs WHERE id = ?");
    this.#byRunId = db.prepare("SELECT * FROM jobs WHERE principal = ? AND run_id = ?");
    this.#byIdempotencyKey = db.prepare(
      "SELECT * FROM jobs WHERE principal = ? AND idempotency_key = ?",
    );
    const fromList = JOB_STATES.map((_, i) => `@from${i}`).join(", ");
    this.#transition = db.prepare(
      `UPDATE jobs SET state = @to, ${PATCH_SET} WHERE id = @id AND state IN (${fromList}) RETURNING *`,
    );
    this.#update = db.prepare(`UPDATE jobs SET ${PATCH_SET} WHERE id = @id`);
    this.#live = db.prepare(
      "SELECT * FROM jobs WHERE state IN ('pending', 'running') ORDER BY created_at, id",
    );
    this.#listing = new JobListing(db);
    this.#prune = this.#preparePrune(db);
  }

  #preparePrune(db: Database): (before: number) => number {
    const deleteJobs = db
      .prepare(
        `DELETE FROM jobs WHERE ended_at IS NOT NULL AND ended_at < ? AND state IN (${TERMINAL_LIST}) RETURNING id`,
      )
      .pluck();
    // A pruned job's own history goes too where its session is already gone (otherwise the
    // session keeps it until pruneEvents or deleteSession); revoked ledger rows go with it,
    // while live, revoking and failed ones stay for the revoker and operators (§9.8).
    const deleteHistory = db.prepare(
      `DELETE FROM events WHERE job_id = ? AND owner_event = 1
         AND NOT EXISTS (SELECT 1 FROM sessions WHERE sessions.id = events.session_id)`,
    );
    const deleteRevoked = db.prepare(
      "DELETE FROM credentials WHERE job_id = ? AND state = 'revoked'",
    );
    return db.transaction((before: number) => {
      const ids = deleteJobs.all(before) as string[];
      for (const id of ids) {
        deleteHistory.run(id);
        deleteRevoked.run(id);
      }
      return ids.length;
    }).immediate;
  }

  /** Insert, or return the job that already holds this principal's idempotency key or run id. */
  create(job: JobRecord): { created: true } | { created: false; existing: JobRecord } {
    if (this.#insert.run(jobParams(job)).changes === 1) return { created: true };
    const existing =
      (job.idempotencyKey === null
        ? undefined
        : this.findIdempotent(job.principal, job.idempotencyKey)) ??
      (job.runId === null ? undefined : this.getByRunId(job.principal, job.runId));
    if (existing === undefined) throw new Error(`job ${job.id} already exists`);
    return { created: false, existing };
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
    if (from.length === 0) return undefined;
    return this.#one(this.#transition, { id, to, ...fromSlots(from), ...patchParams(patch) });
  }

  update(id: string, patch: JobPatch): void {
    this.#update.run({ id, ...patchParams(patch) });
  }

  list(query: JobQuery): JobPage {
    return this.#listing.list(query);
  }

  listLive(): JobRecord[] {
    return (this.#live.all() as JobRow[]).map(jobFromRow);
  }

  prune(before: number): number {
    return this.#prune(before);
  }

  #one(statement: Statement, ...params: unknown[]): JobRecord | undefined {
    const row = statement.get(...params) as JobRow | undefined;
    return row === undefined ? undefined : jobFromRow(row);
  }
}
