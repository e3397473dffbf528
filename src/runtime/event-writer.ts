/**
 * Group commit for the event log (§8.3, DESIGN-14): seq-bearing envelopes from every session
 * are appended in one store transaction per tick and delivered only after they are durable.
 * Control frames (no seq) ride the same queue so each session sees frames in push order.
 * A store that is unavailable is retried until it is back (delivery waits, nothing is lost);
 * a batch it refuses for its content (StoreConstraintError) is split by session and each part
 * committed alone, so bad rows fail their own session and never wedge everybody else's.
 */

import type {
  EventRecord,
  EventStore,
  JobRecord,
  JobTransition,
  SessionRecord,
} from "../store/store.js";
import { StoreConstraintError } from "../store/store-error.js";

/** Whoever receives committed entries: a session's delivery state. */
export interface CommitTarget {
  /** The session whose log this target's records go to. */
  readonly id: string;
  /** Entries of this target still waiting in the writer. */
  pendingInWriter: number;
  deliverCommitted(entries: readonly WriterEntry[]): void;
}

export interface WriterEntry {
  record: EventRecord | null;
  frame: string;
  /** For control frames: the session's last seq when it was pushed. */
  afterSeq: number;
}

interface Pending {
  target: CommitTarget;
  entry: WriterEntry;
}

/** What the store refused and the writer dropped: one session's part of a batch. */
export interface RefusedPart {
  /** The session the part belongs to; null for job state changes no session in the batch claims. */
  session: string | null;
  /** Jobs whose rows were in the part and so were never inserted. */
  jobs: string[];
  /** State changes in the part, dropped with it (their jobs' rows may exist from before). */
  transitions: JobTransition[];
}

export interface EventWriterOptions {
  /** Pending entries above which producers are asked to wait for a flush. */
  highWater: number;
  /** An append failed for a reason other than its content (store unavailable); it is retried. */
  onError(error: unknown, attempt: number): void;
  /**
   * A part was refused for its content and dropped: its entries are neither durable nor sent.
   * The session's log now lacks those seqs, so the runtime has to fail the session.
   */
  onRefused(error: StoreConstraintError, part: RefusedPart): void;
}

const RESOLVED = Promise.resolve();

/** Rows for one appendEvents call. */
interface Writes {
  records: EventRecord[];
  sessions: SessionRecord[];
  jobs: JobRecord[];
  transitions: JobTransition[];
}

const noWrites = (): Writes => ({ records: [], sessions: [], jobs: [], transitions: [] });
const isEmpty = (w: Writes): boolean =>
  w.records.length + w.sessions.length + w.jobs.length + w.transitions.length === 0;

/** What one group commit holds: the ordered entries, and the rows that commit with them. */
class Batch {
  entries: Pending[] = [];
  sessions: SessionRecord[] = [];
  jobs: JobRecord[] = [];
  transitions: JobTransition[] = [];
  #committed: Promise<void> | undefined;
  #resolve: (() => void) | undefined;
  /** Sessions whose part the store refused, once persisted: their rows were never written. */
  refused: ReadonlyMap<string, StoreConstraintError> = new Map();

  get empty(): boolean {
    return (
      this.entries.length === 0 &&
      this.sessions.length === 0 &&
      this.jobs.length === 0 &&
      this.transitions.length === 0
    );
  }

  /** Settles once this batch is committed (or its refused parts dropped) and delivered. */
  committed(): Promise<void> {
    this.#committed ??= new Promise((resolve) => {
      this.#resolve = resolve;
    });
    return this.#committed;
  }

  settle(): void {
    this.#resolve?.();
  }

  /** Resolves once the rows of `sessionId`'s part are durable; rejects if they were refused. */
  async durable(sessionId: string): Promise<void> {
    await this.committed();
    const error = this.refused.get(sessionId);
    if (error !== undefined) throw error;
  }

  writes(): Writes {
    const records: EventRecord[] = [];
    for (const p of this.entries) if (p.entry.record !== null) records.push(p.entry.record);
    return { records, sessions: this.sessions, jobs: this.jobs, transitions: this.transitions };
  }

  /**
   * The rows split by the session they belong to, in first-seen order: a job row and its
   * state changes go with its owning session, events with theirs; state changes of jobs no
   * row or own event here names come last, under null.
   */
  partsBySession(): Map<string | null, Writes> {
    const parts = new Map<string | null, Writes>();
    const part = (id: string | null): Writes => {
      let found = parts.get(id);
      if (found === undefined) {
        found = noWrites();
        parts.set(id, found);
      }
      return found;
    };
    const owners = new Map<string, string>();
    for (const session of this.sessions) part(session.id).sessions.push(session);
    for (const job of this.jobs) {
      part(job.sessionId).jobs.push(job);
      owners.set(job.id, job.sessionId);
    }
    for (const { entry } of this.entries) {
      const r = entry.record;
      if (r === null) continue;
      part(r.sessionId).records.push(r);
      if (r.ownerEvent && r.jobId !== null && !owners.has(r.jobId))
        owners.set(r.jobId, r.sessionId);
    }
    const loose = this.transitions.filter((t) => !owners.has(t.id));
    for (const t of this.transitions) {
      const owner = owners.get(t.id);
      if (owner !== undefined) part(owner).transitions.push(t);
    }
    if (loose.length > 0) part(null).transitions.push(...loose);
    return parts;
  }
}

