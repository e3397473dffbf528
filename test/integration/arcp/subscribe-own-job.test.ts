/**
 * Subscribing to a job from the session that submitted it (§7.6 allows a job "earlier in the
 * same session"): the session already receives every event, so it gets `job.subscribed` and
 * no second copy of anything — one terminal, no repeated event.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertGapFree, connectWs } from "../../support/arcp-test-client.js";
import { startTestServer, TOKENS } from "../../support/test-server.js";

describe("subscribing to one's own job", () => {
  test("[arcp-7.6-descriptor] [arcp-7.3-single-terminal] [arcp-7.6-subscriber-seq] the submitting session gets job.subscribed, then every event once and one terminal", async () => {
    const server = await startTestServer();
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const accepted = await c.submit({ agent: "slow", input: { seconds: 0.4 } });
      const jobId = accepted.job_id as string;
      await c.waitFor((f) => f.job_id === jobId && f.payload["kind"] === "progress");
      c.send("job.subscribe", { job_id: jobId, history: true, from_event_seq: 0 });
      const subscribed = await c.waitForType("job.subscribed");
      assert.equal(subscribed.payload["job_id"], jobId);
      assert.equal(subscribed.payload["replayed"], false, "nothing was replayed");
      await c.terminal(jobId);
      const echo = await c.submit({ agent: "echo", input: {} });
      await c.terminal(echo.job_id as string);
      const frames = c.frames.filter((f) => f.job_id === jobId && f.event_seq !== undefined);
      const terminals = frames.filter((f) => f.type === "job.result" || f.type === "job.error");
      assert.equal(terminals.length, 1, "one terminal");
      const bodies = frames.map((f) => JSON.stringify(f.payload));
      assert.equal(new Set(bodies).size, bodies.length, "no event twice");
      assertGapFree(c.seqs());
      c.close();
    } finally {
      await server.close();
    }
  });

  test("[arcp-7.6-descriptor] subscribing to one's own finished job answers job.subscribed with its final status and resends nothing", async () => {
    const server = await startTestServer();
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const accepted = await c.submit({ agent: "echo", input: { a: 1 } });
      const jobId = accepted.job_id as string;
      await c.terminal(jobId);
      const before = c.frames.filter((f) => f.job_id === jobId).length;
      c.send("job.subscribe", { job_id: jobId, history: true });
      const subscribed = await c.waitForType("job.subscribed");
      assert.equal(subscribed.payload["current_status"], "success");
      const echo = await c.submit({ agent: "echo", input: {} });
      await c.terminal(echo.job_id as string);
      assert.equal(
        c.frames.filter((f) => f.job_id === jobId && f.type !== "job.subscribed").length,
        before,
        "no replay into the session that already has the events",
      );
      c.close();
    } finally {
      await server.close();
    }
  });
});
