/** The built-in tools, run against a lease-checked environment over a real workspace and server. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ArcpError } from "../../../src/protocol/errors.js";
import { builtinTools } from "../../../src/tools/builtins.js";
import { ToolRegistry } from "../../../src/tools/tool.js";
import { Workspace } from "../../../src/world/workspace.js";
import { type LocalServer, startLocalServer } from "../world/local-server.js";
import { makeToolEnv, TEST_TRACEPARENT } from "./tool-env.js";

function isCode(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) =>
    err instanceof ArcpError &&
    err.code === code &&
    (pattern === undefined || pattern.test(err.message));
}

describe("built-in tools", () => {
  let dir: string;
  let server: LocalServer;
  let registry: ToolRegistry;
  let env: ReturnType<typeof makeToolEnv>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "runplane-tools-"));
    server = await startLocalServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: req.url, auth: req.headers["x-token"] ?? null }));
    });
    const now = () => new Date("2025-01-02T03:04:05.000Z");
    registry = new ToolRegistry(builtinTools({ now }));
    env = makeToolEnv({
      workspace: new Workspace(join(dir, "ws")),
      lease: {
        "fs.read": ["/data/**"],
        "fs.write": ["/data/out/**"],
        "net.fetch": [`${server.origin}/api/**`],
      },
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the registry lists the five built-ins", () => {
    assert.deepEqual(
      registry.list().map((t) => t.name),
      ["clock.now", "fs.read", "fs.write", "http.get", "noop"],
    );
  });

  test("noop returns {}", async () => {
    assert.deepEqual(await registry.call("noop", { anything: 1 }, env), {});
  });

  test("clock.now returns the clock's time as ISO 8601", async () => {
    assert.deepEqual(await registry.call("clock.now", {}, env), {
      now: "2025-01-02T03:04:05.000Z",
    });
  });

  test("fs.write then fs.read round-trips through the workspace", async () => {
    const written = await registry.call(
      "fs.write",
      { path: "/data/out/r.txt", content: "résumé" },
      env,
    );
    assert.deepEqual(written, { path: "/data/out/r.txt", bytes: Buffer.byteLength("résumé") });
    const read = await registry.call("fs.read", { path: "/data/out/r.txt" }, env);
    assert.deepEqual(read, { path: "/data/out/r.txt", content: "résumé" });
  });

  test("[arcp-9.3-enforce] fs.write outside the lease is PERMISSION_DENIED and leaves no file", async () => {
    await assert.rejects(
      registry.call("fs.write", { path: "/data/elsewhere.txt", content: "x" }, env),
      isCode("PERMISSION_DENIED"),
    );
    assert.equal(existsSync(join(dir, "ws", "data", "elsewhere.txt")), false);
  });

  test("fs.read outside the lease is PERMISSION_DENIED", async () => {
    await assert.rejects(
      registry.call("fs.read", { path: "/etc/passwd" }, env),
      isCode("PERMISSION_DENIED"),
    );
  });

  test("[arcp-11-to-tools] http.get returns the FetchResult and forwards headers and traceparent", async () => {
    const result = (await registry.call(
      "http.get",
      { url: `${server.origin}/api/items?x=1`, headers: { "x-token": "t" } },
      env,
    )) as { status: number; headers: Record<string, string>; body: string };
    assert.equal(result.status, 200);
    assert.equal(result.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(result.body), { path: "/api/items?x=1", auth: "t" });
    assert.equal(server.requests.at(-1)?.headers.traceparent, TEST_TRACEPARENT);
  });

  test("http.get outside net.fetch is PERMISSION_DENIED and sends nothing", async () => {
    const before = server.requests.length;
    await assert.rejects(
      registry.call("http.get", { url: `${server.origin}/admin` }, env),
      isCode("PERMISSION_DENIED"),
    );
    assert.equal(server.requests.length, before);
  });

  test("invalid arguments are INVALID_REQUEST naming the field", async () => {
    await assert.rejects(
      registry.call("fs.read", {}, env),
      isCode("INVALID_REQUEST", /fs\.read: args\.path/),
    );
    await assert.rejects(
      registry.call("fs.write", { path: "/data/out/a" }, env),
      isCode("INVALID_REQUEST", /args\.content/),
    );
    await assert.rejects(
      registry.call("http.get", { url: 42 }, env),
      isCode("INVALID_REQUEST", /args\.url/),
    );
    await assert.rejects(
      registry.call("http.get", { url: `${server.origin}/api/x`, headers: { a: 1 } }, env),
      isCode("INVALID_REQUEST", /args\.headers/),
    );
    await assert.rejects(
      registry.call("fs.read", { path: "/data/x", extra: true }, env),
      isCode("INVALID_REQUEST"),
    );
  });
});
