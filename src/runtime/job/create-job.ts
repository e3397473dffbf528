/**
 * Creating a job (§7.1, §7.2): resolve the agent, validate and derive the lease, apply
 * idempotency, persist, and build the `job.accepted` payload. Shared by ARCP submits, ARP runs
 * and delegation, so all three apply exactly the same rules.
 */
import type { ResolvedAgent } from "../../agents/registry.js";
import {
  BudgetCounters,
  type CompiledLease,
  deriveChildLease,
  parseExpiresAt,
  parseLease,
} from "../../lease/index.js";
import { ArcpError } from "../../protocol/errors.js";
import { newJobId } from "../../protocol/ids.js";
import type { JobRecord } from "../../store/store.js";
import { isoTime } from "../clock.js";
import type { Runtime } from "../runtime.js";
import type { SessionChannel } from "../session/session-channel.js";
import { submitDigest } from "./digest.js";
import { LiveJob } from "./live-job.js";
import { onJobTerminal } from "./terminal.js";
import { jobTrace } from "./trace.js";

export interface JobRequest {
  channel: SessionChannel;
  principal: string;
  agent: string;
  input: unknown;
  leaseRequest: Record<string, string[]> | undefined;
  leaseConstraints: { expires_at?: string | undefined } | undefined;
  idempotencyKey: string | undefined;
  maxRuntimeSec: number | undefined;
  traceId: string | undefined;
  parent?: LiveJob;
  delegateId?: string;
  runId?: string;
  runContext?: Record<string, unknown>;
  /**
   * The whole request as the client sent it, when the fields above were derived from it (the
   * ARP body); the idempotency digest is then of it alone.
   */
  digestExtra?: unknown;
}

export type JobCreation =
  | {
      kind: "accepted";
      job: LiveJob;
      agent: ResolvedAgent;
      accepted: Record<string, unknown>;
      /** Settles once the job row is committed. */
      durable: Promise<void>;
    }
  | { kind: "replayed"; record: JobRecord; accepted: Record<string, unknown> };

interface Authority {
  lease: CompiledLease;
  expiresAtMs: number | undefined;
}

function resolveAuthority(req: JobRequest, now: number): Authority {
  const lease = parseLease(req.leaseRequest ?? {});
  const requested = req.leaseConstraints?.expires_at;
  const childExpiresAtMs = requested === undefined ? undefined : parseExpiresAt(requested, now);
  const parent = req.parent;
  if (parent === undefined) return { lease, expiresAtMs: childExpiresAtMs };
  const remaining = parent.authority.budget?.available() ?? new Map<string, bigint>();
  const derived = deriveChildLease(lease, parent.authority.lease, remaining, {
    childExpiresAtMs,
    parentExpiresAtMs: parent.authority.expiresAtMs,
  });
  return { lease: derived.lease, expiresAtMs: derived.expiresAtMs };
}

/**
 * The digest of the request as submitted (§7.2). Derived fields stay out of it: an ARP body's
 * `latest` becomes whatever version is the default, and that may change before a retry.
 */
function digestOf(req: JobRequest): string {
  if (req.digestExtra !== undefined) return submitDigest({ request: req.digestExtra });
  return submitDigest({
    agent: req.agent,
    input: req.input,
    lease_request: req.leaseRequest,
    lease_constraints: req.leaseConstraints,
    max_runtime_sec: req.maxRuntimeSec,
  });
}

function replayOrConflict(existing: JobRecord, digest: string): JobCreation {
  if (existing.submitDigest !== digest) {
    throw new ArcpError(
      "DUPLICATE_KEY",
      "idempotency_key was already used with different parameters",
      {
        details: { existing_job_id: existing.id },
      },
    );
  }
  return { kind: "replayed", record: existing, accepted: JSON.parse(existing.acceptedPayload) };
}

