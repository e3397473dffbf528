/**
 * Credential rotation (§9.8.2): with `credentialRotateSec` set, each live job's credentials are
 * replaced on that period. The successor keeps the credential `id`; the old value is revoked;
 * a `status` event `phase: "credential_rotated"` carries the id to everyone who sees the job
 * and the new value only to the submitter's sessions that negotiated `provisioned_credentials`
 * (DESIGN-23) — and never to the durable log.
 */
import { setLongTimeout } from "../long-timeout.js";
import type { Runtime } from "../runtime.js";
import type { SessionChannel } from "../session/session-channel.js";
import { credentialConstraints } from "./credentials.js";
import type { LiveJob } from "./live-job.js";

export async function rotateCredential(
  rt: Runtime,
  job: LiveJob,
  credentialId: string,
): Promise<void> {
  const service = rt.credentials;
  if (service === undefined || job.terminal) return;
  const next = await service.rotate(job.id, credentialId, {
    principal: job.record.principal,
    constraints: credentialConstraints(job),
  });
  if (job.terminal) {
    // The job ended while the successor was being minted: it must not outlive the job.
    await service.revokeForJob(job.id);
    return;
  }
  job.credentials = job.credentials.map((c) => (c.id === credentialId ? next : c));
  const redacted = {
    phase: "credential_rotated",
    message: `credential ${credentialId} rotated`,
    credential_id: credentialId,
  };
  const mayReveal = (channel: SessionChannel): boolean =>
    channel.principal === job.record.principal && channel.features.has("provisioned_credentials");
  await job.emitSecret("status", { ...redacted, value: next.value }, redacted, mayReveal);
}

export function scheduleRotation(rt: Runtime, job: LiveJob): void {
  const period = rt.config.credentialRotateSec;
  if (period <= 0 || rt.credentials === undefined || job.credentials.length === 0) return;
  let timer = setLongTimeout(rt.clock, tick, period * 1000);
  function tick(): void {
    if (job.terminal) return;
    const ids = job.credentials.map((c) => c.id);
    Promise.all(ids.map((id) => rotateCredential(rt, job, id)))
      .catch((error: unknown) =>
        rt.logger.error({ err: error, job: job.id }, "credential rotation failed"),
      )
      .finally(() => {
        if (!job.terminal) timer = setLongTimeout(rt.clock, tick, period * 1000);
      });
  }
  job.onEnd(() => timer.clear());
}
