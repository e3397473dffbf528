/**
 * `job.cancel` (§7.4): only the submitting session (or its resumption) may cancel. It gets
 * `job.cancelled`, then the job's `job.error` CANCELLED. Anyone else gets a `session.error`
 * and the job runs on: JOB_NOT_FOUND when the job is not visible to them, PERMISSION_DENIED
 * when it is (DESIGN-21, DESIGN-26). The owner's cancel of a job that already ended is a no-op.
 */
import { encodeEnvelope, type InboundEnvelope } from "../../protocol/envelope.js";
import { ArcpError } from "../../protocol/errors.js";
import { newMessageId } from "../../protocol/ids.js";
import type { Runtime } from "../runtime.js";
import type { Connection } from "../session/connection.js";
import type { SessionChannel } from "../session/session-channel.js";
import { canObserve } from "../visibility.js";
import { stopJob } from "./start-job.js";

type CancelEnvelope = Extract<InboundEnvelope, { type: "job.cancel" }>;

export async function handleCancel(
  rt: Runtime,
  conn: Connection,
  env: CancelEnvelope,
): Promise<void> {
  const channel = conn.channel as SessionChannel;
  const jobId = env.job_id ?? env.payload.job_id;
  if (jobId === undefined) throw new ArcpError("INVALID_REQUEST", "job.cancel needs a job_id");
  const live = rt.jobs.get(jobId);
  if (live !== undefined && live.owner === channel) {
    const reason = env.payload.reason;
    conn.send(
      encodeEnvelope(
        "job.cancelled",
        { id: newMessageId(), session_id: channel.id, trace_id: live.traceId, job_id: live.id },
        reason === undefined ? {} : { reason },
      ),
    );
    stopJob(live, {
      kind: "error",
      error: new ArcpError(
        "CANCELLED",
        reason === undefined ? "cancelled by client" : `cancelled: ${reason}`,
      ),
      finalStatus: "cancelled",
    });
    return;
  }
  const record = live?.record ?? (await rt.store.getJob(jobId));
  if (record === undefined || !canObserve(rt, channel.principal, record)) {
    throw new ArcpError("JOB_NOT_FOUND", `job ${jobId} not found`, { details: { job_id: jobId } });
  }
  if (record.sessionId !== channel.id) {
    throw new ArcpError("PERMISSION_DENIED", "only the submitting session may cancel this job", {
      details: { job_id: jobId },
    });
  }
  // The owner cancelling a job that has already ended: its terminal is (or will be) in this
  // session's stream, so there is nothing to do, and no error that would make a client drop
  // everything else it has in flight.
  rt.logger.debug({ job: jobId, state: record.state }, "cancel of a finished job ignored");
}
