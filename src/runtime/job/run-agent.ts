/** Running an agent to its outcome (§7.3, §8.4): inline or streamed result, or an error. */
import { isStreamedResult, type ResultWriter } from "../../agents/agent.js";
import { createAgentContext } from "../../agents/context.js";
import type { ResolvedAgent } from "../../agents/registry.js";
import { StreamedResultMarker } from "../../agents/result-stream.js";
import type { Runtime } from "../runtime.js";
import { createJobHost } from "./job-host.js";
import type { LiveJob } from "./live-job.js";
import { errorOutcome, type JobOutcome } from "./outcome.js";

export async function runAgent(rt: Runtime, job: LiveJob, agent: ResolvedAgent): Promise<void> {
  const host = createJobHost(rt, job, agent.version);
  const { context, openedStream } = createAgentContext(host);
  let outcome: JobOutcome;
  try {
    const value = await agent.definition.run(job.record.input, context);
    outcome = await successOutcome(job, value, openedStream());
  } catch (error) {
    outcome = errorOutcome(error);
  }
  try {
    job.finish(job.stopOutcome ?? outcome);
  } catch (error) {
    // A fault while delivering the terminal (a listener, a store hook) must not escape as an
    // unhandled rejection; the job is ended either way, since finish marks it first.
    rt.logger.error({ err: error, job: job.id }, "ending the job failed");
  }
}

async function successOutcome(
  job: LiveJob,
  value: unknown,
  stream: ResultWriter | undefined,
): Promise<JobOutcome> {
  let marker = isStreamedResult(value) ? value : undefined;
  if (marker === undefined && stream !== undefined) {
    // A result that was streamed stays streamed (§8.4 forbids mixing); an inline value
    // returned as well is dropped, and the agent's log says so.
    if (value !== undefined) {
      await job.emit("log", {
        level: "warn",
        message: "inline result discarded: the result was streamed",
      });
    }
    marker = await stream.end();
  }
  if (marker === undefined) return { kind: "success", result: value };
  if (marker instanceof StreamedResultMarker && marker.inline !== undefined) {
    return { kind: "success", result: marker.inline };
  }
  return {
    kind: "streamed",
    resultId: marker.resultId,
    size: marker.size,
    summary: marker.summary,
  };
}
