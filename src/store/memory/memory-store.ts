/**
 * The in-memory store: a fast test double with exactly the port's semantics, checked by the
 * same contract suite as SQLite. Nothing survives close; `--db :memory:` uses SQLite instead.
 */
import type { JobState } from "../../protocol/job-state.js";
import type { EventFrameReader, EventFramesPage } from "../event-frames.js";
import type {
  AuditRecord,
  BatchWrites,
  CredentialRecord,
  CredentialState,
  EventRecord,
  JobPage,
  JobPatch,
  JobQuery,
  JobRecord,
  SessionRecord,
  Store,
  StoreHealth,
} from "../store.js";
import { StoreConstraintError } from "../store-error.js";
import { MemoryEventLog } from "./event-log.js";
import { MemoryJobTable } from "./job-table.js";
import { MemoryLedger } from "./ledger.js";
import { copySession } from "./records.js";

/** A fresh, empty in-memory store. */
export function createMemoryStore(): MemoryStore {
  return new MemoryStore();
}

export class MemoryStore implements Store, EventFrameReader {
  readonly kind = "memory";
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #jobs = new MemoryJobTable();
  readonly #events = new MemoryEventLog();
  readonly #ledger = new MemoryLedger();
  #closed = false;

  #open(): void {
    if (this.#closed) throw new Error("store is closed");
  }

  // Sessions (§6)

  async createSession(session: SessionRecord): Promise<void> {
    this.#open();
    if (this.#sessions.has(session.id))
      throw new StoreConstraintError(`session ${session.id} already exists`);
    this.#sessions.set(session.id, copySession(session));
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    this.#open();
    const session = this.#sessions.get(id);
    return session === undefined ? undefined : copySession(session);
  }

  async rotateResumeToken(id: string, expectedHash: string, nextHash: string): Promise<boolean> {
    this.#open();
    const session = this.#sessions.get(id);
    if (session === undefined || session.resumeTokenHash !== expectedHash) return false;
    session.resumeTokenHash = nextHash;
    return true;
  }

  async setSessionDetached(id: string, detachedAt: number | null): Promise<void> {
    this.#open();
    const session = this.#sessions.get(id);
    if (session !== undefined) session.detachedAt = detachedAt;
  }

  async detachAttachedSessions(at: number): Promise<number> {
    this.#open();
    let count = 0;
    for (const session of this.#sessions.values()) {
      if (session.detachedAt !== null) continue;
      session.detachedAt = at;
      count++;
    }
    return count;
  }

  async setSessionAcked(id: string, ackedSeq: number): Promise<void> {
    this.#open();
    const session = this.#sessions.get(id);
    if (session !== undefined && ackedSeq > session.ackedSeq) session.ackedSeq = ackedSeq;
  }

  async deleteSession(id: string): Promise<void> {
    this.#open();
    this.#sessions.delete(id);
    this.#events.dropSession(
      id,
      (e) => e.ownerEvent && e.jobId !== null && this.#jobs.has(e.jobId),
    );
  }

