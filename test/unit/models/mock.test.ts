/** The mock model adapter: deterministic text, usage and cost; scripted upstream failures. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMockModelAdapter, MOCK_DEFAULT_RATE } from "../../../src/models/mock.js";
import type { ModelCallContext } from "../../../src/models/model-adapter.js";
import { ArcpError } from "../../../src/protocol/errors.js";

const ctx = (signal = new AbortController().signal): ModelCallContext => ({
  signal,
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
});

function isCode(code: string): (err: unknown) => boolean {
  return (err) => err instanceof ArcpError && err.code === code;
}

describe("mock model adapter", () => {
  const mock = createMockModelAdapter();

  test("the reply is the prompt's words reversed, prefixed with the model id", async () => {
    const response = await mock.invoke("mock/small", { prompt: "one two  three" }, ctx());
    assert.equal(response.model, "mock/small");
    assert.equal(response.text, "[mock:mock/small] three two one");
    assert.deepEqual(response.usage, { input_tokens: 3, output_tokens: 3 });
  });

  test("the same request always gives the same response", async () => {
    const request = {
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "a b c d" },
      ],
    };
    const first = await mock.invoke("tier-fast/x", request, ctx());
    const second = await mock.invoke("tier-fast/x", request, ctx());
    assert.deepEqual(first, second);
    assert.equal(first.text, "[mock:tier-fast/x] d c b a");
    assert.deepEqual(first.usage, { input_tokens: 6, output_tokens: 4 });
  });

  test("max_tokens caps the reply's words", async () => {
    const response = await mock.invoke("m", { prompt: "a b c d e", max_tokens: 2 }, ctx());
    assert.equal(response.text, "[mock:m] e d");
    assert.equal(response.usage?.output_tokens, 2);
  });

  test("[arcp-14-strong-budget] cost is tokens x the model's rate, exact to the micro-unit", async () => {
    const response = await mock.invoke("mock/any", { prompt: "one two three" }, ctx());
    assert.equal(MOCK_DEFAULT_RATE, 0.0001);
    assert.deepEqual(response.cost, { currency: "USD", amount: 0.0006 });
    const free = await mock.invoke("mock/free", { prompt: "one two three" }, ctx());
    assert.equal(free.cost?.amount, 0);
    const priced = createMockModelAdapter({
      currency: "credits",
      rates: { "m/p": 0.1 },
      defaultRate: 1,
    });
    assert.deepEqual((await priced.invoke("m/p", { prompt: "a b c" }, ctx())).cost, {
      currency: "credits",
      amount: 0.6,
    });
    assert.deepEqual((await priced.invoke("m/q", { prompt: "a" }, ctx())).cost, {
      currency: "credits",
      amount: 2,
    });
  });

  test("[arcp-9.6-upstream-budget] mock/budget-exceeded fails as an upstream budget refusal would", async () => {
    await assert.rejects(
      mock.invoke("mock/budget-exceeded", { prompt: "x" }, ctx()),
      (err: unknown) => {
        return isCode("BUDGET_EXHAUSTED")(err) && (err as ArcpError).retryable === false;
      },
    );
  });

  test("mock/denied and mock/error simulate upstream refusals and faults", async () => {
    await assert.rejects(
      mock.invoke("mock/denied", { prompt: "x" }, ctx()),
      isCode("PERMISSION_DENIED"),
    );
    await assert.rejects(
      mock.invoke("mock/error", { prompt: "x" }, ctx()),
      isCode("INTERNAL_ERROR"),
    );
  });

  test("mock/slow answers after its delay, and its wait ends when the signal fires", async () => {
    const quick = createMockModelAdapter({ slowMs: 10 });
    assert.equal(
      (await quick.invoke("mock/slow", { prompt: "hi" }, ctx())).text,
      "[mock:mock/slow] hi",
    );
    const slow = createMockModelAdapter({ slowMs: 60_000 });
    const controller = new AbortController();
    const pending = slow.invoke("mock/slow", { prompt: "hi" }, ctx(controller.signal));
    controller.abort(new ArcpError("CANCELLED", "job cancelled"));
    await assert.rejects(pending, isCode("CANCELLED"));
  });

  test("an already-aborted signal refuses the call", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      mock.invoke("m", { prompt: "x" }, ctx(controller.signal)),
      isCode("CANCELLED"),
    );
  });

  test("a request without prompt or messages is INVALID_REQUEST naming the problem", async () => {
    await assert.rejects(mock.invoke("m", {}, ctx()), (err: unknown) => {
      return isCode("INVALID_REQUEST")(err) && /prompt or messages/.test((err as Error).message);
    });
    await assert.rejects(
      mock.invoke("m", { messages: [{ role: "user", content: 3 as unknown as string }] }, ctx()),
      (err: unknown) =>
        isCode("INVALID_REQUEST")(err) &&
        /request\.messages\.0\.content/.test((err as Error).message),
    );
  });
});
