/** Ending every live job when the runtime shuts down: retryable INTERNAL_ERROR (§12). */
import { ArcpError } from "../../protocol/errors.js";
import type { Runtime } from "../runtime.js";
import { stopJob } from "./start-job.js";

export function shutdownJobs(rt: Runtime): void {
  for (const job of [...rt.jobs.values()]) {
    if (job.parent !== null) continue; // ended with its root
    stopJob(job, {
      kind: "error",
      error: new ArcpError("INTERNAL_ERROR", "the runtime is shutting down"),
      finalStatus: "error",
    });
  }
}