export async function createJob(rt: Runtime, req: JobRequest): Promise<JobCreation> {
  // The key is looked up before anything that may have changed since the first submit (the
  // agent's default version, the clock against expires_at): an identical retry gets the same
  // answer, however late it comes (§7.2).
  const digest = req.idempotencyKey === undefined ? null : digestOf(req);
  if (req.idempotencyKey !== undefined && digest !== null) {
    const existing = await rt.jobKeys.byIdempotencyKey(rt.store, req.principal, req.idempotencyKey);
    if (existing !== undefined) return replayOrConflict(existing, digest);
  }
  // A child of a parent that has ended would run unsupervised on the parent's budget (§10).
  if (req.parent?.terminal === true)
    throw new ArcpError("CANCELLED", "the parent job has ended", {
      details: { parent_job_id: req.parent.id },
    });
  const agent = rt.agents.resolve(req.agent);
  const now = rt.clock.now();
  let authority: Authority;
  try {
    authority = resolveAuthority(req, now);
  } catch (error) {
    throw ArcpError.from(error);
  }
  const initialBudget = authority.lease.budget();
  const budget =
    initialBudget.size > 0 || req.parent?.authority.budget
      ? new BudgetCounters(initialBudget, req.parent?.authority.budget ?? undefined)
      : null;
  const trace = jobTrace(req.parent?.traceId ?? req.traceId);
  const id = newJobId();
  const accepted: Record<string, unknown> = {
    job_id: id,
    agent: agent.ref,
    lease: authority.lease.raw,
  };
  if (authority.expiresAtMs !== undefined)
    accepted["lease_constraints"] = { expires_at: isoTime(authority.expiresAtMs) };
  if (budget !== null && initialBudget.size > 0) accepted["budget"] = budget.snapshot();
  accepted["accepted_at"] = isoTime(now);
  if (req.parent !== undefined) accepted["parent_job_id"] = req.parent.id;
  if (req.delegateId !== undefined) accepted["delegate_id"] = req.delegateId;
  accepted["trace_id"] = trace.traceId;

  const record: JobRecord = {
    id,
    sessionId: req.channel.id,
    principal: req.principal,
    agent: agent.ref,
    state: "pending",
    input: req.input ?? null,
    lease: authority.lease.raw as Record<string, string[]>,
    leaseConstraints:
      authority.expiresAtMs === undefined ? null : { expires_at: isoTime(authority.expiresAtMs) },
    budget: budget?.serialize() ?? null,
    parentJobId: req.parent?.id ?? null,
    delegateId: req.delegateId ?? null,
    traceId: trace.traceId,
    idempotencyKey: req.idempotencyKey ?? null,
    submitDigest: digest,
    maxRuntimeSec: req.maxRuntimeSec ?? null,
    acceptedPayload: JSON.stringify(accepted),
    runId: req.runId ?? null,
    runContext: req.runContext ?? null,
    createdAt: now,
    startedAt: null,
    endedAt: null,
    lastEventSeq: 0,
    errorCode: null,
  };
  // The insert rides the next group commit, ahead of the job's events; whatever must wait for
  // it to be durable (job.accepted, an ARP response) waits on `durable`.
  if (req.idempotencyKey !== undefined && digest !== null) {
    // Another submit with this key may have been created while the lookup above awaited the
    // store (two sessions of one principal): the first one reserved it, this one replays it.
    const raced = rt.jobKeys.pendingIdempotent(req.principal, req.idempotencyKey);
    if (raced !== undefined) return replayOrConflict(raced, digest);
  }
  rt.jobKeys.reserve(record);
  const durable = rt.writer.enqueueJob(record).finally(() => rt.jobKeys.release(record));
  // Only an ARP start awaits it; a refusal is otherwise handled by the writer's onRefused.
  durable.catch(() => {});
  const job = new LiveJob(
    record,
    req.channel,
    {
      lease: authority.lease,
      budget,
      expiresAtMs: authority.expiresAtMs,
      traceparent: trace.traceparent,
    },
    {
      now: () => rt.clock.now(),
      room: () => rt.writer.room(),
      onTerminal: (j, outcome) => onJobTerminal(rt, j, outcome),
    },
  );
  if (req.parent !== undefined) {
    job.parent = req.parent;
    req.parent.children.add(job);
  }
  rt.jobs.set(id, job);
  return { kind: "accepted", job, agent, accepted, durable };
}
