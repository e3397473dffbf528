/** The OpenAI-compatible adapter against a fake LiteLLM proxy: requests, cost, error translation. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ModelCallContext, ModelCredential } from "../../../src/models/model-adapter.js";
import { createOpenAiCompatibleAdapter } from "../../../src/models/openai-compatible.js";
import { ArcpError, ConfigError } from "../../../src/protocol/errors.js";
import { FAKE_FAILING_MODEL, type FakeOpenAi, startFakeOpenAi } from "../../support/fake-openai.js";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const KEY = "sk-config-key-123";
const VIRTUAL_KEY = "sk-virtual-abc-987";
const SMALL_BUDGET_KEY = "sk-small-budget-555";

const ctx = (
  credential?: ModelCredential,
  signal = new AbortController().signal,
): ModelCallContext => ({
  signal,
  traceparent: TRACEPARENT,
  credential,
});

/** Matches an ArcpError with `code` whose message and details mention no key. */
function isCode(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) => {
    if (!(err instanceof ArcpError) || err.code !== code) return false;
    const text = `${err.message} ${JSON.stringify(err.details ?? {})}`;
    for (const key of [KEY, VIRTUAL_KEY, SMALL_BUDGET_KEY])
      assert.ok(!text.includes(key), `key leaked: ${text}`);
    return pattern === undefined || pattern.test(err.message);
  };
}

