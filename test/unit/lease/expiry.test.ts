import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatExpiresAt, isExpired, parseExpiresAt } from "../../../src/lease/expiry.js";
import { LeaseError } from "../../../src/lease/lease-error.js";

const NOW = Date.parse("2026-05-13T12:00:00Z");
const invalid = (err: unknown): boolean =>
  err instanceof LeaseError && err.code === "INVALID_REQUEST";

describe("lease expiry", () => {
  test("[arcp-9.5-expires-at-valid] a future UTC instant ending in Z parses to epoch milliseconds", () => {
    assert.equal(parseExpiresAt("2026-05-13T23:42:00Z", NOW), Date.parse("2026-05-13T23:42:00Z"));
    assert.equal(
      parseExpiresAt("2026-05-13T23:42:00.250Z", NOW),
      Date.parse("2026-05-13T23:42:00.250Z"),
    );
  });

  test("sub-millisecond digits are truncated, never rounded later", () => {
    assert.equal(
      parseExpiresAt("2026-05-13T23:42:00.123999Z", NOW),
      Date.parse("2026-05-13T23:42:00.123Z"),
    );
  });

  const refused: [string, string][] = [
    ["an offset", "2026-05-13T23:42:00+02:00"],
    ["a zero offset written numerically", "2026-05-13T23:42:00+00:00"],
    ["no zone", "2026-05-13T23:42:00"],
    ["a lower-case z", "2026-05-13T23:42:00z"],
    ["garbage", "tomorrow"],
    ["a date only", "2026-05-14"],
    ["30 February", "2027-02-30T00:00:00Z"],
    ["hour 24", "2026-05-13T24:00:00Z"],
    ["a leap second", "2026-06-30T23:59:60Z"],
    ["a past time", "2026-05-13T11:59:59Z"],
    ["exactly now", "2026-05-13T12:00:00Z"],
  ];
  for (const [why, text] of refused) {
    test(`[arcp-9.5-expires-at-valid] expires_at with ${why} is INVALID_REQUEST`, () => {
      assert.throws(() => parseExpiresAt(text, NOW), invalid);
    });
  }

  test("[arcp-9.5-expires-at-valid] a non-string is INVALID_REQUEST", () => {
    assert.throws(() => parseExpiresAt(12 as unknown as string, NOW), invalid);
  });

  test("[arcp-9.5-op-after-expiry] at or after expires_at is expired, before is not", () => {
    const at = parseExpiresAt("2026-05-13T12:00:01Z", NOW);
    assert.equal(isExpired(at, at - 1), false);
    assert.equal(isExpired(at, at), true);
    assert.equal(isExpired(at, at + 1), true);
  });

  test("a lease without expires_at never expires", () => {
    assert.equal(isExpired(undefined, Number.MAX_SAFE_INTEGER), false);
  });

  test("formatExpiresAt writes canonical UTC", () => {
    assert.equal(formatExpiresAt(Date.parse("2026-05-13T23:42:00Z")), "2026-05-13T23:42:00.000Z");
  });
});
