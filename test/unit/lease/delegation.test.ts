import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BudgetCounters } from "../../../src/lease/budget.js";
import { checkDelegation, deriveChildLease } from "../../../src/lease/delegation.js";
import { type LeaseRaw, parseLease } from "../../../src/lease/lease.js";
import { LeaseError } from "../../../src/lease/lease-error.js";

const T = (iso: string): number => Date.parse(iso);
const check = (child: LeaseRaw, parent: LeaseRaw, remaining = new Map<string, bigint>()) =>
  checkDelegation(parseLease(child), parseLease(parent), remaining);

describe("delegation subset rule", () => {
  const parent = {
    "fs.read": ["/ws/**"],
    "tool.call": ["search.*"],
    "model.use": ["tier-fast/*"],
    "cost.budget": ["USD:5.00"],
  };

  test("[arcp-9.4-equal-allowed] a child lease equal to the parent's is accepted", () => {
    assert.equal(check(parent, parent), null);
  });

  test("[arcp-9.4-exact] child search.web under parent search.* is accepted", () => {
    assert.equal(check({ "tool.call": ["search.web"] }, parent), null);
  });

  test("[arcp-9.4-subset-violation] child /etc/** under parent /ws/** is refused with a witness", () => {
    const err = check({ "fs.read": ["/etc/**"] }, parent);
    assert.ok(err instanceof LeaseError);
    assert.equal(err.code, "LEASE_SUBSET_VIOLATION");
    assert.equal(err.details?.capability, "fs.read");
    assert.equal(err.details?.pattern, "/etc/**");
    assert.equal(typeof err.details?.witness, "string");
    assert.ok(String(err.details?.witness).startsWith("/"));
  });

  test("[arcp-9.4-subset-violation] a capability the parent lacks is refused", () => {
    const err = check({ "net.fetch": ["https://a.com/**"] }, parent);
    assert.equal(err?.code, "LEASE_SUBSET_VIOLATION");
    assert.deepEqual(err?.details, { capability: "net.fetch" });
  });

  test("[arcp-9.4-model-subset] parent tier-fast/*, child tier-*/* is refused with a witness", () => {
    const err = check({ "model.use": ["tier-*/*"] }, parent);
    assert.equal(err?.code, "LEASE_SUBSET_VIOLATION");
    assert.equal(err?.details?.capability, "model.use");
    const witness = String(err?.details?.witness);
    assert.equal(parseLease({ "model.use": ["tier-*/*"] }).allows("model.use", witness), true);
    assert.equal(parseLease(parent).allows("model.use", witness), false);
  });

  test("[arcp-9.4-exact] /a/** under /a/* is refused with witness /a", () => {
    const err = check({ "fs.read": ["/a/**"] }, { "fs.read": ["/a/*"] });
    assert.equal(err?.details?.witness, "/a");
  });

  test("[arcp-9.4-budget-remaining] parent USD:5 with 3 spent: USD:2.01 refused, USD:2.00 accepted", () => {
    const counters = new BudgetCounters(parseLease(parent).budget());
    counters.charge("USD", 3_000_000n);
    const over = check({ "cost.budget": ["USD:2.01"] }, parent, counters.available());
    assert.equal(over?.code, "LEASE_SUBSET_VIOLATION");
    assert.deepEqual(over?.details, {
      capability: "cost.budget",
      currency: "USD",
      requested: "2.01",
      remaining: "2.00",
    });
    assert.equal(check({ "cost.budget": ["USD:2.00"] }, parent, counters.available()), null);
  });

  test("[arcp-9.4-budget-remaining] without remaining counters the parent's initial budget bounds the child", () => {
    assert.equal(
      check({ "cost.budget": ["USD:5.000001"] }, parent)?.code,
      "LEASE_SUBSET_VIOLATION",
    );
    assert.equal(check({ "cost.budget": ["USD:5"] }, parent), null);
  });

  test("a child budget only narrows: a currency or budget the parent lacks is accepted", () => {
    assert.equal(check({ "cost.budget": ["credits:10"] }, parent), null);
    assert.equal(check({ "cost.budget": ["USD:1"] }, { "tool.call": ["*"] }), null);
  });

  test("[arcp-9.4-expiry] a later child expiry is refused, an earlier or equal one accepted", () => {
    const lease = parseLease(parent);
    const parentAt = T("2026-05-13T23:42:00Z");
    const later = checkDelegation(lease, lease, new Map(), {
      childExpiresAtMs: parentAt + 1,
      parentExpiresAtMs: parentAt,
    });
    assert.equal(later?.code, "LEASE_SUBSET_VIOLATION");
    assert.deepEqual(later?.details, {
      capability: "expires_at",
      requested: "2026-05-13T23:42:00.001Z",
      limit: "2026-05-13T23:42:00.000Z",
    });
    for (const childAt of [parentAt, parentAt - 60_000]) {
      const opts = { childExpiresAtMs: childAt, parentExpiresAtMs: parentAt };
      assert.equal(checkDelegation(lease, lease, new Map(), opts), null);
    }
  });

  test("[arcp-9.4-expiry] a child may set an expiry under a parent without one", () => {
    const lease = parseLease(parent);
    assert.equal(checkDelegation(lease, lease, new Map(), { childExpiresAtMs: 1 }), null);
  });

  test("a delegation too complex to decide is refused, naming the capability", () => {
    const letters = [..."abcdefghijklmnopqrstuvwxy"].map((c) => `**${c}**z`);
    const err = check({ "tool.call": ["a**z"] }, { "tool.call": letters });
    assert.equal(err?.code, "LEASE_SUBSET_VIOLATION");
    assert.equal(err?.details?.capability, "tool.call");
    assert.equal(err?.details?.reason, "too_complex");
  });
});

