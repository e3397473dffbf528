/**
 * The default store (DESIGN-14): SQLite through better-sqlite3, WAL with synchronous=NORMAL,
 * numbered migrations, every statement prepared once, and WAL checkpoints on a worker thread.
 * better-sqlite3 is synchronous; the methods are async only to fit the port.
 */
import { resolve } from "node:path";
import type { Database, Statement } from "better-sqlite3";
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
import { Checkpointer } from "./checkpointer.js";
import { type ConnectionOptions, isMemoryPath, openConnection } from "./connection.js";
import { EventStatements, type FoldedCounters, type OwnSeqs } from "./event-statements.js";
import { JobHistory } from "./job-history.js";
import { JobStatements } from "./job-statements.js";
import { LedgerStatements } from "./ledger-statements.js";
import { SessionKeys } from "./session-keys.js";
import { SessionStatements } from "./session-statements.js";

export interface SqliteStoreOptions extends ConnectionOptions {
  /**
   * Who checkpoints the WAL of a file database: `worker` (default) keeps the copy and its
   * fsync off the event loop; `inline` leaves it to SQLite's autocheckpoint on the writer.
   */
  checkpoint?: "worker" | "inline";
  /** With the worker: WAL size past which the writer truncates it between appends (512 MiB). */
  walLimitBytes?: number;
}

/** Open (creating and migrating if needed) a SQLite store. `":memory:"` gives a private one. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(openConnection(options), options);
}

/** SQLite's "these rows are refused" errors, as the port's StoreConstraintError. */
function asRefusal(error: unknown): unknown {
  if (error instanceof StoreConstraintError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const refused =
    error instanceof RangeError ||
    (typeof code === "string" && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code));
  return refused ? new StoreConstraintError((error as Error).message, { cause: error }) : error;
}

/**
 * What rows inserted with a batch can hold from the start instead of being raised after its
 * events: each new session's last seq, and each new job's own seqs in its owning session.
 */
function foldedCounters(writes: BatchWrites, events: readonly EventRecord[]): FoldedCounters {
  const sessions = new Map<string, number>();
  const jobs = new Map<string, OwnSeqs>();
  for (const session of writes.sessions ?? []) sessions.set(session.id, session.lastSeq);
  for (const job of writes.jobs ?? [])
    jobs.set(job.id, { sessionId: job.sessionId, low: null, high: null });
  if (sessions.size === 0 && jobs.size === 0) return { sessions, jobs };
  for (const e of events) {
    const top = sessions.get(e.sessionId);
    if (top !== undefined && e.seq > top) sessions.set(e.sessionId, e.seq);
    if (!e.ownerEvent || e.jobId === null) continue;
    const own = jobs.get(e.jobId);
    if (own === undefined || own.sessionId !== e.sessionId) continue;
    if (own.low === null || e.seq < own.low) own.low = e.seq;
    if (own.high === null || e.seq > own.high) own.high = e.seq;
  }
  return { sessions, jobs };
}

