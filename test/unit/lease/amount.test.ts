import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  costToMicros,
  formatAmount,
  formatMicros,
  microsToNumber,
  parseAmount,
} from "../../../src/lease/amount.js";
import { LeaseError } from "../../../src/lease/lease-error.js";

const invalid = (err: unknown): boolean =>
  err instanceof LeaseError && err.code === "INVALID_REQUEST";

describe("budget amounts", () => {
  const good: [string, string, bigint][] = [
    ["USD:5.00", "USD", 5_000_000n],
    ["USD:5", "USD", 5_000_000n],
    ["USD:0", "USD", 0n],
    ["credits:1000", "credits", 1_000_000_000n],
    ["EUR:0.000001", "EUR", 1n],
    ["my_tok-en2:1.5", "my_tok-en2", 1_500_000n],
    ["USD:007.10", "USD", 7_100_000n],
  ];
  for (const [text, currency, micros] of good) {
    test(`[arcp-9.6-amount-grammar] ${text} is ${micros} micro-units of ${currency}`, () => {
      assert.deepEqual(parseAmount(text), { currency, micros });
    });
  }

  const bad = [
    "USD:-1",
    "USD:1e3",
    "USD",
    "USD:",
    "USD:1.1234567",
    "USD:.5",
    "USD:5.",
    "USD:+1",
    ":5",
    "1USD:5",
    "US D:5",
    "USD:5 ",
    "USD:1,5",
    "USD:1000000000000",
  ];
  for (const text of bad) {
    test(`[arcp-9.6-amount-grammar] ${JSON.stringify(text)} is INVALID_REQUEST naming the amount`, () => {
      assert.throws(
        () => parseAmount(text),
        (err: unknown) => invalid(err) && (err as Error).message.includes(JSON.stringify(text)),
      );
    });
  }

  test("the largest accepted amount has twelve integer digits", () => {
    assert.equal(parseAmount("USD:999999999999.999999").micros, 999_999_999_999_999_999n);
  });

  test("formatAmount writes at least two decimals and no trailing zeros beyond", () => {
    assert.equal(formatAmount("USD", 5_000_000n), "USD:5.00");
    assert.equal(formatAmount("USD", 1_234_500n), "USD:1.2345");
    assert.equal(formatAmount("USD", 1n), "USD:0.000001");
    assert.equal(formatMicros(-120_000n), "-0.12");
  });

  test("formatAmount and parseAmount round-trip (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }), (micros) => {
        return parseAmount(formatAmount("USD", micros)).micros === micros;
      }),
      { numRuns: 500 },
    );
  });

  test("microsToNumber gives the nearest JSON number", () => {
    assert.equal(microsToNumber(3_580_000n), 3.58);
    assert.equal(microsToNumber(-120_000n), -0.12);
    assert.equal(microsToNumber(100_000n), 0.1);
  });
});

describe("reported costs", () => {
  test("[arcp-9.6-exact-money] costToMicros(0.1) is exactly 100000 micro-units", () => {
    assert.equal(costToMicros(0.1), 100_000n);
  });

  const cases: [number, bigint][] = [
    [0, 0n],
    [-0, 0n],
    [1, 1_000_000n],
    [0.0234, 23_400n],
    [0.42, 420_000n],
    [1e-7, 1n],
    [1.5e-7, 1n],
    [0.0000011, 2n],
    [123456.789, 123_456_789_000n],
    [1e21, 10n ** 27n],
    [Number.MIN_VALUE, 1n],
  ];
  for (const [value, micros] of cases) {
    test(`[arcp-9.6-decrement] a cost of ${value} charges ${micros} micro-units, rounding up`, () => {
      assert.equal(costToMicros(value), micros);
    });
  }

  for (const value of [-1, -1e-9, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`[arcp-9.6-decrement] a cost of ${value} is refused`, () => {
      assert.throws(() => costToMicros(value), invalid);
    });
  }

  test("[arcp-9.6-exact-money] a JSON number with at most six decimals converts exactly (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (micros) => {
        return costToMicros(Number(formatMicros(micros))) === micros;
      }),
      { numRuns: 500 },
    );
  });

  test("[arcp-9.6-decrement] the charge is the least micro-unit count not below the value (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (value) => {
        const micros = costToMicros(value);
        // Decimal-to-double rounding is monotone, so these hold exactly iff micros rounds up.
        const above = Number(formatMicros(micros)) >= value;
        const tight = micros === 0n || Number(formatMicros(micros - 1n)) <= value;
        return above && tight;
      }),
      { numRuns: 500 },
    );
  });
});