describe("openai-compatible model adapter", () => {
  let fake: FakeOpenAi;
  let other: FakeOpenAi;

  before(async () => {
    fake = await startFakeOpenAi({
      keys: {
        [KEY]: {},
        [VIRTUAL_KEY]: { models: ["tier-fast/small"] },
        [SMALL_BUDGET_KEY]: { maxBudget: 0.01 },
      },
      costPerToken: 0.001,
    });
    other = await startFakeOpenAi({ keys: { [VIRTUAL_KEY]: {} }, reportCost: false });
  });
  after(async () => {
    await fake.close();
    await other.close();
  });

  test("[arcp-11-to-tools] POSTs chat/completions with Bearer key, traceparent, model, messages, max_tokens", async () => {
    const adapter = createOpenAiCompatibleAdapter({ endpoint: fake.url, apiKey: KEY });
    const response = await adapter.invoke("gpt-x", { prompt: "hello there", max_tokens: 7 }, ctx());
    const call = fake.calls.at(-1);
    assert.equal(call?.path, "/v1/chat/completions");
    assert.equal(call?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(call?.headers.traceparent, TRACEPARENT);
    assert.deepEqual(call?.body, {
      model: "gpt-x",
      messages: [{ role: "user", content: "hello there" }],
      max_tokens: 7,
    });
    assert.equal(response.model, "gpt-x");
    assert.equal(response.text, "echo: hello there");
    assert.deepEqual(response.usage, { input_tokens: 2, output_tokens: 3 });
    assert.deepEqual(response.cost, { currency: "USD", amount: 0.005 });
  });

  test("messages are sent as given, with a prompt appended as the last user message", async () => {
    const adapter = createOpenAiCompatibleAdapter({ endpoint: `${fake.url}/`, apiKey: KEY });
    const messages = [{ role: "system", content: "be terse" }];
    await adapter.invoke("gpt-x", { messages, prompt: "go", temperature: 0 }, ctx());
    assert.deepEqual(fake.calls.at(-1)?.body, {
      model: "gpt-x",
      messages: [...messages, { role: "user", content: "go" }],
      temperature: 0,
    });
  });

  test("the job's credential picks the endpoint and key over the configured ones", async () => {
    const adapter = createOpenAiCompatibleAdapter({ endpoint: fake.url, apiKey: KEY });
    const before = fake.calls.length;
    await adapter.invoke("m", { prompt: "x" }, ctx({ value: VIRTUAL_KEY, endpoint: other.url }));
    assert.equal(fake.calls.length, before, "the configured endpoint is not called");
    assert.equal(other.calls.at(-1)?.headers.authorization, `Bearer ${VIRTUAL_KEY}`);
  });

  test("the endpoint's path is extended and its query kept; a bad endpoint is a ConfigError", async () => {
    const adapter = createOpenAiCompatibleAdapter({
      endpoint: `${fake.url}?tenant=t1`,
      apiKey: KEY,
    });
    await adapter.invoke("m", { prompt: "x" }, ctx());
    assert.equal(fake.calls.at(-1)?.path, "/v1/chat/completions?tenant=t1");
    assert.throws(() => createOpenAiCompatibleAdapter({ endpoint: "ftp://x" }), ConfigError);
    assert.throws(() => createOpenAiCompatibleAdapter({ endpoint: "not a url" }), ConfigError);
  });

  test("without a credential or a configured endpoint the call is PERMISSION_DENIED", async () => {
    const adapter = createOpenAiCompatibleAdapter();
    await assert.rejects(
      adapter.invoke("m", { prompt: "x" }, ctx()),
      isCode("PERMISSION_DENIED", /credential/),
    );
  });

  test("with no cost header, cost comes from the price table, else it is absent", async () => {
    const priced = createOpenAiCompatibleAdapter({
      endpoint: other.url,
      apiKey: VIRTUAL_KEY,
      prices: { "m/priced": { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 } },
    });
    const withPrice = await priced.invoke("m/priced", { prompt: "a b" }, ctx());
    assert.deepEqual(withPrice.usage, { input_tokens: 2, output_tokens: 3 });
    assert.deepEqual(withPrice.cost, { currency: "USD", amount: 8 });
    const unpriced = await priced.invoke("m/unpriced", { prompt: "a b" }, ctx());
    assert.equal(unpriced.cost, undefined);
  });

  test("[arcp-14-strong-budget] [arcp-9.6-upstream-budget] the upstream caps spend with no agent metrics; its refusal is BUDGET_EXHAUSTED", async () => {
    const adapter = createOpenAiCompatibleAdapter({ endpoint: fake.url });
    const credential = { value: SMALL_BUDGET_KEY, endpoint: fake.url };
    let charged = 0;
    let refusal: unknown;
    for (let i = 0; i < 20 && refusal === undefined; i++) {
      try {
        charged +=
          (await adapter.invoke("m", { prompt: "one two three" }, ctx(credential))).cost?.amount ??
          0;
      } catch (error) {
        refusal = error;
      }
    }
    assert.ok(isCode("BUDGET_EXHAUSTED", /budget/)(refusal), String(refusal));
    assert.equal((refusal as ArcpError).retryable, false);
    assert.deepEqual((refusal as ArcpError).details, {
      upstream_status: 400,
      upstream_type: "budget_exceeded",
    });
    // What the adapter reported for charging is exactly what the upstream metered.
    assert.ok(Math.abs(charged - fake.spend(SMALL_BUDGET_KEY)) < 1e-9);
    assert.ok(charged >= 0.01);
  });

  test("[arcp-9.6-upstream-budget] a 429 budget refusal is BUDGET_EXHAUSTED too", async () => {
    const strict = await startFakeOpenAi({ keys: { [KEY]: { maxBudget: 0 } }, budgetStatus: 429 });
    try {
      const adapter = createOpenAiCompatibleAdapter({ endpoint: strict.url, apiKey: KEY });
      await assert.rejects(adapter.invoke("m", { prompt: "x" }, ctx()), isCode("BUDGET_EXHAUSTED"));
    } finally {
      await strict.close();
    }
  });

  test("a model the key may not use is PERMISSION_DENIED naming the model", async () => {
    const adapter = createOpenAiCompatibleAdapter({ endpoint: fake.url });
    const credential = { value: VIRTUAL_KEY, endpoint: fake.url };
    assert.equal(
      (await adapter.invoke("tier-fast/small", { prompt: "ok" }, ctx(credential))).text,
      "echo: ok",
    );
    await assert.rejects(
      adapter.invoke("tier-slow/big", { prompt: "x" }, ctx(credential)),
      isCode("PERMISSION_DENIED", /does not allow model "tier-slow\/big"/),
    );
  });

  test("an unknown key is PERMISSION_DENIED for the credential", async () => {
    const adapter = createOpenAiCompatibleAdapter({ endpoint: fake.url, apiKey: "sk-wrong" });
    await assert.rejects(
      adapter.invoke("m", { prompt: "x" }, ctx()),
      isCode("PERMISSION_DENIED", /rejected the credential/),
    );
  });

  test("a 5xx answer is INTERNAL_ERROR and retryable", async () => {
    const adapter = createOpenAiCompatibleAdapter({ endpoint: fake.url, apiKey: KEY });
    await assert.rejects(
      adapter.invoke(FAKE_FAILING_MODEL, { prompt: "x" }, ctx()),
      (err: unknown) => {
        return isCode("INTERNAL_ERROR", /HTTP 500/)(err) && (err as ArcpError).retryable;
      },
    );
  });

  test("an unreachable upstream is INTERNAL_ERROR naming only its origin", async () => {
    const gone = await startFakeOpenAi({ keys: {} });
    await gone.close();
    const adapter = createOpenAiCompatibleAdapter();
    const credential = { value: VIRTUAL_KEY, endpoint: `${gone.url}?key=${VIRTUAL_KEY}` };
    await assert.rejects(
      adapter.invoke("m", { prompt: "x" }, ctx(credential)),
      isCode("INTERNAL_ERROR", /unreachable/),
    );
  });

  test("the job signal aborts the call with its reason", async () => {
    const controller = new AbortController();
    controller.abort(new ArcpError("LEASE_EXPIRED", "lease expired"));
    const adapter = createOpenAiCompatibleAdapter({ endpoint: fake.url, apiKey: KEY });
    await assert.rejects(
      adapter.invoke("m", { prompt: "x" }, ctx(undefined, controller.signal)),
      isCode("LEASE_EXPIRED"),
    );
  });

  test("an invalid request is refused before anything is sent", async () => {
    const adapter = createOpenAiCompatibleAdapter({ endpoint: fake.url, apiKey: KEY });
    const before = fake.calls.length;
    await assert.rejects(adapter.invoke("m", { max_tokens: 5 }, ctx()), isCode("INVALID_REQUEST"));
    assert.equal(fake.calls.length, before);
  });
});
