/**
 * A generic HTTP provisioner (§9.8): any service that answers `POST {url}/issue` and
 * `POST {url}/revoke` can mint job credentials, optionally with HMAC-signed requests.
 *
 * Issue request: `{credential_id, job_id, principal, constraints}` with `constraints` in §9.8.1
 * wire form (`cost.budget`, `model.use`, `expires_at`, each present only when the lease has it).
 * Answer (2xx): `{value, endpoint, handle?, profile?, scheme?: "bearer", enforces?: {budget?,
 * models?, expiry?}}` where each `enforces` flag says the webhook enforces that constraint exactly
 * as requested; absent flags are false. Without `handle`, the credential id is the handle.
 * Revoke request: `{handle}`; 2xx or 404 mean revoked. A webhook that returns its own handle
 * must also accept the credential id as a handle: that is what the runtime revokes when an
 * issue's outcome is unknown (timeout, crash).
 */
import { z } from "zod";
import { toWireConstraints } from "./constraints.js";
import {
  CredentialError,
  type CredentialProvisioner,
  type EnforcedConstraints,
  type IssuedCredential,
  type IssueRequest,
} from "./provisioner.js";
import { callUpstream, statusError, trimBase } from "./upstream-http.js";
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from "./webhook-signature.js";

export interface WebhookProvisionerOptions {
  /** Base URL; `/issue` and `/revoke` are appended. */
  url: string;
  /** Shared secret for `x-runplane-signature`; unsigned when absent. Never logged. */
  secret?: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** Extra headers (e.g. a static `authorization`). */
  headers?: Record<string, string>;
  now?: () => number;
}

const IssueAnswerSchema = z.object({
  value: z.string().min(1),
  endpoint: z.string().min(1),
  handle: z.string().min(1).optional(),
  profile: z.string().min(1).optional(),
  scheme: z.literal("bearer").optional(),
  enforces: z
    .object({
      budget: z.boolean().optional(),
      models: z.boolean().optional(),
      expiry: z.boolean().optional(),
    })
    .optional(),
});
type IssueAnswer = z.infer<typeof IssueAnswerSchema>;

/** Calls a webhook to issue and revoke credentials (see the module comment for the contract). */
export class WebhookProvisioner implements CredentialProvisioner {
  readonly name = "webhook";
  readonly #base: string;
  readonly #secret: string | undefined;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;
  readonly #now: () => number;

  constructor(options: WebhookProvisionerOptions) {
    this.#base = trimBase(options.url);
    this.#secret = options.secret;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#headers = options.headers ?? {};
    this.#now = options.now ?? Date.now;
  }

  async issue(request: IssueRequest, signal?: AbortSignal): Promise<IssuedCredential> {
    const operation = "webhook issue";
    const res = await this.#post(
      operation,
      "/issue",
      {
        credential_id: request.credentialId,
        job_id: request.jobId,
        principal: request.principal,
        constraints: toWireConstraints(request.constraints) ?? {},
      },
      signal,
    );
    if (res.status < 200 || res.status >= 300) throw statusError(operation, res.status, res.json);
    const parsed = IssueAnswerSchema.safeParse(res.json);
    // The zod issue list could quote the value; report the field names only.
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".")))].join(", ");
      throw new CredentialError(`${operation} answer is malformed (${fields})`);
    }
    return toIssued(parsed.data, request);
  }

  async revoke(handle: string): Promise<void> {
    const operation = "webhook revoke";
    const res = await this.#post(operation, "/revoke", { handle });
    if ((res.status >= 200 && res.status < 300) || res.status === 404) return;
    throw statusError(operation, res.status, res.json);
  }

  #post(operation: string, path: string, payload: unknown, signal?: AbortSignal) {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      ...this.#headers,
      "content-type": "application/json",
    };
    if (this.#secret !== undefined) {
      const timestamp = String(Math.floor(this.#now() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signWebhookBody(this.#secret, timestamp, body);
    }
    return callUpstream({
      operation,
      url: `${this.#base}${path}`,
      headers,
      body,
      timeoutMs: this.#timeoutMs,
      signal,
    });
  }
}

function toIssued(answer: IssueAnswer, request: IssueRequest): IssuedCredential {
  const { constraints } = request;
  const enforces: EnforcedConstraints = {
    budget: answer.enforces?.budget === true ? [...(constraints.budget ?? [])] : [],
  };
  if (answer.enforces?.models === true && constraints.models !== undefined) {
    enforces.models = [...constraints.models];
  }
  if (answer.enforces?.expiry === true && constraints.expiresAtMs !== undefined) {
    enforces.expiresAtMs = constraints.expiresAtMs;
  }
  const issued: IssuedCredential = {
    handle: answer.handle ?? request.credentialId,
    value: answer.value,
    endpoint: answer.endpoint,
    scheme: "bearer",
    enforces,
  };
  if (answer.profile !== undefined) issued.profile = answer.profile;
  return issued;
}
