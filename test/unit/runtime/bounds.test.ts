/** Runtime bounds under a controlled clock: absent bounds, versions, session caps, chunk caps. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineAgent } from "../../../src/agents/agent.js";
import { startHarness } from "../../support/runtime-harness.js";

/** An agent that waits until the test opens its gate, then performs one operation. */
function gatedAgent(name: string, version = "1.0.0") {
  const gates: (() => void)[] = [];
  const agent = defineAgent<{ metric?: number }>({
    name,
    version,
    async run(input, ctx) {
      await new Promise<void>((resolve) => gates.push(resolve));
      if (input?.metric !== undefined)
        await ctx.metric("cost.inference", input.metric, { unit: "USD" });
      const tool = await ctx.tools.call("noop", {});
      return { version, tool };
    },
  });
  const open = (): void => {
    for (const g of gates.splice(0)) g();
  };
  return { agent, open };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("runtime bounds", () => {
  test("[arcp-7.1-absent-bounds] a lease without constraints never expires and one without cost.budget is never refused for budget", async () => {
    const gated = gatedAgent("gated");
    const h = await startHarness({ agents: [gated.agent] });
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const accepted = await client.submit({
      agent: "gated",
      input: { metric: 1_000_000 },
      lease_request: { "tool.call": ["noop"] },
    });
    assert.equal(accepted.payload["lease_constraints"], undefined);
    assert.equal(accepted.payload["budget"], undefined);
    h.clock.advance(10 * 365 * 24 * 3600 * 1000);
    gated.open();
    const end = await client.terminal(accepted.job_id as string);
    assert.deepEqual(end.payload["result"], { version: "1.0.0", tool: {} });
    await h.close();
  });

  test("[arcp-7.5-no-migration] a running job keeps its resolved version when the default changes", async () => {
    const v1 = gatedAgent("versioned", "1.0.0");
    const v2 = gatedAgent("versioned", "2.0.0");
    const h = await startHarness({ agents: [v1.agent, v2.agent] });
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const first = await client.submit({
      agent: "versioned",
      input: {},
      lease_request: { "tool.call": ["noop"] },
    });
    assert.equal(first.payload["agent"], "versioned@2.0.0");
    h.runtime.agents.setDefault("versioned", "1.0.0");
    const second = await client.submit({
      agent: "versioned",
      input: {},
      lease_request: { "tool.call": ["noop"] },
    });
    assert.equal(second.payload["agent"], "versioned@1.0.0");
    v1.open();
    v2.open();
    const end = await client.terminal(first.job_id as string);
    assert.equal((end.payload["result"] as { version: string }).version, "2.0.0");
    await h.close();
  });

  test("[arcp-14-session-limits] a principal's sessions are capped; the refusal is retryable and a slot frees on close", async () => {
    const h = await startHarness({ config: { maxSessionsPerPrincipal: 2 } });
    const a = h.connect();
    const b = h.connect();
    await a.client.hello({ token: "tok-alice" });
    await b.client.hello({ token: "tok-alice" });
    const c = h.connect();
    await assert.rejects(
      c.client.hello({ token: "tok-alice" }),
      (err: Error & { frame?: { payload: Record<string, unknown> } }) => {
        assert.equal(err.frame?.payload["code"], "INVALID_REQUEST");
        assert.equal(err.frame?.payload["retryable"], true);
        return true;
      },
    );
    const other = h.connect();
    await other.client.hello({ token: "tok-bob" });
    a.peer.close();
    await a.client.waitClosed();
    await tick();
    const d = h.connect();
    await d.client.hello({ token: "tok-alice" });
    await h.close();
  });

  test("[arcp-14-chunk-caps] a chunk over the chunk cap, or a stream over the total cap, ends the job with INTERNAL_ERROR", async () => {
    const h = await startHarness({ config: { maxChunkBytes: 100, maxResultBytes: 250 } });
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const big = await client.submit({
      agent: "stream-report",
      input: { chunks: 2, chunk_bytes: 150 },
    });
    const bigEnd = await client.terminal(big.job_id as string);
    assert.equal(bigEnd.payload["code"], "INTERNAL_ERROR");
    assert.match(String(bigEnd.payload["message"]), /chunk limit/);
    const long = await client.submit({
      agent: "stream-report",
      input: { chunks: 3, chunk_bytes: 100 },
    });
    const longEnd = await client.terminal(long.job_id as string);
    assert.equal(longEnd.payload["code"], "INTERNAL_ERROR");
    assert.match(String(longEnd.payload["message"]), /total limit/);
    assert.equal(
      client.eventsOf(long.job_id as string, "result_chunk").length,
      2,
      "chunks within the cap were sent",
    );
    await h.close();
  });
});
