/**
 * Group commit for the event log (§8.3, DESIGN-14): seq-bearing envelopes from every session
 * are appended in one store transaction per tick and delivered only after they are durable.
 * Control frames (no seq) ride the same queue so each session sees frames in push order.
 */
import type { EventRecord, EventStore, JobTransition } from "../store/store.js";

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

export class EventWriter {
  readonly #store: EventStore;
  readonly #options: EventWriterOptions;
  #pending: Pending[] = [];
  #transitions: JobTransition[] = [];
  #running = false;
  #scheduled = false;
  #waiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(store: EventStore, options: EventWriterOptions) {
    this.#store = store;
    this.#options = options;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  enqueue(target: CommitTarget, entry: WriterEntry): void {
    target.pendingInWriter++;
    this.#pending.push({ target, entry });
    this.#schedule();
  }

  /**
   * Commit a job state change with the next batch: after the events enqueued before it, in
   * the same transaction (a terminal event and its job state are durable together).
   */
  enqueueTransition(transition: JobTransition): void {
    this.#transitions.push(transition);
    this.#schedule();
  }

  /** Resolves at once while there is room, otherwise after the next commit. */
  room(): Promise<void> {
    if (this.#pending.length < this.#options.highWater) return RESOLVED;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves when everything enqueued so far is committed and delivered. */
  idle(): Promise<void> {
    if (this.#pending.length === 0 && this.#transitions.length === 0 && !this.#running)
      return RESOLVED;
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
      while (this.#pending.length > 0 || this.#transitions.length > 0) {
        const batch = this.#pending;
        const transitions = this.#transitions;
        this.#pending = [];
        this.#transitions = [];
        await this.#persist(batch, transitions);
        this.#deliver(batch);
        this.#release();
      }
    } finally {
      this.#running = false;
      if (this.#pending.length > 0 || this.#transitions.length > 0) this.#schedule();
      else for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #persist(batch: readonly Pending[], transitions: readonly JobTransition[]): Promise<void> {
    const records: EventRecord[] = [];
    for (const p of batch) if (p.entry.record !== null) records.push(p.entry.record);
    if (records.length === 0 && transitions.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#store.appendEvents(records, transitions);
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
    if (this.#pending.length >= this.#options.highWater) return;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
