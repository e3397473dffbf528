/**
 * A running job (§7): its authority, its abort signal and the fan-out of its events to the
 * owning session and to subscribers, each in its own event_seq space (§7.6, §8.3).
 * Exactly one terminal envelope is ever produced.
 */

import type { BudgetCounters, CompiledLease } from "../../lease/index.js";
import { ArcpError } from "../../protocol/errors.js";
import type { Credential } from "../../protocol/messages/index.js";
import type { JobRecord } from "../../store/store.js";
import { isoTime } from "../clock.js";
import type { SessionChannel } from "../session/session-channel.js";
import { type JobOutcome, terminalFrame, toJson } from "./outcome.js";

/** The abort reason of a job that ended well: one instance, since building an Error is not free. */
const JOB_ENDED = new ArcpError("CANCELLED", "job ended");
const RESOLVED = Promise.resolve();

function notSerialisable(kind: string): ArcpError {
  return new ArcpError("INVALID_REQUEST", `the ${kind} event body is not JSON-serialisable`, {
    details: { kind },
  });
}

/** A live-only variant of an event for the sessions allowed to see a secret in it. */
export interface SecretDelivery {
  liveJson: string;
  mayReveal(channel: SessionChannel): boolean;
}

/** Something that wants a copy of the job's events (a subscription, the ARP stream). */
export interface JobListener {
  readonly key: string;
  offer(
    type: string,
    kind: string | null,
    payloadJson: string,
    ownerSeq: number | undefined,
    secret?: SecretDelivery,
  ): void;
}

export interface LiveJobHooks {
  now(): number;
  /** Resolves while the event writer has room (producer back-pressure). */
  room(): Promise<void>;
  onTerminal(job: LiveJob, outcome: JobOutcome): void;
}

/** What bounds a job's operations (§9): its lease, live budget, expiry and trace context. */
export interface JobAuthority {
  lease: CompiledLease;
  budget: BudgetCounters | null;
  expiresAtMs: number | undefined;
  traceparent: string;
}

export class LiveJob {
  readonly id: string;
  readonly record: JobRecord;
  readonly owner: SessionChannel;
  #abort: AbortController | undefined;
  readonly listeners = new Map<string, JobListener>();
  readonly children = new Set<LiveJob>();
  parent: LiveJob | null = null;
  /** Credential values live only in memory, and only while the job does (§9.8.2). */
  credentials: Credential[] = [];
  /** Whether credentials were (being) issued, so they must be revoked at the end. */
  credentialsIssued = false;
  /** Set when the runtime decided the ending (cancel, timeout, expiry) before the agent did. */
  stopOutcome: JobOutcome | null = null;
  /**
   * For a delegated child not yet announced: sends its job.accepted. A child that ends before
   * its announcement (its parent ended meanwhile, its credentials failed) calls it first, so no
   * client ever sees the terminal of a job it was never told about.
   */
  announceBeforeEnd: (() => void) | null = null;
  #terminal = false;
  #resolveDone!: (outcome: JobOutcome) => void;
  /** Settles with the job's outcome once its terminal is produced (delegation awaits it). */
  readonly done: Promise<JobOutcome> = new Promise((resolve) => {
    this.#resolveDone = resolve;
  });
  readonly #hooks: LiveJobHooks;
  readonly #cleanups: (() => void)[] = [];

  readonly authority: JobAuthority;

  constructor(
    record: JobRecord,
    owner: SessionChannel,
    authority: JobAuthority,
    hooks: LiveJobHooks,
  ) {
    this.id = record.id;
    this.record = record;
    this.authority = authority;
    this.owner = owner;
    this.#hooks = hooks;
  }

  /**
   * Fired on cancel, timeout, expiry, shutdown or any other end (§7.4). Created on first use:
   * most short jobs never look at it.
   */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#terminal) this.#abort.abort(JOB_ENDED);
    }
    return this.#abort.signal;
  }

  get terminal(): boolean {
    return this.#terminal;
  }

  get traceId(): string {
    return this.record.traceId;
  }

  /** Register work to undo when the job ends (timers, child links). */
  onEnd(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  /**
   * Emit a `job.event` of `kind` whose body is already validated. A body with no JSON form
   * (a BigInt, a cycle) is refused: the returned promise rejects and nothing is emitted.
   */
  emit(kind: string, body: unknown): Promise<void> {
    if (this.#terminal) return RESOLVED;
    const bodyJson = toJson(body);
    if (bodyJson === undefined) return Promise.reject(notSerialisable(kind));
    const payloadJson = `{"kind":"${kind}","ts":"${isoTime(this.#hooks.now())}","body":${bodyJson}}`;
    this.#fanout("job.event", kind, payloadJson);
    return this.#hooks.room();
  }

  /**
   * End the job; later calls are ignored, so there is exactly one terminal (§7.3). An outcome
   * that cannot be serialised ends the job with INTERNAL_ERROR instead; never throws for it.
   */
  finish(requested: JobOutcome): boolean {
    if (this.#terminal) return false;
    const announce = this.announceBeforeEnd;
    this.announceBeforeEnd = null;
    const { outcome, type, payloadJson } = terminalFrame(requested);
    this.#terminal = true;
    try {
      announce?.();
      this.#fanout(type, null, payloadJson);
    } finally {
      if (this.#abort !== undefined && !this.#abort.signal.aborted) {
        this.#abort.abort(outcome.kind === "error" ? outcome.error : JOB_ENDED);
      }
      for (const cleanup of this.#cleanups.splice(0)) cleanup();
      this.#hooks.onTerminal(this, outcome);
      this.#resolveDone(outcome);
    }
    return true;
  }

  /**
   * Emit an event whose full body may only reach the submitter's live sessions (a rotated
   * credential, §9.8.2, DESIGN-23): everyone else, and the durable log, get `redacted`.
   */
  emitSecret(
    kind: string,
    full: unknown,
    redacted: unknown,
    mayReveal: (channel: SessionChannel) => boolean,
  ): Promise<void> {
    if (this.#terminal) return RESOLVED;
    const fullBody = toJson(full);
    const redactedBody = toJson(redacted);
    if (fullBody === undefined || redactedBody === undefined)
      return Promise.reject(notSerialisable(kind));
    const ts = isoTime(this.#hooks.now());
    const fullJson = `{"kind":"${kind}","ts":"${ts}","body":${fullBody}}`;
    const redactedJson = `{"kind":"${kind}","ts":"${ts}","body":${redactedBody}}`;
    this.#fanout("job.event", kind, redactedJson, { liveJson: fullJson, mayReveal });
    return this.#hooks.room();
  }

  #fanout(type: string, kind: string | null, payloadJson: string, secret?: SecretDelivery): void {
    const owner = this.owner;
    let ownerSeq: number | undefined;
    if (owner.accepts(kind)) {
      const live = secret?.mayReveal(owner) ? secret.liveJson : payloadJson;
      ownerSeq = owner.pushJobFrame(
        this.id,
        this.record.traceId,
        type,
        kind,
        this.#hooks.now(),
        true,
        payloadJson,
        live,
      );
      this.record.lastEventSeq = ownerSeq;
    }
    for (const listener of this.listeners.values())
      listener.offer(type, kind, payloadJson, ownerSeq, secret);
  }
}
