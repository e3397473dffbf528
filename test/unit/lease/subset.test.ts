import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type CompiledPattern, compilePattern, matchesAny } from "../../../src/lease/glob.js";
import { LeaseError } from "../../../src/lease/lease-error.js";
import { subsetWitness, WorkBudget } from "../../../src/lease/subset.js";
import { referenceMatch, referenceRegexes, samplePattern } from "./glob-reference.js";

const compile = (patterns: readonly string[]): CompiledPattern[] => patterns.map(compilePattern);
const witness = (child: readonly string[], parent: readonly string[]): string | null =>
  subsetWitness(compile(child), compile(parent));

describe("exact subset decision", () => {
  test("[arcp-9.4-exact] parent search.* admits child search.web", () => {
    assert.equal(witness(["search.web"], ["search.*"]), null);
  });

  test("[arcp-9.4-exact] /a/** under /a/* gives a witness the child admits and the parent does not", () => {
    const w = witness(["/a/**"], ["/a/*"]);
    assert.equal(w, "/a");
  });

  test("[arcp-9.4-model-subset] child tier-*/* under tier-fast/* is refused with a genuine witness", () => {
    const w = witness(["tier-*/*"], ["tier-fast/*"]);
    assert.notEqual(w, null);
    assert.equal(referenceMatch("tier-*/*", w ?? ""), true);
    assert.equal(referenceMatch("tier-fast/*", w ?? ""), false);
  });

  test("[arcp-9.4-subset-violation] child /etc/** under parent /ws/** is refused", () => {
    assert.notEqual(witness(["/etc/**"], ["/ws/**"]), null);
  });

  const included: [string[], string[]][] = [
    [["/ws/a/*"], ["/ws/**"]],
    [["/ws/**"], ["/ws/**"]],
    [["/a/*/c"], ["/a/**"]],
    [
      ["/a/b", "/c/d"],
      ["/a/*", "/c/**"],
    ],
    [["a*b"], ["a*"]],
    [["/a/*"], ["/a/**"]],
    [["/a/**"], ["/a", "/a/**"]],
    [["x/**"], ["**"]],
    [["ab"], ["a*", "*b"]],
  ];
  for (const [child, parent] of included) {
    test(`[arcp-9.4-equal-allowed] ${child.join(",")} ⊆ ${parent.join(",")}`, () => {
      assert.equal(witness(child, parent), null);
    });
  }

  const excluded: [string[], string[]][] = [
    [["/a/**"], ["/a/*"]],
    [["**"], ["/a/**"]],
    [["a*"], ["a*b"]],
    [["/a/**"], ["/a/*/**"]],
    [["*"], ["a*", "*b"]],
    [["a**b"], ["a*b"]],
    [["/a/b"], []],
  ];
  for (const [child, parent] of excluded) {
    test(`[arcp-9.4-exact] ${child.join(",")} ⊄ ${parent.join(",") || "(nothing)"} with a genuine witness`, () => {
      const w = witness(child, parent);
      assert.notEqual(w, null);
      assert.equal(matchesAny(compile(child), w ?? ""), true);
      assert.equal(matchesAny(compile(parent), w ?? ""), false);
    });
  }

  test("a child admitting only the empty string under a parent refusing it yields the empty witness", () => {
    assert.equal(witness(["**"], ["a"]), "");
  });

  test("an inclusion too large to decide within the work budget is refused, never assumed", () => {
    // Each parent pattern remembers whether its letter was seen: 2^25 parent sets to explore.
    const parent = [..."abcdefghijklmnopqrstuvwxy"].map((c) => `**${c}**z`);
    const decide = (budget: WorkBudget) =>
      subsetWitness(compile(["a**z"]), compile(parent), budget);
    assert.throws(
      () => decide(new WorkBudget()),
      (err: unknown) =>
        err instanceof LeaseError &&
        err.code === "LEASE_SUBSET_VIOLATION" &&
        err.details?.reason === "too_complex" &&
        err.message.includes("a**z"),
    );
  });

  test("a work budget is shared by every check that is given it", () => {
    const budget = new WorkBudget(200);
    assert.equal(subsetWitness(compile(["/ws/a/*"]), compile(["/ws/**"]), budget), null);
    assert.throws(() => {
      for (let i = 0; i < 50; i++) subsetWitness(compile(["/ws/a/*"]), compile(["/ws/**"]), budget);
    }, LeaseError);
  });
});

describe("subset properties", () => {
  const unit = fc.constantFrom(..."ab/*.");
  const pattern = fc.string({ unit, minLength: 1, maxLength: 7 });
  // Widening a child pattern by swapping characters for wildcards makes inclusion likely.
  const widened = fc
    .tuple(
      pattern,
      fc.array(fc.tuple(fc.nat(), fc.constantFrom("*", "**", "/**")), { maxLength: 3 }),
    )
    .map(([p, edits]) => {
      let out = p;
      for (const [at, w] of edits) {
        const i = at % out.length;
        out = out.slice(0, i) + w + out.slice(i + 1);
      }
      return [p, out] as const;
    });
  const pair = fc.oneof(fc.tuple(pattern, pattern), widened);
  const choices = fc.array(fc.nat(), { minLength: 1, maxLength: 16 });

  test("[arcp-9.4-exact] every witness is genuine: the child matches it, the parent does not (property)", () => {
    fc.assert(
      fc.property(pair, pattern, ([c, p], extra) => {
        const parents = [p, extra];
        const w = witness([c], parents);
        if (w === null) return true;
        return referenceMatch(c, w) && !parents.some((q) => referenceMatch(q, w));
      }),
      { numRuns: 800 },
    );
  });

  test("[arcp-9.4-exact] when inclusion is reported, strings the child matches are matched by the parent (property)", () => {
    let nullResults = 0;
    fc.assert(
      fc.property(pair, fc.array(choices, { minLength: 20, maxLength: 20 }), ([c, p], samples) => {
        if (witness([c], [p]) !== null) return true;
        nullResults++;
        const inParent = referenceRegexes(p);
        return samples.every((s) => inParent.some((re) => re.test(samplePattern(c, s))));
      }),
      { numRuns: 800 },
    );
    // The generator must actually exercise the inclusion branch for the property to mean anything.
    assert.ok(nullResults > 50, `only ${nullResults} inclusions generated`);
  });

  test("[arcp-9.4-exact] inclusion agrees with exhaustive enumeration of short strings (property)", () => {
    const alphabet = ["a", "b", "/", ".", "x"];
    const all: string[] = [""];
    for (let len = 1, prev = [""]; len <= 4; len++) {
      prev = prev.flatMap((s) => alphabet.map((ch) => s + ch));
      all.push(...prev);
    }
    fc.assert(
      fc.property(pair, ([c, p]) => {
        const w = witness([c], [p]);
        const [inChild, inParent] = [referenceRegexes(c), referenceRegexes(p)];
        const matchedBy = (res: RegExp[], s: string) => res.some((re) => re.test(s));
        const counter = all.find((s) => matchedBy(inChild, s) && !matchedBy(inParent, s));
        // A counterexample must mean a witness; no counterexample up to length 4 allows either
        // answer only if the witness found is longer than 4.
        if (counter !== undefined) return w !== null && w.length <= counter.length;
        return w === null || w.length > 4;
      }),
      { numRuns: 300 },
    );
  });
});
