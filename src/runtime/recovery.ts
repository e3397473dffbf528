/**
 * Crash recovery (§12, DESIGN-14): on start, sessions the dead process had attached begin
 * their resume window, and jobs it was running end as retryable INTERNAL_ERROR in their log.
 */
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

/**
 * No transport survives a restart: every session still recorded as attached is detached now,
 * so its resume window (§6.3) and the expiry sweep apply to it like to any other.
 */
export async function detachOrphanedSessions(rt: Runtime): Promise<number> {
  const count = await rt.store.detachAttachedSessions(rt.clock.now());
  if (count > 0)
    rt.logger.info({ sessions: count }, "sessions attached before the restart detached");
  return count;
}

/**
 * End every job a crash interrupted (§12). The terminal `job.error` and the job's state change
 * go through the writer together, so they become durable in one transaction: a second crash
 * leaves either both or neither (and then this runs again next start).
 */
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
    rt.writer.enqueueTransition({
      id: job.id,
      from: ["pending", "running"],
      to: "error",
      patch: { endedAt: now, errorCode: error.code },
    });
    rt.logger.warn(
      { job: job.id, session: job.sessionId },
      "job interrupted by a restart ended as INTERNAL_ERROR",
    );
  }
  await rt.writer.idle();
  return interrupted.length;
}
