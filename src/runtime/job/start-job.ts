/**
 * Starting an accepted job and bounding it in time: `max_runtime_sec` ends it with TIMEOUT
 * (§7.1), and a job still running `expiryGraceMs` after its lease expired ends with
 * LEASE_EXPIRED without waiting for an operation (§9.5, DESIGN-25).
 */
import type { ResolvedAgent } from "../../agents/registry.js";
import { ArcpError } from "../../protocol/errors.js";
import type { Runtime } from "../runtime.js";
import type { LiveJob } from "./live-job.js";
import type { JobOutcome } from "./outcome.js";
import { scheduleRotation } from "./rotation.js";
import { runAgent } from "./run-agent.js";

/** End a job now with `outcome`, decided by the runtime rather than the agent. */
export function stopJob(job: LiveJob, outcome: JobOutcome): void {
  if (job.terminal) return;
  job.stopOutcome = outcome;
  job.finish(outcome);
}

export function startJob(rt: Runtime, job: LiveJob, agent: ResolvedAgent): void {
  const now = rt.clock.now();
  const maxRuntime = job.record.maxRuntimeSec;
  if (maxRuntime !== null) {
    const timer = rt.clock.setTimeout(() => {
      stopJob(job, {
        kind: "error",
        error: new ArcpError("TIMEOUT", `job exceeded max_runtime_sec (${maxRuntime})`),
        finalStatus: "timed_out",
      });
    }, maxRuntime * 1000);
    job.onEnd(() => rt.clock.clearTimeout(timer));
  }
  const expiresAt = job.authority.expiresAtMs;
  if (expiresAt !== undefined) {
    const timer = rt.clock.setTimeout(
      () => {
        rt.logger.info(
          { job: job.id, expires_at: job.record.leaseConstraints?.expires_at },
          "lease expired",
        );
        stopJob(job, {
          kind: "error",
          error: new ArcpError("LEASE_EXPIRED", "lease expired while the job was running"),
          finalStatus: "error",
        });
      },
      Math.max(0, expiresAt + rt.config.expiryGraceMs - now),
    );
    job.onEnd(() => rt.clock.clearTimeout(timer));
  }
  scheduleRotation(rt, job);
  job.record.state = "running";
  job.record.startedAt = now;
  rt.writer.enqueueTransition({
    id: job.id,
    from: ["pending"],
    to: "running",
    patch: { startedAt: now },
  });
  void runAgent(rt, job, agent);
}
