/**
 * Durable credential revocation (§9.8.2, §14, DESIGN-11): each attempt and its outcome are
 * written to the ledger, failures retry with bounded exponential backoff, and the attempt count
 * and next due time live in the ledger so retries continue across restarts.
 */
import type { CredentialLedger, CredentialRecord } from "../store/store.js";
import type { CredentialProvisioner } from "./provisioner.js";

type CredentialPatch = Parameters<CredentialLedger["updateCredential"]>[1];

/** Bounded exponential backoff for revocation retries. */
export interface RetryPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** Ceiling for any one delay. */
  maxMs: number;
  /** Attempts before a credential is marked `failed` for operators. */
  maxAttempts: number;
}

type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

/** The slice of a pino logger the credential module uses. */
export interface CredentialLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export interface RevokerDeps {
  ledger: CredentialLedger;
  provisioner: CredentialProvisioner;
  clock: { now(): number };
  logger: CredentialLogger;
  retry: RetryPolicy;
}

/** Runs revocations: one in flight per credential, retries on unref'd timers. */
export class Revoker {
  readonly #deps: RevokerDeps;
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #idleWaiters: Array<() => void> = [];
  #starting = 0;
  #closed = false;

  constructor(deps: RevokerDeps) {
    this.#deps = deps;
  }

  /**
   * Mark `row` as `revoking` (if it is not already) and make one attempt now. Resolves after
   * that attempt; later retries run in the background. Never rejects.
   */
  async begin(row: CredentialRecord): Promise<void> {
    // Counted from the first synchronous step, so idle() cannot slip in before the attempt.
    this.#starting++;
    try {
      let current = row;
      if (row.state !== "revoking") {
        current = { ...row, state: "revoking", nextAttemptAt: this.#deps.clock.now() };
        await this.#update(row, {
          state: "revoking",
          attempts: row.attempts,
          nextAttemptAt: current.nextAttemptAt,
        });
      }
      await this.attempt(current);
    } finally {
      this.#starting--;
      this.#notifyIdle();
    }
  }

  /** Attempt `row` at its `nextAttemptAt` (now, if due or unset). */
  resume(row: CredentialRecord): void {
    const delay = (row.nextAttemptAt ?? 0) - this.#deps.clock.now();
    if (delay > 0) this.#schedule(row, delay);
    else void this.attempt(row);
  }

  /** One revocation attempt for a `revoking` row, unless one is already in flight. */
  attempt(row: CredentialRecord): Promise<void> {
    const running = this.#inflight.get(row.id);
    if (running !== undefined) return running;
    this.#clearTimer(row.id);
    const run = this.#run(row).finally(() => {
      this.#inflight.delete(row.id);
      this.#notifyIdle();
    });
    this.#inflight.set(row.id, run);
    return run;
  }

  /** Resolves when the attempt in flight for `id`, if any, has finished. */
  settled(id: string): Promise<void> {
    return this.#inflight.get(id) ?? Promise.resolve();
  }

  /**
   * Resolves once no attempt is running or scheduled. Retry timers are unref'd, so waiting on
   * this does not by itself keep the process alive.
   */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Cancel scheduled retries (their rows stay `revoking` in the ledger for the next start). */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#notifyIdle();
  }

  async #run(row: CredentialRecord): Promise<void> {
    const attempts = row.attempts + 1;
    try {
      await this.#deps.provisioner.revoke(row.handle);
    } catch (error) {
      await this.#failed(row, attempts, describe(error));
      return;
    }
    const now = this.#deps.clock.now();
    await this.#update(row, {
      state: "revoked",
      attempts,
      revokedAt: now,
      nextAttemptAt: null,
      lastError: null,
    });
    this.#deps.logger.info({ credential: row.id, job: row.jobId, attempts }, "credential revoked");
  }

  async #failed(row: CredentialRecord, attempts: number, lastError: string): Promise<void> {
    const { logger, retry } = this.#deps;
    const fields = { credential: row.id, job: row.jobId, handle: row.handle, attempts, lastError };
    if (attempts >= retry.maxAttempts) {
      await this.#update(row, { state: "failed", attempts, nextAttemptAt: null, lastError });
      logger.error(fields, "credential revocation failed permanently; operator action needed");
      return;
    }
    const delay = backoff(retry, attempts);
    const nextAttemptAt = this.#deps.clock.now() + delay;
    await this.#update(row, { state: "revoking", attempts, nextAttemptAt, lastError });
    logger.warn({ ...fields, retryInMs: delay }, "credential revocation failed; will retry");
    this.#schedule({ ...row, state: "revoking", attempts, nextAttemptAt, lastError }, delay);
  }

  #schedule(row: CredentialRecord, delayMs: number): void {
    if (this.#closed) return;
    this.#clearTimer(row.id);
    const timer = setTimeout(() => {
      this.#timers.delete(row.id);
      void this.attempt(row);
    }, delayMs);
    timer.unref();
    this.#timers.set(row.id, timer);
  }

  #clearTimer(id: string): void {
    const timer = this.#timers.get(id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(id);
  }

  // A ledger outage must not stop revocation itself: log and carry on with what we know.
  async #update(row: CredentialRecord, patch: CredentialPatch): Promise<void> {
    try {
      await this.#deps.ledger.updateCredential(row.id, patch);
    } catch (error) {
      this.#deps.logger.error(
        { credential: row.id, job: row.jobId, state: patch.state, err: describe(error) },
        "could not record credential revocation state",
      );
    }
  }

  #isIdle(): boolean {
    return this.#starting === 0 && this.#inflight.size === 0 && this.#timers.size === 0;
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Delay before attempt `attempts + 1`: base·2^(attempts−1), capped, with equal jitter. */
export function backoff(retry: RetryPolicy, attempts: number): number {
  const exp = retry.baseMs * 2 ** Math.min(attempts - 1, 30);
  const capped = Math.min(retry.maxMs, exp);
  // Half fixed, half random: restarts across nodes do not retry in lockstep.
  return Math.round(capped / 2 + (Math.random() * capped) / 2);
}

/** An error's message for logs and the ledger; adapters keep secrets out of their messages. */
export function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}