export class SqliteStore implements Store, EventFrameReader {
  readonly kind = "sqlite";
  readonly #db: Database;
  readonly #sessions: SessionStatements;
  readonly #jobs: JobStatements;
  readonly #events: EventStatements;
  readonly #ledger: LedgerStatements;
  readonly #checkpointer: Checkpointer | undefined;
  readonly #keys: SessionKeys;
  readonly #ping: Statement;
  readonly #appendWithWrites: (
    events: readonly EventRecord[],
    writes: BatchWrites,
    fresh: Map<string, number>,
  ) => void;
  #closed = false;

  /** Use openSqliteStore; this takes an already opened and migrated connection. */
  constructor(db: Database, options: SqliteStoreOptions) {
    this.#db = db;
    const keys = new SessionKeys(db);
    this.#keys = keys;
    const history = new JobHistory(db, keys);
    this.#sessions = new SessionStatements(db, history);
    this.#jobs = new JobStatements(db, history);
    this.#events = new EventStatements(db, keys, history);
    this.#ledger = new LedgerStatements(db);
    this.#ping = db.prepare("SELECT 1");
    // One transaction for the rows and the events; session keys it allocates are cached only
    // after it commits (appendEvents), so a rolled-back key never reaches the cache.
    this.#appendWithWrites = db.transaction(
      (events: readonly EventRecord[], writes: BatchWrites, fresh: Map<string, number>) => {
        // Sessions and jobs inserted here go in with the counters this batch's events would
        // raise, so only events of rows from earlier batches cost an UPDATE.
        const folded = foldedCounters(writes, events);
        for (const session of writes.sessions ?? [])
          this.#sessions.create(session, folded.sessions.get(session.id) ?? session.lastSeq);
        // The state each job row inserted here holds, so transitions that cannot match it are
        // known to be no-ops without a statement (no other write in here changes a job's state).
        const inserted = new Map<string, JobState>();
        for (const job of writes.jobs ?? []) {
          if (!this.#jobs.create(job, folded.jobs.get(job.id)).created)
            throw new StoreConstraintError(`job ${job.id} collides with an existing job`);
          inserted.set(job.id, job.state);
        }
        if (events.length > 0) this.#events.appendInTransaction(events, fresh, folded);
        for (const t of writes.transitions ?? []) {
          const state = inserted.get(t.id);
          if (state !== undefined) {
            if (!t.from.includes(state)) continue;
            inserted.set(t.id, t.to);
          }
          this.#jobs.apply(t.id, t.from, t.to, t.patch ?? {});
        }
      },
    ).immediate;
    this.#checkpointer = this.#startCheckpointer(options);
  }

  #startCheckpointer(options: SqliteStoreOptions): Checkpointer | undefined {
    if (isMemoryPath(options.path) || options.checkpoint === "inline") return undefined;
    this.#db.pragma("wal_autocheckpoint = 0");
    return new Checkpointer({
      path: resolve(options.path),
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
      ...(options.walLimitBytes === undefined ? {} : { walLimitBytes: options.walLimitBytes }),
      onFailure: () => {
        if (this.#db.open) this.#db.pragma("wal_autocheckpoint = 1000");
      },
    });
  }

  // Sessions (§6)

  async createSession(session: SessionRecord): Promise<void> {
    this.#sessions.create(session);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    return this.#sessions.get(id);
  }

  async rotateResumeToken(id: string, expectedHash: string, nextHash: string): Promise<boolean> {
    return this.#sessions.rotateResumeToken(id, expectedHash, nextHash);
  }

  async setSessionDetached(id: string, detachedAt: number | null): Promise<void> {
    this.#sessions.setDetached(id, detachedAt);
  }

  async detachAttachedSessions(at: number): Promise<number> {
    return this.#sessions.detachAttached(at);
  }

  async setSessionAcked(id: string, ackedSeq: number): Promise<void> {
    this.#sessions.setAcked(id, ackedSeq);
  }

  async deleteSession(id: string): Promise<void> {
    this.#sessions.delete(id);
  }

  async listDetachedSessions(before: number, limit: number): Promise<SessionRecord[]> {
    return this.#sessions.listDetached(before, limit);
  }

  // Jobs (§7)

  async createJob(
    job: JobRecord,
  ): Promise<{ created: true } | { created: false; existing: JobRecord }> {
    return this.#jobs.create(job);
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    return this.#jobs.get(id);
  }

  async getJobByRunId(principal: string, runId: string): Promise<JobRecord | undefined> {
    return this.#jobs.getByRunId(principal, runId);
  }

  async findIdempotent(principal: string, key: string): Promise<JobRecord | undefined> {
    return this.#jobs.findIdempotent(principal, key);
  }

  async transitionJob(
    id: string,
    from: readonly JobState[],
    to: JobState,
    patch: JobPatch = {},
  ): Promise<JobRecord | undefined> {
    return this.#jobs.transition(id, from, to, patch);
  }

  async updateJob(id: string, patch: JobPatch): Promise<void> {
    this.#jobs.update(id, patch);
  }

  async listJobs(query: JobQuery): Promise<JobPage> {
    return this.#jobs.list(query);
  }

  async listLiveJobs(): Promise<JobRecord[]> {
    return this.#jobs.listLive();
  }

  async pruneJobs(before: number): Promise<number> {
    return this.#jobs.prune(before);
  }

  // Events (§8.3)

  async appendEvents(events: readonly EventRecord[], writes?: BatchWrites): Promise<void> {
    const plain =
      writes === undefined ||
      ((writes.sessions?.length ?? 0) === 0 &&
        (writes.jobs?.length ?? 0) === 0 &&
        (writes.transitions?.length ?? 0) === 0);
    try {
      if (plain) this.#events.append(events);
      else {
        const fresh = new Map<string, number>();
        this.#appendWithWrites(events, writes, fresh);
        this.#keys.commit(fresh);
      }
    } catch (error) {
      throw asRefusal(error);
    }
    this.#checkpointer?.afterAppend(this.#db);
  }

  async readEvents(sessionId: string, afterSeq: number, limit: number): Promise<EventRecord[]> {
    return this.#events.read(sessionId, afterSeq, limit);
  }

  async readEventFrames(
    sessionId: string,
    afterSeq: number,
    limit: number,
  ): Promise<EventFramesPage> {
    return this.#events.readFrames(sessionId, afterSeq, limit);
  }

  async readJobEvents(jobId: string, afterSeq: number, limit: number): Promise<EventRecord[]> {
    return this.#events.readJob(jobId, afterSeq, limit);
  }

  async firstRetainedSeq(sessionId: string): Promise<number | null> {
    return this.#events.firstRetained(sessionId);
  }

  async pruneEvents(sessionId: string, uptoSeq: number): Promise<number> {
    return this.#events.prune(sessionId, uptoSeq);
  }

  // Credential ledger (§9.8) and audit log (§14)

  async recordCredential(credential: CredentialRecord): Promise<void> {
    this.#ledger.record(credential);
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    return this.#ledger.get(id);
  }

  async listCredentialsForJob(jobId: string): Promise<CredentialRecord[]> {
    return this.#ledger.listForJob(jobId);
  }

  async listCredentials(
    states: readonly CredentialState[],
    limit: number,
  ): Promise<CredentialRecord[]> {
    return this.#ledger.list(states, limit);
  }

  async updateCredential(
    id: string,
    patch: Partial<Omit<CredentialRecord, "id" | "jobId">>,
  ): Promise<void> {
    this.#ledger.update(id, patch);
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    this.#ledger.appendAudit(record);
  }

  async listAudit(kind: string | undefined, limit: number): Promise<AuditRecord[]> {
    return this.#ledger.listAudit(kind, limit);
  }

  // Lifecycle

  async health(): Promise<StoreHealth> {
    if (this.#closed) return { ok: false, message: "store is closed" };
    try {
      this.#ping.get();
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : "query failed" };
    }
    const failure = this.#checkpointer?.failure;
    return failure === undefined
      ? { ok: true }
      : { ok: true, message: "checkpoint worker failed; checkpointing inline" };
  }

  /** Stop the checkpoint worker, fold the WAL into the database file, and close. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#checkpointer?.stop();
    if (!this.#db.memory) {
      this.#db.pragma("optimize");
      this.#db.pragma("wal_checkpoint(TRUNCATE)");
    }
    this.#db.close();
  }
}
