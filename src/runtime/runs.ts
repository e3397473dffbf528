/**
 * ARP runs on the embedded runtime (DESIGN-17): an ARP run *is* an ARCP job, owned by the HTTP
 * caller's principal, living in a session of its own so its events have their own log. The
 * gateway maps HTTP onto these calls; this module never sees HTTP.
 */

import { ArcpError } from "../protocol/errors.js";
import { newSessionId } from "../protocol/ids.js";
import type { EventRecord, JobRecord, SessionRecord } from "../store/store.js";
import { ALL_FEATURES } from "./config.js";
import { createJob } from "./job/create-job.js";
import { submitDigest } from "./job/digest.js";
import type { LiveJob } from "./job/live-job.js";
import { startJob, stopJob } from "./job/start-job.js";
import type { Runtime } from "./runtime.js";
import { hashResumeToken, newResumeToken } from "./session/resume-token.js";
import type { SessionChannel } from "./session/session-channel.js";
import { canObserve } from "./visibility.js";

export interface RunStart {
  principal: string;
  /** Client-chosen run id; makes the start idempotent. */
  runId?: string | undefined;
  /** `name`, or `name@version`. */
  agent: string;
  input: unknown;
  leaseRequest?: Record<string, string[]> | undefined;
  leaseConstraints?: { expires_at?: string | undefined } | undefined;
  maxRuntimeSec?: number | undefined;
  runContext?: Record<string, unknown> | undefined;
  /** The whole start request, so a repeated run_id with another body is a conflict. */
  body: unknown;
  traceId?: string | undefined;
}

const TERMINAL_TYPES = new Set(["job.result", "job.error"]);

/**
 * The submit digest `createJob` stores for a run started with `req`: with an ARP body as the
 * digest extra, the body alone (so `latest` resolving to a newer version is no conflict).
 * Compares a repeated `run_id` when there is no channel to replay through.
 */
function runDigest(req: RunStart): string {
  return submitDigest({ request: req.body });
}

/**
 * The resume token hash of every run session: the hash of a token drawn once and never kept,
 * so nobody holds one that matches (run sessions are never resumed, and resume refuses them
 * by origin as well). One per process rather than one per run: a random draw and a digest per
 * run bought nothing more.
 */
const SHUT_RESUME_HASH = hashResumeToken(newResumeToken());

function runIdConflict(existing: JobRecord): ArcpError {
  return new ArcpError("DUPLICATE_KEY", "run_id was already used with a different request", {
    details: { existing_job_id: existing.id },
  });
}

export class RunService {
  readonly #rt: Runtime;

  constructor(rt: Runtime) {
    this.#rt = rt;
  }

  /** Start a run, or return the existing one for a repeated run_id with the same body. */
  async start(req: RunStart): Promise<{ record: JobRecord; created: boolean }> {
    const rt = this.#rt;
    if (rt.stopping) throw new ArcpError("INTERNAL_ERROR", "runtime is shutting down");
    if (req.runId !== undefined) {
      const existing = await rt.jobKeys.byRunId(rt.store, req.principal, req.runId);
      if (existing !== undefined) {
        const session = await rt.store.getSession(existing.sessionId);
        const channel =
          rt.channels.get(existing.sessionId) ??
          (session === undefined ? undefined : rt.channelFor(session));
        if (channel === undefined) {
          // The run's session was swept: no channel to replay through, but a different body
          // is still a conflict, never the old run (DESIGN-27).
          if (existing.submitDigest !== runDigest(req)) throw runIdConflict(existing);
          return { record: rt.jobs.get(existing.id)?.record ?? existing, created: false };
        }
        const again = await this.#create(req, channel);
        return { record: again.record, created: false };
      }
    }
    const session = this.#runSession(req.principal);
    const channel = rt.channelFor(session);
    let result: { record: JobRecord; created: boolean; durable?: Promise<void> };
    try {
      result = await this.#create(req, channel);
    } catch (error) {
      // A refused start (unknown agent, bad lease) leaves no run session behind.
      rt.channels.delete(session.id);
      throw error;
    }
    // The session row commits with the job's group commit (or the next); answer once both are durable.
    try {
      await Promise.all([rt.writer.enqueueSession(session), result.durable]);
    } catch (error) {
      // The store refused the run's rows: no run exists, and its session goes too.
      rt.channels.delete(session.id);
      rt.store.deleteSession(session.id).catch(() => {});
      throw error;
    }
    return { record: result.record, created: result.created };
  }

