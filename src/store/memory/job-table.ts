/** Jobs in memory (§7), with the same uniqueness rules and listing order as the SQLite table. */
import { isTerminal, type JobState } from "../../protocol/job-state.js";
import {
  agentMatches,
  compareJobKeys,
  decodeJobCursor,
  encodeJobCursor,
  type JobKey,
  pageSize,
} from "../job-query.js";
import type { JobPage, JobPatch, JobQuery, JobRecord } from "../store.js";
import { StoreConstraintError } from "../store-error.js";
import { copyJob, viaJson } from "./records.js";

const scoped = (principal: string, key: string): string => `${principal}\u0000${key}`;

function applyPatch(job: JobRecord, patch: JobPatch): void {
  if (patch.budget !== undefined) job.budget = patch.budget === null ? null : viaJson(patch.budget);
  if (patch.startedAt !== undefined) job.startedAt = patch.startedAt;
  if (patch.endedAt !== undefined) job.endedAt = patch.endedAt;
  if (patch.errorCode !== undefined) job.errorCode = patch.errorCode;
  if (patch.lastEventSeq !== undefined) job.lastEventSeq = patch.lastEventSeq;
}

function matches(job: JobRecord, query: JobQuery, after: JobKey | undefined): boolean {
  if (query.principals !== undefined && !query.principals.includes(job.principal)) return false;
  if (query.states !== undefined && !query.states.includes(job.state)) return false;
  if (query.agent !== undefined && !agentMatches(job.agent, query.agent)) return false;
  if (query.createdAfter !== undefined && !(job.createdAt > query.createdAfter)) return false;
  if (query.createdBefore !== undefined && !(job.createdAt < query.createdBefore)) return false;
  return after === undefined || compareJobKeys(job, after) > 0;
}

export class MemoryJobTable {
  readonly #jobs = new Map<string, JobRecord>();
  readonly #idempotency = new Map<string, string>();
  readonly #runIds = new Map<string, string>();

  has(id: string): boolean {
    return this.#jobs.has(id);
  }

  /**
   * Throws StoreConstraintError unless every job could be inserted as new, ids and keys free
   * both in the table and among the batch itself: the batch-insert rule.
   */
  assertInsertable(jobs: readonly JobRecord[]): void {
    const ids = new Set<string>();
    const keys = new Set<string>();
    const runIds = new Set<string>();
    const claim = (set: Set<string>, taken: Map<string, string>, key: string): boolean => {
      if (set.has(key) || taken.has(key)) return false;
      set.add(key);
      return true;
    };
    for (const job of jobs) {
      const free =
        !this.#jobs.has(job.id) &&
        !ids.has(job.id) &&
        (job.idempotencyKey === null ||
          claim(keys, this.#idempotency, scoped(job.principal, job.idempotencyKey))) &&
        (job.runId === null || claim(runIds, this.#runIds, scoped(job.principal, job.runId)));
      if (!free) throw new StoreConstraintError(`job ${job.id} collides with an existing job`);
      ids.add(job.id);
    }
  }

  create(job: JobRecord): { created: true } | { created: false; existing: JobRecord } {
    const existingId =
      (job.idempotencyKey === null
        ? undefined
        : this.#idempotency.get(scoped(job.principal, job.idempotencyKey))) ??
      (job.runId === null ? undefined : this.#runIds.get(scoped(job.principal, job.runId)));
    if (existingId !== undefined)
      return { created: false, existing: this.get(existingId) as JobRecord };
    if (this.#jobs.has(job.id)) throw new StoreConstraintError(`job ${job.id} already exists`);
    this.#jobs.set(job.id, copyJob(job));
    if (job.idempotencyKey !== null)
      this.#idempotency.set(scoped(job.principal, job.idempotencyKey), job.id);
    if (job.runId !== null) this.#runIds.set(scoped(job.principal, job.runId), job.id);
    return { created: true };
  }

  get(id: string): JobRecord | undefined {
    const job = this.#jobs.get(id);
    return job === undefined ? undefined : copyJob(job);
  }

  getByRunId(principal: string, runId: string): JobRecord | undefined {
    const id = this.#runIds.get(scoped(principal, runId));
    return id === undefined ? undefined : this.get(id);
  }

  findIdempotent(principal: string, key: string): JobRecord | undefined {
    const id = this.#idempotency.get(scoped(principal, key));
    return id === undefined ? undefined : this.get(id);
  }

  transition(
    id: string,
    from: readonly JobState[],
    to: JobState,
    patch: JobPatch,
  ): JobRecord | undefined {
    const job = this.#jobs.get(id);
    if (job === undefined || !from.includes(job.state)) return undefined;
    job.state = to;
    applyPatch(job, patch);
    return copyJob(job);
  }

  update(id: string, patch: JobPatch): void {
    const job = this.#jobs.get(id);
    if (job !== undefined) applyPatch(job, patch);
  }

  /** Raise a job's lastEventSeq, never lower it (what appendEvents does). */
  raiseLastEventSeq(id: string, seq: number): void {
    const job = this.#jobs.get(id);
    if (job !== undefined && seq > job.lastEventSeq) job.lastEventSeq = seq;
  }

  list(query: JobQuery): JobPage {
    const after = query.cursor === undefined ? undefined : decodeJobCursor(query.cursor);
    const limit = pageSize(query.limit);
    const rows = [...this.#jobs.values()]
      .filter((job) => matches(job, query, after))
      .sort(compareJobKeys);
    const jobs = rows.slice(0, limit).map(copyJob);
    const last = jobs[jobs.length - 1];
    return {
      jobs,
      nextCursor: rows.length > limit && last !== undefined ? encodeJobCursor(last) : null,
    };
  }

  listLive(): JobRecord[] {
    return [...this.#jobs.values()]
      .filter((job) => !isTerminal(job.state))
      .sort(compareJobKeys)
      .map(copyJob);
  }

  /** Delete terminal jobs that ended before `before`; returns their ids. */
  prune(before: number): string[] {
    const pruned: string[] = [];
    for (const job of this.#jobs.values()) {
      if (!isTerminal(job.state) || job.endedAt === null || !(job.endedAt < before)) continue;
      this.#jobs.delete(job.id);
      if (job.idempotencyKey !== null)
        this.#idempotency.delete(scoped(job.principal, job.idempotencyKey));
      if (job.runId !== null) this.#runIds.delete(scoped(job.principal, job.runId));
      pruned.push(job.id);
    }
    return pruned;
  }
}
