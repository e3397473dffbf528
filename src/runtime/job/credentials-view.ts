/**
 * Who sees credential values (§7.6, §14, DESIGN-23): only the submitting principal, only on a
 * session that negotiated `provisioned_credentials`, and only while the job is live.
 */
import type { Credential } from "../../protocol/messages/index.js";
import type { SessionChannel } from "../session/session-channel.js";
import type { LiveJob } from "./live-job.js";

export function credentialsFor(job: LiveJob, viewer: SessionChannel): Credential[] | undefined {
  if (job.terminal || job.credentials.length === 0) return undefined;
  if (viewer.principal !== job.record.principal) return undefined;
  if (!viewer.features.has("provisioned_credentials")) return undefined;
  return job.credentials;
}
