/** How a job ends (§7.3) and the terminal envelope payload each ending produces. */
import { ArcpError } from "../../protocol/errors.js";
import type { TerminalJobState } from "../../protocol/job-state.js";

export type JobOutcome =
  | { kind: "success"; result: unknown }
  | { kind: "streamed"; resultId: string; size: number; summary: string | undefined }
  | { kind: "error"; error: ArcpError; finalStatus: "error" | "cancelled" | "timed_out" };

export function terminalState(outcome: JobOutcome): TerminalJobState {
  return outcome.kind === "error" ? outcome.finalStatus : "success";
}

/** The §8.4 / §7.3 terminal: `job.result` or `job.error`, with its payload. */
export function terminalPayload(outcome: JobOutcome): {
  type: "job.result" | "job.error";
  payload: unknown;
} {
  switch (outcome.kind) {
    case "success":
      return { type: "job.result", payload: { final_status: "success", result: outcome.result } };
    case "streamed": {
      const payload: Record<string, unknown> = {
        final_status: "success",
        result_id: outcome.resultId,
        result_size: outcome.size,
      };
      if (outcome.summary !== undefined) payload["summary"] = outcome.summary;
      return { type: "job.result", payload };
    }
    case "error":
      return {
        type: "job.error",
        payload: { final_status: outcome.finalStatus, ...outcome.error.toPayload() },
      };
  }
}

/** The final status a thrown error implies: cancellation and timeouts keep their own. */
export function errorOutcome(error: unknown): JobOutcome {
  const err = ArcpError.from(error);
  const finalStatus =
    err.code === "CANCELLED" ? "cancelled" : err.code === "TIMEOUT" ? "timed_out" : "error";
  return { kind: "error", error: err, finalStatus };
}

/** The JSON text of `value`, or undefined when it has none (a BigInt, a cycle, a throwing toJSON). */
export function toJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return undefined;
  }
}

/**
 * The terminal envelope for `requested`, ready to send. A result (or error details) with no JSON
 * form cannot go on the wire; the job then ends with INTERNAL_ERROR, and that is the outcome
 * the rest of the runtime records.
 */
export function terminalFrame(requested: JobOutcome): {
  outcome: JobOutcome;
  type: "job.result" | "job.error";
  payloadJson: string;
} {
  const built = terminalPayload(requested);
  const json = toJson(built.payload);
  if (json !== undefined) return { outcome: requested, type: built.type, payloadJson: json };
  const message =
    requested.kind === "error"
      ? `the job's ${requested.error.code} error has details that are not JSON-serialisable`
      : "result is not JSON-serialisable";
  const outcome: JobOutcome = {
    kind: "error",
    error: new ArcpError("INTERNAL_ERROR", message),
    finalStatus: "error",
  };
  const fallback = terminalPayload(outcome);
  return { outcome, type: fallback.type, payloadJson: JSON.stringify(fallback.payload) };
}
