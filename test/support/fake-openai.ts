/**
 * A fake OpenAI-compatible / LiteLLM proxy chat endpoint on 127.0.0.1 for tests: virtual keys
 * with a model allow-list and a budget, cost reported in `x-litellm-response-cost`, and
 * LiteLLM's error bodies for unknown keys, refused models and exhausted budgets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeKey {
  /** Models this key may call; every model when absent. */
  models?: string[];
  /** Budget in USD; calls are refused once spend reaches it. */
  maxBudget?: number;
}

export interface FakeOpenAiOptions {
  keys: Record<string, FakeKey>;
  /** USD per token (prompt + completion) charged and reported (default 0.001). */
  costPerToken?: number;
  /** Send `x-litellm-response-cost` (default true). */
  reportCost?: boolean;
  /** HTTP status of budget refusals: LiteLLM answers 400 or 429 depending on the budget kind. */
  budgetStatus?: 400 | 429;
}

export interface RecordedCall {
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface FakeOpenAi {
  /** Base URL, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  calls: RecordedCall[];
  /** USD spent so far by `key`. */
  spend(key: string): number;
  close(): Promise<void>;
}

/** The model id that makes the fake answer 500. */
export const FAKE_FAILING_MODEL = "fail-500";

function words(text: string): number {
  return text.split(/\s+/).filter((w) => w !== "").length;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function litellmError(res: ServerResponse, status: number, message: string, type: string): void {
  sendJson(res, status, { error: { message, type, param: null, code: String(status) } });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  max_tokens?: number;
}

/** The completion: "echo: " and the last message; a token is a whitespace-separated word. */
function complete(body: ChatBody, n: number) {
  const content = `echo: ${body.messages.at(-1)?.content ?? ""}`;
  const promptTokens = body.messages.reduce((sum, m) => sum + words(m.content), 0);
  const completionTokens = words(content);
  return {
    id: `chatcmpl-${n}`,
    object: "chat.completion",
    model: body.model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

/** Start the fake; `close()` it when done. */
export async function startFakeOpenAi(options: FakeOpenAiOptions): Promise<FakeOpenAi> {
  const spent = new Map<string, number>();
  const calls: RecordedCall[] = [];
  const rate = options.costPerToken ?? 0.001;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = (await readJson(req)) as ChatBody;
    calls.push({ path: req.url ?? "", headers: req.headers, body });
    if (req.method !== "POST" || !/^(\/v1)?\/chat\/completions(\?|$)/.test(req.url ?? "")) {
      litellmError(res, 404, "not found", "not_found");
      return;
    }
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const entry = Object.hasOwn(options.keys, key) ? options.keys[key] : undefined;
    if (entry === undefined) {
      litellmError(
        res,
        401,
        "Authentication Error, Invalid proxy server token passed.",
        "auth_error",
      );
      return;
    }
    if (body.model === FAKE_FAILING_MODEL) {
      litellmError(res, 500, "upstream exploded", "internal_server_error");
      return;
    }
    if (entry.models !== undefined && !entry.models.includes(body.model)) {
      const allowed = JSON.stringify(entry.models);
      const message = `key not allowed to access model. This key can only access models=${allowed}. Tried to access ${body.model}`;
      litellmError(res, 401, message, "key_model_access_denied");
      return;
    }
    const already = spent.get(key) ?? 0;
    if (entry.maxBudget !== undefined && already >= entry.maxBudget) {
      const message = `Budget has been exceeded! Key=${key} Current cost: ${already}, Max budget: ${entry.maxBudget}`;
      litellmError(res, options.budgetStatus ?? 400, message, "budget_exceeded");
      return;
    }
    const completion = complete(body, calls.length);
    const cost = (completion.usage.prompt_tokens + completion.usage.completion_tokens) * rate;
    spent.set(key, already + cost);
    const headers: Record<string, string> =
      options.reportCost === false ? {} : { "x-litellm-response-cost": String(cost) };
    sendJson(res, 200, completion, headers);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() =>
      litellmError(res, 400, "bad request body", "invalid_request_error"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    spend: (key) => spent.get(key) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
