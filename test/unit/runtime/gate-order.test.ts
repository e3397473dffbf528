/**
 * The order of the lease gate (§9.3, §9.5, §9.6, DESIGN-9): when several checks would refuse an
 * operation, lease expiry wins over an exhausted budget, which wins over a missing capability.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type AgentDefinition, defineAgent } from "../../../src/agents/agent.js";
import { ArcpError } from "../../../src/protocol/errors.js";
import { FakeClock, startHarness } from "../../support/runtime-harness.js";

/** Spends `spend` USD, waits for the test, then calls `noop` and returns the refusal's code. */
function probe(): { agent: AgentDefinition; release(): void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const agent = defineAgent<{ spend: number }>({
    name: "gate-probe",
    version: "1.0.0",
    description: "spends, waits, then calls noop",
    async run(input, ctx) {
      if (input.spend > 0) await ctx.metric("cost.inference", input.spend, { unit: "USD" });
      await ctx.log("info", "waiting");
      await gate;
      try {
        await ctx.tools.call("noop", {});
        return { code: null };
      } catch (error) {
        return { code: ArcpError.from(error).code };
      }
    },
  }) as AgentDefinition;
  return { agent, release: () => release() };
}

test("[arcp-9.3-enforce] expiry beats an exhausted budget, which beats a missing capability", async () => {
  const clock = new FakeClock();
  const p = probe();
  // A long grace, so the expired job is still running when it tries its operation.
  const h = await startHarness({ clock, agents: [p.agent], config: { expiryGraceMs: 60_000 } });
  try {
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    // Every job: noop is not in the lease, and its USD 0.40 budget is spent at once.
    const lease = { "tool.call": ["clock.now"], "cost.budget": ["USD:0.40"] };
    const all = await client.submit({
      agent: "gate-probe",
      input: { spend: 0.4 },
      lease_request: lease,
      lease_constraints: { expires_at: new Date(clock.now() + 1000).toISOString() },
    });
    const budgetAndCapability = await client.submit({
      agent: "gate-probe",
      input: { spend: 0.4 },
      lease_request: lease,
    });
    const capabilityOnly = await client.submit({
      agent: "gate-probe",
      input: { spend: 0 },
      lease_request: lease,
    });
    for (const a of [all, budgetAndCapability, capabilityOnly]) {
      await client.waitFor((f) => f.job_id === a.job_id && f.payload["kind"] === "log");
    }
    clock.advance(2000);
    p.release();
    // An operation after expiry ends the job with LEASE_EXPIRED (§9.5); the others are thrown
    // to the agent, which returns the code it saw.
    const expired = await client.terminal(all.job_id as string);
    assert.equal(expired.type, "job.error");
    assert.equal(expired.payload["code"], "LEASE_EXPIRED");
    const refusal = client.eventsOf(all.job_id as string, "tool_result")[0];
    assert.ok(refusal !== undefined, "the refused operation has a tool_result");
    const body = refusal.payload["body"] as { error?: { code?: string } };
    assert.equal(body.error?.code, "LEASE_EXPIRED");
    const codeOf = async (jobId: unknown): Promise<unknown> => {
      const end = await client.terminal(jobId as string);
      assert.equal(end.type, "job.result", JSON.stringify(end.payload));
      return (end.payload["result"] as { code: unknown }).code;
    };
    assert.equal(await codeOf(budgetAndCapability.job_id), "BUDGET_EXHAUSTED");
    assert.equal(await codeOf(capabilityOnly.job_id), "PERMISSION_DENIED");
  } finally {
    await h.close();
  }
});
