/**
 * Provisioned credentials for a job (§9.8, DESIGN-11, DESIGN-23): issued (and recorded in the
 * ledger) before `job.accepted`, bounded by the job's remaining budget, `model.use` and expiry,
 * revoked on every terminal by the credential service's durable revoker.
 */
import type { CredentialConstraints } from "../../credentials/provisioner.js";
import { ArcpError } from "../../protocol/errors.js";
import type { Runtime } from "../runtime.js";
import type { LiveJob } from "./live-job.js";

export function credentialConstraints(job: LiveJob): CredentialConstraints {
  const { lease, budget, expiresAtMs } = job.authority;
  const out: CredentialConstraints = {};
  if (budget !== null) {
    const available = budget.available();
    if (available.size > 0)
      out.budget = [...available].map(([currency, micros]) => ({ currency, micros }));
  }
  const models = lease.raw["model.use"];
  if (models !== undefined) out.models = models;
  if (expiresAtMs !== undefined) out.expiresAtMs = expiresAtMs;
  return out;
}

/** Issue the job's credentials; a failure ends the job as INTERNAL_ERROR before acceptance. */
export async function issueJobCredentials(rt: Runtime, job: LiveJob): Promise<void> {
  const service = rt.credentials;
  if (service === undefined) return;
  job.credentialsIssued = true;
  try {
    job.credentials = await service.issueForJob({
      jobId: job.id,
      principal: job.record.principal,
      constraints: credentialConstraints(job),
    });
  } catch (error) {
    rt.logger.error({ job: job.id, err: error }, "credential issue failed");
    throw new ArcpError("INTERNAL_ERROR", "could not provision the job's credentials");
  }
}
