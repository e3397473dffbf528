/**
 * The storage port. Every adapter (memory, SQLite, PostgreSQL) implements it and passes
 * test/contract/store.contract.ts. Methods are async so a networked database fits; each
 * persisted transition is one atomic verb that checks the expected prior state.
 */
import type { JobState } from "../protocol/job-state.js";

/** A session as persisted (§6). Times are epoch milliseconds. */
export interface SessionRecord {
  id: string;
  principal: string;
  /** SHA-256 hex of the current resume token; tokens are never stored in clear. */
  resumeTokenHash: string;
  features: string[];
  resumeWindowSec: number;
  createdAt: number;
  /** When the last transport detached; null while one is attached. */
  detachedAt: number | null;
  /** Highest event_seq assigned in this session (§8.3); maintained by appendEvents. */
  lastSeq: number;
  /** Highest seq the client acknowledged with session.ack (§6.5). */
  ackedSeq: number;
  /** `arcp` for client sessions, `arp` for the synthetic session behind an ARP run. */
  origin: "arcp" | "arp";
}

export interface JobRecord {
  id: string;
  /** The submitting session: owns the job's event_seq space and its cancel authority. */
  sessionId: string;
  principal: string;
  /** Resolved `name@version`. */
  agent: string;
  state: JobState;
  input: unknown;
  lease: Record<string, string[]>;
  leaseConstraints: { expires_at?: string } | null;
  /** Remaining budget per currency in micro-units, as decimal strings (exact). */
  budget: Record<string, string> | null;
  parentJobId: string | null;
  delegateId: string | null;
  traceId: string;
  idempotencyKey: string | null;
  /** Digest of the submit parameters, to tell an idempotent replay from a conflict (§7.2). */
  submitDigest: string | null;
  maxRuntimeSec: number | null;
  /** The job.accepted payload as sent, without credentials, for idempotent replay. */
  acceptedPayload: string;
  /** Client-chosen ARP run id, when the job was started through the ARP gateway. */
  runId: string | null;
  /** The ARP `run_context` the run was started with, echoed in every `Run` (ARP only). */
  runContext: Record<string, unknown> | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Highest event_seq of this job's events in its owning session (§6.6). */
  lastEventSeq: number;
  /** Terminal error code, when the job ended in job.error. */
  errorCode: string | null;
}

/** One seq-bearing envelope, stored exactly as it was (or will be) sent. */
export interface EventRecord {
  sessionId: string;
  seq: number;
  jobId: string | null;
  /** Envelope type: job.event, job.result or job.error. */
  type: string;
  /** Event kind for job.event, else null. */
  kind: string | null;
  ts: number;
  /** The encoded envelope. */
  frame: string;
  /** True when sessionId is the job's owning session (the job's own history). */
  ownerEvent: boolean;
}

export type JobPatch = Partial<
  Pick<JobRecord, "budget" | "startedAt" | "endedAt" | "errorCode" | "lastEventSeq">
>;

/** A compare-and-set job state change, as transitionJob applies it. */
export interface JobTransition {
  id: string;
  from: readonly JobState[];
  to: JobState;
  patch?: JobPatch;
}

/** Writes that commit with an appendEvents batch (see there). */
export interface BatchWrites {
  sessions?: readonly SessionRecord[];
  jobs?: readonly JobRecord[];
  transitions?: readonly JobTransition[];
}

export interface JobQuery {
  /** Restrict to these principals; undefined means every principal (explicit policy only). */
  principals?: string[];
  states?: JobState[];
  /** A bare name matches every version of that agent; `name@version` matches exactly. */
  agent?: string;
  createdAfter?: number;
  createdBefore?: number;
  limit: number;
  /** Opaque keyset cursor from a previous page. */
  cursor?: string;
}

export interface JobPage {
  jobs: JobRecord[];
  nextCursor: string | null;
}

export type CredentialState = "live" | "revoking" | "revoked" | "failed";

/** The credential ledger row (§9.8, §14). Values are never stored; `handle` revokes. */
export interface CredentialRecord {
  id: string;
  jobId: string;
  provisioner: string;
  /** Non-secret reference the provisioner needs to revoke (key alias, upstream id). */
  handle: string;
  state: CredentialState;
  issuedAt: number;
  expiresAt: number | null;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  revokedAt: number | null;
}

export interface AuditRecord {
  ts: number;
  kind: string;
  principal: string | null;
  details: Record<string, unknown>;
}

export interface StoreHealth {
  ok: boolean;
  message?: string;
}

