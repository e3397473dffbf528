/**
 * Every mediated operation leaves a `tool_call` / `tool_result` pair in the job's stream
 * (§8.2). A refusal is a `tool_result` error thrown to the agent as an ArcpError; it ends the
 * job only for lease expiry (§9.5, DESIGN-25), after the tool_result.
 */
import { monotonicFactory } from "ulid";
import { ArcpError } from "../../protocol/errors.js";
import type { LiveJob } from "../job/live-job.js";
import { stopJob } from "../job/start-job.js";

const ulid = monotonicFactory();

export function newCallId(): string {
  return `call_${ulid()}`;
}

export interface MediatedCall {
  /** The `tool` name shown in tool_call. */
  tool: string;
  args: Record<string, unknown>;
  /** Runs the checks that must pass before dispatch; throws to refuse. */
  check(): void;
  dispatch(): Promise<unknown>;
}

/** Record, check, dispatch and report one operation. */
export async function mediate(job: LiveJob, call: MediatedCall): Promise<unknown> {
  const callId = newCallId();
  await job.emit("tool_call", { tool: call.tool, args: call.args, call_id: callId });
  let result: unknown;
  try {
    call.check();
    result = await call.dispatch();
  } catch (error) {
    const err = ArcpError.from(error);
    await job.emit("tool_result", { call_id: callId, error: err.toPayload() });
    if (err.code === "LEASE_EXPIRED") endExpired(job);
    throw err;
  }
  await job.emit("tool_result", { call_id: callId, result: result ?? null });
  return result;
}

/** §9.5: a job that attempted an operation after expiry ends with job.error LEASE_EXPIRED. */
export function endExpired(job: LiveJob): void {
  // Let the agent see its tool_result error first; the terminal follows in the same turn.
  queueMicrotask(() =>
    stopJob(job, {
      kind: "error",
      error: new ArcpError(
        "LEASE_EXPIRED",
        "the lease expired; the job attempted an operation after expires_at",
      ),
      finalStatus: "error",
    }),
  );
}
