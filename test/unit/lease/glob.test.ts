import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { canonicalizeTarget } from "../../../src/lease/canonical.js";
import {
  compilePattern,
  MAX_PATTERN_LENGTH,
  MAX_WILDCARDS,
  matchesAny,
} from "../../../src/lease/glob.js";
import { LeaseError } from "../../../src/lease/lease-error.js";
import { referenceMatch, samplePattern } from "./glob-reference.js";

const matches = (pattern: string, target: string): boolean =>
  matchesAny([compilePattern(pattern)], target);

describe("glob matching", () => {
  // The arcp-wire.md §9.2 observed table; capability decides how the target is canonicalised.
  const observed: [string, string, string, boolean][] = [
    ["tool.call", "search.*", "search.web", true],
    ["model.use", "tier-fast/*", "tier-fast/small", true],
    ["model.use", "tier-fast/*", "tier-fast/a/b", false],
    ["net.fetch", "https://*", "https://a.com/x", false],
    ["net.fetch", "https://a.com/**", "HTTPS://a.com/x/y", true],
    ["fs.read", "/ws/*", "/ws/../etc/passwd", false],
    ["tool.call", "file?.txt", "file1.txt", false],
  ];
  for (const [capability, pattern, target, expected] of observed) {
    test(`[arcp-9.2-glob-wildcards] observed table: ${pattern} ${expected ? "matches" : "refuses"} ${target}`, () => {
      let canonical: string | undefined;
      try {
        canonical = canonicalizeTarget(capability, target);
      } catch {
        canonical = undefined;
      }
      const got = canonical !== undefined && matches(pattern, canonical);
      assert.equal(got, expected);
    });
  }

  const table: [string, string, boolean][] = [
    ["/a/**", "/a", true],
    ["/a/**", "/a/", true],
    ["/a/**", "/a/b/c", true],
    ["/a/**", "/ab", false],
    ["/a/**/x", "/a/x", true],
    ["/a/**/x", "/a/b/c/x", true],
    ["/a/**/x", "/a/b/cx", false],
    ["**/x", "x", true],
    ["**/x", "a/b/x", true],
    ["**", "", true],
    ["**/**", "abc", true],
    ["/a/**/**", "/a", true],
    ["/a/*", "/a/b", true],
    ["/a/*", "/a/b/c", false],
    ["/a/*", "/a/", true],
    ["a**b", "a/x/b", true],
    ["/a/b**", "/a/b/c/d", true],
    ["/a/***", "/a", true],
    ["*.txt", "dir/x.txt", false],
    ["exact", "exact", true],
    ["exact", "exactly", false],
  ];
  for (const [pattern, target, expected] of table) {
    test(`[arcp-9.2-glob-wildcards] ${pattern} ${expected ? "matches" : "refuses"} ${JSON.stringify(target)}`, () => {
      assert.equal(matches(pattern, target), expected);
    });
  }

  test("[arcp-9.2-glob-literals] ? and regex metacharacters match only themselves", () => {
    assert.equal(matches("file?.txt", "file?.txt"), true);
    assert.equal(matches("file?.txt", "file1.txt"), false);
    assert.equal(matches("a.b", "axb"), false);
    assert.equal(matches("(a|b)+[c]", "(a|b)+[c]"), true);
    assert.equal(matches("(a|b)+[c]", "a"), false);
  });

  test("matchesAny admits a target matched by any pattern of the union", () => {
    const patterns = ["/a/*", "/b/**"].map(compilePattern);
    assert.equal(matchesAny(patterns, "/b/c/d"), true);
    assert.equal(matchesAny(patterns, "/c"), false);
    assert.equal(matchesAny([], "/a/x"), false);
  });

  test("[arcp-9.2-glob-wildcards] the matcher agrees with the rule-text reference (property)", () => {
    const pattern = fc.string({ unit: fc.constantFrom(..."ab/*?."), minLength: 1, maxLength: 10 });
    const target = fc.string({ unit: fc.constantFrom(..."ab/?.x"), maxLength: 10 });
    fc.assert(
      fc.property(pattern, target, (p, t) => matches(p, t) === referenceMatch(p, t)),
      { numRuns: 1500 },
    );
  });

  test("[arcp-9.2-glob-wildcards] every string sampled from a pattern is matched (property)", () => {
    const pattern = fc.string({ unit: fc.constantFrom(..."ab/*?."), minLength: 1, maxLength: 10 });
    const choices = fc.array(fc.nat(), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(pattern, choices, (p, c) => {
        const sample = samplePattern(p, c);
        return referenceMatch(p, sample) && matches(p, sample);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("cached matcher bounds", () => {
  test("a pattern with more determinised states than the cache holds still matches exactly", () => {
    const literal = `/${"ab".repeat(100)}`;
    const p = compilePattern(`${literal}/*`);
    for (let i = 0; i < 3; i++) {
      assert.equal(matchesAny([p], `${literal}/x`), true);
      assert.equal(matchesAny([p], `${literal.slice(0, -1)}c/x`), false);
      assert.equal(matchesAny([p], `${literal}/x/y`), false);
    }
  });

  test("targets with more distinct characters than the cache holds still match exactly", () => {
    const p = compilePattern("/a/*/z");
    for (let code = 0x100; code < 0x100 + 1500; code++) {
      const c = String.fromCharCode(code);
      assert.equal(matchesAny([p], `/a/${c}${c}/z`), true);
      assert.equal(matchesAny([p], `/a/${c}/${c}/z`), false);
    }
  });
});

describe("pattern limits", () => {
  const refused: [string, string][] = [
    ["empty", ""],
    ["too long", `/${"a".repeat(MAX_PATTERN_LENGTH)}`],
    ["too many wildcards", Array.from({ length: MAX_WILDCARDS + 1 }, () => "*").join("/")],
    ["a NUL", "/a\u0000b"],
    ["a newline", "/a\nb"],
    ["DEL", "/a\u007f"],
    ["a C1 control", "/a\u0085"],
  ];
  for (const [why, pattern] of refused) {
    test(`a pattern with ${why} is INVALID_REQUEST`, () => {
      assert.throws(
        () => compilePattern(pattern),
        (err: unknown) => err instanceof LeaseError && err.code === "INVALID_REQUEST",
      );
    });
  }

  test("the refusal names the pattern", () => {
    const pattern = Array.from({ length: MAX_WILDCARDS + 1 }, () => "*").join("/");
    assert.throws(() => compilePattern(pattern), {
      message: new RegExp(pattern.replace(/[*/]/g, "\\$&")),
    });
  });

  test("a pattern at the limits compiles and matches", () => {
    const atLimit = Array.from({ length: MAX_WILDCARDS }, () => "*").join("/");
    assert.equal(matches(atLimit, "a/".repeat(MAX_WILDCARDS - 1).concat("a")), true);
    const long = `/${"a".repeat(MAX_PATTERN_LENGTH - 1)}`;
    assert.equal(matches(long, long), true);
  });
});
