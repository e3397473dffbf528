/** Runtime settings with their defaults; the CLI maps flags and variables onto these. */
import { FEATURES, type Feature } from "../protocol/messages/session.js";

export type VisibilityPolicy =
  /** Only the submitting principal lists and subscribes (the §14 default). */
  | { kind: "same-principal" }
  /** Listed principals may observe every job; nobody else sees anything extra. */
  | { kind: "observers"; principals: string[] };

export interface RuntimeConfig {
  runtimeName: string;
  runtimeVersion: string;
  /** Features offered in the welcome before intersection with the client's (§6.2). */
  features: readonly Feature[];
  resumeWindowSec: number;
  heartbeatIntervalSec: number;
  /** Inbound frame size limit in bytes (§14). */
  maxMessageBytes: number;
  maxSessionsPerPrincipal: number;
  maxLiveJobsPerSession: number;
  /** Undelivered events above which a back_pressure status is emitted (§6.5). */
  backPressureEvents: number;
  /** Undelivered events above which a consumer that stopped progressing is closed (resumable). */
  maxBacklogEvents: number;
  /** How long a consumer over maxBacklogEvents may go without progress before it is closed. */
  consumerStallSec: number;
  /** Retention of terminal jobs for listing and subscription (DESIGN-13). */
  jobRetentionSec: number;
  maxChunkBytes: number;
  maxResultBytes: number;
  /** When true a lease without model.use forbids every model (§9.7). */
  requireModelUse: boolean;
  /** Rotate every live job's provisioned credentials on this period; 0 turns rotation off. */
  credentialRotateSec: number;
  /** Grace after expires_at before an idle job is ended proactively (DESIGN-25). */
  expiryGraceMs: number;
  visibility: VisibilityPolicy;
  socketHighWaterBytes: number;
  maxQueueBytes: number;
  replayPageSize: number;
  writerHighWater: number;
}

/** Every §6.2 feature this runtime implements. */
export const ALL_FEATURES: readonly Feature[] = FEATURES;

export const DEFAULT_CONFIG: RuntimeConfig = {
  runtimeName: "runplane",
  runtimeVersion: "0.1.0",
  features: ALL_FEATURES,
  resumeWindowSec: 600,
  heartbeatIntervalSec: 30,
  maxMessageBytes: 1024 * 1024,
  maxSessionsPerPrincipal: 256,
  maxLiveJobsPerSession: 1000,
  backPressureEvents: 10_000,
  maxBacklogEvents: 100_000,
  consumerStallSec: 30,
  jobRetentionSec: 24 * 3600,
  maxChunkBytes: 1024 * 1024,
  maxResultBytes: 256 * 1024 * 1024,
  requireModelUse: false,
  expiryGraceMs: 1000,
  credentialRotateSec: 0,
  visibility: { kind: "same-principal" },
  socketHighWaterBytes: 4 * 1024 * 1024,
  maxQueueBytes: 16 * 1024 * 1024,
  replayPageSize: 2048,
  writerHighWater: 4096,
};

export function resolveConfig(partial: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return { ...DEFAULT_CONFIG, ...partial };
}
