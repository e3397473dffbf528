/** The tool registry: names, duplicates, listing, and calls with normalised errors. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ArcpError, ConfigError } from "../../../src/protocol/errors.js";
import {
  defineTool,
  looksLikeTool,
  type ToolEnvironment,
  ToolRegistry,
} from "../../../src/tools/tool.js";

const env: ToolEnvironment = {
  jobId: "job_x",
  signal: new AbortController().signal,
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  readFile: async () => "",
  writeFile: async () => {},
  fetch: async () => ({ status: 200, headers: {}, body: "" }),
};

const echo = defineTool({ name: "echo.args", call: async (args) => args });

describe("ToolRegistry", () => {
  test("register, has, get and list (sorted by name)", () => {
    const registry = new ToolRegistry([echo, defineTool({ name: "a-tool", call: async () => 1 })]);
    assert.equal(registry.has("echo.args"), true);
    assert.equal(registry.has("missing"), false);
    assert.equal(registry.get("echo.args"), echo);
    assert.equal(registry.get("missing"), undefined);
    assert.deepEqual(
      registry.list().map((t) => t.name),
      ["a-tool", "echo.args"],
    );
  });

  test("names must match [a-z0-9][a-z0-9._-]*", () => {
    const registry = new ToolRegistry();
    for (const name of ["ok", "0k", "search.web", "a_b-c.d"]) {
      registry.register(defineTool({ name, call: async () => null }));
    }
    for (const name of ["", "Upper", ".dot", "-dash", "sp ace", "slash/x", "ünï"]) {
      assert.throws(
        () => registry.register(defineTool({ name, call: async () => null })),
        ConfigError,
        name,
      );
    }
  });

  test("a name registered twice is a ConfigError", () => {
    const registry = new ToolRegistry([echo]);
    assert.throws(() => registry.register(echo), /registered twice/);
  });

  test("call returns the tool's result, null for undefined", async () => {
    const registry = new ToolRegistry([
      echo,
      defineTool({ name: "void", call: async () => undefined }),
    ]);
    assert.deepEqual(await registry.call("echo.args", { a: 1 }, env), { a: 1 });
    assert.equal(await registry.call("void", {}, env), null);
  });

  test("calling an unknown tool is INVALID_REQUEST", async () => {
    await assert.rejects(
      new ToolRegistry().call("nope", {}, env),
      (err: unknown) =>
        err instanceof ArcpError && err.code === "INVALID_REQUEST" && /nope/.test(err.message),
    );
  });

  test("whatever a tool throws becomes an ArcpError; spec codes are kept", async () => {
    const registry = new ToolRegistry([
      defineTool({
        name: "boom",
        call: async () => {
          throw new Error("kaput");
        },
      }),
      defineTool({
        name: "broke",
        call: async () => {
          throw new ArcpError("BUDGET_EXHAUSTED", "no money");
        },
      }),
    ]);
    await assert.rejects(registry.call("boom", {}, env), (err: unknown) => {
      return err instanceof ArcpError && err.code === "INTERNAL_ERROR" && err.message === "kaput";
    });
    await assert.rejects(registry.call("broke", {}, env), (err: unknown) => {
      return err instanceof ArcpError && err.code === "BUDGET_EXHAUSTED" && err.retryable === false;
    });
  });

  test("looksLikeTool needs a string name and a call function", () => {
    assert.equal(looksLikeTool(echo), true);
    assert.equal(looksLikeTool({ name: "x" }), false);
    assert.equal(looksLikeTool({ name: 1, call: () => null }), false);
    assert.equal(looksLikeTool(null), false);
  });
});
