/**
 * LiteLLM proxy virtual keys as provisioned credentials (§9.8): `POST /key/generate` with the
 * lease baked in (§9.8.3), `POST /key/delete` by alias to revoke.
 */
import { z } from "zod";
import { type Amount, microsToNumber } from "../lease/index.js";
import { mapModelPatterns } from "./litellm-models.js";
import {
  CredentialError,
  type CredentialProvisioner,
  type EnforcedConstraints,
  type IssuedCredential,
  type IssueRequest,
} from "./provisioner.js";
import { callUpstream, statusError, trimBase, upstreamDetail } from "./upstream-http.js";

/** LiteLLM budgets are US dollars (its cost map's unit); other currencies stay runtime-enforced. */
export const LITELLM_BUDGET_CURRENCY = "USD";

export interface LiteLlmProvisionerOptions {
  /** Where the proxy's management API answers, e.g. `http://litellm:4000`. */
  baseUrl: string;
  /** The proxy master key (or a key allowed to manage keys). Never logged. */
  masterKey: string;
  /** The URL agents are given as `endpoint`; defaults to `baseUrl`. */
  publicUrl?: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** Used to turn `expires_at` into a key `duration`. */
  now?: () => number;
}

/** The `/key/generate` fields Runplane sets. */
interface KeyGenerateBody {
  key_alias: string;
  metadata: Record<string, string>;
  max_budget?: number;
  models?: string[];
  duration?: string;
}

const GenerateResponseSchema = z.object({ key: z.string().min(1) });
// Answers that mean "no such key": revocation of something already gone succeeds.
const NOT_FOUND_TEXT = /not found|does not exist|doesn't exist|no keys? (?:found|matched)/i;

/**
 * Mints one LiteLLM virtual key per credential. The key alias is the credential id, so the
 * ledger's handle is the alias and never the secret. Mapping (§9.8.3):
 *
 * - `cost.budget`: only a `USD` budget maps, to `max_budget` (no `budget_duration`, so it never
 *   resets); LiteLLM refuses a request once spend reaches it, so the request that crosses the
 *   cap still completes. Other currencies are not reported as enforced.
 * - `model.use`: see `litellm-models.ts`; reported only when LiteLLM admits exactly the lease's
 *   models.
 * - `expires_at`: `duration` in whole seconds, rounded down so the key never outlives the lease.
 *
 * Rotation has no native form here: `/key/regenerate` is a LiteLLM Enterprise feature and needs
 * the secret or its hash, so the service issues a new key and deletes the old alias.
 */
export class LiteLlmProvisioner implements CredentialProvisioner {
  readonly name = "litellm";
  readonly #base: string;
  readonly #endpoint: string;
  readonly #masterKey: string;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: LiteLlmProvisionerOptions) {
    this.#base = trimBase(options.baseUrl);
    this.#endpoint = trimBase(options.publicUrl ?? options.baseUrl);
    this.#masterKey = options.masterKey;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async issue(request: IssueRequest, signal?: AbortSignal): Promise<IssuedCredential> {
    const { body, enforces } = this.#keyRequest(request);
    const operation = "litellm key/generate";
    const res = await callUpstream({
      operation,
      url: `${this.#base}/key/generate`,
      headers: this.#headers(),
      body: JSON.stringify(body),
      timeoutMs: this.#timeoutMs,
      signal,
    });
    if (res.status < 200 || res.status >= 300) throw statusError(operation, res.status, res.json);
    const parsed = GenerateResponseSchema.safeParse(res.json);
    if (!parsed.success) throw new CredentialError(`${operation} answered without a key`);
    return {
      handle: request.credentialId,
      value: parsed.data.key,
      endpoint: this.#endpoint,
      profile: "openai",
      scheme: "bearer",
      enforces,
    };
  }

  async revoke(handle: string): Promise<void> {
    const operation = "litellm key/delete";
    const res = await callUpstream({
      operation,
      url: `${this.#base}/key/delete`,
      headers: this.#headers(),
      body: JSON.stringify({ key_aliases: [handle] }),
      timeoutMs: this.#timeoutMs,
    });
    if (res.status >= 200 && res.status < 300) return;
    if (res.status === 404) return;
    if (res.status === 400 && NOT_FOUND_TEXT.test(upstreamDetail(res.json))) return;
    throw statusError(operation, res.status, res.json);
  }

  #headers(): Record<string, string> {
    return { authorization: `Bearer ${this.#masterKey}`, "content-type": "application/json" };
  }

  #keyRequest(request: IssueRequest): {
    body: KeyGenerateBody;
    enforces: EnforcedConstraints;
  } {
    const { constraints } = request;
    const body: KeyGenerateBody = {
      key_alias: request.credentialId,
      metadata: {
        job_id: request.jobId,
        credential_id: request.credentialId,
        issued_by: "runplane",
      },
    };
    const budget: Amount[] = [];
    const usd = smallest(constraints.budget, LITELLM_BUDGET_CURRENCY);
    if (usd !== undefined) {
      const cap = { currency: usd.currency, micros: usd.micros > 0n ? usd.micros : 0n };
      body.max_budget = microsToNumber(cap.micros);
      budget.push(cap);
    }
    const enforces: EnforcedConstraints = { budget };
    if (constraints.models !== undefined) {
      const mapped = mapModelPatterns(constraints.models);
      body.models = mapped.upstream;
      if (mapped.exact) enforces.models = [...constraints.models];
    }
    if (constraints.expiresAtMs !== undefined) {
      const seconds = Math.floor((constraints.expiresAtMs - this.#now()) / 1000);
      // LiteLLM has no sub-second TTL; the runtime ends the job at expiry and revokes the key.
      body.duration = `${Math.max(1, seconds)}s`;
      enforces.expiresAtMs = constraints.expiresAtMs;
    }
    return { body, enforces };
  }
}

function smallest(budget: readonly Amount[] | undefined, currency: string): Amount | undefined {
  let found: Amount | undefined;
  for (const a of budget ?? []) {
    if (a.currency === currency && (found === undefined || a.micros < found.micros)) found = a;
  }
  return found;
}
