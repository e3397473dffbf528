/** The outbound token cache: expiry, LRU bound, single-flight loading. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TokenCache } from "../../../src/auth/token-cache.js";

describe("TokenCache", () => {
  test("[arp-fwd-token-cache] an entry is served until its instant, then dropped", () => {
    let now = 1_000;
    const cache = new TokenCache<string>({ maxEntries: 10, now: () => now });
    cache.set("k", "v", 2_000);
    now = 1_999;
    assert.equal(cache.get("k"), "v");
    now = 2_000;
    assert.equal(cache.get("k"), undefined);
    assert.equal(cache.size, 0);
  });

  test("an entry already expired when set is not stored", () => {
    const cache = new TokenCache<string>({ maxEntries: 10, now: () => 5_000 });
    cache.set("k", "v", 5_000);
    assert.equal(cache.size, 0);
  });

  test("the bound evicts the least recently used entry", () => {
    const cache = new TokenCache<string>({ maxEntries: 2, now: () => 0 });
    cache.set("a", "A", 10);
    cache.set("b", "B", 10);
    assert.equal(cache.get("a"), "A");
    cache.set("c", "C", 10);
    assert.equal(cache.size, 2);
    assert.equal(cache.get("b"), undefined, "b was least recently used");
    assert.equal(cache.get("a"), "A");
    assert.equal(cache.get("c"), "C");
  });

  test("[arp-fwd-token-cache] concurrent loads of one key share one loader call", async () => {
    const cache = new TokenCache<string>({ maxEntries: 10, now: () => 0 });
    let calls = 0;
    const load = async () => {
      calls++;
      await new Promise((resolve) => setImmediate(resolve));
      return { value: `v${calls}`, cacheUntil: 100 };
    };
    const values = await Promise.all(Array.from({ length: 5 }, () => cache.getOrLoad("k", load)));
    assert.deepEqual(values, ["v1", "v1", "v1", "v1", "v1"]);
    assert.equal(await cache.getOrLoad("k", load), "v1");
    assert.equal(calls, 1);
  });

  test("a failed load is shared by its waiters but not remembered", async () => {
    const cache = new TokenCache<string>({ maxEntries: 10, now: () => 0 });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error("sts down");
    };
    const results = await Promise.allSettled([
      cache.getOrLoad("k", failing),
      cache.getOrLoad("k", failing),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["rejected", "rejected"],
    );
    assert.equal(calls, 1);
    assert.equal(
      await cache.getOrLoad("k", async () => ({ value: "ok", cacheUntil: undefined })),
      "ok",
    );
    assert.equal(cache.size, 0, "cacheUntil undefined means not cached");
  });

  test("maxEntries must be a positive integer", () => {
    assert.throws(() => new TokenCache({ maxEntries: 0, now: () => 0 }), RangeError);
  });
});
