/** Heartbeat loss (§6.4): the transport closes, jobs go on, and the session resumes with their results. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertGapFree, connectWs } from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

describe("ARCP heartbeats", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ runtime: { heartbeatIntervalSec: 1 } });
  });
  after(() => server.close());

  test("[arcp-6.4-heartbeat-lost] [arcp-6.4-jobs-survive-loss] a silent client gets HEARTBEAT_LOST and is closed; its job still finishes and is replayed on resume", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice, features: ["heartbeat", "progress"] });
    c.autoPong = false;
    const accepted = await c.submit({ agent: "slow", input: { seconds: 3.5 } });
    const jobId = accepted.job_id as string;
    const lost = await c.waitFor(
      (f) => f.type === "session.error" && f.payload["code"] === "HEARTBEAT_LOST",
      6000,
    );
    assert.equal(lost.session_id, c.sessionId);
    await c.waitClosed();
    const seenBefore = c.lastSeq();
    assert.ok(
      !c.frames.some((f) => f.type === "job.result"),
      "the job had not finished when the heartbeat was lost",
    );

    await new Promise((r) => setTimeout(r, 2500));
    const again = await connectWs(server.wsUrl);
    const welcome = await again.hello({
      token: TOKENS.alice,
      features: ["heartbeat", "progress"],
      resume: {
        session_id: c.sessionId as string,
        resume_token: c.resumeToken as string,
        last_event_seq: seenBefore,
      },
    });
    assert.equal(welcome.session_id, c.sessionId);
    const result = await again.terminal(jobId, 5000);
    assert.equal(result.type, "job.result");
    assert.deepEqual(result.payload["result"], { slept_ms: 3500 });
    assertGapFree([...c.seqs(), ...again.seqs()]);
    again.close();
  });
});
