/** The browser guard's decisions, header by header (DESIGN-20). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  createBrowserGuard,
  hostNameOf,
  isLoopbackName,
  normalizeHostName,
  normalizeOrigin,
} from "../../../src/transport/browser-guard.js";

describe("browser guard", () => {
  test("allowed origins are read as browsers serialise them; anything else stops startup", () => {
    assert.equal(normalizeOrigin("HTTPS://App.Example:443/"), "https://app.example");
    assert.equal(normalizeOrigin("http://localhost:3000"), "http://localhost:3000");
    for (const bad of [
      "app.example",
      "ftp://x.example",
      "https://x.example/p",
      "https://u:p@x",
      "*",
    ]) {
      assert.throws(() => normalizeOrigin(bad), { name: "ConfigError" }, bad);
    }
  });

  test("Host values give their host name, without port or brackets", () => {
    assert.equal(hostNameOf("LocalHost:7777"), "localhost");
    assert.equal(hostNameOf("[::1]:7777"), "::1");
    assert.equal(hostNameOf("127.0.0.1"), "127.0.0.1");
    assert.equal(hostNameOf("evil.example."), "evil.example");
    assert.equal(hostNameOf("[::1]x"), undefined);
    assert.equal(hostNameOf("a b"), undefined);
    assert.equal(normalizeHostName("runplane.internal:8080"), "runplane.internal");
    assert.throws(() => normalizeHostName("http://x/"), { name: "ConfigError" });
    assert.ok(
      isLoopbackName("127.8.9.10") && isLoopbackName("[::1]") && isLoopbackName("localhost"),
    );
    assert.ok(!isLoopbackName("0.0.0.0") && !isLoopbackName("localhost.evil.example"));
  });

  test("on a loopback bind, Host must be a loopback name, the bind address or an allowed host", () => {
    const guard = createBrowserGuard({ bindHost: "127.0.0.1", allowedHosts: ["box.lan"] });
    for (const host of ["127.0.0.1:1", "localhost:1", "[::1]:1", "box.lan:1", "box.lan"]) {
      assert.equal(guard.checkRequest({ host }), undefined, host);
      assert.equal(guard.checkUpgrade({ host }), undefined, host);
    }
    for (const host of ["evil.example:1", "127.0.0.1.evil.example", "[::1"]) {
      assert.match(guard.checkRequest({ host }) ?? "", /--allowed-host/, host);
      assert.match(guard.checkUpgrade({ host }) ?? "", /--allowed-host/, host);
    }
    assert.equal(guard.checkRequest({}), undefined, "HTTP/1.0 without Host is no browser");
  });

  test("off loopback the Host is not checked (every call is authenticated there)", () => {
    const guard = createBrowserGuard({ bindHost: "0.0.0.0" });
    assert.equal(guard.checkRequest({ host: "api.example.com" }), undefined);
  });

  test("Origin must be allowed when present; without it, Sec-Fetch-Site must not be cross-site or same-site", () => {
    const guard = createBrowserGuard({ allowedOrigins: ["https://app.example"] });
    assert.equal(guard.checkUpgrade({ origin: "https://app.example" }), undefined);
    assert.equal(
      guard.checkRequest({ origin: "https://app.example", "sec-fetch-site": "cross-site" }),
      undefined,
    );
    for (const origin of ["https://evil.example", "null", "https://app.example:8443", "garbage"]) {
      assert.match(guard.checkUpgrade({ origin }) ?? "", /--allowed-origin/, origin);
      assert.match(guard.checkRequest({ origin }) ?? "", /--allowed-origin/, origin);
    }
    for (const site of ["cross-site", "same-site"])
      assert.match(guard.checkRequest({ "sec-fetch-site": site }) ?? "", /--allowed-origin/);
    for (const site of ["same-origin", "none"])
      assert.equal(guard.checkRequest({ "sec-fetch-site": site }), undefined);
    assert.equal(guard.checkUpgrade({}), undefined, "no Origin: not a browser");
  });

  test("with nothing allowed, every browser origin is refused", () => {
    const guard = createBrowserGuard({});
    assert.notEqual(guard.checkUpgrade({ origin: "http://127.0.0.1:7777" }), undefined);
  });
});
