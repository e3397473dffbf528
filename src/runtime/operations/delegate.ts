/**
 * Delegation (§10, §9.4, DESIGN-24): the parent's lease must grant `agent.delegate` for the
 * child agent; the child's lease must be a subset (decided exactly, with a witness); a `delegate`
 * event appears in the parent's stream; the child runs in the same session with `parent_job_id`
 * and the parent's trace; its result (or error) is what `ctx.delegate` resolves to. A refusal
 * reaches the parent as a `tool_result` error with `call_id` = `delegate_id`.
 */
import type { DelegateOptions } from "../../agents/agent.js";
import { encodeEnvelope } from "../../protocol/envelope.js";
import { ArcpError } from "../../protocol/errors.js";
import { newMessageId } from "../../protocol/ids.js";
import { createJob } from "../job/create-job.js";
import { issueJobCredentials } from "../job/credentials.js";
import { credentialsFor } from "../job/credentials-view.js";
import type { LiveJob } from "../job/live-job.js";
import { startJob } from "../job/start-job.js";
import type { Runtime } from "../runtime.js";
import { type GateOptions, gate } from "./gate.js";
import { endExpired, newCallId, reportError, reportResult, throwIfEnded } from "./mediate.js";

export async function delegate(
  rt: Runtime,
  parent: LiveJob,
  agent: string,
  input: unknown,
  options: DelegateOptions,
  gateOptions: () => GateOptions,
): Promise<unknown> {
  const delegateId = options.delegateId ?? newCallId().replace(/^call_/, "del_");
  const refuse = async (error: unknown): Promise<never> => {
    const err = ArcpError.from(error);
    await reportError(parent, delegateId, err);
    if (err.code === "LEASE_EXPIRED") endExpired(parent);
    throw err;
  };
  try {
    gate(parent, "agent.delegate", agent, gateOptions());
  } catch (error) {
    return refuse(error);
  }
  const body: Record<string, unknown> = { delegate_id: delegateId, agent, input: input ?? null };
  if (options.lease !== undefined) body["lease_request"] = options.lease;
  if (options.leaseConstraints !== undefined) body["lease_constraints"] = options.leaseConstraints;
  try {
    await parent.emit("delegate", body);
  } catch {
    // Nothing was emitted, so there is no delegate event to answer.
    throw new ArcpError("INVALID_REQUEST", "the delegation input is not JSON-serialisable");
  }
  let child: LiveJob | undefined;
  try {
    // A job.accepted that answers no submit is bound by the TS SDK client to its oldest pending
    // submit (DESIGN-6), so the child waits until the submits already received are answered.
    await submitsAnswered(parent);
    // The parent may have ended while its delegate event waited for room.
    throwIfEnded(parent);
    const creation = await createJob(rt, {
      channel: parent.owner,
      principal: parent.record.principal,
      agent,
      input,
      leaseRequest: options.lease ?? {},
      leaseConstraints: options.leaseConstraints,
      idempotencyKey: undefined,
      maxRuntimeSec: undefined,
      traceId: parent.traceId,
      parent,
      delegateId,
    });
    if (creation.kind !== "accepted")
      throw new ArcpError("INTERNAL_ERROR", "delegation replayed a job");
    child = creation.job;
    // Linked to its parent only once announced: a parent ending before that must not end it
    // on the spot, ahead of the answers to submits the session sent earlier (see the catch).
    parent.children.delete(child);
    const created = child;
    const announce = (withCredentials: boolean): void => {
      created.announceBeforeEnd = null;
      const credentials = withCredentials ? credentialsFor(created, parent.owner) : undefined;
      const accepted =
        credentials === undefined ? creation.accepted : { ...creation.accepted, credentials };
      parent.owner.pushControlAfterCommit(
        encodeEnvelope(
          "job.accepted",
          {
            id: newMessageId(),
            session_id: parent.owner.id,
            trace_id: created.traceId,
            job_id: created.id,
          },
          accepted,
        ),
      );
    };
    // Ended before the announcement below (the parent ended, issuing failed): announced first,
    // without credential values, so its terminal never reaches a client that has not seen it.
    child.announceBeforeEnd = () => announce(false);
    if (parent.credentialsIssued) {
      await issueJobCredentials(rt, child);
      await submitsAnswered(parent);
    }
    // The parent may have ended during those awaits: the child then ends unstarted (below).
    throwIfEnded(parent);
    if (child.terminal) throw new ArcpError("CANCELLED", "the delegated job has ended");
    announce(true);
    parent.children.add(child);
    startJob(rt, child, creation.agent);
  } catch (error) {
    if (child !== undefined && !child.terminal) {
      // Its job.accepted goes out with its terminal: after the earlier submits' answers.
      const earlier = parent.owner.submits.settled();
      if (earlier !== undefined) await earlier;
      const err = ArcpError.from(error);
      const ended = err.code === "CANCELLED" || parent.terminal;
      child.finish({
        kind: "error",
        error: ended ? new ArcpError("CANCELLED", "parent job ended") : err,
        finalStatus: ended ? "cancelled" : "error",
      });
    }
    return refuse(error);
  }
  const outcome = await child.done;
  if (outcome.kind === "error") {
    await reportError(parent, delegateId, outcome.error);
    throw outcome.error;
  }
  const result =
    outcome.kind === "success"
      ? outcome.result
      : {
          result_id: outcome.resultId,
          result_size: outcome.size,
          ...(outcome.summary === undefined ? {} : { summary: outcome.summary }),
        };
  await reportResult(parent, delegateId, "delegate", result);
  return result;
}

/** Wait for the session's earlier submits to be answered, or for the parent to end. */
async function submitsAnswered(parent: LiveJob): Promise<void> {
  const answered = parent.owner.submits.settled();
  if (answered !== undefined) await Promise.race([answered, parent.done]);
}
