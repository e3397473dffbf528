/** An ascending list of events by seq, with the binary searches the memory event log needs. */
import type { EventRecord } from "../store.js";

export class SeqList {
  readonly events: EventRecord[] = [];

  get size(): number {
    return this.events.length;
  }

  get first(): EventRecord | undefined {
    return this.events[0];
  }

  /** Index of the first event with seq > `seq`. */
  #upperBound(seq: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid] as EventRecord).seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(seq: number): boolean {
    const i = this.#upperBound(seq) - 1;
    return i >= 0 && (this.events[i] as EventRecord).seq === seq;
  }

  /** Insert keeping seq order; appends in order are O(1). */
  insert(event: EventRecord): void {
    const last = this.events[this.events.length - 1];
    if (last === undefined || event.seq > last.seq) this.events.push(event);
    else this.events.splice(this.#upperBound(event.seq), 0, event);
  }

  /** Events with seq > afterSeq, ascending, at most `limit`. */
  after(afterSeq: number, limit: number): EventRecord[] {
    const start = this.#upperBound(afterSeq);
    return this.events.slice(start, start + limit);
  }

  /** Remove and return the events with seq ≤ uptoSeq. */
  removeUpTo(uptoSeq: number): EventRecord[] {
    return this.events.splice(0, this.#upperBound(uptoSeq));
  }

  /** Remove and return the events matching `drop`, keeping the rest in order. */
  removeWhere(drop: (event: EventRecord) => boolean): EventRecord[] {
    const removed: EventRecord[] = [];
    let kept = 0;
    for (const event of this.events) {
      if (drop(event)) removed.push(event);
      else this.events[kept++] = event;
    }
    this.events.length = kept;
    return removed;
  }
}