  async listDetachedSessions(before: number, limit: number): Promise<SessionRecord[]> {
    this.#open();
    if (!(limit > 0)) return [];
    return [...this.#sessions.values()]
      .filter((s) => s.detachedAt !== null && s.detachedAt < before)
      .sort(
        (a, b) =>
          (a.detachedAt as number) - (b.detachedAt as number) ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      )
      .slice(0, limit)
      .map(copySession);
  }

  // Jobs (§7)

  async createJob(
    job: JobRecord,
  ): Promise<{ created: true } | { created: false; existing: JobRecord }> {
    this.#open();
    return this.#jobs.create(job);
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    this.#open();
    return this.#jobs.get(id);
  }

  async getJobByRunId(principal: string, runId: string): Promise<JobRecord | undefined> {
    this.#open();
    return this.#jobs.getByRunId(principal, runId);
  }

  async findIdempotent(principal: string, key: string): Promise<JobRecord | undefined> {
    this.#open();
    return this.#jobs.findIdempotent(principal, key);
  }

  async transitionJob(
    id: string,
    from: readonly JobState[],
    to: JobState,
    patch: JobPatch = {},
  ): Promise<JobRecord | undefined> {
    this.#open();
    return this.#jobs.transition(id, from, to, patch);
  }

  async updateJob(id: string, patch: JobPatch): Promise<void> {
    this.#open();
    this.#jobs.update(id, patch);
  }

  async listJobs(query: JobQuery): Promise<JobPage> {
    this.#open();
    return this.#jobs.list(query);
  }

  async listLiveJobs(): Promise<JobRecord[]> {
    this.#open();
    return this.#jobs.listLive();
  }

  async pruneJobs(before: number): Promise<number> {
    this.#open();
    const pruned = this.#jobs.prune(before);
    for (const id of pruned) {
      this.#events.dropJobHistory(id, (e) => !this.#sessions.has(e.sessionId));
      this.#ledger.dropRevoked(id);
    }
    return pruned.length;
  }

  // Events (§8.3)

  async appendEvents(events: readonly EventRecord[], writes: BatchWrites = {}): Promise<void> {
    this.#open();
    // All or nothing, as one SQLite transaction: every rule is checked before anything changes.
    const sessions = writes.sessions ?? [];
    const ids = new Set<string>();
    for (const session of sessions) {
      if (this.#sessions.has(session.id) || ids.has(session.id))
        throw new StoreConstraintError(`session ${session.id} already exists`);
      ids.add(session.id);
    }
    this.#jobs.assertInsertable(writes.jobs ?? []);
    this.#events.check(events);
    for (const session of sessions) this.#sessions.set(session.id, copySession(session));
    for (const job of writes.jobs ?? []) this.#jobs.create(job);
    this.#events.insert(events);
    for (const e of events) {
      const session = this.#sessions.get(e.sessionId);
      if (session !== undefined && e.seq > session.lastSeq) session.lastSeq = e.seq;
      if (e.ownerEvent && e.jobId !== null) this.#jobs.raiseLastEventSeq(e.jobId, e.seq);
    }
    for (const t of writes.transitions ?? [])
      this.#jobs.transition(t.id, t.from, t.to, t.patch ?? {});
  }

  async readEvents(sessionId: string, afterSeq: number, limit: number): Promise<EventRecord[]> {
    this.#open();
    return this.#events.read(sessionId, afterSeq, limit);
  }

  async readEventFrames(
    sessionId: string,
    afterSeq: number,
    limit: number,
  ): Promise<EventFramesPage> {
    this.#open();
    return this.#events.readFrames(sessionId, afterSeq, limit);
  }

  async readJobEvents(jobId: string, afterSeq: number, limit: number): Promise<EventRecord[]> {
    this.#open();
    return this.#events.readJob(jobId, afterSeq, limit);
  }

  async firstRetainedSeq(sessionId: string): Promise<number | null> {
    this.#open();
    return this.#events.firstRetained(sessionId);
  }

  async pruneEvents(sessionId: string, uptoSeq: number): Promise<number> {
    this.#open();
    return this.#events.prune(
      sessionId,
      uptoSeq,
      (e) => e.ownerEvent && e.jobId !== null && this.#jobs.has(e.jobId),
    );
  }

  // Credential ledger (§9.8) and audit log (§14)

  async recordCredential(credential: CredentialRecord): Promise<void> {
    this.#open();
    this.#ledger.record(credential);
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    this.#open();
    return this.#ledger.get(id);
  }

  async listCredentialsForJob(jobId: string): Promise<CredentialRecord[]> {
    this.#open();
    return this.#ledger.listForJob(jobId);
  }

  async listCredentials(
    states: readonly CredentialState[],
    limit: number,
  ): Promise<CredentialRecord[]> {
    this.#open();
    return this.#ledger.list(states, limit);
  }

  async updateCredential(
    id: string,
    patch: Partial<Omit<CredentialRecord, "id" | "jobId">>,
  ): Promise<void> {
    this.#open();
    this.#ledger.update(id, patch);
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    this.#open();
    this.#ledger.appendAudit(record);
  }

  async listAudit(kind: string | undefined, limit: number): Promise<AuditRecord[]> {
    this.#open();
    return this.#ledger.listAudit(kind, limit);
  }

  // Lifecycle

  async health(): Promise<StoreHealth> {
    return this.#closed ? { ok: false, message: "store is closed" } : { ok: true };
  }

  /** Later calls fail, as they do on a closed SQLite store. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
  }
}
