/** Routing model ids to adapters, and the checks the router applies to their answers. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ModelResponse } from "../../../src/agents/agent.js";
import { createMockModelAdapter } from "../../../src/models/mock.js";
import {
  type ModelAdapter,
  type ModelCallContext,
  ModelRouter,
} from "../../../src/models/model-adapter.js";
import { ArcpError, ConfigError } from "../../../src/protocol/errors.js";

const ctx: ModelCallContext = {
  signal: new AbortController().signal,
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
};

function fixed(name: string, response: Partial<ModelResponse> = {}): ModelAdapter {
  return { name, invoke: async (model) => ({ model, text: name, ...response }) as ModelResponse };
}

describe("ModelRouter", () => {
  const exact = fixed("exact");
  const shortPrefix = fixed("short");
  const longPrefix = fixed("long");
  const fallback = fixed("fallback");
  const router = new ModelRouter({
    routes: [
      { pattern: "tier-fast/*", adapter: shortPrefix },
      { pattern: "tier-fast/special/*", adapter: longPrefix },
      { pattern: "tier-fast/one", adapter: exact },
    ],
    default: fallback,
  });

  test("an exact id beats prefixes, a longer prefix beats a shorter one, the default takes the rest", () => {
    assert.equal(router.route("tier-fast/one"), exact);
    assert.equal(router.route("tier-fast/special/x"), longPrefix);
    assert.equal(router.route("tier-fast/two"), shortPrefix);
    assert.equal(router.route("other"), fallback);
  });

  test("without a default, an unrouted model is not served and invoking it is INVALID_REQUEST", async () => {
    const strict = new ModelRouter({
      routes: [{ pattern: "mock/*", adapter: createMockModelAdapter() }],
    });
    assert.equal(strict.serves("mock/a"), true);
    assert.equal(strict.serves("gpt-4o"), false);
    await assert.rejects(strict.invoke("gpt-4o", { prompt: "x" }, ctx), (err: unknown) => {
      return err instanceof ArcpError && err.code === "INVALID_REQUEST";
    });
  });

  test("invoke delegates to the routed adapter", async () => {
    const mockRouter = new ModelRouter({
      routes: [{ pattern: "mock/*", adapter: createMockModelAdapter() }],
    });
    assert.equal(
      (await mockRouter.invoke("mock/a", { prompt: "x y" }, ctx)).text,
      "[mock:mock/a] y x",
    );
    assert.equal((await router.invoke("tier-fast/one", { prompt: "x" }, ctx)).text, "exact");
  });

  test("listModels shows each route and the default", () => {
    assert.deepEqual(router.listModels(), [
      { pattern: "tier-fast/*", adapter: "short" },
      { pattern: "tier-fast/special/*", adapter: "long" },
      { pattern: "tier-fast/one", adapter: "exact" },
      { pattern: "*", adapter: "fallback" },
    ]);
  });

  test("patterns with * anywhere but the end are a ConfigError", () => {
    assert.throws(
      () => new ModelRouter({ routes: [{ pattern: "a*/b", adapter: exact }] }),
      ConfigError,
    );
    assert.throws(
      () => new ModelRouter({ routes: [{ pattern: "", adapter: exact }] }),
      ConfigError,
    );
  });

  test("[arcp-14-strong-budget] a malformed cost or usage from an adapter is INTERNAL_ERROR, never charged", async () => {
    const bad: Partial<ModelResponse>[] = [
      { cost: { currency: "USD", amount: -1 } },
      { cost: { currency: "USD", amount: Number.NaN } },
      { cost: { currency: "", amount: 1 } },
      { usage: { input_tokens: 1.5, output_tokens: 0 } },
      { text: 42 as unknown as string },
    ];
    for (const response of bad) {
      const r = new ModelRouter({ default: fixed("bad", response) });
      await assert.rejects(
        r.invoke("m", { prompt: "x" }, ctx),
        (err: unknown) => {
          return err instanceof ArcpError && err.code === "INTERNAL_ERROR";
        },
        JSON.stringify(response),
      );
    }
  });

  test("whatever an adapter throws becomes an ArcpError", async () => {
    const thrower: ModelAdapter = {
      name: "thrower",
      invoke: async () => {
        throw new TypeError("oops");
      },
    };
    await assert.rejects(
      new ModelRouter({ default: thrower }).invoke("m", { prompt: "x" }, ctx),
      (err: unknown) => {
        return err instanceof ArcpError && err.code === "INTERNAL_ERROR";
      },
    );
  });
});