export interface SessionStore {
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Rotate the resume token only if `expectedHash` is still current (one resume wins). */
  rotateResumeToken(id: string, expectedHash: string, nextHash: string): Promise<boolean>;
  setSessionDetached(id: string, detachedAt: number | null): Promise<void>;
  /**
   * Record every session still marked attached as detached at `at`, and return how many.
   * Called once at start: no transport survives a restart, so without it a session that was
   * attached when the process died would never reach the end of its resume window (§6.3).
   */
  detachAttachedSessions(at: number): Promise<number>;
  setSessionAcked(id: string, ackedSeq: number): Promise<void>;
  deleteSession(id: string): Promise<void>;
  /** Sessions detached before `before` (candidates for expiry sweeps). */
  listDetachedSessions(before: number, limit: number): Promise<SessionRecord[]>;
}

export interface JobStore {
  /**
   * Insert a job. When it carries an idempotency key already used by the same principal,
   * nothing is written and the existing job is returned instead.
   */
  createJob(job: JobRecord): Promise<{ created: true } | { created: false; existing: JobRecord }>;
  getJob(id: string): Promise<JobRecord | undefined>;
  getJobByRunId(principal: string, runId: string): Promise<JobRecord | undefined>;
  findIdempotent(principal: string, key: string): Promise<JobRecord | undefined>;
  /**
   * Atomically move a job from one of `from` to `to`, applying `patch`. Returns the updated
   * record, or undefined when the job is missing or not in an expected state.
   */
  transitionJob(
    id: string,
    from: readonly JobState[],
    to: JobState,
    patch?: JobPatch,
  ): Promise<JobRecord | undefined>;
  updateJob(id: string, patch: JobPatch): Promise<void>;
  listJobs(query: JobQuery): Promise<JobPage>;
  /** Jobs not yet terminal (for crash recovery on start). */
  listLiveJobs(): Promise<JobRecord[]>;
  /** Delete terminal jobs that ended before `before`. Returns how many. */
  pruneJobs(before: number): Promise<number>;
}

export interface EventStore {
  /**
   * Append a batch in one transaction (group commit), and raise each session's lastSeq and
   * each owning job's lastEventSeq. Seqs are assigned by the caller and must be new.
   * `writes` commit in the same transaction: new sessions and new jobs first (ids and
   * idempotency keys the caller already knows to be free; a collision fails the batch), then
   * the events, then the transitions, in order, each with the compare-and-set rule of
   * transitionJob (one whose job is missing or not in an expected state is skipped). A job, its
   * events and its terminal state thus become durable together. A batch is all or nothing: one
   * whose content is refused (a seq, job id, idempotency key or run id already taken, also
   * twice within the batch) rejects with StoreConstraintError and writes nothing.
   */
  appendEvents(events: readonly EventRecord[], writes?: BatchWrites): Promise<void>;
  /** A session's events with seq > afterSeq, ascending, at most `limit`. */
  readEvents(sessionId: string, afterSeq: number, limit: number): Promise<EventRecord[]>;
  /** A job's own events (ownerEvent) with seq > afterSeq, ascending, at most `limit`. */
  readJobEvents(jobId: string, afterSeq: number, limit: number): Promise<EventRecord[]>;
  /** Lowest retained seq of a session, or null when it has no events. */
  firstRetainedSeq(sessionId: string): Promise<number | null>;
  /**
   * Delete a prefix of a session's log: its events with seq ≤ uptoSeq, but stopping before the
   * first own event of a job whose row still exists (its history serves job.subscribe, an
   * idempotent resubmit and the ARP event stream until the job is pruned, DESIGN-13). The log
   * stays gap-free, so a replay from it is complete or refused, never partial (§6.5). Returns
   * how many events went.
   */
  pruneEvents(sessionId: string, uptoSeq: number): Promise<number>;
}

export interface CredentialLedger {
  recordCredential(credential: CredentialRecord): Promise<void>;
  getCredential(id: string): Promise<CredentialRecord | undefined>;
  listCredentialsForJob(jobId: string): Promise<CredentialRecord[]>;
  /** Credentials in the given states (revocation work and operator views). */
  listCredentials(states: readonly CredentialState[], limit: number): Promise<CredentialRecord[]>;
  updateCredential(
    id: string,
    patch: Partial<Omit<CredentialRecord, "id" | "jobId">>,
  ): Promise<void>;
}

export interface AuditLog {
  appendAudit(record: AuditRecord): Promise<void>;
  listAudit(kind: string | undefined, limit: number): Promise<AuditRecord[]>;
}

/** The whole port. */
export interface Store extends SessionStore, JobStore, EventStore, CredentialLedger, AuditLog {
  readonly kind: "memory" | "sqlite" | "postgres";
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
