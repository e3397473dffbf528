/**
 * Group commit for the event log (§8.3, DESIGN-14): seq-bearing envelopes from every session
 * are appended in one store transaction per tick and delivered only after they are durable.
 * Control frames (no seq) ride the same queue so each session sees frames in push order.
 */
import type {
  EventRecord,
  EventStore,
  JobRecord,
  JobTransition,
  SessionRecord,
} from "../store/store.js";

/** Whoever receives committed entries: a session's delivery state. */
export interface CommitTarget {
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

export interface EventWriterOptions {
  /** Pending entries above which producers are asked to wait for a flush. */
  highWater: number;
  onError(error: unknown, attempt: number): void;
}

const RESOLVED = Promise.resolve();

/** What one group commit holds: the ordered entries, and the rows that commit with them. */
class Batch {
  entries: Pending[] = [];
  sessions: SessionRecord[] = [];
  jobs: JobRecord[] = [];
  transitions: JobTransition[] = [];
  #committed: Promise<void> | undefined;
  #resolve: (() => void) | undefined;

  get empty(): boolean {
    return (
      this.entries.length === 0 &&
      this.sessions.length === 0 &&
      this.jobs.length === 0 &&
      this.transitions.length === 0
    );
  }

  /** Settles once this batch is committed and delivered. */
  committed(): Promise<void> {
    this.#committed ??= new Promise((resolve) => {
      this.#resolve = resolve;
    });
    return this.#committed;
  }

  settle(): void {
    this.#resolve?.();
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

  /** Insert a session with the next batch; resolves once it is durable. */
  enqueueSession(session: SessionRecord): Promise<void> {
    this.#batch.sessions.push(session);
    this.#schedule();
    return this.#batch.committed();
  }

  /**
   * Insert a job with the next batch, before any of its events; resolves once it is durable.
   * The caller has made sure its id and keys are free.
   */
  enqueueJob(job: JobRecord): Promise<void> {
    this.#batch.jobs.push(job);
    this.#schedule();
    return this.#batch.committed();
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
        await this.#persist(batch);
        this.#deliver(batch.entries);
        batch.settle();
        this.#release();
      }
    } finally {
      this.#running = false;
      if (!this.#batch.empty) this.#schedule();
      else for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #persist(batch: Batch): Promise<void> {
    const records: EventRecord[] = [];
    for (const p of batch.entries) if (p.entry.record !== null) records.push(p.entry.record);
    const writes = { sessions: batch.sessions, jobs: batch.jobs, transitions: batch.transitions };
    if (
      records.length === 0 &&
      batch.sessions.length === 0 &&
      batch.jobs.length === 0 &&
      batch.transitions.length === 0
    ) {
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#store.appendEvents(records, writes);
        return;
      } catch (error) {
        // Events are durable before they are sent, so a failing store holds delivery back
        // (and, through room(), the producers) until it recovers.
        this.#options.onError(error, attempt);
        await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** Math.min(attempt, 7))));
      }
    }
  }

  #deliver(batch: readonly Pending[]): void {
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
      target.deliverCommitted(entries);
    }
  }

  #release(): void {
    if (this.#batch.entries.length >= this.#options.highWater) return;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