describe("effective child lease (DESIGN-24)", () => {
  const parentRaw = {
    "tool.call": ["search.*"],
    "model.use": ["tier-fast/*"],
    "cost.budget": ["USD:5.00", "credits:100"],
  };
  const parent = parseLease(parentRaw);

  test("[arcp-9.4-model-subset] a child omitting model.use inherits the parent's patterns", () => {
    const { lease } = deriveChildLease(
      parseLease({ "tool.call": ["search.web"] }),
      parent,
      new Map(),
    );
    assert.deepEqual(lease.raw["model.use"], ["tier-fast/*"]);
    assert.equal(lease.allows("model.use", "tier-fast/small"), true);
    assert.equal(lease.allows("model.use", "tier-slow/x"), false);
  });

  test("[arcp-9.4-budget-remaining] a child omitting cost.budget inherits the parent's remaining", () => {
    const counters = new BudgetCounters(parent.budget());
    counters.charge("USD", 3_250_000n);
    const { lease } = deriveChildLease(parseLease({}), parent, counters.available());
    assert.deepEqual(lease.raw["cost.budget"], ["USD:1.75", "credits:100.00"]);
    assert.deepEqual(
      lease.budget(),
      new Map([
        ["USD", 1_750_000n],
        ["credits", 100_000_000n],
      ]),
    );
  });

  test("a child naming one currency inherits the others; an overspent parent hands down zero", () => {
    const counters = new BudgetCounters(parent.budget());
    counters.charge("credits", 101_000_000n);
    const child = parseLease({ "cost.budget": ["USD:1"] });
    const { lease } = deriveChildLease(child, parent, counters.available());
    assert.deepEqual(lease.raw["cost.budget"], ["USD:1", "credits:0.00"]);
  });

  test("grants the child omits are not granted", () => {
    const { lease } = deriveChildLease(
      parseLease({ "model.use": ["tier-fast/a"] }),
      parent,
      new Map(),
    );
    assert.equal(lease.has("tool.call"), false);
    assert.deepEqual(lease.raw["model.use"], ["tier-fast/a"]);
  });

  test("[arcp-9.4-expiry] the effective expiry is the earlier of the two, inherited when absent", () => {
    const child = parseLease({});
    const p = T("2026-05-13T23:42:00Z");
    assert.equal(
      deriveChildLease(child, parent, new Map(), { parentExpiresAtMs: p }).expiresAtMs,
      p,
    );
    const opts = { parentExpiresAtMs: p, childExpiresAtMs: p - 1000 };
    assert.equal(deriveChildLease(child, parent, new Map(), opts).expiresAtMs, p - 1000);
    assert.equal(
      deriveChildLease(child, parent, new Map(), { childExpiresAtMs: 5 }).expiresAtMs,
      5,
    );
    assert.equal(deriveChildLease(child, parent, new Map()).expiresAtMs, undefined);
  });

  test("[arcp-9.4-subset-violation] deriveChildLease throws the violation checkDelegation reports", () => {
    assert.throws(
      () => deriveChildLease(parseLease({ "fs.read": ["/**"] }), parent, new Map()),
      (err: unknown) => err instanceof LeaseError && err.code === "LEASE_SUBSET_VIOLATION",
    );
  });
});
