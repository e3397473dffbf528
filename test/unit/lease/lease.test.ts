import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  isCapabilityName,
  MAX_PATTERNS_PER_CAPABILITY,
  parseLease,
} from "../../../src/lease/lease.js";
import { LeaseError } from "../../../src/lease/lease-error.js";

const invalidNaming = (fragment: string) => (err: unknown) =>
  err instanceof LeaseError && err.code === "INVALID_REQUEST" && err.message.includes(fragment);

describe("lease grammar", () => {
  test("[arcp-9.2-reserved-namespaces] every reserved namespace is accepted and kept for echo", () => {
    const raw = {
      "fs.read": ["/ws/**"],
      "fs.write": ["/ws/out/**"],
      "net.fetch": ["https://api.example.com/**"],
      "tool.call": ["search.*"],
      "agent.delegate": ["helper"],
      "cost.budget": ["USD:5.00", "credits:1000"],
      "model.use": ["tier-fast/*"],
    };
    const lease = parseLease(raw);
    assert.deepEqual(lease.raw, raw);
    assert.deepEqual(lease.capabilities(), Object.keys(raw));
    assert.ok(Object.isFrozen(lease.raw));
  });

  test("the echoed lease is a copy, untouched by later changes to the input", () => {
    const raw = { "tool.call": ["a"] };
    const lease = parseLease(raw);
    raw["tool.call"].push("b");
    assert.deepEqual(lease.raw, { "tool.call": ["a"] });
  });

  test("[arcp-9.2-reserved-namespaces] vendor keys need at least two dotted parts", () => {
    assert.equal(isCapabilityName("x-vendor.acme.search"), true);
    assert.equal(isCapabilityName("x-vendor.acme.search.deep"), true);
    assert.equal(isCapabilityName("x-vendor.acme"), false);
    assert.equal(isCapabilityName("x-vendor.Acme.search"), false);
    assert.equal(isCapabilityName("fs.execute"), false);
    assert.ok(parseLease({ "x-vendor.acme.search": ["*"] }).has("x-vendor.acme.search"));
  });

  const badShapes: [string, unknown, string][] = [
    ["an array", [["fs.read", ["/"]]], "JSON object"],
    ["null", null, "JSON object"],
    ["a string", "fs.read", "JSON object"],
    ["an unknown key", { "fs.exec": ["/"] }, "fs.exec"],
    ["a __proto__ key", JSON.parse('{"__proto__": ["x"]}'), "__proto__"],
    ["an empty array", { "fs.read": [] }, "fs.read"],
    ["a non-array", { "fs.read": "/ws/**" }, "fs.read"],
    ["an empty pattern", { "tool.call": [""] }, "tool.call"],
    ["a non-string pattern", { "tool.call": [3] }, "tool.call"],
    ["a malformed amount", { "cost.budget": ["USD:1e3"] }, "USD:1e3"],
    ["a control character", { "fs.read": ["/ws/\u0000"] }, "fs.read"],
    ["too many wildcards", { "fs.read": ["/*".repeat(17)] }, "/*/*"],
    [
      "too many patterns",
      { "tool.call": Array.from({ length: MAX_PATTERNS_PER_CAPABILITY + 1 }, (_, i) => `t${i}`) },
      "tool.call",
    ],
  ];
  for (const [why, raw, fragment] of badShapes) {
    test(`[arcp-9.2-reserved-namespaces] a lease with ${why} is INVALID_REQUEST naming ${fragment}`, () => {
      assert.throws(() => parseLease(raw), invalidNaming(fragment));
    });
  }

  test("an empty lease grants nothing", () => {
    const lease = parseLease({});
    assert.equal(lease.allows("tool.call", "anything"), false);
    assert.equal(lease.budget().size, 0);
  });

  test("[arcp-9.6-amount-grammar] repeated currencies are summed", () => {
    const lease = parseLease({ "cost.budget": ["USD:1.50", "credits:10", "USD:0.25"] });
    assert.deepEqual(
      lease.budget(),
      new Map([
        ["USD", 1_750_000n],
        ["credits", 10_000_000n],
      ]),
    );
  });

  test("a summed budget too large to store is refused", () => {
    const raw = { "cost.budget": Array.from({ length: 2 }, () => "USD:999999999999") };
    assert.throws(() => parseLease(raw), invalidNaming("USD"));
  });
});

describe("lease enforcement checks", () => {
  const lease = parseLease({
    "fs.read": ["/ws/**"],
    "fs.write": ["/ws/out/*"],
    "net.fetch": ["https://api.example.com/**"],
    "tool.call": ["search.*"],
    "model.use": ["tier-fast/*"],
    "cost.budget": ["USD:1"],
  });

  const cases: [string, string, boolean][] = [
    ["fs.read", "/ws/a/b.txt", true],
    ["fs.read", "/ws", true],
    ["fs.read", "/ws/../etc/passwd", false],
    ["fs.read", "/etc/passwd", false],
    ["fs.read", "ws/a", false],
    ["fs.write", "/ws/out/x", true],
    ["fs.write", "/ws/out/x/y", false],
    ["fs.write", "/ws/out/./x", true],
    ["net.fetch", "HTTPS://API.EXAMPLE.COM/v1/q?x=1", true],
    ["net.fetch", "https://api.example.com.evil.net/", false],
    ["net.fetch", "file:///etc/passwd", false],
    ["tool.call", "search.web", true],
    ["tool.call", "shell.exec", false],
    ["model.use", "tier-fast/small", true],
    ["model.use", "tier-slow/x", false],
    ["agent.delegate", "helper", false],
    ["cost.budget", "USD", false],
  ];
  for (const [capability, target, expected] of cases) {
    test(`[arcp-9.1-mediated-operations] ${capability} ${expected ? "allows" : "refuses"} ${target}`, () => {
      assert.equal(lease.allows(capability, target), expected);
    });
  }

  test("[arcp-9.2-canonical-targets] authorize returns the canonical target to act on", () => {
    assert.equal(lease.authorize("fs.read", "/ws//a/./b"), "/ws/a/b");
    assert.equal(
      lease.authorize("net.fetch", "HTTPS://api.example.com/x"),
      "https://api.example.com/x",
    );
  });

  test("[arcp-9.3-enforce] authorize refuses an uncovered target with PERMISSION_DENIED", () => {
    assert.throws(
      () => lease.authorize("fs.read", "/ws/../etc/passwd"),
      (err: unknown) =>
        err instanceof LeaseError &&
        err.code === "PERMISSION_DENIED" &&
        err.details?.capability === "fs.read" &&
        !err.message.includes("passwd"),
    );
    assert.throws(
      () => lease.authorize("model.use", "tier-slow/x"),
      (err: unknown) =>
        err instanceof LeaseError &&
        err.code === "PERMISSION_DENIED" &&
        err.message.includes("tier-slow/x"),
    );
  });

  test("authorize refuses a target with no canonical form as INVALID_REQUEST", () => {
    assert.throws(
      () => lease.authorize("fs.read", "/../x"),
      (err: unknown) => err instanceof LeaseError && err.code === "INVALID_REQUEST",
    );
  });

  test("[arcp-9.7-absent-model-use] a lease without model.use says so, leaving policy to the caller", () => {
    const bare = parseLease({ "tool.call": ["*"] });
    assert.equal(bare.has("model.use"), false);
    assert.equal(bare.allows("model.use", "gpt-4o"), false);
  });
});
