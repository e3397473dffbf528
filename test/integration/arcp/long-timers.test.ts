/**
 * Job timers longer than Node's 2^31-1 ms limit (§9.5 expiry, §9.8.2 rotation): a plain
 * setTimeout would fire them after 1 ms, ending or rotating a job at once.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryProvisioner } from "../../../src/credentials/memory-provisioner.js";
import { connectWs } from "../../support/arcp-test-client.js";
import { startTestServer, TOKENS } from "../../support/test-server.js";

const DAY_MS = 86_400_000;

describe("long job timers", () => {
  test("[arcp-9.5-proactive-end] [arcp-7.3-single-terminal] a lease expiring in 30 days does not end a short job", async () => {
    const server = await startTestServer();
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const accepted = await c.submit({
        agent: "slow",
        input: { seconds: 0.3 },
        lease_constraints: { expires_at: new Date(Date.now() + 30 * DAY_MS).toISOString() },
      });
      assert.equal(accepted.type, "job.accepted");
      const end = await c.terminal(accepted.job_id as string);
      assert.equal(end.type, "job.result");
      assert.equal(end.payload["final_status"], "success");
      c.close();
    } finally {
      await server.close();
    }
  });

  test("[arcp-9.8-rotation] a rotation period of 30 days does not rotate a short job's credential", async () => {
    const provisioner = new MemoryProvisioner();
    const server = await startTestServer({
      provisioner,
      runtime: { credentialRotateSec: 30 * 86_400 },
    });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const accepted = await c.submit({ agent: "slow", input: { seconds: 0.3 } });
      const jobId = accepted.job_id as string;
      assert.equal((accepted.payload["credentials"] as unknown[]).length, 1);
      const end = await c.terminal(jobId);
      assert.equal(end.type, "job.result");
      assert.deepEqual(
        c.eventsOf(jobId, "status").map((f) => (f.payload["body"] as { phase: string }).phase),
        [],
        "no credential_rotated",
      );
      assert.equal(provisioner.issued.length, 1, "one credential issued, none rotated in");
      c.close();
    } finally {
      await server.close();
    }
  });
});
