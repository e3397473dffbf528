/**
 * A default `runplane serve` (auth none on loopback) against what a browser page can send:
 * cross-site WebSocket hijacking, cross-site form POSTs, and DNS rebinding (DESIGN-20).
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { connectWs } from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer } from "../../support/test-server.js";

interface RawResponse {
  status: number;
  contentType: string | undefined;
  json: Record<string, unknown> | undefined;
}

/** One HTTP exchange with exactly these headers (fetch would not let us set Host). */
function raw(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers["content-type"],
          json: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const codeOf = (res: RawResponse): unknown =>
  (res.json?.error as { code?: unknown } | undefined)?.code;

/** Opens `/arcp` with these headers: the upgrade's HTTP status, 101 when it was accepted. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

describe("runplane serve refuses browser pages it did not invite", () => {
  let server: TestServer;
  let port: number;
  before(async () => {
    server = await startTestServer({
      auth: { auth: "none" },
      allowedOrigins: ["http://app.example:3000"],
      allowedHosts: ["runplane.internal"],
    });
    port = server.port;
  });
  after(() => server.close());

  test("[arcp-6.1-loopback-default] a WebSocket upgrade from another origin is refused with 403", async () => {
    assert.equal(await upgradeStatus(server.wsUrl, { Origin: "https://evil.example" }), 403);
    assert.equal(await upgradeStatus(server.wsUrl, { Origin: "null" }), 403);
    assert.equal(await upgradeStatus(server.wsUrl, { Origin: "http://app.example:3000" }), 101);
  });

  test("a client that sends no Origin (SDKs, the CLI, tests) still connects and gets a welcome", async () => {
    const client = await connectWs(server.wsUrl);
    try {
      const welcome = await client.hello();
      assert.equal(welcome.type, "session.welcome");
    } finally {
      client.close();
    }
  });

  test("a DNS-rebound page (Host is the attacker's name) is refused on both doors", async () => {
    const evil = { Host: `evil.example:${port}` };
    assert.equal(await upgradeStatus(server.wsUrl, evil), 403);
    const health = await raw(server.httpUrl, "GET", "/v1/health", evil);
    assert.equal(health.status, 403);
    assert.equal(codeOf(health), "forbidden");
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      assert.equal((await raw(server.httpUrl, "GET", "/v1/health", { Host: host })).status, 200);
    }
    assert.equal(
      (await raw(server.httpUrl, "GET", "/v1/health", { Host: `runplane.internal:${port}` }))
        .status,
      200,
      "--allowed-host names are accepted",
    );
    assert.equal(await upgradeStatus(server.wsUrl, { Host: "localhost" }), 101);
  });

  test("cross-site HTTP calls are refused before anything runs: Origin, or Sec-Fetch-Site without it", async () => {
    const start = JSON.stringify({
      root_node_type_ref: { node_type_id: "echo", version: "latest" },
      input: {},
    });
    const json = { "content-type": "application/json" };
    const fromEvil = await raw(
      server.httpUrl,
      "POST",
      "/v1/runs",
      { ...json, Origin: "https://evil.example" },
      start,
    );
    assert.equal(fromEvil.status, 403);
    assert.equal(codeOf(fromEvil), "forbidden");
    const cancel = await raw(server.httpUrl, "POST", "/v1/runs/x:cancel", {
      Origin: "https://evil.example",
    });
    assert.equal(cancel.status, 403);
    const img = await raw(server.httpUrl, "GET", "/v1/runs/x", { "Sec-Fetch-Site": "cross-site" });
    assert.equal(img.status, 403);
    const invited = await raw(
      server.httpUrl,
      "POST",
      "/v1/runs",
      { ...json, Origin: "http://app.example:3000" },
      start,
    );
    assert.equal(invited.status, 200, "an allowed origin may call");
    const plain = await raw(server.httpUrl, "POST", "/v1/runs", json, start);
    assert.equal(plain.status, 200, "no Origin: not a browser page");
  });

  test("[arp-runs-cancel-route] cancel takes no body or a JSON one; a form body (text/plain) is 415", async () => {
    const none = await raw(server.httpUrl, "POST", "/v1/runs/nope:cancel");
    assert.equal(none.status, 404, "no body, no Content-Type: reaches the handler");
    const form = await raw(
      server.httpUrl,
      "POST",
      "/v1/runs/nope:cancel",
      { "content-type": "text/plain" },
      "x=1",
    );
    assert.equal(form.status, 415);
    assert.equal(codeOf(form), "unsupported_media_type");
    const urlencoded = await raw(
      server.httpUrl,
      "POST",
      "/v1/runs/nope:cancel",
      { "content-type": "application/x-www-form-urlencoded" },
      "x=1",
    );
    assert.equal(urlencoded.status, 415);
    const jsonBody = await raw(
      server.httpUrl,
      "POST",
      "/v1/runs/nope:cancel",
      { "content-type": "application/json" },
      "{}",
    );
    assert.equal(jsonBody.status, 404, "a JSON body is read and ignored");
  });

  test("[arp-surface-json-type] JSON answers carry exactly application/json, success or error", async () => {
    for (const path of ["/v1/health", "/v1/version", "/v1/openapi.json", "/v1/runs/nope"]) {
      const res = await raw(server.httpUrl, "GET", path);
      assert.equal(res.contentType, "application/json", path);
    }
  });
});

describe("runplane serve with no allowed origins", () => {
  test("every upgrade that carries an Origin is refused, and an unknown --allowed-origin stops startup", async () => {
    const server = await startTestServer({ auth: { auth: "none" } });
    try {
      assert.equal(
        await upgradeStatus(server.wsUrl, { Origin: `http://127.0.0.1:${server.port}` }),
        403,
      );
    } finally {
      await server.close();
    }
    await assert.rejects(
      startTestServer({ auth: { auth: "none" }, allowedOrigins: ["evil.example/path"] }),
      (err: Error) => err.name === "ConfigError" && /--allowed-origin/.test(err.message),
    );
  });
});
