/** Leases enforced by the runtime, over a real WebSocket (§9, §10, DESIGN-7–10, 24, 25). */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connectWs, type Frame, type WsTestClient } from "../../support/arcp-test-client.js";
import { makeTempDir, removeTempDir } from "../../support/temp-dir.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

const body = (f: Frame): Record<string, unknown> => f.payload["body"] as Record<string, unknown>;

describe("leases over WebSocket", () => {
  let server: TestServer;
  let c: WsTestClient;
  let workspace: string;
  let site: Server;
  let siteUrl: string;
  const siteHits: { url: string; traceparent: string | undefined }[] = [];
  before(async () => {
    workspace = makeTempDir("ws");
    site = createServer((req, res) => {
      siteHits.push({
        url: req.url ?? "",
        traceparent: req.headers["traceparent"] as string | undefined,
      });
      res.end("ok");
    });
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    server = await startTestServer({
      workspace,
      agentsFile: new URL("../../fixtures/test-agents.ts", import.meta.url).pathname,
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

  test("[arcp-9.3-denial-as-tool-result] [arcp-9.3-enforce] a tool outside the lease is refused as a PERMISSION_DENIED tool_result and the job goes on", async () => {
    const accepted = await c.submit({
      agent: "tool-user",
      input: { tool: "clock.now" },
      lease_request: { "tool.call": ["noop"] },
    });
    const jobId = accepted.job_id as string;
    const terminal = await c.terminal(jobId);
    assert.equal(terminal.type, "job.result");
    const result = terminal.payload["result"] as { error: { code: string } };
    assert.equal(result.error.code, "PERMISSION_DENIED");
    const calls = c.eventsOf(jobId, "tool_call");
    const results = c.eventsOf(jobId, "tool_result");
    assert.equal(calls.length, 1);
    assert.equal(body(calls[0] as Frame)["tool"], "clock.now");
    const err = body(results[0] as Frame)["error"] as Record<string, unknown>;
    assert.equal(err["code"], "PERMISSION_DENIED");
    assert.equal(err["retryable"], false);
    assert.equal(body(results[0] as Frame)["call_id"], body(calls[0] as Frame)["call_id"]);
  });

  test("[arcp-9.1-mediated-operations] [arcp-9.2-reserved-namespaces] allowed tools run and report their result", async () => {
    const accepted = await c.submit({
      agent: "tool-user",
      input: { tool: "clock.now" },
      lease_request: { "tool.call": ["clock.*"] },
    });
    const terminal = await c.terminal(accepted.job_id as string);
    const result = terminal.payload["result"] as { result: { now: string } };
    assert.ok(!Number.isNaN(Date.parse(result.result.now)));
  });

  test("[arcp-9.6-exhausted] [arcp-9.6-exhausted-non-fatal] [arcp-9.6-remaining-metric] spender with USD:1.00 at 0.40 a step is refused on its third operation", async () => {
    const accepted = await c.submit({
      agent: "spender",
      input: { cost: "USD:0.40", steps: 5 },
      lease_request: { "cost.budget": ["USD:1.00"], "tool.call": ["noop"] },
    });
    assert.deepEqual(accepted.payload["budget"], { USD: 1 });
    const jobId = accepted.job_id as string;
    const terminal = await c.terminal(jobId);
    assert.equal(terminal.type, "job.result");
    assert.deepEqual(terminal.payload["result"], {
      steps_completed: 2,
      stopped_by: "BUDGET_EXHAUSTED",
    });
    const results = c.eventsOf(jobId, "tool_result").map(body);
    assert.equal(results.length, 3);
    assert.ok(results[0]?.["result"] !== undefined && results[1]?.["result"] !== undefined);
    const refusal = results[2]?.["error"] as Record<string, unknown>;
    assert.equal(refusal["code"], "BUDGET_EXHAUSTED");
    assert.equal(refusal["retryable"], false);
    const metrics = c.eventsOf(jobId, "metric");
    const remaining = metrics
      .filter((m) => body(m)["name"] === "cost.budget.remaining")
      .map((m) => body(m)["value"]);
    assert.deepEqual(remaining, [0.6, 0.2, -0.2]);
    for (const m of metrics.filter((x) => body(x)["name"] === "cost.budget.remaining")) {
      const idx = c.frames.indexOf(m);
      const prev = c.frames[idx - 1] as Frame;
      assert.equal(
        body(prev)["name"],
        "cost.inference",
        "remaining follows the cost metric that changed it",
      );
      assert.equal(body(m)["unit"], "USD");
    }
  });

  test("[arcp-9.6-exact-money] ten charges of 0.10 exhaust USD:1.00 exactly", async () => {
    const accepted = await c.submit({
      agent: "spender",
      input: { cost: "USD:0.10", steps: 11 },
      lease_request: { "cost.budget": ["USD:1.00"], "tool.call": ["noop"] },
    });
    const terminal = await c.terminal(accepted.job_id as string);
    assert.deepEqual(terminal.payload["result"], {
      steps_completed: 9,
      stopped_by: "BUDGET_EXHAUSTED",
    });
  });

  test("[arcp-9.5-op-after-expiry] [arcp-9.5-job-error] [arcp-7.3-limit-errors-are-error] an operation after expires_at gets a LEASE_EXPIRED tool_result, then job.error LEASE_EXPIRED", async () => {
    const expiresAt = new Date(Date.now() + 600).toISOString();
    const accepted = await c.submit({
      agent: "sleep-then-tool",
      input: { sleep_ms: 900, tool: "noop" },
      lease_request: { "tool.call": ["noop"] },
      lease_constraints: { expires_at: expiresAt },
    });
    assert.equal(
      (accepted.payload["lease_constraints"] as Record<string, unknown>)["expires_at"],
      expiresAt,
    );
    const jobId = accepted.job_id as string;
    const terminal = await c.terminal(jobId);
    assert.equal(terminal.type, "job.error");
    assert.equal(terminal.payload["code"], "LEASE_EXPIRED");
    assert.equal(terminal.payload["final_status"], "error");
    assert.equal(terminal.payload["retryable"], false);
    const toolResult = c.eventsOf(jobId, "tool_result")[0] as Frame;
    assert.equal((body(toolResult)["error"] as Record<string, unknown>)["code"], "LEASE_EXPIRED");
    assert.ok(c.frames.indexOf(toolResult) < c.frames.indexOf(terminal));
  });

  test("[arcp-9.5-proactive-end] a job idle past its expiry (plus the grace) ends with LEASE_EXPIRED", async () => {
    const accepted = await c.submit({
      agent: "slow",
      input: { seconds: 10 },
      lease_constraints: { expires_at: new Date(Date.now() + 500).toISOString() },
    });
    const terminal = await c.terminal(accepted.job_id as string, 5000);
    assert.equal(terminal.payload["code"], "LEASE_EXPIRED");
  });

  test("[arcp-9.5-expires-at-valid] expires_at with an offset, garbage, or in the past is INVALID_REQUEST", async () => {
    for (const expires_at of ["2030-01-01T00:00:00+02:00", "tomorrow", "2001-01-01T00:00:00Z"]) {
      const refused = await c.submit({
        agent: "echo",
        input: {},
        lease_constraints: { expires_at },
      });
      assert.equal(refused.type, "job.error", expires_at);
      assert.equal(refused.payload["code"], "INVALID_REQUEST");
    }
  });

  test("[arcp-9.6-amount-grammar] malformed budget amounts are INVALID_REQUEST naming the pattern", async () => {
    for (const amount of ["USD:-1", "USD:1e3", "USD"]) {
      const refused = await c.submit({
        agent: "echo",
        input: {},
        lease_request: { "cost.budget": [amount] },
      });
      assert.equal(refused.payload["code"], "INVALID_REQUEST", amount);
      assert.match(String(refused.payload["message"]), /cost\.budget/);
    }
  });

  test("[arcp-9.4-subset-violation] [arcp-9.4-exact] [arcp-10-failure-to-parent] a widening delegation is refused with a witness", async () => {
    const accepted = await c.submit({
      agent: "delegator",
      input: { agent: "tool-user", input: { tool: "noop" }, lease: { "tool.call": ["*"] } },
      lease_request: { "agent.delegate": ["tool-*"], "tool.call": ["noop", "clock.*"] },
    });
    const jobId = accepted.job_id as string;
    const terminal = await c.terminal(jobId);
    assert.equal(terminal.payload["code"], "LEASE_SUBSET_VIOLATION");
    const refusal = c.eventsOf(jobId, "tool_result").map(body)[0] as Record<string, unknown>;
    const err = refusal["error"] as {
      code: string;
      details: { witness: string; capability: string };
    };
    assert.equal(err.code, "LEASE_SUBSET_VIOLATION");
    assert.equal(err.details.capability, "tool.call");
    assert.ok(
      err.details.witness !== "noop" && !err.details.witness.startsWith("clock."),
      `witness ${err.details.witness}`,
    );
    const delegateEvent = c.eventsOf(jobId, "delegate")[0] as Frame;
    assert.equal(body(delegateEvent)["delegate_id"], refusal["call_id"]);
  });

  test("[arcp-10-delegate-event] [arcp-10-parent-link] [arcp-11-to-children] [arcp-9.4-equal-allowed] a delegation within the lease runs the child and returns its result", async () => {
    const lease = { "agent.delegate": ["tool-user"], "tool.call": ["noop"] };
    const accepted = await c.submit({
      agent: "delegator",
      input: { agent: "tool-user", input: { tool: "noop" }, lease: { "tool.call": ["noop"] } },
      lease_request: lease,
    });
    const jobId = accepted.job_id as string;
    const terminal = await c.terminal(jobId);
    assert.deepEqual(terminal.payload["result"], { child: { tool: "noop", result: {} } });
    const childAccepted = c.frames.find(
      (f) => f.type === "job.accepted" && f.payload["parent_job_id"] === jobId,
    ) as Frame;
    assert.equal(childAccepted.payload["agent"], "tool-user@1.0.0");
    assert.deepEqual(childAccepted.payload["lease"], { "tool.call": ["noop"] });
    assert.equal(childAccepted.payload["trace_id"], accepted.payload["trace_id"]);
    const delegateEvent = body(c.eventsOf(jobId, "delegate")[0] as Frame);
    assert.equal(childAccepted.payload["delegate_id"], delegateEvent["delegate_id"]);
    assert.equal(delegateEvent["agent"], "tool-user");
  });

  test("[arcp-9.4-budget-remaining] a child budget above the parent's remaining is refused; at the remaining it runs", async () => {
    const parentLease = {
      "agent.delegate": ["spender"],
      "tool.call": ["noop"],
      "cost.budget": ["USD:5.00"],
    };
    const over = await c.submit({
      agent: "delegator",
      input: {
        agent: "spender",
        input: { cost: "USD:0.10", steps: 1 },
        lease: { "tool.call": ["noop"], "cost.budget": ["USD:5.01"] },
      },
      lease_request: parentLease,
    });
    const overEnd = await c.terminal(over.job_id as string);
    assert.equal(overEnd.payload["code"], "LEASE_SUBSET_VIOLATION");
    const ok = await c.submit({
      agent: "delegator",
      input: {
        agent: "spender",
        input: { cost: "USD:0.10", steps: 1 },
        lease: { "tool.call": ["noop"], "cost.budget": ["USD:5.00"] },
      },
      lease_request: parentLease,
    });
    const okEnd = await c.terminal(ok.job_id as string);
    assert.equal(okEnd.type, "job.result");
  });

  test("[arcp-9.3-enforce] [arcp-9.2-canonical-targets] file writes outside fs.write leave no file; reads and writes inside work", async () => {
    const accepted = await c.submit({
      agent: "every-op",
      input: { path: "/out/a.txt", url: `${siteUrl}/x` },
      lease_request: {
        "fs.write": ["/out/**"],
        "fs.read": ["/out/*"],
        "net.fetch": [`${siteUrl}/**`],
        "tool.call": ["clock.now"],
      },
    });
    const terminal = await c.terminal(accepted.job_id as string);
    const r = terminal.payload["result"] as Record<string, Record<string, unknown>>;
    assert.deepEqual(r["write"], {}, "fs.write resolves with nothing");
    const writeResult = c.eventsOf(accepted.job_id as string, "tool_result").map(body)[0];
    assert.deepEqual(writeResult?.["result"], { path: "/out/a.txt", bytes: 5 });
    assert.deepEqual(r["read"], { ok: "hello" });
    assert.deepEqual(r["fetch"], { ok: 200 });
    assert.equal(readFileSync(join(workspace, "out", "a.txt"), "utf8"), "hello");
    const denied = await c.submit({
      agent: "every-op",
      input: { path: "/secret/b.txt" },
      lease_request: { "fs.write": ["/out/**"], "fs.read": ["/out/**"] },
    });
    const deniedEnd = await c.terminal(denied.job_id as string);
    const d = deniedEnd.payload["result"] as Record<string, Record<string, unknown>>;
    assert.deepEqual(d["write"], { error: "PERMISSION_DENIED" });
    assert.deepEqual(d["read"], { error: "PERMISSION_DENIED" });
    assert.deepEqual(d["fetch"], { error: "PERMISSION_DENIED" });
    assert.deepEqual(d["tool"], { error: "PERMISSION_DENIED" });
    assert.equal(existsSync(join(workspace, "secret", "b.txt")), false);
  });

  test("[arcp-11-to-tools] mediated HTTP calls carry the job's traceparent", async () => {
    siteHits.length = 0;
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const accepted = await c.submit(
      {
        agent: "every-op",
        input: { url: `${siteUrl}/traced` },
        lease_request: { "net.fetch": [`${siteUrl}/**`] },
      },
      { trace_id: traceparent },
    );
    await c.terminal(accepted.job_id as string);
    const hit = siteHits.find((h) => h.url === "/traced");
    assert.match(hit?.traceparent ?? "", /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  });

  test("[arcp-9.7-model-denied] a model outside model.use is PERMISSION_DENIED; inside, it answers and its cost is charged", async () => {
    const denied = await c.submit({
      agent: "llm",
      input: { model: "tier-slow/x", prompt: "hi" },
      lease_request: { "model.use": ["tier-fast/*"] },
    });
    const deniedEnd = await c.terminal(denied.job_id as string);
    assert.equal(deniedEnd.payload["code"], "PERMISSION_DENIED");
    const ok = await c.submit({
      agent: "llm",
      input: { model: "mock/small", prompt: "one two three" },
      lease_request: { "model.use": ["mock/*"], "cost.budget": ["USD:1.00"] },
    });
    const okEnd = await c.terminal(ok.job_id as string);
    assert.equal(okEnd.type, "job.result");
    const costs = c
      .eventsOf(ok.job_id as string, "metric")
      .map(body)
      .filter((m) => m["name"] === "cost.inference");
    assert.equal(costs.length, 1, "the runtime meters the model call itself (§14 strong budget)");
  });

  test("[arcp-8.2-metric-dims] metrics sent with dimensions or dims both leave as dims", async () => {
    const accepted = await c.submit({ agent: "dimensions-metric", input: {} });
    const jobId = accepted.job_id as string;
    await c.terminal(jobId);
    const metrics = c.eventsOf(jobId, "metric").map(body);
    assert.deepEqual(metrics, [
      { name: "tokens", value: 3, dims: { model: "m" } },
      { name: "tokens", value: 4, dims: { model: "n" } },
    ]);
  });
});
