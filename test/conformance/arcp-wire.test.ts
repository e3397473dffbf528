/**
 * Every frame Runplane sends, across a scenario that exercises every message, event kind and
 * error path, validates against the envelope rules and the message schemas (§5, §8, §12).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MemoryProvisioner } from "../../src/credentials/memory-provisioner.js";
import { connectWs, type Frame, type WsTestClient } from "../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../support/test-server.js";
import { checkFrame } from "../support/wire-oracle.js";

const body = (f: Frame): Record<string, unknown> => f.payload["body"] as Record<string, unknown>;

describe("ARCP wire conformance", () => {
  let server: TestServer;
  const clients: WsTestClient[] = [];
  before(async () => {
    server = await startTestServer({
      agentsFile: new URL("../fixtures/test-agents.ts", import.meta.url).pathname,
      provisioner: new MemoryProvisioner(),
      runtime: { heartbeatIntervalSec: 1 },
    });
    const a = await connectWs(server.wsUrl);
    await a.hello({ token: TOKENS.alice });
    const w = await connectWs(server.wsUrl);
    await w.hello({ token: TOKENS.alice });
    clients.push(a, w);
    const run = async (payload: Record<string, unknown>) => {
      const accepted = await a.submit(payload);
      if (accepted.type === "job.accepted") await a.terminal(accepted.job_id as string, 10_000);
      return accepted;
    };
    const slow = await a.submit({ agent: "slow", input: { seconds: 0.6 } });
    w.send("job.subscribe", { job_id: slow.job_id, history: true });
    await w.waitForType("job.subscribed");
    w.send("session.list_jobs", { limit: 5 });
    await w.waitForType("session.jobs");
    await run({ agent: "every-kind", input: {} });
    await run({
      agent: "echo",
      input: { x: 1 },
      lease_request: { "cost.budget": ["USD:1.00"], "model.use": ["mock/*"] },
    });
    await run({
      agent: "spender",
      input: { cost: "USD:0.40", steps: 4 },
      lease_request: { "cost.budget": ["USD:1.00"], "tool.call": ["noop"] },
    });
    await run({
      agent: "delegator",
      input: { agent: "echo", input: {}, lease: {} },
      lease_request: { "agent.delegate": ["echo"] },
    });
    await run({ agent: "tool-user", input: { tool: "clock.now" } });
    await run({
      agent: "sleep-then-tool",
      input: { sleep_ms: 300, tool: "noop" },
      lease_request: { "tool.call": ["noop"] },
      lease_constraints: { expires_at: new Date(Date.now() + 150).toISOString() },
    });
    await run({ agent: "fail", input: { code: "INTERNAL_ERROR" } });
    await run({ agent: "slow", input: { seconds: 5 }, max_runtime_sec: 1 });
    await run({ agent: "nope", input: {} });
    await run({ agent: "echo@9.9.9", input: {} });
    await run({ agent: "stream-then-return", input: {} });
    await run({ agent: "bad-progress", input: {} });
    const cancel = await a.submit({ agent: "slow", input: { seconds: 10 } });
    a.send("job.cancel", {}, { job_id: cancel.job_id });
    await a.terminal(cancel.job_id as string);
    a.send("session.ping", { nonce: "n", sent_at: new Date().toISOString() });
    await a.waitForType("session.pong");
    await a.waitForType("session.ping", 3000);
    a.sendRaw("nonsense");
    await a.waitFor(
      (f) => f.type === "session.error" && String(f.payload["message"]).includes("malformed"),
    );
    await w.terminal(slow.job_id as string);
    w.send("session.close", {});
    await w.waitForType("session.closed");
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  const all = (): Frame[] => clients.flatMap((c) => c.frames);

  test("[arcp-5-envelope-fields] [arcp-5-dialect] [arcp-8.1-event-envelope] [arcp-8.2-event-bodies] [arcp-12-error-payload] every frame sent validates: envelope fields, ids, types, payloads and event bodies", () => {
    const problems = all().flatMap((f) =>
      checkFrame(f).map((p) => `${f.type}#${f.event_seq ?? ""}: ${p}`),
    );
    assert.deepEqual(problems, []);
    const kinds = new Set(
      all()
        .filter((f) => f.type === "job.event")
        .map((f) => f.payload["kind"]),
    );
    for (const kind of [
      "log",
      "thought",
      "tool_call",
      "tool_result",
      "status",
      "metric",
      "artifact_ref",
      "delegate",
      "progress",
      "result_chunk",
      "x-vendor.acme.note",
    ]) {
      assert.ok(kinds.has(kind), `the scenario covers ${kind}`);
    }
    const types = new Set(all().map((f) => f.type));
    for (const t of [
      "session.welcome",
      "session.error",
      "session.ping",
      "session.pong",
      "session.jobs",
      "session.closed",
      "job.accepted",
      "job.cancelled",
      "job.event",
      "job.result",
      "job.error",
      "job.subscribed",
    ]) {
      assert.ok(types.has(t), `the scenario covers ${t}`);
    }
  });

  test("[arcp-12-code-set] [arcp-12-retryable-fixed] every code sent is one of the fifteen, with the fixed retryable values", () => {
    const codes = new Set<string>();
    for (const f of all()) {
      if (f.type === "session.error" || f.type === "job.error")
        codes.add(String(f.payload["code"]));
      const err =
        f.type === "job.event" && f.payload["kind"] === "tool_result"
          ? (body(f)["error"] as Record<string, unknown> | undefined)
          : undefined;
      if (err !== undefined) codes.add(String(err["code"]));
    }
    for (const code of [
      "AGENT_NOT_AVAILABLE",
      "AGENT_VERSION_NOT_AVAILABLE",
      "BUDGET_EXHAUSTED",
      "CANCELLED",
      "INTERNAL_ERROR",
      "INVALID_REQUEST",
      "LEASE_EXPIRED",
      "PERMISSION_DENIED",
      "TIMEOUT",
    ]) {
      assert.ok(codes.has(code), `the scenario produced ${code}`);
    }
    assert.ok(!codes.has("INTERNAL"));
  });

  test("[arcp-10-delegate-body] a delegate body is {delegate_id, agent, input, lease_request?, lease_constraints?}", () => {
    const delegate = all().find(
      (f) => f.type === "job.event" && f.payload["kind"] === "delegate",
    ) as Frame;
    assert.deepEqual(Object.keys(body(delegate)).sort(), [
      "agent",
      "delegate_id",
      "input",
      "lease_request",
    ]);
  });

  test("[arcp-8.4-chunk-body] [arcp-8.4-encoding-choice] [arcp-8.4-reassembly] text chunks go as utf8, bytes as base64, and they reassemble byte for byte", () => {
    const accepted = all().find(
      (f) => f.type === "job.accepted" && f.payload["agent"] === "every-kind@1.0.0",
    ) as Frame;
    const chunks = all()
      .filter((f) => f.job_id === accepted.job_id && f.payload["kind"] === "result_chunk")
      .map(body);
    assert.deepEqual(
      chunks.map((c) => c["encoding"]),
      ["utf8", "base64", "utf8"],
    );
    const bytes = Buffer.concat(
      chunks.map((c) =>
        Buffer.from(String(c["data"]), c["encoding"] === "base64" ? "base64" : "utf8"),
      ),
    );
    assert.equal(bytes.toString("utf8"), "hello 🙂 world");
    const end = all().find((f) => f.job_id === accepted.job_id && f.type === "job.result") as Frame;
    assert.equal(end.payload["result_size"], bytes.length);
    assert.equal(end.payload["summary"], "mixed text and bytes");
  });

  test("[arcp-8.4-no-mixing] an agent that streams and also returns a value ends with result_id only, and a warning", () => {
    const accepted = all().find(
      (f) => f.type === "job.accepted" && f.payload["agent"] === "stream-then-return@1.0.0",
    ) as Frame;
    const end = all().find((f) => f.job_id === accepted.job_id && f.type === "job.result") as Frame;
    assert.equal(end.payload["result"], undefined);
    assert.match(String(end.payload["result_id"]), /^res_/);
    const warn = all().find(
      (f) => f.job_id === accepted.job_id && f.payload["kind"] === "log",
    ) as Frame;
    assert.match(String(body(warn)["message"]), /discarded/);
  });

  test("[arcp-8.2.1-progress] [arcp-8.2.1-progress-bound] progress with a negative current, or current above total, is refused and never emitted", () => {
    const accepted = all().find(
      (f) => f.type === "job.accepted" && f.payload["agent"] === "bad-progress@1.0.0",
    ) as Frame;
    const end = all().find((f) => f.job_id === accepted.job_id && f.type === "job.result") as Frame;
    assert.deepEqual(end.payload["result"], { seen: ["INVALID_REQUEST", "INVALID_REQUEST"] });
    assert.equal(
      all().filter((f) => f.job_id === accepted.job_id && f.payload["kind"] === "progress").length,
      0,
    );
  });

  test("[arcp-9.8-advertise-if-revocable] with a revocable provisioner configured, loopback sessions are offered provisioned_credentials", () => {
    const welcome = clients[0]?.frames[0] as Frame;
    assert.ok(
      (welcome.payload["capabilities"] as { features: string[] }).features.includes(
        "provisioned_credentials",
      ),
    );
  });
});
