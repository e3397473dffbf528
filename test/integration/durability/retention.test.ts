/**
 * Log retention (§6.5, DESIGN-13): a session's log is trimmed to what somebody can still need.
 * Acknowledged events, and events older than the retention every session gets, go; the own
 * history of a job that is still retained stays for subscribe-with-history and idempotent
 * resubmits, also after its session has expired.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { TestClient } from "../../support/arcp-test-client.js";
import {
  FakeClock,
  gatedAgent,
  type Harness,
  startHarness,
} from "../../support/runtime-harness.js";

const config = { jobRetentionSec: 60, resumeWindowSec: 30 };

async function runEcho(client: TestClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const accepted = await client.submit({ agent: "echo", input: { i } });
    await client.terminal(accepted.job_id as string);
  }
}

async function settle(h: Harness): Promise<void> {
  await h.runtime.writer.idle();
  for (let i = 0; i < 5; i++) await nextTurn();
}

describe("session log retention", () => {
  test("[arcp-6.5-free-acked] [arcp-6.6-terminal-retention] acknowledged events go once their jobs are pruned; a resume from below them is refused, never partial", async () => {
    const h = await startHarness({ clock: new FakeClock(), config });
    try {
      const { client } = h.connect();
      await client.hello({ token: "tok-alice" });
      await runEcho(client, 3);
      const acked = client.lastSeq();
      client.send("session.ack", { last_processed_seq: acked });
      const channel = h.runtime.channels.get(client.sessionId as string);
      while (channel?.ackedSeq !== acked) await nextTurn();

      await h.runtime.sweep();
      assert.equal(await h.store.firstRetainedSeq(channel.id), 1, "retained jobs pin their events");
      h.clock.advance(61_000);
      await h.runtime.sweep();
      assert.equal(await h.store.firstRetainedSeq(channel.id), null, "all acked, all pruned");

      const again = h.connect();
      await assert.rejects(
        again.client.hello({
          token: "tok-alice",
          resume: {
            session_id: channel.id,
            resume_token: client.resumeToken as string,
            last_event_seq: 0,
          },
        }),
        /RESUME_WINDOW_EXPIRED/,
      );
    } finally {
      await h.close();
    }
  });

  test("[arcp-6.5-keep-unacked] [arcp-6.6-terminal-retention] an attached session's unacknowledged log is kept for the retention period, then trimmed up to the history of a job still live", async () => {
    const gated = gatedAgent();
    const h = await startHarness({ clock: new FakeClock(), config, agents: [gated.agent] });
    try {
      const { client } = h.connect();
      await client.hello({ token: "tok-alice" });
      await runEcho(client, 2);
      const echoes = client.lastSeq();
      const live = await client.submit({ agent: "gated", input: null });
      const liveId = live.job_id as string;
      await client.waitFor((f) => f.job_id === liveId && f.payload["kind"] === "log");
      const id = client.sessionId as string;

      await h.runtime.sweep();
      h.clock.advance(30_000);
      await h.runtime.sweep();
      assert.equal(await h.store.firstRetainedSeq(id), 1, "kept within the retention period");
      h.clock.advance(31_000);
      await h.runtime.sweep();
      assert.equal(await h.store.firstRetainedSeq(id), echoes + 1, "trimmed up to the live job");

      const other = h.connect();
      await other.client.hello({ token: "tok-alice" });
      other.client.send("job.subscribe", { job_id: liveId, history: true, from_event_seq: 0 });
      await other.client.waitFor((f) => f.job_id === liveId && f.payload["kind"] === "log");
      gated.release();
      assert.equal((await client.terminal(liveId)).type, "job.result");
      assert.equal((await other.client.terminal(liveId)).type, "job.result");
      await settle(h);
    } finally {
      gated.release();
      await h.close();
    }
  });

  test("[arcp-6.7-jobs-outlive-session] [arcp-6.6-terminal-retention] a job that ends after its session detached keeps its history when the session expires, for subscribe-with-history and an idempotent resubmit", async () => {
    const gated = gatedAgent();
    const h = await startHarness({ clock: new FakeClock(), config, agents: [gated.agent] });
    try {
      const first = h.connect();
      await first.client.hello({ token: "tok-alice" });
      const accepted = await first.client.submit({
        agent: "gated",
        input: null,
        idempotency_key: "k1",
      });
      const jobId = accepted.job_id as string;
      await first.client.waitFor((f) => f.job_id === jobId && f.payload["kind"] === "log");
      first.peer.close();
      await first.client.waitClosed();
      h.clock.advance(50_000);
      gated.release();
      await settle(h);
      h.clock.advance(11_000);
      await h.runtime.sweep();
      assert.equal(await h.store.getSession(first.client.sessionId as string), undefined);
      assert.equal((await h.store.getJob(jobId))?.state, "success", "the job is still retained");

      const later = h.connect();
      await later.client.hello({ token: "tok-alice" });
      later.client.send("job.subscribe", { job_id: jobId, history: true, from_event_seq: 0 });
      await later.client.waitFor((f) => f.job_id === jobId && f.payload["kind"] === "log");
      assert.equal((await later.client.terminal(jobId)).type, "job.result");

      const resubmit = h.connect();
      await resubmit.client.hello({ token: "tok-alice" });
      const replay = await resubmit.client.submit({
        agent: "gated",
        input: null,
        idempotency_key: "k1",
      });
      assert.equal(replay.job_id, jobId);
      assert.equal((await resubmit.client.terminal(jobId)).type, "job.result");
    } finally {
      gated.release();
      await h.close();
    }
  });
});
