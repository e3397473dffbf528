/**
 * The in-memory event log (§8.3): per-session lists in seq order, plus each job's own
 * history (owner events), kept in step the way the SQLite index is.
 */
import type { EventFramesPage } from "../event-frames.js";
import type { EventRecord } from "../store.js";
import { StoreConstraintError } from "../store-error.js";
import { copyEvent } from "./records.js";
import { SeqList } from "./seq-list.js";

export class MemoryEventLog {
  readonly #sessions = new Map<string, SeqList>();
  readonly #jobs = new Map<string, SeqList>();

  /** Throws StoreConstraintError unless every seq of the batch is an integer and free. */
  check(events: readonly EventRecord[]): void {
    const batch = new Set<string>();
    for (const e of events) {
      if (!Number.isSafeInteger(e.seq))
        throw new StoreConstraintError(`event seq must be an integer, got ${e.seq}`);
      const key = `${e.sessionId}\u0000${e.seq}`;
      if (batch.has(key) || this.#sessions.get(e.sessionId)?.has(e.seq)) {
        throw new StoreConstraintError(`event ${e.seq} of session ${e.sessionId} already exists`);
      }
      batch.add(key);
    }
  }

  /** Add a batch that `check` accepted. */
  insert(events: readonly EventRecord[]): void {
    for (const e of events) {
      const event = copyEvent(e);
      listFor(this.#sessions, e.sessionId).insert(event);
      if (event.ownerEvent && event.jobId !== null) listFor(this.#jobs, event.jobId).insert(event);
    }
  }

  read(sessionId: string, afterSeq: number, limit: number): EventRecord[] {
    if (!(limit > 0)) return [];
    return (this.#sessions.get(sessionId)?.after(afterSeq, limit) ?? []).map(copyEvent);
  }

  readFrames(sessionId: string, afterSeq: number, limit: number): EventFramesPage {
    const page = limit > 0 ? (this.#sessions.get(sessionId)?.after(afterSeq, limit) ?? []) : [];
    return { frames: page.map((e) => e.frame), lastSeq: page[page.length - 1]?.seq ?? afterSeq };
  }

  readJob(jobId: string, afterSeq: number, limit: number): EventRecord[] {
    if (!(limit > 0)) return [];
    return (this.#jobs.get(jobId)?.after(afterSeq, limit) ?? []).map(copyEvent);
  }

  firstRetained(sessionId: string): number | null {
    return this.#sessions.get(sessionId)?.first?.seq ?? null;
  }

  /** Drop the session's events with seq ≤ uptoSeq, stopping before the first one `keep` names. */
  prune(sessionId: string, uptoSeq: number, keep: (event: EventRecord) => boolean): number {
    const list = this.#sessions.get(sessionId);
    if (list === undefined) return 0;
    let upto = uptoSeq;
    for (const e of list.events) {
      if (e.seq > upto) break;
      if (keep(e)) upto = e.seq - 1;
    }
    const removed = list.removeUpTo(upto);
    if (list.size === 0) this.#sessions.delete(sessionId);
    this.#forgetHistory(removed);
    return removed.length;
  }

  /** Drop a session's events except the owner events `keep` says a job still needs. */
  dropSession(sessionId: string, keep: (event: EventRecord) => boolean): void {
    const list = this.#sessions.get(sessionId);
    if (list === undefined) return;
    this.#forgetHistory(list.removeWhere((e) => !keep(e)));
    if (list.size === 0) this.#sessions.delete(sessionId);
  }

  /** Drop a job's own history where `orphaned` says its session is gone. */
  dropJobHistory(jobId: string, orphaned: (event: EventRecord) => boolean): void {
    const history = this.#jobs.get(jobId);
    if (history === undefined) return;
    const removed = history.removeWhere(orphaned);
    if (history.size === 0) this.#jobs.delete(jobId);
    const gone = new Set(removed);
    for (const sessionId of new Set(removed.map((e) => e.sessionId))) {
      const list = this.#sessions.get(sessionId);
      list?.removeWhere((e) => gone.has(e));
      if (list?.size === 0) this.#sessions.delete(sessionId);
    }
  }

  #forgetHistory(removed: readonly EventRecord[]): void {
    const owned = removed.filter((e) => e.ownerEvent && e.jobId !== null);
    if (owned.length === 0) return;
    const gone = new Set(owned);
    for (const jobId of new Set(owned.map((e) => e.jobId as string))) {
      const history = this.#jobs.get(jobId);
      history?.removeWhere((e) => gone.has(e));
      if (history?.size === 0) this.#jobs.delete(jobId);
    }
  }
}

function listFor(lists: Map<string, SeqList>, key: string): SeqList {
  let list = lists.get(key);
  if (list === undefined) {
    list = new SeqList();
    lists.set(key, list);
  }
  return list;
}
