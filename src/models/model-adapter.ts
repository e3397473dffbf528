/**
 * The model port (§9.7 `model.use`, §14 strong budgets): adapters that invoke LLMs and report
 * what each call cost, and the router that picks the adapter for a model id.
 */
import type { ModelRequest, ModelResponse } from "../agents/agent.js";
import { ArcpError, ConfigError } from "../protocol/errors.js";
import { throwIfAborted } from "../world/abort.js";

/** A provisioned credential (§9.8) the call should use instead of the adapter's own. */
export interface ModelCredential {
  /** The secret (an API key or proxy virtual key); never logged or put in messages. */
  value: string;
  /** Base URL of the upstream, e.g. a LiteLLM proxy. */
  endpoint: string;
  profile?: string;
}

/** Per-call context the runtime passes to an adapter. */
export interface ModelCallContext {
  /** Fired on cancel, timeout, lease expiry or shutdown. */
  signal: AbortSignal;
  /** The job's W3C trace context, forwarded upstream (§11). */
  traceparent: string;
  credential?: ModelCredential | undefined;
}

/**
 * An LLM backend. `invoke` resolves to the response with `cost` when the backend knows it: the
 * runtime charges that cost against the job's budget (§9.6, §14 strong enforcement), so
 * spending is metered at the model layer and not only from agent metrics.
 *
 * Errors are `ArcpError`s: `BUDGET_EXHAUSTED` for an upstream budget refusal (§9.6),
 * `PERMISSION_DENIED` for a model or credential the upstream refuses, `INTERNAL_ERROR` for
 * upstream faults.
 */
export interface ModelAdapter {
  readonly name: string;
  invoke(model: string, request: ModelRequest, ctx: ModelCallContext): Promise<ModelResponse>;
}

/** A routing rule: `pattern` is an exact model id, or a prefix ending in `*` (`mock/*`, `*`). */
export interface ModelRoute {
  pattern: string;
  adapter: ModelAdapter;
}

export interface ModelRouterOptions {
  routes?: readonly ModelRoute[];
  /** Serves every model no route matches. */
  default?: ModelAdapter;
}

/** One line of `listModels()`. */
export interface ModelListing {
  pattern: string;
  adapter: string;
}

/**
 * Maps model ids to adapters. An exact pattern beats any prefix; among prefixes the longest
 * wins; the default adapter serves the rest.
 */
export class ModelRouter {
  readonly #routes: readonly ModelRoute[];
  readonly #default: ModelAdapter | undefined;

  /** @throws ConfigError for an empty pattern or a `*` anywhere but at the end. */
  constructor(options: ModelRouterOptions = {}) {
    for (const { pattern } of options.routes ?? []) {
      if (pattern === "" || pattern.slice(0, -1).includes("*")) {
        throw new ConfigError(
          `invalid model route ${JSON.stringify(pattern)}: use an id or a prefix ending in *`,
        );
      }
    }
    this.#routes = [...(options.routes ?? [])];
    this.#default = options.default;
  }

  /** The adapter that serves `model`, if any. */
  route(model: string): ModelAdapter | undefined {
    let best: ModelRoute | undefined;
    let bestScore = -1;
    for (const route of this.#routes) {
      const score = matchScore(route.pattern, model);
      if (score > bestScore) {
        best = route;
        bestScore = score;
      }
    }
    return best?.adapter ?? this.#default;
  }

  /** Whether some adapter serves `model` (a "registered model" in §9.7's permissive policy). */
  serves(model: string): boolean {
    return this.route(model) !== undefined;
  }

  /**
   * Invoke `model` through its adapter and check what comes back. The `model.use` lease check
   * (§9.7) is the caller's and happens before this.
   *
   * @throws ArcpError `INVALID_REQUEST` when no adapter serves the model, `INTERNAL_ERROR`
   * when the adapter answers with a malformed response or cost, or the adapter's own error.
   */
  async invoke(
    model: string,
    request: ModelRequest,
    ctx: ModelCallContext,
  ): Promise<ModelResponse> {
    const adapter = this.route(model);
    if (adapter === undefined) {
      throw new ArcpError("INVALID_REQUEST", `no model adapter serves ${JSON.stringify(model)}`);
    }
    throwIfAborted(ctx.signal);
    let response: ModelResponse;
    try {
      response = await adapter.invoke(model, request, ctx);
    } catch (error) {
      throw ArcpError.from(error);
    }
    checkResponse(adapter.name, response);
    return response;
  }

  /** The routes and the default, for documentation and `runplane models`. */
  listModels(): ModelListing[] {
    const out = this.#routes.map((r) => ({ pattern: r.pattern, adapter: r.adapter.name }));
    if (this.#default !== undefined) out.push({ pattern: "*", adapter: this.#default.name });
    return out;
  }
}

/** -1 for no match; exact matches outrank every prefix, longer prefixes outrank shorter. */
function matchScore(pattern: string, model: string): number {
  if (!pattern.endsWith("*")) return pattern === model ? Number.MAX_SAFE_INTEGER : -1;
  const prefix = pattern.slice(0, -1);
  return model.startsWith(prefix) ? prefix.length : -1;
}

function checkResponse(adapter: string, response: ModelResponse): void {
  const bad = (what: string): never => {
    throw new ArcpError("INTERNAL_ERROR", `model adapter ${adapter} returned ${what}`);
  };
  if (typeof response !== "object" || response === null) bad("no response");
  if (typeof response.text !== "string") bad("a response without text");
  const { cost, usage } = response;
  if (cost !== undefined) {
    if (typeof cost.currency !== "string" || cost.currency === "") bad("a cost without a currency");
    if (!Number.isFinite(cost.amount) || cost.amount < 0)
      bad("a cost that is not a non-negative number");
  }
  if (usage !== undefined) {
    const counts = [usage.input_tokens, usage.output_tokens];
    if (!counts.every((n) => Number.isInteger(n) && n >= 0))
      bad("token counts that are not counts");
  }
}
