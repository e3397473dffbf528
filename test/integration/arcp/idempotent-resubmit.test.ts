/**
 * An idempotent resubmit is answered with the job's outcome too (§7.2, docs/decisions.md): a
 * client that reconnects, resumes its session and resubmits gets `job.accepted` and then the
 * finished job's terminal again, as a new answer to its new submit.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertGapFree, connectWs } from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

describe("idempotent resubmit in the submitting session", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test("[arcp-7.2-idempotent-replay] [arcp-6.3-resume-message] after a resume, resubmitting a finished job's key brings job.accepted and its terminal again", async () => {
    const a = await connectWs(server.wsUrl);
    await a.hello({ token: TOKENS.alice });
    const submit = { agent: "echo", input: { n: 1 }, idempotency_key: "resume-key" };
    const first = await a.submit(submit);
    const jobId = first.job_id as string;
    const original = await a.terminal(jobId);
    a.close();
    await a.waitClosed();

    const b = await connectWs(server.wsUrl);
    await b.hello({
      token: TOKENS.alice,
      resume: {
        session_id: a.sessionId as string,
        resume_token: a.resumeToken as string,
        last_event_seq: a.lastSeq(),
      },
    });
    assert.equal(b.sessionId, a.sessionId);
    b.mark();
    const again = await b.submit(submit);
    assert.equal(again.type, "job.accepted");
    assert.deepEqual(again.payload, first.payload);
    const replayed = await b.terminal(jobId);
    assert.equal(replayed.type, original.type);
    assert.deepEqual(replayed.payload, original.payload);
    assert.ok((replayed.event_seq as number) > a.lastSeq(), "a new frame in the session's space");
    assertGapFree(b.seqs(), a.lastSeq());
    b.close();
  });

  test("[arcp-7.2-idempotent-replay] [arcp-7.3-single-terminal] resubmitting a running job's key in its own session adds no second terminal", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    const submit = { agent: "slow", input: { seconds: 0.3 }, idempotency_key: "live-key" };
    const first = await c.submit(submit);
    const jobId = first.job_id as string;
    const again = await c.submit(submit);
    assert.equal(again.job_id, jobId);
    await c.terminal(jobId);
    const echo = await c.submit({ agent: "echo", input: {} });
    await c.terminal(echo.job_id as string);
    const terminals = c.frames.filter(
      (f) => f.job_id === jobId && (f.type === "job.result" || f.type === "job.error"),
    );
    assert.equal(terminals.length, 1);
    c.close();
  });
});
