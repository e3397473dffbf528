/**
 * Starting an accepted job and bounding it in time: `max_runtime_sec` ends it with TIMEOUT
 * (§7.1), and a job still running `expiryGraceMs` after its lease expired ends with
 * LEASE_EXPIRED without waiting for an operation (§9.5, DESIGN-25).
 */
import type { ResolvedAgent } from "../../agents/registry.js";
import { ArcpError } from "../../protocol/errors.js";
import { setLongTimeout } from "../long-timeout.js";
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
  // A job can end before it starts (its parent ended, the runtime is stopping).
  if (job.terminal) return;
  const now = rt.clock.now();
  const maxRuntime = job.record.maxRuntimeSec;
  if (maxRuntime !== null) {
    // Long timers: a delay past 2^31-1 ms would otherwise fire at once.
    const timer = setLongTimeout(
      rt.clock,
      () => {
        stopJob(job, {
          kind: "error",
          error: new ArcpError("TIMEOUT", `job exceeded max_runtime_sec (${maxRuntime})`),
          finalStatus: "timed_out",
        });
      },
      maxRuntime * 1000,
    );
    job.onEnd(() => timer.clear());
  }
  const expiresAt = job.authority.expiresAtMs;
  if (expiresAt !== undefined) {
    const timer = setLongTimeout(
      rt.clock,
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
      expiresAt + rt.config.expiryGraceMs - now,
    );
    job.onEnd(() => timer.clear());
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
  runAgent(rt, job, agent).catch((error: unknown) => {
    // runAgent settles every outcome itself; reaching here is a runtime fault, and the job
    // must still end rather than take the process down with an unhandled rejection.
    rt.logger.error({ err: error, job: job.id }, "running the agent failed");
    try {
      stopJob(job, {
        kind: "error",
        error: new ArcpError("INTERNAL_ERROR", "the runtime failed while ending the job"),
        finalStatus: "error",
      });
    } catch (again) {
      rt.logger.error({ err: again, job: job.id }, "ending the job failed");
    }
  });
}
