import { ArcpError } from "../protocol/errors.js";
import type { TerminalJobState } from "../protocol/job-state.js";
import type { JobRecord } from "../store/store.js";
import type { Runtime } from "./runtime.js";
import { payloadOf } from "./subscriptions.js";

async function committedTerminal(
  rt: Runtime,
  job: JobRecord,
): Promise<TerminalJobState | undefined> {
  if (job.lastEventSeq === 0) return undefined;
  const [last] = await rt.store.readJobEvents(job.id, job.lastEventSeq - 1, 1);
  if (last === undefined || (last.type !== "job.result" && last.type !== "job.error"))
    return undefined;
  const payload = JSON.parse(payloadOf(last.frame)) as { final_status: TerminalJobState };
  return payload.final_status;
}

export async function recoverInterruptedJobs(rt: Runtime): Promise<number> {
  const interrupted = await rt.store.listLiveJobs();
  const now = rt.clock.now();
  for (const job of interrupted) {
    const already = await committedTerminal(rt, job);
    if (already !== undefined) {
      await rt.store.transitionJob(job.id, ["pending", "running"], already, { endedAt: now });
      continue;
    }
    const error = new ArcpError(
      "INTERNAL_ERROR",
      "the runtime restarted while this job was running",
    );
    const session = await rt.store.getSession(job.sessionId);
    if (session !== undefined) {
      const channel = rt.channelFor(session);
      const payloadJson = JSON.stringify({ final_status: "error", ...error.toPayload() });
      channel.pushJobFrame(job.id, job.traceId, "job.error", null, now, true, payloadJson);
    }
    await rt.store.transitionJob(job.id, ["pending", "running"], "error", {
      endedAt: now,
      errorCode: error.code,
    });
    rt.logger.warn(
      { job: job.id, session: job.sessionId },
      "job interrupted by a restart ended as INTERNAL_ERROR",
    );
  }
  await rt.writer.idle();
  return interrupted.length;
}
