import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { canonicalizeTarget, targetKindOf } from "../../../src/lease/canonical.js";
import { LeaseError } from "../../../src/lease/lease-error.js";

const invalid = (err: unknown): boolean =>
  err instanceof LeaseError && err.code === "INVALID_REQUEST";

describe("target canonicalisation", () => {
  test("[arcp-9.2-reserved-namespaces] each reserved capability has its target kind", () => {
    assert.equal(targetKindOf("fs.read"), "path");
    assert.equal(targetKindOf("fs.write"), "path");
    assert.equal(targetKindOf("net.fetch"), "url");
    assert.equal(targetKindOf("tool.call"), "name");
    assert.equal(targetKindOf("agent.delegate"), "name");
    assert.equal(targetKindOf("model.use"), "name");
    assert.equal(targetKindOf("x-vendor.acme.thing"), "name");
    assert.equal(targetKindOf("cost.budget"), undefined);
  });

  const paths: [string, string][] = [
    ["/ws/../etc/passwd", "/etc/passwd"],
    ["/ws/./a//b/", "/ws/a/b"],
    ["//ws///a", "/ws/a"],
    ["/", "/"],
    ["/a/b/../..", "/"],
    ["/a/.../b", "/a/.../b"],
  ];
  for (const [raw, canonical] of paths) {
    test(`[arcp-9.2-canonical-targets] path ${raw} becomes ${canonical}`, () => {
      assert.equal(canonicalizeTarget("fs.read", raw), canonical);
    });
  }

  const badPaths: [string, string][] = [
    ["relative", "ws/a"],
    ["empty", ""],
    ["escaping the root", "/../etc/passwd"],
    ["escaping the root further down", "/a/../../b"],
    ["a NUL byte", "/ws/a\u0000.txt"],
  ];
  for (const [why, raw] of badPaths) {
    test(`[arcp-9.2-canonical-targets] a path ${why} is refused`, () => {
      assert.throws(() => canonicalizeTarget("fs.write", raw), invalid);
    });
  }

  const urls: [string, string][] = [
    ["HTTPS://A.COM/x/y", "https://a.com/x/y"],
    ["https://a.com", "https://a.com/"],
    ["https://a.com:443/x", "https://a.com/x"],
    ["http://a.com:8080/x", "http://a.com:8080/x"],
    ["https://a.com/x/../y?q=1#frag", "https://a.com/y?q=1"],
    ["https://a.com/X/Y", "https://a.com/X/Y"],
  ];
  for (const [raw, canonical] of urls) {
    test(`[arcp-9.2-canonical-targets] URL ${raw} becomes ${canonical}`, () => {
      assert.equal(canonicalizeTarget("net.fetch", raw), canonical);
    });
  }

  const badUrls: [string, string][] = [
    ["not a URL", "a.com/x"],
    ["file scheme", "file:///etc/passwd"],
    ["ftp scheme", "ftp://a.com/x"],
    ["userinfo", "https://a.com@evil.example/x"],
  ];
  for (const [why, raw] of badUrls) {
    test(`[arcp-9.2-canonical-targets] a URL with ${why} is refused`, () => {
      assert.throws(() => canonicalizeTarget("net.fetch", raw), invalid);
    });
  }

  test("a refused URL's message does not repeat the URL, which may hold a secret", () => {
    try {
      canonicalizeTarget("net.fetch", "https://user:s3cret@a.com/x?token=t0ken");
      assert.fail("expected a refusal");
    } catch (err) {
      assert.ok(err instanceof LeaseError);
      assert.doesNotMatch(err.message, /s3cret|t0ken/);
      assert.doesNotMatch(JSON.stringify(err.details), /s3cret|t0ken/);
    }
  });

  test("names are kept as they are but may not be empty or hold control characters", () => {
    assert.equal(canonicalizeTarget("tool.call", "Search.Web/../x"), "Search.Web/../x");
    assert.throws(() => canonicalizeTarget("model.use", ""), invalid);
    assert.throws(() => canonicalizeTarget("agent.delegate", "a\nb"), invalid);
  });

  test("cost.budget has no targets to canonicalise", () => {
    assert.throws(() => canonicalizeTarget("cost.budget", "USD"), invalid);
  });
});
