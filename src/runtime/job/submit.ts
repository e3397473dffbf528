/**
 * `job.submit` over ARCP (§7.1): answered in arrival order with `job.accepted`, or refused.
 * Refusals before acceptance travel as `job.error` under a fresh job id that the TS SDK client
 * binds to its pending submit (DESIGN-6), except an unknown pinned version, which §13.8 answers
 * with `session.error`.
 */
import { encodeEnvelope, type InboundEnvelope } from "../../protocol/envelope.js";
import { ArcpError } from "../../protocol/errors.js";
import { newJobId, newMessageId } from "../../protocol/ids.js";
import type { Runtime } from "../runtime.js";
import type { Connection } from "../session/connection.js";
import type { SessionChannel } from "../session/session-channel.js";
import { attachReplay } from "./attach-replay.js";
import { createJob } from "./create-job.js";
import { issueJobCredentials } from "./credentials.js";
import { credentialsFor } from "./credentials-view.js";
import { startJob } from "./start-job.js";

type SubmitEnvelope = Extract<InboundEnvelope, { type: "job.submit" }>;

export async function handleSubmit(
  rt: Runtime,
  conn: Connection,
  env: SubmitEnvelope,
): Promise<void> {
  const channel = conn.channel as SessionChannel;
  const p = env.payload;
  try {
    if (rt.stopping) throw new ArcpError("INTERNAL_ERROR", "runtime is shutting down");
    if (rt.jobsOwnedBy(channel).length >= rt.config.maxLiveJobsPerSession) {
      throw new ArcpError(
        "INVALID_REQUEST",
        `session has ${rt.config.maxLiveJobsPerSession} live jobs, the limit`,
        {
          retryable: true,
        },
      );
    }
    const creation = await createJob(rt, {
      channel,
      principal: channel.principal,
      agent: p.agent,
      input: p.input,
      leaseRequest: p.lease_request,
      leaseConstraints: p.lease_constraints,
      idempotencyKey: p.idempotency_key,
      maxRuntimeSec: p.max_runtime_sec,
      traceId: env.trace_id,
    });
    const accepted = creation.accepted;
    const jobId = accepted["job_id"] as string;
    const traceId = accepted["trace_id"] as string;
    const fields = { id: newMessageId(), session_id: channel.id, trace_id: traceId, job_id: jobId };
    if (creation.kind === "replayed") {
      const live = rt.jobs.get(jobId);
      const credentials = live === undefined ? undefined : credentialsFor(live, channel);
      // The original may still be waiting for its commit; so does the replay.
      channel.pushControlAfterCommit(
        encodeEnvelope(
          "job.accepted",
          fields,
          credentials === undefined ? accepted : { ...accepted, credentials },
        ),
      );
      await attachReplay(rt, channel, creation.record);
      return;
    }
    const job = creation.job;
    if (channel.features.has("provisioned_credentials") && rt.credentials !== undefined) {
      try {
        await issueJobCredentials(rt, job);
      } catch (error) {
        // The client never saw this job accepted, so its job.error reads as the refusal.
        job.finish({ kind: "error", error: ArcpError.from(error), finalStatus: "error" });
        return;
      }
    }
    const outgoing =
      job.credentials.length > 0 ? { ...accepted, credentials: job.credentials } : accepted;
    channel.pushControlAfterCommit(encodeEnvelope("job.accepted", fields, outgoing));
    startJob(rt, job, creation.agent);
  } catch (error) {
    refuse(rt, conn, channel, env, ArcpError.from(error));
  }
}

function refuse(
  rt: Runtime,
  conn: Connection,
  channel: SessionChannel,
  env: SubmitEnvelope,
  error: ArcpError,
): void {
  if (error.code === "AGENT_VERSION_NOT_AVAILABLE") {
    conn.sendError(error, env.id);
    return;
  }
  const jobId = newJobId();
  const payloadJson = JSON.stringify({ final_status: "error", ...error.toPayload() });
  channel.pushJobFrame(jobId, env.trace_id, "job.error", null, rt.clock.now(), false, payloadJson);
}
