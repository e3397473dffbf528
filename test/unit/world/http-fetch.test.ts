/** httpFetch: trace context, lease-checked manual redirects, body limits, timeouts, safe errors. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseLease } from "../../../src/lease/index.js";
import { ArcpError } from "../../../src/protocol/errors.js";
import { delay } from "../../../src/world/abort.js";
import { type HttpFetchOptions, httpFetch } from "../../../src/world/http-fetch.js";
import { type LocalServer, startLocalServer } from "./local-server.js";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

function isCode(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) =>
    err instanceof ArcpError &&
    err.code === code &&
    (pattern === undefined || pattern.test(err.message));
}

describe("httpFetch", () => {
  let a: LocalServer;
  let b: LocalServer;
  let options: (extra?: Partial<HttpFetchOptions>) => HttpFetchOptions;

  before(async () => {
    b = await startLocalServer((_req, res) => res.end("from b"));
    a = await startLocalServer((req, res) => {
      const path = req.url;
      if (path === "/hello") {
        res.writeHead(200, { "Content-Type": "text/plain", "X-Custom": "yes" });
        res.end(`hello ${req.method} ${req.body}`);
      } else if (path === "/to-b") {
        res.writeHead(302, { location: `${b.origin}/stolen` }).end();
      } else if (path === "/to-hello-303") {
        res.writeHead(303, { location: "/hello" }).end();
      } else if (path === "/to-hello-307") {
        res.writeHead(307, { location: "/hello" }).end();
      } else if (path.startsWith("/loop/")) {
        const n = Number(path.slice("/loop/".length));
        res.writeHead(302, { location: `/loop/${n + 1}` }).end();
      } else if (path === "/big") {
        res.writeHead(200, { "content-length": "2000" }).end("x".repeat(2000));
      } else if (path === "/big-chunked") {
        res.write("y".repeat(600));
        res.end("y".repeat(600));
      } else if (path === "/hang") {
        // Never answers; the client must give up on its own.
      } else {
        res.writeHead(404).end("missing");
      }
    });
    // Only server A is leased: a redirect to B must be refused before B sees it.
    const lease = parseLease({ "net.fetch": [`${a.origin}/**`] });
    options = (extra = {}) => ({
      signal: new AbortController().signal,
      traceparent: TRACEPARENT,
      timeoutMs: 5000,
      maxBytes: 1000,
      checkUrl: (url) => {
        lease.authorize("net.fetch", url);
      },
      ...extra,
    });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  test("[arcp-11-to-tools] the request carries the job's traceparent header", async () => {
    const before = a.requests.length;
    await httpFetch(`${a.origin}/hello`, {}, options());
    assert.equal(a.requests[before]?.headers.traceparent, TRACEPARENT);
  });

  test("returns status, lower-cased headers and the body; sends method, headers and body", async () => {
    const result = await httpFetch(
      `${a.origin}/hello`,
      { method: "post", headers: { "X-Agent": "1" }, body: "payload" },
      options(),
    );
    assert.equal(result.status, 200);
    assert.equal(result.body, "hello POST payload");
    assert.equal(result.headers["x-custom"], "yes");
    assert.equal(result.headers["content-type"], "text/plain");
    assert.equal(a.requests.at(-1)?.headers["x-agent"], "1");
  });

  test("[arcp-9.3-enforce] a redirect to an unleased URL is refused before it is requested", async () => {
    await assert.rejects(httpFetch(`${a.origin}/to-b`, {}, options()), isCode("PERMISSION_DENIED"));
    assert.equal(b.requests.length, 0);
  });

  test("the first URL is checked too: an unleased URL is never requested", async () => {
    await assert.rejects(
      httpFetch(`${b.origin}/direct`, {}, options()),
      isCode("PERMISSION_DENIED"),
    );
    assert.equal(b.requests.length, 0);
  });

  test("a leased redirect is followed: 303 turns POST into GET, 307 keeps method and body", async () => {
    const seeOther = await httpFetch(
      `${a.origin}/to-hello-303`,
      { method: "POST", body: "p" },
      options(),
    );
    assert.equal(seeOther.body, "hello GET ");
    const temporary = await httpFetch(
      `${a.origin}/to-hello-307`,
      { method: "POST", body: "p" },
      options(),
    );
    assert.equal(temporary.body, "hello POST p");
    assert.equal(a.requests.at(-1)?.headers.traceparent, TRACEPARENT);
  });

  test("every redirect hop goes through checkUrl", async () => {
    const seen: string[] = [];
    await httpFetch(
      `${a.origin}/to-hello-303`,
      {},
      options({ checkUrl: (u) => void seen.push(u) }),
    );
    assert.deepEqual(seen, [`${a.origin}/to-hello-303`, `${a.origin}/hello`]);
  });

  test("more than 5 redirects is an error; the sixth is never requested", async () => {
    const before = a.requests.length;
    await assert.rejects(
      httpFetch(`${a.origin}/loop/0`, {}, options()),
      isCode("INTERNAL_ERROR", /redirects/),
    );
    const paths = a.requests.slice(before).map((r) => r.url);
    assert.deepEqual(paths, ["/loop/0", "/loop/1", "/loop/2", "/loop/3", "/loop/4", "/loop/5"]);
  });

  test("a body over maxBytes is INVALID_REQUEST, with or without content-length", async () => {
    await assert.rejects(
      httpFetch(`${a.origin}/big`, {}, options()),
      isCode("INVALID_REQUEST", /1000 bytes/),
    );
    await assert.rejects(
      httpFetch(`${a.origin}/big-chunked`, {}, options()),
      isCode("INVALID_REQUEST"),
    );
    const ok = await httpFetch(`${a.origin}/big`, {}, options({ maxBytes: 2000 }));
    assert.equal(ok.body.length, 2000);
    const head = await httpFetch(`${a.origin}/big`, { method: "HEAD" }, options());
    assert.deepEqual([head.status, head.headers["content-length"], head.body], [200, "2000", ""]);
  });

  test("a server that never answers times out as INTERNAL_ERROR", async () => {
    await assert.rejects(
      httpFetch(`${a.origin}/hang`, {}, options({ timeoutMs: 200 })),
      isCode("INTERNAL_ERROR", /timed out/),
    );
  });

  test("the job signal aborts the request with its reason", async () => {
    const controller = new AbortController();
    const pending = httpFetch(`${a.origin}/hang`, {}, options({ signal: controller.signal }));
    await delay(50, new AbortController().signal);
    controller.abort(new ArcpError("LEASE_EXPIRED", "lease expired"));
    await assert.rejects(pending, isCode("LEASE_EXPIRED"));
  });

  test("a network failure is INTERNAL_ERROR whose message carries no path, query or credential", async () => {
    const dead = await startLocalServer(() => {});
    await dead.close();
    const url = `${dead.origin}/private/path?token=s3cr3t`;
    await assert.rejects(httpFetch(url, {}, options({ checkUrl: () => {} })), (err: unknown) => {
      assert.ok(err instanceof ArcpError);
      assert.equal(err.code, "INTERNAL_ERROR");
      assert.ok(err.message.includes(dead.origin));
      assert.ok(!err.message.includes("s3cr3t") && !err.message.includes("/private"));
      return true;
    });
  });

  test("malformed requests are INVALID_REQUEST without echoing header values", async () => {
    const check = { checkUrl: () => {} };
    await assert.rejects(
      httpFetch("ftp://example.com/x", {}, options(check)),
      isCode("INVALID_REQUEST"),
    );
    await assert.rejects(
      httpFetch("http://u:p@127.0.0.1/", {}, options(check)),
      isCode("INVALID_REQUEST"),
    );
    await assert.rejects(
      httpFetch(`${a.origin}/hello`, { body: "x" }, options()),
      isCode("INVALID_REQUEST"),
    );
    await assert.rejects(
      httpFetch(`${a.origin}/hello`, { headers: { "x-bad": "v\nsecret-value" } }, options()),
      (err: unknown) =>
        err instanceof ArcpError &&
        err.code === "INVALID_REQUEST" &&
        !err.message.includes("secret-value"),
    );
  });

  test("credentials headers are dropped when a redirect changes origin", async () => {
    const c = await startLocalServer((_req, res) => res.end("c"));
    const hop = await startLocalServer((_req, res) =>
      res.writeHead(307, { location: `${c.origin}/next` }).end(),
    );
    try {
      const headers = { authorization: "Bearer tok", cookie: "sid=1", "x-keep": "k" };
      await httpFetch(`${hop.origin}/start`, { headers }, options({ checkUrl: () => {} }));
      assert.equal(hop.requests[0]?.headers.authorization, "Bearer tok");
      const received = c.requests[0]?.headers;
      assert.equal(received?.authorization, undefined);
      assert.equal(received?.cookie, undefined);
      assert.equal(received?.["x-keep"], "k");
    } finally {
      await c.close();
      await hop.close();
    }
  });
});
