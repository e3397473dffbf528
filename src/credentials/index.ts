/** Public API of the credentials module (§9.8): the provisioner port, its adapters, the service. */
export { type ConstraintSet, toWireConstraints, type WireConstraints } from "./constraints.js";
export {
  CredentialService,
  type CredentialServiceOptions,
  type CredentialStats,
  type JobCredentialRequest,
  ROTATION_SEPARATOR,
  type RotationContext,
  type WireCredential,
} from "./credential-service.js";
export { LITELLM_NO_MODEL, type LiteLlmModelMapping, mapModelPatterns } from "./litellm-models.js";
export {
  LITELLM_BUDGET_CURRENCY,
  LiteLlmProvisioner,
  type LiteLlmProvisionerOptions,
} from "./litellm-provisioner.js";
export {
  type MemoryCredentialStatus,
  type MemoryIssueRecord,
  MemoryProvisioner,
  type MemoryProvisionerOptions,
} from "./memory-provisioner.js";
export {
  type CredentialConstraints,
  CredentialError,
  type CredentialProvisioner,
  type EnforcedConstraints,
  type IssuedCredential,
  type IssueRequest,
} from "./provisioner.js";
export { backoff, type CredentialLogger, type RetryPolicy } from "./revoker.js";
export {
  WebhookProvisioner,
  type WebhookProvisionerOptions,
} from "./webhook-provisioner.js";
export {
  SIGNATURE_HEADER,
  signWebhookBody,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from "./webhook-signature.js";
