/**
 * Idempotency keys and ARP run ids of jobs created but not yet committed. Job inserts ride the
 * group commit, so the store alone cannot tell a second submit with the same key that the
 * first one exists; this table can, until the insert is durable (single writer per database).
 */
import type { JobRecord, JobStore } from "../../store/store.js";

export class JobKeys {
  readonly #pending = new Map<string, JobRecord>();

  reserve(job: JobRecord): void {
    for (const key of keysOf(job)) this.#pending.set(key, job);
  }

  release(job: JobRecord): void {
    for (const key of keysOf(job)) if (this.#pending.get(key) === job) this.#pending.delete(key);
  }

  /** The uncommitted job holding `key` for `principal`, if any (synchronous). */
  pendingIdempotent(principal: string, key: string): JobRecord | undefined {
    return this.#pending.get(idempotency(principal, key));
  }

  /** The job holding `idempotencyKey` for `principal`, committed or not. */
  async byIdempotencyKey(
    store: JobStore,
    principal: string,
    key: string,
  ): Promise<JobRecord | undefined> {
    return (
      this.#pending.get(idempotency(principal, key)) ?? (await store.findIdempotent(principal, key))
    );
  }

  /** The job started as ARP run `runId` by `principal`, committed or not. */
  async byRunId(store: JobStore, principal: string, runId: string): Promise<JobRecord | undefined> {
    return (
      this.#pending.get(run(principal, runId)) ?? (await store.getJobByRunId(principal, runId))
    );
  }
}

const idempotency = (principal: string, key: string): string => `i\0${principal}\0${key}`;
const run = (principal: string, runId: string): string => `r\0${principal}\0${runId}`;

function keysOf(job: JobRecord): string[] {
  const keys: string[] = [];
  if (job.idempotencyKey !== null) keys.push(idempotency(job.principal, job.idempotencyKey));
  if (job.runId !== null) keys.push(run(job.principal, job.runId));
  return keys;
}
