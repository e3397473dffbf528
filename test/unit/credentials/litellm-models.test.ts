/** model.use → LiteLLM `models` mapping: the table, and soundness against both glob semantics. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { LITELLM_NO_MODEL, mapModelPatterns } from "../../../src/credentials/index.js";
import { compilePattern, matchesPattern } from "../../../src/lease/index.js";
import { liteLlmModelAllowed } from "../../support/fake-litellm.js";

describe("mapModelPatterns", () => {
  const cases: Array<[string[], string[], boolean]> = [
    [["gpt-4o"], ["gpt-4o"], true],
    [["gpt-4.1", "claude-3-haiku"], ["gpt-4.1", "claude-3-haiku"], true],
    [[], [LITELLM_NO_MODEL], true],
    [["**"], ["*"], false],
    [["openai/**"], ["openai", "openai/*"], false],
    [["tier-fast/*"], ["tier-fast/*"], false],
    [["anthropic/claude-3-haiku-*"], ["anthropic/claude-3-haiku-*"], false],
    [["a/**/b"], ["a*"], false],
    [["gpt-4.1-*"], ["gpt-4.1-*"], false],
    [["x+y/*"], ["x*"], false],
    [["*-mini"], ["*"], false],
    [["all-proxy-models"], ["all-proxy-models"], false],
    [["gpt-4o", "gpt-4o"], ["gpt-4o"], true],
  ];
  for (const [patterns, upstream, exact] of cases) {
    test(`[arcp-9.8-constraint-mapping] ${JSON.stringify(patterns)} → ${JSON.stringify(upstream)} (${exact ? "exact" : "widened"})`, () => {
      assert.deepEqual(mapModelPatterns(patterns), { upstream, exact });
    });
  }

  // Alphabets chosen to hit segment boundaries, LiteLLM's regex characters and globstars.
  const nameChar = fc.constantFrom("a", "b", "/", ".", "-", "+");
  const patternChar = fc.constantFrom("a", "b", "/", ".", "-", "+", "*", "?");
  const name = fc.string({ unit: nameChar, minLength: 1, maxLength: 7 });
  const pattern = fc.string({ unit: patternChar, minLength: 1, maxLength: 7 });

  test("[arcp-9.8-constraint-mapping] LiteLLM admits every model the lease admits (the upstream never over-refuses)", () => {
    fc.assert(
      fc.property(pattern, name, (p, model) => {
        if (!matchesPattern(compilePattern(p), model)) return;
        const { upstream } = mapModelPatterns([p]);
        assert.ok(
          liteLlmModelAllowed(upstream, model),
          `${p} admits ${model} but ${upstream} does not`,
        );
      }),
      { numRuns: 5000 },
    );
  });

  test("[arcp-9.8-constraints-truthful] when the mapping is reported exact, LiteLLM admits exactly the lease's models", () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 0, maxLength: 3 }), name, (patterns, model) => {
        const mapped = mapModelPatterns(patterns);
        if (!mapped.exact) return;
        const lease = patterns.some((p) => matchesPattern(compilePattern(p), model));
        assert.equal(liteLlmModelAllowed(mapped.upstream, model), lease, `${patterns} vs ${model}`);
      }),
      { numRuns: 5000 },
    );
  });
});
