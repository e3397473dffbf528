/** Agents from all three sources run over a real socket: built-ins, an ES module, command agents in any language. */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connectWs, type WsTestClient } from "../../support/arcp-test-client.js";
import { makeTempDir, removeTempDir, tempDirFor } from "../../support/temp-dir.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

const EXAMPLES = new URL("../../../examples/", import.meta.url).pathname;

describe("agent sources", () => {
  let server: TestServer;
  let c: WsTestClient;
  let site: Server;
  let siteUrl: string;
  let workspace: string;
  before(async () => {
    workspace = makeTempDir("agents");
    mkdirSync(join(workspace, "notes"));
    writeFileSync(join(workspace, "notes", "hello.txt"), "the quick brown fox jumps");
    site = createServer((_req, res) => res.end("0123456789"));
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    server = await startTestServer({
      workspace,
      configFile: join(EXAMPLES, "runplane.config.json"),
      agentsFile: join(EXAMPLES, "my-agents.mjs"),
    });
    c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
  });
  after(async () => {
    c.close();
    await server.close();
    site.close();
    removeTempDir(workspace);
  });

  test("[arcp-6.2-agent-inventory] the welcome lists module and command agents beside the built-ins", () => {
    const caps = c.frames[0]?.payload["capabilities"] as { agents: { name: string }[] };
    const names = caps.agents.map((a) => a.name);
    for (const name of ["echo", "summarise", "word-count", "shout"])
      assert.ok(names.includes(name), name);
  });

  test("a Python command agent reads a file through the runtime, under its lease, and reports events", async () => {
    const accepted = await c.submit({
      agent: "word-count",
      input: { path: "/notes/hello.txt" },
      lease_request: { "fs.read": ["/notes/**"] },
    });
    const end = await c.terminal(accepted.job_id as string, 15_000);
    assert.deepEqual(end.payload["result"], { path: "/notes/hello.txt", words: 5 });
    const kinds = c.eventsOf(accepted.job_id as string).map((e) => e.payload["kind"]);
    assert.ok(
      kinds.includes("log") &&
        kinds.includes("progress") &&
        kinds.includes("metric") &&
        kinds.includes("tool_call"),
    );
    const stderrLog = c
      .eventsOf(accepted.job_id as string, "log")
      .find((e) =>
        String((e.payload["body"] as Record<string, unknown>)["message"]).includes("started"),
      );
    assert.ok(stderrLog !== undefined, "stderr lines become log events");
  });

  test("a command agent's operations are refused outside its lease", async () => {
    const accepted = await c.submit({
      agent: "word-count",
      input: { path: "/notes/hello.txt" },
      lease_request: { "fs.read": ["/other/**"] },
    });
    const end = await c.terminal(accepted.job_id as string, 15_000);
    assert.equal(end.payload["code"], "PERMISSION_DENIED");
  });

  test("a shell command agent and an ES-module agent both run", async () => {
    const shout = await c.submit({ agent: "shout", input: { text: "hello" } });
    const shoutEnd = await c.terminal(shout.job_id as string, 15_000);
    assert.deepEqual(shoutEnd.payload["result"], { text: "HELLO" });
    const mod = await c.submit({
      agent: "summarise",
      input: { url: `${siteUrl}/page` },
      lease_request: { "net.fetch": [`${siteUrl}/**`] },
    });
    const modEnd = await c.terminal(mod.job_id as string);
    assert.deepEqual(modEnd.payload["result"], { url: `${siteUrl}/page`, status: 200, bytes: 10 });
  });
});

describe("command agent cancellation", () => {
  test("cancelling a command agent's job ends its process (stdin closed, then SIGTERM)", async (t) => {
    const dir = tempDirFor(t, "sleeper");
    const pidFile = join(dir, "pid");
    const config = join(dir, "config.json");
    writeFileSync(
      config,
      JSON.stringify({
        agents: [
          {
            name: "sleeper",
            version: "1.0.0",
            command: ["sh", "-c", `read start; echo $$ > ${pidFile}; sleep 30`],
          },
        ],
      }),
    );
    const server = await startTestServer({ configFile: config });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const accepted = await c.submit({ agent: "sleeper", input: {} });
      let pid = 0;
      for (let i = 0; i < 100 && pid === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        pid = Number(readFileSync(pidFile, "utf8").trim() || 0);
      }
      assert.ok(pid > 0, "the agent process started");
      c.send("job.cancel", {}, { job_id: accepted.job_id });
      const end = await c.terminal(accepted.job_id as string);
      assert.equal(end.payload["code"], "CANCELLED");
      let alive = true;
      for (let i = 0; i < 50 && alive; i++) {
        await new Promise((r) => setTimeout(r, 100));
        try {
          process.kill(pid, 0);
        } catch {
          alive = false;
        }
      }
      assert.equal(alive, false, "the agent process is gone");
      c.close();
    } finally {
      await server.close();
    }
  });
});
