/**
 * Values with no JSON form (a BigInt, a cycle) coming out of agents and tools (§7.3, §8.2, §12):
 * they never reach the wire and never take the server down; every job still ends with exactly
 * one terminal, and every tool_call still gets its tool_result.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connectWs, type Frame, type WsTestClient } from "../../support/arcp-test-client.js";
import { makeTempDir, removeTempDir } from "../../support/temp-dir.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

const AGENTS = `
const coded = (message, code, details) => Object.assign(new Error(message), { code, details });
const report = async (fn) => {
  try { return { ok: await fn() }; } catch (e) { return { code: e.code, message: e.message }; }
};
export default [
  { name: "bigint-result", version: "1.0.0", async run() { return { n: 1n }; } },
  { name: "cyclic-result", version: "1.0.0", async run() { const o = { a: 1 }; o.self = o; return o; } },
  { name: "bigint-details", version: "1.0.0",
    async run() { throw coded("refused with odd details", "INVALID_REQUEST", { n: 1n }); } },
  { name: "bigint-event", version: "1.0.0", async run(_i, ctx) {
    const emitted = await report(() => ctx.emit("x-vendor.test", { n: 1n }));
    await ctx.log("info", "still running");
    return emitted;
  } },
  { name: "bigint-tool", version: "1.0.0", async run(_i, ctx) {
    return {
      result: await report(() => ctx.tools.call("bigint-result", {})),
      error: await report(() => ctx.tools.call("bigint-error", {})),
      args: await report(() => ctx.tools.call("noop", { n: 1n })),
    };
  } },
];
`;

const TOOLS = `
export default [
  { name: "bigint-result", async call() { return { n: 1n }; } },
  { name: "bigint-error", async call() {
    throw Object.assign(new Error("tool refused"), { code: "PERMISSION_DENIED", details: { n: 1n } });
  } },
];
`;

function terminalsOf(c: WsTestClient, jobId: string): Frame[] {
  return c.frames.filter(
    (f) => f.job_id === jobId && (f.type === "job.result" || f.type === "job.error"),
  );
}

describe("values with no JSON form", () => {
  let server: TestServer;
  let c: WsTestClient;
  let dir: string;
  before(async () => {
    dir = makeTempDir("unserialisable");
    writeFileSync(join(dir, "agents.mjs"), AGENTS);
    writeFileSync(join(dir, "tools.mjs"), TOOLS);
    server = await startTestServer({
      agentsFile: join(dir, "agents.mjs"),
      toolsFile: join(dir, "tools.mjs"),
    });
    c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
  });
  after(async () => {
    c.close();
    await server.close();
    removeTempDir(dir);
  });

  /** Run `agent`, then an echo job behind it, so anything the first job sent late is in. */
  async function run(agent: string, lease?: Record<string, string[]>): Promise<Frame> {
    const accepted = await c.submit(
      lease === undefined ? { agent } : { agent, lease_request: lease },
    );
    assert.equal(accepted.type, "job.accepted");
    const jobId = accepted.job_id as string;
    await c.terminal(jobId);
    const echo = await c.submit({ agent: "echo", input: { after: agent } });
    assert.equal((await c.terminal(echo.job_id as string)).type, "job.result");
    const terminals = terminalsOf(c, jobId);
    assert.equal(terminals.length, 1, `exactly one terminal for ${agent}`);
    assert.equal(server.runtime.jobs.has(jobId), false, "the job is no longer live");
    return terminals[0] as Frame;
  }

  test("[arcp-7.3-single-terminal] [arcp-12-error-payload] a BigInt or cyclic result ends the job with one job.error INTERNAL_ERROR, and the server serves on", async () => {
    for (const agent of ["bigint-result", "cyclic-result"]) {
      const end = await run(agent);
      assert.equal(end.type, "job.error");
      assert.equal(end.payload["final_status"], "error");
      assert.equal(end.payload["code"], "INTERNAL_ERROR");
      assert.equal(end.payload["message"], "result is not JSON-serialisable");
      assert.equal(end.payload["retryable"], true);
    }
  });

  test("[arcp-7.3-single-terminal] [arcp-12-code-set] an error whose details have no JSON form ends the job with INTERNAL_ERROR", async () => {
    const end = await run("bigint-details");
    assert.equal(end.type, "job.error");
    assert.equal(end.payload["code"], "INTERNAL_ERROR");
    assert.match(end.payload["message"] as string, /INVALID_REQUEST.*not JSON-serialisable/);
  });

  test("[arcp-8.1-event-envelope] an event body with no JSON form rejects the emit call; nothing is emitted and the job goes on", async () => {
    const end = await run("bigint-event");
    assert.equal(end.type, "job.result");
    const result = end.payload["result"] as { code: string; message: string };
    assert.equal(result.code, "INVALID_REQUEST");
    assert.match(result.message, /not JSON-serialisable/);
    const jobId = end.job_id as string;
    assert.deepEqual(
      c.eventsOf(jobId).map((f) => f.payload["kind"]),
      ["log"],
      "only the log that followed",
    );
  });

  test("[arcp-8.2-event-bodies] [arcp-9.3-denial-as-tool-result] a tool result or error details with no JSON form still answer the tool_call; arguments with none emit no tool_call", async () => {
    const end = await run("bigint-tool", { "tool.call": ["*"] });
    assert.equal(end.type, "job.result");
    const result = end.payload["result"] as Record<string, { code: string; message: string }>;
    assert.equal(result["result"]?.code, "INTERNAL_ERROR");
    assert.match(result["result"]?.message ?? "", /bigint-result result is not JSON-serialisable/);
    assert.equal(result["error"]?.code, "PERMISSION_DENIED");
    assert.equal(result["args"]?.code, "INVALID_REQUEST");
    const jobId = end.job_id as string;
    const calls = c
      .eventsOf(jobId, "tool_call")
      .map((f) => f.payload["body"] as Record<string, unknown>);
    const results = c
      .eventsOf(jobId, "tool_result")
      .map((f) => f.payload["body"] as Record<string, unknown>);
    assert.deepEqual(
      calls.map((b) => b["tool"]),
      ["bigint-result", "bigint-error"],
    );
    assert.deepEqual(
      results.map((b) => b["call_id"]),
      calls.map((b) => b["call_id"]),
      "one tool_result per tool_call",
    );
    const [first, second] = results.map((b) => b["error"] as Record<string, unknown>);
    assert.equal(first?.["code"], "INTERNAL_ERROR");
    assert.deepEqual(
      second,
      { code: "PERMISSION_DENIED", message: "tool refused", retryable: false },
      "details without a JSON form are left out",
    );
  });
});
