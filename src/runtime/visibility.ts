/**
 * Who may know about a job (§6.6, §7.6, §14, DESIGN-16, DESIGN-21): its submitting principal
 * always; other principals only under an explicit observer policy. Everyone else is told the
 * job does not exist.
 */
import type { JobRecord } from "../store/store.js";
import type { Runtime } from "./runtime.js";

export function canObserve(
  rt: Runtime,
  principal: string,
  job: Pick<JobRecord, "principal">,
): boolean {
  if (job.principal === principal) return true;
  const policy = rt.config.visibility;
  return policy.kind === "observers" && policy.principals.includes(principal);
}

/** The principals whose jobs `principal` may list, or undefined for all of them. */
export function listablePrincipals(rt: Runtime, principal: string): string[] | undefined {
  const policy = rt.config.visibility;
  if (policy.kind === "observers" && policy.principals.includes(principal)) return undefined;
  return [principal];
}
