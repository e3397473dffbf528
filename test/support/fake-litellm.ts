/**
 * A fake LiteLLM proxy on loopback: virtual keys (`/key/generate`, `/key/delete`, `/key/info`)
 * and an OpenAI-style `/chat/completions` that enforces key liveness, expiry, allowed models and
 * `max_budget` the way LiteLLM does, with failure injection and a record of every request.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeKey {
  alias: string | null;
  value: string;
  /** SHA-256 hex of the value, LiteLLM's key id. */
  hash: string;
  maxBudget: number | null;
  models: string[];
  expiresAtMs: number | null;
  spend: number;
  metadata: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
  status: number;
}

export interface FakeLiteLlm {
  readonly url: string;
  readonly masterKey: string;
  readonly requests: RecordedRequest[];
  /** Answer the next `n` `/key/delete` calls with HTTP 500. */
  failNextDeletes(n: number): void;
  /** Answer the next `n` `/key/generate` calls with HTTP 500. */
  failNextGenerates(n: number): void;
  /** What each successful chat completion costs, in USD. */
  setCost(usd: number): void;
  key(alias: string): FakeKey | undefined;
  liveKeys(): FakeKey[];
  close(): Promise<void>;
}

/** The `runplane serve` / `credentials retry` flags that make `litellm` the provisioner. */
export function liteLlmProvisionerFlags(litellm: Pick<FakeLiteLlm, "url" | "masterKey">): string[] {
  return [
    "--provisioner",
    "litellm",
    "--litellm-url",
    litellm.url,
    "--litellm-master-key",
    litellm.masterKey,
  ];
}

export interface FakeLiteLlmOptions {
  masterKey?: string;
  now?: () => number;
  costPerCall?: number;
}

/**
 * Whether a key whose `models` list is `models` may call `model`, as LiteLLM decides it: an
 * empty list, `*` or `all-proxy-models` admit all; an entry with `*` is a whole-name regex with
 * `*` read as `.*` (other regex characters keep their meaning); anything else is an exact name.
 * LiteLLM's extra provider inference (`openai/*` admitting `gpt-4o`) is not modelled.
 */
