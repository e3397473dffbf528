import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { costToMicros, parseAmount } from "../../../src/lease/amount.js";
import { BudgetCounters } from "../../../src/lease/budget.js";
import { LeaseError } from "../../../src/lease/lease-error.js";

const counters = (...amounts: string[]): BudgetCounters => {
  const initial = new Map<string, bigint>();
  for (const a of amounts) {
    const { currency, micros } = parseAmount(a);
    initial.set(currency, (initial.get(currency) ?? 0n) + micros);
  }
  return new BudgetCounters(initial);
};

describe("budget counters", () => {
  test("[arcp-9.6-exact-money] ten charges of 0.1 exhaust USD:1.00 exactly", () => {
    const b = counters("USD:1.00");
    for (let i = 0; i < 9; i++) b.charge("USD", costToMicros(0.1));
    assert.equal(b.remaining().get("USD"), 100_000n);
    assert.equal(b.exhausted(), null);
    b.charge("USD", costToMicros(0.1));
    assert.equal(b.remaining().get("USD"), 0n);
    assert.equal(b.exhausted(), "USD");
  });

  test("[arcp-9.6-decrement] a 0.42 USD cost leaves 0.58 and the snapshot shows it", () => {
    const b = counters("USD:1.00");
    assert.equal(b.charge("USD", costToMicros(0.42)), true);
    assert.deepEqual(b.snapshot(), { USD: 0.58 });
  });

  test("[arcp-9.6-decrement] a negative charge is refused and changes nothing", () => {
    const b = counters("USD:1.00");
    assert.throws(
      () => b.charge("USD", -1n),
      (err: unknown) => err instanceof LeaseError && err.code === "INVALID_REQUEST",
    );
    assert.equal(b.remaining().get("USD"), 1_000_000n);
  });

  test("[arcp-9.6-exhausted] a counter may go negative; exhaustion is then reported", () => {
    const b = counters("USD:1.00", "credits:10");
    b.charge("USD", costToMicros(1.12));
    assert.deepEqual(b.snapshot(), { USD: -0.12, credits: 10 });
    assert.equal(b.exhausted(), "USD");
  });

  test("[arcp-9.6-decrement] a charge in an unbudgeted currency reports false and changes nothing", () => {
    const b = counters("USD:1.00");
    assert.equal(b.charge("EUR", 5n), false);
    assert.equal(b.has("EUR"), false);
    assert.deepEqual(b.serialize(), { USD: "1000000" });
  });

  test("a zero budget is exhausted from the start", () => {
    assert.equal(counters("USD:0").exhausted(), "USD");
  });

  test("serialize and restore keep exact micro-units, negatives included", () => {
    const b = counters("USD:1.00", "credits:1000");
    b.charge("USD", 1_000_001n);
    const restored = BudgetCounters.restore(b.serialize());
    assert.deepEqual(restored.remaining(), b.remaining());
    assert.deepEqual(restored.serialize(), { USD: "-1", credits: "1000000000" });
  });

  test("restore refuses a value that is not an integer", () => {
    assert.throws(() => BudgetCounters.restore({ USD: "1.5" }), LeaseError);
  });

  test("remaining() is a copy the caller cannot use to change the counters", () => {
    const b = counters("USD:1.00");
    b.remaining().set("USD", 0n);
    assert.equal(b.exhausted(), null);
  });
});

describe("budget counters across a delegation chain (DESIGN-24)", () => {
  test("a child's charge also draws down its parent and grandparent", () => {
    const grand = counters("USD:10");
    const parent = new BudgetCounters(new Map([["USD", 5_000_000n]]), grand);
    const child = new BudgetCounters(new Map([["USD", 2_000_000n]]), parent);
    child.charge("USD", 1_500_000n);
    assert.equal(child.remaining().get("USD"), 500_000n);
    assert.equal(parent.remaining().get("USD"), 3_500_000n);
    assert.equal(grand.remaining().get("USD"), 8_500_000n);
  });

  test("a charge in a currency only an ancestor budgets still draws the ancestor down", () => {
    const parent = counters("USD:5", "credits:100");
    const child = new BudgetCounters(new Map([["credits", 10_000_000n]]), parent);
    assert.equal(child.charge("USD", 1_000_000n), false);
    assert.equal(parent.remaining().get("USD"), 4_000_000n);
  });

  test("[arcp-9.6-exhausted] a child is exhausted when an ancestor is, though its own counter is not", () => {
    const parent = counters("USD:5");
    const child = new BudgetCounters(new Map([["USD", 2_000_000n]]), parent);
    parent.charge("USD", 5_000_000n);
    assert.equal(child.remaining().get("USD"), 2_000_000n);
    assert.equal(child.exhausted(), "USD");
  });

  test("available() is the least remaining over the chain, per currency", () => {
    const parent = counters("USD:5", "EUR:3");
    const child = new BudgetCounters(new Map([["USD", 4_000_000n]]), parent);
    parent.charge("USD", 2_000_000n);
    assert.deepEqual(
      child.available(),
      new Map([
        ["USD", 3_000_000n],
        ["EUR", 3_000_000n],
      ]),
    );
    assert.equal(child.parent, parent);
  });
});