  async #create(
    req: RunStart,
    channel: SessionChannel,
  ): Promise<{ record: JobRecord; created: boolean; durable?: Promise<void> }> {
    const rt = this.#rt;
    const creation = await createJob(rt, {
      channel,
      principal: req.principal,
      agent: req.agent,
      input: req.input,
      leaseRequest: req.leaseRequest,
      leaseConstraints: req.leaseConstraints,
      idempotencyKey: req.runId === undefined ? undefined : `arp-run:${req.runId}`,
      maxRuntimeSec: req.maxRuntimeSec,
      traceId: req.traceId,
      ...(req.runId === undefined ? {} : { runId: req.runId }),
      ...(req.runContext === undefined ? {} : { runContext: req.runContext }),
      digestExtra: req.body,
    });
    if (creation.kind === "replayed") {
      const record = rt.jobs.get(creation.record.id)?.record ?? creation.record;
      return { record, created: false };
    }
    startJob(rt, creation.job, creation.agent);
    return { record: creation.job.record, created: true, durable: creation.durable };
  }

  #runSession(principal: string): SessionRecord {
    return {
      id: newSessionId(),
      principal,
      // Run sessions are never resumed; the hash of a token nobody holds keeps them shut.
      resumeTokenHash: SHUT_RESUME_HASH,
      features: [...ALL_FEATURES],
      resumeWindowSec: this.#rt.config.resumeWindowSec,
      createdAt: this.#rt.clock.now(),
      detachedAt: this.#rt.clock.now(),
      lastSeq: 0,
      ackedSeq: 0,
      origin: "arp",
    };
  }

  /** The run visible to `principal` under `runId` (a client run id, or a job id). */
  async find(principal: string, runId: string): Promise<JobRecord | undefined> {
    const rt = this.#rt;
    const stored =
      (await rt.store.getJobByRunId(principal, runId)) ?? (await rt.store.getJob(runId));
    if (stored === undefined || !canObserve(rt, principal, stored)) return undefined;
    return rt.jobs.get(stored.id)?.record ?? stored;
  }

  /** Cancel like the owner's job.cancel would (§7.4); a finished run is returned unchanged. */
  async cancel(principal: string, runId: string): Promise<JobRecord | undefined> {
    const record = await this.find(principal, runId);
    if (record === undefined) return undefined;
    if (record.principal !== principal) {
      throw new ArcpError(
        "PERMISSION_DENIED",
        "only the principal that started the run may cancel it",
      );
    }
    const live = this.#rt.jobs.get(record.id);
    if (live !== undefined) {
      stopJob(live, {
        kind: "error",
        error: new ArcpError("CANCELLED", "cancelled through the ARP gateway"),
        finalStatus: "cancelled",
      });
      await this.#rt.writer.idle();
      return live.record;
    }
    return record;
  }

  /**
   * The job's own events, from the durable log, then live until its terminal. Pull-based:
   * nothing is read ahead of the consumer, so a slow reader costs no memory.
   */
  async *events(record: JobRecord, signal: AbortSignal): AsyncGenerator<EventRecord> {
    const rt = this.#rt;
    const waker = new StreamWaker(signal);
    let after = 0;
    try {
      for (;;) {
        const live = rt.jobs.get(record.id);
        // Armed before the read, so an event landing between the read and the wait still wakes us.
        const wake = live === undefined ? undefined : waker.arm(live);
        await rt.writer.idle();
        const page = await rt.store.readJobEvents(record.id, after, 256);
        for (const ev of page) {
          after = ev.seq;
          yield ev;
          if (TERMINAL_TYPES.has(ev.type)) return;
        }
        if (signal.aborted) return;
        if (page.length > 0) continue;
        if (wake === undefined) return;
        await wake;
      }
    } finally {
      waker.close();
    }
  }

  /** The run's current record (live, else stored), for a caller already allowed to see it. */
  async current(record: JobRecord): Promise<JobRecord> {
    const rt = this.#rt;
    return rt.jobs.get(record.id)?.record ?? (await rt.store.getJob(record.id)) ?? record;
  }
}

let streams = 0;

/**
 * Wakes one event stream when its live job emits, ends, or the reader leaves. One listener
 * and one reaction to the job's `done` per stream, however many times it waits: a long job
 * would otherwise pile up a reaction per wake until it ends.
 */
class StreamWaker {
  readonly #key = `arp-stream:${++streams}`;
  readonly #signal: AbortSignal;
  #job: LiveJob | undefined;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
    signal.addEventListener("abort", this.#fire, { once: true });
  }

  /** Settles at the job's next event, its end, or the abort, whichever comes first. */
  arm(live: LiveJob): Promise<void> {
    if (this.#job !== live) {
      this.#job?.listeners.delete(this.#key);
      this.#job = live;
      this.#ended = false;
      live.listeners.set(this.#key, { key: this.#key, offer: this.#fire });
      void live.done.then(() => {
        if (this.#job !== live) return;
        this.#ended = true;
        this.#fire();
      });
    }
    if (this.#ended || this.#signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  close(): void {
    this.#job?.listeners.delete(this.#key);
    this.#job = undefined;
    this.#signal.removeEventListener("abort", this.#fire);
    this.#fire();
  }

  readonly #fire = (): void => {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  };
}
