/** The spec's own example messages (§6.2, §7.1) are accepted as written, and the clock is monotonic (§14). */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { defineAgent } from "../../src/agents/agent.js";
import { systemClock } from "../../src/runtime/clock.js";
import { connectWs } from "../support/arcp-test-client.js";
import { startHarness } from "../support/runtime-harness.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("spec examples", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ auth: { token: ["...=example"] } });
  });
  after(() => server.close());

  test("[arcp-6.2-hello-shape] the §6.2 example hello is accepted and every listed feature is acknowledged", async () => {
    const c = await connectWs(server.wsUrl);
    c.send("session.hello", {
      client: { name: "examplectl", version: "0.4.1" },
      auth: { scheme: "bearer", token: "..." },
      capabilities: {
        encodings: ["json"],
        features: [
          "heartbeat",
          "ack",
          "list_jobs",
          "subscribe",
          "lease_expires_at",
          "cost.budget",
          "model.use",
          "provisioned_credentials",
          "progress",
          "result_chunk",
          "agent_versions",
        ],
      },
    });
    const welcome = await c.waitForType("session.welcome");
    const features = (welcome.payload["capabilities"] as { features: string[] }).features;
    assert.deepEqual(features, [
      "heartbeat",
      "ack",
      "list_jobs",
      "subscribe",
      "lease_expires_at",
      "cost.budget",
      "model.use",
      "progress",
      "result_chunk",
      "agent_versions",
    ]);
    c.close();
  });

  test("[arcp-7.1-submit-shape] the §7.1 example submit (every optional field) is accepted and echoed", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: "..." });
    const expires = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const accepted = await c.submit(
      {
        agent: "echo@2.0.0",
        input: { task: "refactor" },
        lease_request: {
          "fs.read": ["/workspace/myapp/**"],
          "fs.write": ["/workspace/myapp/src/**"],
          "cost.budget": ["USD:5.00"],
          "model.use": ["tier-fast/*"],
        },
        lease_constraints: { expires_at: expires },
        idempotency_key: "refactor-auth-2026-W19",
        max_runtime_sec: 1800,
      },
      { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" },
    );
    assert.equal(accepted.type, "job.accepted");
    assert.deepEqual(accepted.payload["lease"], {
      "fs.read": ["/workspace/myapp/**"],
      "fs.write": ["/workspace/myapp/src/**"],
      "cost.budget": ["USD:5.00"],
      "model.use": ["tier-fast/*"],
    });
    assert.deepEqual(accepted.payload["lease_constraints"], {
      expires_at: new Date(expires).toISOString(),
    });
    assert.deepEqual(accepted.payload["budget"], { USD: 5 });
    assert.equal(accepted.payload["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    c.close();
  });
});

describe("expiry clock", () => {
  test("[arcp-14-expiry-clock] a step of the system wall clock does not move the runtime's clock or a lease's expiry", async () => {
    const realNow = Date.now;
    const before = systemClock.now();
    try {
      Date.now = () => realNow() + 3_600_000;
      const during = systemClock.now();
      assert.ok(during - before < 1000, "the runtime clock ignores the step");
      const gates: (() => void)[] = [];
      const waiter = defineAgent({
        name: "waiter",
        version: "1.0.0",
        async run(_i, ctx) {
          await new Promise<void>((r) => gates.push(r));
          return ctx.tools.call("noop", {});
        },
      });
      const h = await startHarness({ agents: [waiter], clock: systemClock });
      const { client } = h.connect();
      await client.hello({ token: "tok-alice" });
      const accepted = await client.submit({
        agent: "waiter",
        input: {},
        lease_request: { "tool.call": ["noop"] },
        lease_constraints: { expires_at: new Date(systemClock.now() + 60_000).toISOString() },
      });
      for (const g of gates.splice(0)) g();
      const end = await client.terminal(accepted.job_id as string);
      assert.equal(end.type, "job.result", "the stepped Date.now does not expire the lease");
      await h.close();
    } finally {
      Date.now = realNow;
    }
  });
});
