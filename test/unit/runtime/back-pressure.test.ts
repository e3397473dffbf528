/** Slow consumers (§6.5, DESIGN-16): bounded memory, a back_pressure status, a clean close, nothing lost. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertGapFree } from "../../support/arcp-test-client.js";
import { startHarness } from "../../support/runtime-harness.js";

const config = {
  socketHighWaterBytes: 64 * 1024,
  maxQueueBytes: 256 * 1024,
  backPressureEvents: 1000,
  maxBacklogEvents: 1_000_000,
};

describe("slow consumers", () => {
  test("[arcp-6.5-back-pressure] a client that stops reading costs bounded memory, gets a back_pressure status, and later receives everything in order", {
    timeout: 60_000,
  }, async () => {
    const h = await startHarness({ config });
    const { client, peer } = h.connect();
    await client.hello({ token: "tok-alice" });
    peer.pause();
    client.send("job.submit", { agent: "chatty", input: { events: 20_000, bytes: 100 } });
    const channel = [...h.runtime.channels.values()][0];
    assert.ok(channel !== undefined);
    // Nothing is consumed while the client is paused, so memory only grows: the state once the
    // job has finished is the peak.
    while (channel.committedSeq < 20_002) await new Promise((r) => setTimeout(r, 5));
    const buffered = channel.transport?.bufferedBytes ?? 0;
    assert.ok(channel.backlog > 10_000, `the client is far behind (${channel.backlog} events)`);
    assert.ok(
      channel.queuedBytes <= config.maxQueueBytes,
      `in-memory backlog stayed bounded (${channel.queuedBytes} bytes)`,
    );
    assert.ok(
      buffered <= config.socketHighWaterBytes + 1024,
      `socket buffer stayed bounded (${buffered} bytes)`,
    );
    const logged = await h.store.readEvents(channel.id, 0, 100_000);
    assert.ok(
      logged.some((e) => e.kind === "status" && e.frame.includes('"phase":"back_pressure"')),
      "a back_pressure status was emitted",
    );
    peer.resume();
    await client.waitFor((f) => f.type === "job.result", 30_000);
    assertGapFree(client.seqs());
    assert.equal(client.frames.filter((f) => f.payload["kind"] === "log").length, 20_000);
    await h.close();
  });

  test("[arcp-6.5-back-pressure] a consumer past the hard backlog bound that stops progressing is closed cleanly; the job finishes and the session resumes with everything", {
    timeout: 60_000,
  }, async () => {
    const h = await startHarness({
      config: { ...config, maxBacklogEvents: 5000, consumerStallSec: 1, heartbeatIntervalSec: 1 },
    });
    const first = h.connect();
    await first.client.hello({ token: "tok-alice" });
    first.peer.pause();
    first.client.send("job.submit", { agent: "chatty", input: { events: 20_000, bytes: 50 } });
    const channel = [...h.runtime.channels.values()][0];
    while (channel?.attached === true) {
      h.clock.advance(300);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.peer.resume();
    await first.client.waitClosed(10_000);
    assert.equal(first.client.closeCode, 1013);
    while ((channel?.committedSeq ?? 0) < 20_002) await new Promise((r) => setTimeout(r, 10));
    const second = h.connect();
    await second.client.hello({
      token: "tok-alice",
      resume: {
        session_id: first.client.sessionId as string,
        resume_token: first.client.resumeToken as string,
        last_event_seq: first.client.lastSeq(),
      },
    });
    await second.client.waitFor((f) => f.type === "job.result", 30_000);
    assertGapFree([...first.client.seqs(), ...second.client.seqs()]);
    await h.close();
  });

  test("[arcp-6.5-keep-unacked] acknowledged or not, events stay retained past the resume window while the job is retained", async () => {
    const h = await startHarness({ config: { resumeWindowSec: 1 } });
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const accepted = await client.submit({ agent: "chatty", input: { events: 19, bytes: 8 } });
    const jobId = accepted.job_id as string;
    await client.terminal(jobId);
    client.send("session.ack", { last_processed_seq: 5 });
    client.send("session.bye", {});
    await client.waitClosed();
    h.clock.advance(5000);
    await h.runtime.sweep();
    const other = h.connect();
    await other.client.hello({ token: "tok-alice" });
    other.client.send("job.subscribe", { job_id: jobId, history: true, from_event_seq: 5 });
    await other.client.terminal(jobId);
    const replayed = other.client.frames.filter(
      (f) => f.job_id === jobId && f.event_seq !== undefined,
    );
    assert.equal(replayed.length, 15, "events 6..20 are all still there");
    await h.close();
  });
});
