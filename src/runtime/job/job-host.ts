/** The JobHost a running job's agent context talks to: events, result streaming, operations. */
import type { JobInfo } from "../../agents/agent.js";
import type { JobHost, OperationRequest } from "../../agents/context.js";
import { ArcpError } from "../../protocol/errors.js";
import type { Runtime } from "../runtime.js";
import { emitMetric } from "./budget-metrics.js";
import { validateAgentEvent } from "./event-validation.js";
import type { LiveJob } from "./live-job.js";

const RESOLVED = Promise.resolve();

/** Runs mediated operations for a job (§9.3); provided by the operations module. */
export type OperationRunner = (job: LiveJob, request: OperationRequest) => Promise<unknown>;

export function jobInfo(job: LiveJob, version: string): JobInfo {
  const expiresAt = job.record.leaseConstraints?.expires_at;
  const record = job.record;
  return {
    id: job.id,
    agent: record.agent.slice(0, record.agent.lastIndexOf("@")),
    version,
    lease: job.authority.lease.raw,
    get budget() {
      return job.authority.budget?.snapshot();
    },
    expiresAt,
    traceId: record.traceId,
    traceparent: job.authority.traceparent,
    parentJobId: record.parentJobId ?? undefined,
    get credentials() {
      return job.credentials;
    },
    get signal() {
      return job.signal;
    },
  };
}

export function createJobHost(rt: Runtime, job: LiveJob, version: string): JobHost {
  const streamingAllowed = job.owner.features.has("result_chunk");
  return {
    info: jobInfo(job, version),
    streamingAllowed,
    maxChunkBytes: rt.config.maxChunkBytes,
    maxResultBytes: rt.config.maxResultBytes,
    emit(kind: string, body: unknown, checked?: boolean): Promise<void> {
      if (job.terminal) return RESOLVED;
      const valid = checked === true ? body : validateAgentEvent(kind, body);
      if (kind === "metric") return emitMetric(job, valid as Record<string, unknown>);
      return job.emit(kind, valid);
    },
    fail(error: ArcpError): void {
      job.finish({ kind: "error", error, finalStatus: "error" });
    },
    operate(request: OperationRequest): Promise<unknown> {
      if (job.terminal) return Promise.reject(new ArcpError("CANCELLED", "job has ended"));
      return rt.operations(job, request);
    },
  };
}