export function liteLlmModelAllowed(models: readonly string[], model: string): boolean {
  if (models.length === 0 || models.includes("*") || models.includes("all-proxy-models")) {
    return true;
  }
  for (const entry of models) {
    if (!entry.includes("*")) {
      if (entry === model) return true;
      continue;
    }
    try {
      if (new RegExp(`^${entry.replaceAll("*", ".*")}$`).test(model)) return true;
    } catch {
      // LiteLLM's regex compile error refuses the call; here the entry just admits nothing.
    }
  }
  return false;
}

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Start the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeLiteLlm(options: FakeLiteLlmOptions = {}): Promise<FakeLiteLlm> {
  const masterKey = options.masterKey ?? `sk-master-${randomBytes(8).toString("hex")}`;
  const now = options.now ?? Date.now;
  const keys = new Map<string, FakeKey>();
  const requests: RecordedRequest[] = [];
  const state = { failDeletes: 0, failGenerates: 0, cost: options.costPerCall ?? 0.01 };

  const handlers: Record<string, (req: Call) => Reply> = {
    "POST /key/generate": (call) => {
      if (!call.isMaster) return authError("Authentication Error, not a master key");
      if (state.failGenerates > 0) {
        state.failGenerates--;
        return { status: 500, body: { error: { message: "Internal Server Error" } } };
      }
      return generate(call.body, keys, now);
    },
    "POST /key/delete": (call) => {
      if (!call.isMaster) return authError("Authentication Error, not a master key");
      if (state.failDeletes > 0) {
        state.failDeletes--;
        return { status: 500, body: { error: { message: "Internal Server Error" } } };
      }
      return deleteKeys(call.body, keys);
    },
    "GET /key/info": (call) => keyInfo(call, keys),
    "POST /chat/completions": (call) => complete(call, keys, now, state.cost),
    "POST /v1/chat/completions": (call) => complete(call, keys, now, state.cost),
  };

  const server = createServer((req, res) => {
    void handle(req, res, masterKey, handlers, requests);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    masterKey,
    requests,
    failNextDeletes: (n) => {
      state.failDeletes = n;
    },
    failNextGenerates: (n) => {
      state.failGenerates = n;
    },
    setCost: (usd) => {
      state.cost = usd;
    },
    key: (alias) => [...keys.values()].find((k) => k.alias === alias),
    liveKeys: () => [...keys.values()],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

interface Call {
  bearer: string | undefined;
  isMaster: boolean;
  body: Record<string, unknown>;
  query: URLSearchParams;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  masterKey: string,
  handlers: Record<string, (call: Call) => Reply>,
  requests: RecordedRequest[],
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake");
  const text = await readBody(req);
  let body: Record<string, unknown> = {};
  try {
    body = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = {};
  }
  const authorization = req.headers.authorization;
  const bearer = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
  const handler = handlers[`${req.method} ${url.pathname}`];
  const reply: Reply =
    handler === undefined
      ? { status: 404, body: { detail: "Not Found" } }
      : handler({ bearer, isMaster: bearer === masterKey, body, query: url.searchParams });
  requests.push({
    method: req.method ?? "",
    path: url.pathname,
    authorization,
    body,
    status: reply.status,
  });
  res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function authError(message: string): Reply {
  return {
    status: 401,
    body: { error: { message, type: "auth_error", param: "None", code: "401" } },
  };
}

function generate(
  body: Record<string, unknown>,
  keys: Map<string, FakeKey>,
  now: () => number,
): Reply {
  const alias = typeof body.key_alias === "string" ? body.key_alias : null;
  if (alias !== null && [...keys.values()].some((k) => k.alias === alias)) {
    return {
      status: 400,
      body: { error: { message: `Key with alias '${alias}' already exists.` } },
    };
  }
  let expiresAtMs: number | null = null;
  if (typeof body.duration === "string") {
    const m = DURATION.exec(body.duration);
    if (m === null) return { status: 400, body: { error: { message: "invalid duration" } } };
    expiresAtMs = now() + Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 1000);
  }
  const value = `sk-${randomBytes(16).toString("base64url")}`;
  const key: FakeKey = {
    alias,
    value,
    hash: createHash("sha256").update(value).digest("hex"),
    maxBudget: typeof body.max_budget === "number" ? body.max_budget : null,
    models: Array.isArray(body.models) ? (body.models as string[]) : [],
    expiresAtMs,
    spend: 0,
    metadata: (body.metadata as Record<string, unknown> | undefined) ?? {},
  };
  keys.set(key.hash, key);
  return {
    status: 200,
    body: {
      key: value,
      key_alias: alias,
      token: key.hash,
      expires: expiresAtMs === null ? null : new Date(expiresAtMs).toISOString(),
      max_budget: key.maxBudget,
      models: key.models,
    },
  };
}

function deleteKeys(body: Record<string, unknown>, keys: Map<string, FakeKey>): Reply {
  const wanted = new Set<string>([
    ...((body.keys as string[] | undefined) ?? []),
    ...((body.key_aliases as string[] | undefined) ?? []),
  ]);
  const found = [...keys.values()].filter(
    (k) => wanted.has(k.value) || wanted.has(k.hash) || (k.alias !== null && wanted.has(k.alias)),
  );
  if (found.length === 0) {
    return {
      status: 404,
      body: { error: { message: "Failed to delete all keys. Keys not found." } },
    };
  }
  for (const k of found) keys.delete(k.hash);
  return { status: 200, body: { deleted_keys: found.map((k) => k.alias ?? k.hash) } };
}

function findKey(keys: Map<string, FakeKey>, keyOrHash: string): FakeKey | undefined {
  return keys.get(keyOrHash) ?? keys.get(createHash("sha256").update(keyOrHash).digest("hex"));
}

function keyInfo(call: Call, keys: Map<string, FakeKey>): Reply {
  const asked = call.query.get("key") ?? call.bearer ?? "";
  const key = findKey(keys, asked);
  if (!call.isMaster && (call.bearer === undefined || findKey(keys, call.bearer) !== key)) {
    return authError("Authentication Error, invalid key");
  }
  if (key === undefined) return { status: 404, body: { detail: { error: "key not found" } } };
  const info = {
    key_alias: key.alias,
    spend: key.spend,
    max_budget: key.maxBudget,
    models: key.models,
    expires: key.expiresAtMs === null ? null : new Date(key.expiresAtMs).toISOString(),
    metadata: key.metadata,
  };
  return { status: 200, body: { key: key.hash, info } };
}

function complete(call: Call, keys: Map<string, FakeKey>, now: () => number, cost: number): Reply {
  const model = typeof call.body.model === "string" ? call.body.model : "";
  if (!call.isMaster) {
    const key = call.bearer === undefined ? undefined : findKey(keys, call.bearer);
    if (key === undefined)
      return authError("Authentication Error, Invalid proxy server token passed.");
    if (key.expiresAtMs !== null && now() >= key.expiresAtMs) {
      return authError("Authentication Error - Expired Key.");
    }
    if (!liteLlmModelAllowed(key.models, model)) {
      const message = `key not allowed to access model. This key can only access models=${JSON.stringify(key.models)}. Tried to access ${model}`;
      return {
        status: 401,
        body: { error: { message, type: "key_model_access_denied", param: "model", code: "401" } },
      };
    }
    if (key.maxBudget !== null && key.spend >= key.maxBudget) {
      const message = `Budget has been exceeded! Current cost: ${key.spend}, Max budget: ${key.maxBudget}`;
      return {
        status: 400,
        body: { error: { message, type: "budget_exceeded", param: null, code: "400" } },
      };
    }
    key.spend += cost;
  }
  return {
    status: 200,
    headers: { "x-litellm-response-cost": String(cost) },
    body: {
      id: `chatcmpl-${randomBytes(6).toString("hex")}`,
      object: "chat.completion",
      model,
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    },
  };
}
