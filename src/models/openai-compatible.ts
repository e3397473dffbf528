/**
 * An adapter for OpenAI-compatible chat endpoints, LiteLLM proxies included: the job's
 * provisioned credential (§9.8) picks the endpoint and key; upstream budget refusals become
 * `BUDGET_EXHAUSTED` (§9.6) and the proxy's reported cost is charged to the budget (§14).
 */
import { z } from "zod";
import type { ModelRequest, ModelResponse } from "../agents/agent.js";
import { ArcpError, ConfigError } from "../protocol/errors.js";
import { abortError, throwIfAborted } from "../world/abort.js";
import { readBodyText } from "../world/http-fetch.js";
import type { ModelAdapter, ModelCallContext } from "./model-adapter.js";
import { normalizeModelRequest } from "./model-request.js";
import { upstreamError } from "./upstream-errors.js";

/** The header in which a LiteLLM proxy reports what a call cost, in USD. */
export const LITELLM_COST_HEADER = "x-litellm-response-cost";
/** Request fields passed through to the upstream as they are. */
const PASSTHROUGH = ["temperature", "top_p", "stop", "seed"] as const;

/** Price of a model in currency units per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface OpenAiCompatibleOptions {
  /** Adapter name (default `openai-compatible`). */
  name?: string;
  /** Base URL used when the job has no credential, e.g. `https://api.openai.com/v1`. */
  endpoint?: string;
  /** API key used with `endpoint`; a secret, never logged. */
  apiKey?: string;
  /** Currency of reported and computed costs (default `USD`, LiteLLM's). */
  currency?: string;
  /** Prices used when the upstream reports no cost. */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** Limit for one call (default 120 s). */
  timeoutMs?: number;
  /** Largest response body accepted (default 8 MiB). */
  maxResponseBytes?: number;
}

const CompletionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
    })
    .optional(),
});

interface Target {
  url: URL;
  key: string | undefined;
}

/**
 * Create an adapter that POSTs `{endpoint}/chat/completions` with `Authorization: Bearer` and
 * `traceparent` (§11). The job's credential, when present, overrides `endpoint` and `apiKey`.
 *
 * @throws ConfigError when `endpoint` is not an http(s) URL.
 */
export function createOpenAiCompatibleAdapter(options: OpenAiCompatibleOptions = {}): ModelAdapter {
  const configured: Target | undefined =
    options.endpoint === undefined
      ? undefined
      : {
          url: parseEndpoint(options.endpoint, () => new ConfigError("invalid model endpoint URL")),
          key: options.apiKey,
        };
  const name = options.name ?? "openai-compatible";
  const currency = options.currency ?? "USD";
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
  return {
    name,
    async invoke(
      model: string,
      request: ModelRequest,
      ctx: ModelCallContext,
    ): Promise<ModelResponse> {
      throwIfAborted(ctx.signal);
      const { messages, maxTokens } = normalizeModelRequest(request);
      const target = pickTarget(name, configured, ctx);
      const body: Record<string, unknown> = { model, messages };
      if (maxTokens !== undefined) body.max_tokens = maxTokens;
      for (const key of PASSTHROUGH) if (request[key] !== undefined) body[key] = request[key];
      const headers: Record<string, string> = {
        "content-type": "application/json",
        accept: "application/json",
        traceparent: ctx.traceparent,
      };
      if (target.key !== undefined) headers.authorization = `Bearer ${target.key}`;
      const timeout = AbortSignal.timeout(timeoutMs);
      const call = async (): Promise<{ response: Response; text: string }> => {
        const response = await fetch(target.url, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
          // A redirect must never carry the key somewhere else.
          redirect: "error",
          signal: AbortSignal.any([ctx.signal, timeout]),
        });
        return { response, text: await readBodyText(response, maxBytes) };
      };
      const { response, text } = await guard(call(), target.url, ctx.signal, timeout, timeoutMs);
      if (!response.ok) throw upstreamError(response.status, text, model);
      return toModelResponse(model, response, text, currency, options.prices?.[model]);
    },
  };
}

/** `{endpoint}/chat/completions`, keeping any query the endpoint carries. */
function parseEndpoint(endpoint: string, fail: () => Error): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw fail();
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw fail();
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/chat/completions`;
  return url;
}

function pickTarget(name: string, configured: Target | undefined, ctx: ModelCallContext): Target {
  const credential = ctx.credential;
  if (credential !== undefined) {
    const url = parseEndpoint(
      credential.endpoint,
      () => new ArcpError("INTERNAL_ERROR", "the credential's endpoint is not an http(s) URL"),
    );
    return { url, key: credential.value };
  }
  if (configured === undefined) {
    throw new ArcpError(
      "PERMISSION_DENIED",
      `model adapter ${name} needs a provisioned credential`,
    );
  }
  return configured;
}

/** Network failures name the upstream's origin only; the path or query may hold a key. */
async function guard<T>(
  work: Promise<T>,
  url: URL,
  signal: AbortSignal,
  timeout: AbortSignal,
  timeoutMs: number,
): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ArcpError) throw error;
    if (signal.aborted) throw abortError(signal);
    if (timeout.aborted)
      throw new ArcpError(
        "INTERNAL_ERROR",
        `model upstream ${url.origin} timed out after ${timeoutMs} ms`,
      );
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    const why = typeof code === "string" ? ` (${code})` : "";
    throw new ArcpError("INTERNAL_ERROR", `model upstream ${url.origin} unreachable${why}`);
  }
}

function toModelResponse(
  model: string,
  response: Response,
  text: string,
  currency: string,
  price: ModelPrice | undefined,
): ModelResponse {
  let parsed: z.infer<typeof CompletionSchema>;
  try {
    parsed = CompletionSchema.parse(JSON.parse(text));
  } catch {
    throw new ArcpError("INTERNAL_ERROR", "model upstream returned a malformed completion");
  }
  const out: ModelResponse = { model, text: parsed.choices[0]?.message.content ?? "" };
  const usage = parsed.usage;
  if (usage !== undefined)
    out.usage = { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens };
  const header = response.headers.get(LITELLM_COST_HEADER)?.trim() ?? "";
  const reported = header === "" ? Number.NaN : Number(header);
  if (Number.isFinite(reported) && reported >= 0) {
    out.cost = { currency, amount: roundMicros(reported) };
  } else if (price !== undefined && usage !== undefined) {
    const amount =
      (usage.prompt_tokens * price.inputPerMillion +
        usage.completion_tokens * price.outputPerMillion) /
      1e6;
    out.cost = { currency, amount: roundMicros(amount) };
  }
  return out;
}

/** Round up to whole micro-units: a fraction of a micro-unit still costs something. */
function roundMicros(amount: number): number {
  return Math.ceil(Math.round(amount * 1e12) / 1e6) / 1e6;
}
