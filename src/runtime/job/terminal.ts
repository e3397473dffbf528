/**
 * What happens once a job has its terminal (§7.3): the store records the state, children are
 * ended (a parent never leaves live children behind, §9.8.2), and end-of-job duties registered
 * by other modules (credential revocation) run.
 */
import { ArcpError } from "../../protocol/errors.js";
import type { Runtime } from "../runtime.js";
import type { LiveJob } from "./live-job.js";
import { type JobOutcome, terminalState } from "./outcome.js";

export function onJobTerminal(rt: Runtime, job: LiveJob, outcome: JobOutcome): void {
  rt.jobs.delete(job.id);
  job.parent?.children.delete(job);
  for (const child of [...job.children]) {
    child.finish({
      kind: "error",
      error: new ArcpError("CANCELLED", "parent job ended"),
      finalStatus: "cancelled",
    });
  }
  job.listeners.clear();
  const state = terminalState(outcome);
  const now = rt.clock.now();
  job.record.state = state;
  job.record.endedAt = now;
  job.record.errorCode = outcome.kind === "error" ? outcome.error.code : null;
  const budget = job.authority.budget?.serialize() ?? null;
  // Queued behind the terminal event, so both commit in one transaction.
  rt.writer.enqueueTransition({
    id: job.id,
    from: ["pending", "running"],
    to: state,
    patch: { endedAt: now, errorCode: job.record.errorCode, budget },
  });
  for (const hook of rt.jobEndHooks) {
    try {
      hook(job, outcome);
    } catch (error) {
      rt.logger.error({ err: error, job: job.id }, "job end hook failed");
    }
  }
}
