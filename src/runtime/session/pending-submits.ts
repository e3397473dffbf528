/**
 * The job.submit envelopes a session has received and not yet answered (DESIGN-6). A delegated
 * child's unsolicited job.accepted waits until the submits received before it are answered:
 * the TS SDK client binds such a frame to its oldest pending submit.
 */
interface Waiter {
  upto: number;
  resolve: () => void;
}

export class PendingSubmits {
  #received = 0;
  #answered = 0;
  #waiters: Waiter[] | undefined;

  /** A job.submit arrived; it is unanswered until `answered()`. */
  received(): void {
    this.#received++;
  }

  /**
   * The oldest unanswered job.submit has had its answer pushed (job.accepted, job.error or
   * session.error); a connection handles its frames one at a time, so answers come in order.
   */
  answered(): void {
    this.#answered++;
    const waiters = this.#waiters;
    if (waiters === undefined) return;
    const still = waiters.filter((w) => {
      if (w.upto > this.#answered) return true;
      w.resolve();
      return false;
    });
    this.#waiters = still.length > 0 ? still : undefined;
  }

  /**
   * Settles once every job.submit received so far has been answered (later ones are not waited
   * for, so a steady stream of submits cannot starve the caller); undefined when none is
   * pending.
   */
  settled(): Promise<void> | undefined {
    const upto = this.#received;
    if (this.#answered >= upto) return undefined;
    const waiters = this.#waiters ?? [];
    this.#waiters = waiters;
    return new Promise((resolve) => waiters.push({ upto, resolve }));
  }
}
