/** The credential provisioner port (§9.8, DESIGN-11): mint, revoke and rotate upstream credentials. */
import type { Amount } from "../lease/index.js";

/** The lease bounds a credential should carry at the upstream (§9.8.3), in exact form. */
export interface CredentialConstraints {
  /** The job's remaining budget per currency (§9.6), in micro-units. */
  budget?: readonly Amount[];
  /** The lease's `model.use` patterns (§9.7), in ARCP glob syntax. */
  models?: readonly string[];
  /** `lease_constraints.expires_at` (§9.5), epoch milliseconds. */
  expiresAtMs?: number;
}

/** One credential to mint for one job (§9.8.2: credentials are scoped to a single job). */
export interface IssueRequest {
  /**
   * The ledger id. Adapters should make it the upstream handle whenever the upstream lets the
   * caller choose one, so a credential whose issue outcome is unknown (a timeout, a crash
   * before the ledger learnt the real handle) can still be revoked by this id.
   */
  credentialId: string;
  jobId: string;
  principal: string;
  constraints: CredentialConstraints;
}

/**
 * What the upstream really enforces for an issued credential (§9.8.1, §9.8.3). Each field is a
 * bound the upstream guarantees: it may be wider than the request (the runtime keeps enforcing
 * the exact lease, §9.3), never narrower than what the upstream admits.
 */
export interface EnforcedConstraints {
  /** Spend caps the upstream applies; currencies it cannot cap are absent. */
  budget: readonly Amount[];
  /** ARCP glob patterns covering every model the upstream admits; absent when unrestricted. */
  models?: readonly string[];
  /** The instant after which the upstream refuses the credential. */
  expiresAtMs?: number;
}

/** A freshly minted credential. `value` is a secret: never log it, never store it. */
export interface IssuedCredential {
  /** Non-secret reference that `revoke` needs (a key alias, an upstream id). */
  handle: string;
  value: string;
  /** The base URL at which the credential is valid (§9.8.1). */
  endpoint: string;
  /** API protocol hint for the agent, e.g. `openai` (§9.8.1). */
  profile?: string;
  scheme: "bearer";
  enforces: EnforcedConstraints;
}

/**
 * An upstream that can mint job-scoped credentials (§9.8). Implementations never put a
 * credential value, or their own management secret, into an error message.
 */
export interface CredentialProvisioner {
  /** Stable adapter name, recorded in the ledger (`memory`, `litellm`, `webhook`). */
  readonly name: string;
  issue(request: IssueRequest, signal?: AbortSignal): Promise<IssuedCredential>;
  /**
   * Revoke by handle. Idempotent: revoking a credential that is already gone, or was never
   * created, succeeds. Rejects only when the outcome is unknown or the upstream refused.
   */
  revoke(handle: string): Promise<void>;
  /**
   * Mint the successor of the credential at `handle` when the upstream has a native rotation.
   * Without it the service issues a new credential and revokes the old one itself.
   */
  rotate?(handle: string, request: IssueRequest): Promise<IssuedCredential>;
}

/**
 * A provisioning or revocation failure. Local only (never serialised onto the wire); the
 * message names the operation and the upstream status, never a secret.
 */
export class CredentialError extends Error {
  /** HTTP status from the upstream, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CredentialError";
    this.status = options.status;
  }
}