export class EventWriter {
  readonly #store: EventStore;
  readonly #options: EventWriterOptions;
  #batch = new Batch();
  #running = false;
  #scheduled = false;
  #waiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(store: EventStore, options: EventWriterOptions) {
    this.#store = store;
    this.#options = options;
  }

  get pendingCount(): number {
    return this.#batch.entries.length;
  }

  enqueue(target: CommitTarget, entry: WriterEntry): void {
    target.pendingInWriter++;
    this.#batch.entries.push({ target, entry });
    this.#schedule();
  }

  /**
   * Insert a session with the next batch; resolves once it is durable, rejects with the
   * StoreConstraintError if the store refused it.
   */
  enqueueSession(session: SessionRecord): Promise<void> {
    this.#batch.sessions.push(session);
    this.#schedule();
    return this.#batch.durable(session.id);
  }

  /**
   * Insert a job with the next batch, before any of its events; resolves once it is durable,
   * rejects with the StoreConstraintError if the store refused it. The caller has made sure
   * its id and keys are free.
   */
  enqueueJob(job: JobRecord): Promise<void> {
    this.#batch.jobs.push(job);
    this.#schedule();
    return this.#batch.durable(job.sessionId);
  }

  /**
   * Commit a job state change with the next batch: after the events enqueued before it, in
   * the same transaction (a terminal event and its job state are durable together).
   */
  enqueueTransition(transition: JobTransition): void {
    this.#batch.transitions.push(transition);
    this.#schedule();
  }

  /** Resolves at once while there is room, otherwise after the next commit. */
  room(): Promise<void> {
    if (this.#batch.entries.length < this.#options.highWater) return RESOLVED;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves when everything enqueued so far is committed and delivered. */
  idle(): Promise<void> {
    if (this.#batch.empty && !this.#running) return RESOLVED;
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#run();
    });
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (!this.#batch.empty) {
        const batch = this.#batch;
        this.#batch = new Batch();
        const refused = await this.#persist(batch);
        batch.refused = refused;
        this.#deliver(batch.entries, refused);
        batch.settle();
        this.#release();
      }
    } finally {
      this.#running = false;
      if (!this.#batch.empty) this.#schedule();
      else for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** Commit the batch; returns the sessions whose part the store refused. */
  async #persist(batch: Batch): Promise<Map<string, StoreConstraintError>> {
    const refused = new Map<string, StoreConstraintError>();
    const whole = batch.writes();
    if (isEmpty(whole)) return refused;
    const error = await this.#append(whole);
    if (error === undefined) return refused;
    const parts = batch.partsBySession();
    for (const [session, part] of parts) {
      // With one part, that part is the batch just refused.
      const partError = parts.size === 1 ? error : await this.#append(part);
      if (partError === undefined) continue;
      this.#options.onRefused(partError, {
        session,
        jobs: part.jobs.map((j) => j.id),
        transitions: part.transitions,
      });
      if (session !== null) refused.set(session, partError);
    }
    return refused;
  }

  /** Append until the store takes it or refuses it for its content (returned). */
  async #append(w: Writes): Promise<StoreConstraintError | undefined> {
    const writes = { sessions: w.sessions, jobs: w.jobs, transitions: w.transitions };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#store.appendEvents(w.records, writes);
        return undefined;
      } catch (error) {
        // Refused rows fail the same way every time; anything else is the store being away,
        // and events are durable before they are sent, so delivery (and, through room(), the
        // producers) waits for it.
        if (error instanceof StoreConstraintError) return error;
        this.#options.onError(error, attempt);
        await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** Math.min(attempt, 7))));
      }
    }
  }

  #deliver(batch: readonly Pending[], refused: ReadonlyMap<string, unknown>): void {
    // Each target gets its entries in push order in one call, so they leave in one
    // coalesced socket write; order across targets does not matter.
    const byTarget = new Map<CommitTarget, WriterEntry[]>();
    for (const { target, entry } of batch) {
      const list = byTarget.get(target);
      if (list === undefined) byTarget.set(target, [entry]);
      else list.push(entry);
    }
    for (const [target, entries] of byTarget) {
      target.pendingInWriter -= entries.length;
      if (!refused.has(target.id)) target.deliverCommitted(entries);
    }
  }

  #release(): void {
    if (this.#batch.entries.length >= this.#options.highWater) return;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
