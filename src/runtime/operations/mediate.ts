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
  try {
    await job.emit("tool_call", { tool: call.tool, args: call.args, call_id: callId });
  } catch {
    // Nothing was emitted, so there is no tool_call to answer.
    throw new ArcpError("INVALID_REQUEST", `the ${call.tool} arguments are not JSON-serialisable`);
  }
  let result: unknown;
  try {
    // The job may have ended while the tool_call waited for room: nothing is dispatched then.
    throwIfEnded(job);
    call.check();
    result = await call.dispatch();
  } catch (error) {
    const err = ArcpError.from(error);
    await reportError(job, callId, err);
    if (err.code === "LEASE_EXPIRED") endExpired(job);
    throw err;
  }
  await reportResult(job, callId, call.tool, result);
  return result;
}

/** Throw the reason a job ended (CANCELLED, TIMEOUT, LEASE_EXPIRED…) if it has. */
export function throwIfEnded(job: LiveJob): void {
  if (!job.terminal) return;
  const stop = job.stopOutcome;
  throw stop?.kind === "error" ? stop.error : new ArcpError("CANCELLED", "the job has ended");
}

/**
 * The `tool_result` of a call that succeeded. A result with no JSON form becomes an
 * INTERNAL_ERROR `tool_result`, thrown to the agent too, so no tool_call is left unanswered.
 */
export async function reportResult(
  job: LiveJob,
  callId: string,
  tool: string,
  result: unknown,
): Promise<void> {
  try {
    await job.emit("tool_result", { call_id: callId, result: result ?? null });
  } catch {
    const err = new ArcpError("INTERNAL_ERROR", `the ${tool} result is not JSON-serialisable`);
    await reportError(job, callId, err);
    throw err;
  }
}

/** The `tool_result` of a refused or failed call; details with no JSON form are left out. */
export async function reportError(job: LiveJob, callId: string, err: ArcpError): Promise<void> {
  const payload = err.toPayload();
  try {
    await job.emit("tool_result", { call_id: callId, error: payload });
  } catch {
    const { details: _dropped, ...bare } = payload;
    await job.emit("tool_result", { call_id: callId, error: bare });
  }
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
