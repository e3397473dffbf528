/** Ending a parent ends its children (§10), whatever ended the parent: here, its own timeout. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { connectWs } from "../../support/arcp-test-client.js";
import { startTestServer, TOKENS } from "../../support/test-server.js";

test("[arcp-10-parent-link] a parent that times out takes its running child with it", async () => {
  const server = await startTestServer();
  try {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    const parent = await c.submit({
      agent: "delegator",
      input: { agent: "slow", input: { seconds: 30 } },
      lease_request: { "agent.delegate": ["slow"] },
      max_runtime_sec: 1,
    });
    const child = await c.waitFor(
      (f) => f.type === "job.accepted" && f.payload["parent_job_id"] === parent.job_id,
    );
    const parentEnd = await c.terminal(parent.job_id as string, 10_000);
    assert.equal(parentEnd.payload["code"], "TIMEOUT");
    assert.equal(parentEnd.payload["final_status"], "timed_out");
    const childEnd = await c.terminal(child.job_id as string, 10_000);
    assert.equal(childEnd.type, "job.error");
    assert.equal(childEnd.payload["code"], "CANCELLED");
    assert.equal(childEnd.payload["final_status"], "cancelled");
    c.close();
  } finally {
    await server.close();
  }
});
