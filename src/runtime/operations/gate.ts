/**
 * The lease gate (§9.3, §9.5, §9.6, DESIGN-9): before any operation is dispatched, checked
 * synchronously and in this order — lease expiry (LEASE_EXPIRED), every budget counter
 * (BUDGET_EXHAUSTED), then the capability (PERMISSION_DENIED). Returns the canonical target
 * the operation must act on.
 */
import { isExpired } from "../../lease/index.js";
import { ArcpError } from "../../protocol/errors.js";
import type { LiveJob } from "../job/live-job.js";

export interface GateOptions {
  now: number;
  /** §9.7: whether a lease without model.use forbids every model. */
  requireModelUse: boolean;
}

export function gate(
  job: LiveJob,
  capability: string,
  target: string,
  options: GateOptions,
): string {
  const { lease, budget, expiresAtMs } = job.authority;
  if (isExpired(expiresAtMs, options.now)) {
    throw new ArcpError("LEASE_EXPIRED", "the job's lease has expired");
  }
  const exhausted = budget?.exhausted();
  if (exhausted !== null && exhausted !== undefined) {
    throw new ArcpError("BUDGET_EXHAUSTED", `the ${exhausted} budget is exhausted`, {
      details: { currency: exhausted },
    });
  }
  if (capability === "model.use" && !lease.has("model.use") && !options.requireModelUse) {
    return target;
  }
  try {
    return lease.authorize(capability, target);
  } catch (error) {
    throw ArcpError.from(error);
  }
}
