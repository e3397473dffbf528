/**
 * The `mock` model adapter for tests and demos: deterministic text, token counts and cost, so a
 * demo can exhaust a budget (§9.6) without an LLM. Special ids simulate upstream failures.
 */
import type { ModelRequest, ModelResponse } from "../agents/agent.js";
import { ArcpError } from "../protocol/errors.js";
import { delay, throwIfAborted } from "../world/abort.js";
import type { ModelAdapter, ModelCallContext } from "./model-adapter.js";
import { normalizeModelRequest } from "./model-request.js";

/** Cost per token, in `currency` units, for models without an entry in the rate table. */
export const MOCK_DEFAULT_RATE = 0.0001;

/** Rates that apply unless the options override them. */
export const MOCK_RATES: Readonly<Record<string, number>> = {
  "mock/free": 0,
  "mock/expensive": 0.01,
};

/**
 * Model ids with scripted behaviour: an upstream budget refusal (§9.6), an upstream model
 * refusal, an upstream fault, and a slow answer that honours cancellation.
 */
export const MOCK_SPECIAL_MODELS = {
  budgetExceeded: "mock/budget-exceeded",
  denied: "mock/denied",
  error: "mock/error",
  slow: "mock/slow",
} as const;

export interface MockModelOptions {
  /** Currency of the reported cost (default `USD`). */
  currency?: string;
  /** Cost per token by model id; merged over {@link MOCK_RATES}. */
  rates?: Readonly<Record<string, number>>;
  /** Cost per token for other models (default {@link MOCK_DEFAULT_RATE}). */
  defaultRate?: number;
  /** How long `mock/slow` waits before answering, in ms (default 2000). */
  slowMs?: number;
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "");
}

/** Round to micro-units so that float noise never reaches the budget counters. */
function roundMicros(amount: number): number {
  return Math.round(amount * 1_000_000) / 1_000_000;
}

/**
 * A deterministic adapter named `mock`. The reply is `[mock:<model>] ` followed by the words of
 * the last message in reverse order (at most `max_tokens` of them); a token is a
 * whitespace-separated word; cost is tokens (input + output) times the model's rate.
 */
export function createMockModelAdapter(options: MockModelOptions = {}): ModelAdapter {
  const currency = options.currency ?? "USD";
  const rates: Record<string, number> = { ...MOCK_RATES, ...options.rates };
  const defaultRate = options.defaultRate ?? MOCK_DEFAULT_RATE;
  const slowMs = options.slowMs ?? 2000;
  return {
    name: "mock",
    async invoke(
      model: string,
      request: ModelRequest,
      ctx: ModelCallContext,
    ): Promise<ModelResponse> {
      throwIfAborted(ctx.signal);
      const { messages, maxTokens } = normalizeModelRequest(request);
      await scripted(model, ctx.signal, slowMs);
      const last = messages.at(-1)?.content ?? "";
      const reply = words(last).reverse().slice(0, maxTokens);
      const inputTokens = messages.reduce((n, m) => n + words(m.content).length, 0);
      const outputTokens = reply.length;
      const rate = rates[model] ?? defaultRate;
      return {
        model,
        text: `[mock:${model}] ${reply.join(" ")}`,
        usage: { input_tokens: inputTokens, output_tokens: outputTokens },
        cost: { currency, amount: roundMicros((inputTokens + outputTokens) * rate) },
      };
    },
  };
}

async function scripted(model: string, signal: AbortSignal, slowMs: number): Promise<void> {
  switch (model) {
    case MOCK_SPECIAL_MODELS.budgetExceeded:
      throw new ArcpError("BUDGET_EXHAUSTED", `upstream budget exhausted for model ${model}`);
    case MOCK_SPECIAL_MODELS.denied:
      throw new ArcpError(
        "PERMISSION_DENIED",
        `upstream refused model ${model} for this credential`,
      );
    case MOCK_SPECIAL_MODELS.error:
      throw new ArcpError("INTERNAL_ERROR", `upstream failed for model ${model}`);
    case MOCK_SPECIAL_MODELS.slow:
      await delay(slowMs, signal);
      return;
    default:
      return;
  }
}
