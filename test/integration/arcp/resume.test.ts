/** Resume over WebSocket (§6.3, DESIGN-12): both forms, replay from the durable log, rebinding, refusals. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertGapFree, connectWs, type WsTestClient } from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

describe("ARCP resume", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ runtime: { resumeWindowSec: 2 } });
  });
  after(() => server.close());

  async function sessionWithEvents(events: number): Promise<WsTestClient> {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    const accepted = await c.submit({ agent: "chatty", input: { events, bytes: 10 } });
    await c.terminal(accepted.job_id as string);
    return c;
  }

  test("[arcp-6.3-replay-after-last-seq] [arcp-6.3-resume-message] [arcp-6.5-ack] resuming at seq 4 replays 5.. in order before new traffic, even after an ack", async () => {
    const c = await sessionWithEvents(9);
    const all = c.seqs();
    assert.deepEqual(all, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    c.send("session.ack", { last_processed_seq: 8 });
    c.send("session.ping", { nonce: "x", sent_at: new Date().toISOString() });
    await c.waitForType("session.pong");
    c.close();
    await c.waitClosed();
    const r = await connectWs(server.wsUrl);
    const welcome = await r.hello({
      token: TOKENS.alice,
      resume: {
        session_id: c.sessionId as string,
        resume_token: c.resumeToken as string,
        last_event_seq: 4,
      },
    });
    assert.equal(welcome.session_id, c.sessionId);
    assert.notEqual(welcome.payload["resume_token"], c.resumeToken, "the token rotates");
    await r.waitFor(() => r.seqs().length === 6);
    assert.deepEqual(r.seqs(), [5, 6, 7, 8, 9, 10]);
    assert.equal(r.frames[0]?.type, "session.welcome");
    const replayed = r.frames.find((f) => f.event_seq === 5);
    const original = c.frames.find((f) => f.event_seq === 5);
    assert.deepEqual(replayed, original, "replayed envelopes are the originals, byte for byte");
    const next = await r.submit({ agent: "echo", input: {} });
    await r.terminal(next.job_id as string);
    assertGapFree(r.seqs(), 4);
    r.close();
  });

  test("[arcp-6.3-resume-message] [arcp-6.3-durable-resume] session.resume (spec form) at the newest seq replays nothing and continues the numbering", async () => {
    const c = await sessionWithEvents(3);
    const last = c.lastSeq();
    c.close();
    await c.waitClosed();
    const r = await connectWs(server.wsUrl);
    r.send(
      "session.resume",
      {
        resume_token: c.resumeToken,
        last_event_seq: last,
        auth: { scheme: "bearer", token: TOKENS.alice },
      },
      { session_id: c.sessionId },
    );
    const welcome = await r.waitForType("session.welcome");
    r.sessionId = welcome.session_id;
    assert.equal(welcome.session_id, c.sessionId);
    const accepted = await r.submit({ agent: "echo", input: {} });
    await r.terminal(accepted.job_id as string);
    assert.equal(r.seqs()[0], last + 1, "[arcp-8.3-seq-across-reconnect] numbering carries on");
    assertGapFree(r.seqs(), last);
    r.close();
  });

  test("[arcp-8.3-seq-across-reconnect] the counter carries on across a resume", async () => {
    const c = await sessionWithEvents(2);
    const last = c.lastSeq();
    c.close();
    await c.waitClosed();
    const r = await connectWs(server.wsUrl);
    await r.hello({
      token: TOKENS.alice,
      resume: {
        session_id: c.sessionId as string,
        resume_token: c.resumeToken as string,
        last_event_seq: last,
      },
    });
    const accepted = await r.submit({ agent: "echo", input: {} });
    await r.terminal(accepted.job_id as string);
    assert.equal(r.seqs()[0], last + 1);
    r.close();
  });

  test("[arcp-6.3-token-rotates] a superseded resume token no longer resumes", async () => {
    const c = await sessionWithEvents(1);
    c.close();
    await c.waitClosed();
    const r1 = await connectWs(server.wsUrl);
    await r1.hello({
      token: TOKENS.alice,
      resume: {
        session_id: c.sessionId as string,
        resume_token: c.resumeToken as string,
        last_event_seq: c.lastSeq(),
      },
    });
    r1.close();
    await r1.waitClosed();
    const r2 = await connectWs(server.wsUrl);
    await assert.rejects(
      r2.hello({
        token: TOKENS.alice,
        resume: {
          session_id: c.sessionId as string,
          resume_token: c.resumeToken as string,
          last_event_seq: c.lastSeq(),
        },
      }),
      /RESUME_WINDOW_EXPIRED/,
    );
    const stored = await server.runtime.store.getSession(c.sessionId as string);
    assert.ok(stored !== undefined);
    assert.match(stored.resumeTokenHash, /^[0-9a-f]{64}$/);
    assert.ok(
      !JSON.stringify(stored).includes(c.resumeToken as string),
      "tokens are stored only hashed",
    );
  });

  test("[arcp-6.3-same-principal] a valid token of another principal cannot resume the session", async () => {
    const c = await sessionWithEvents(1);
    c.close();
    await c.waitClosed();
    const r = await connectWs(server.wsUrl);
    await assert.rejects(
      r.hello({
        token: TOKENS.bob,
        resume: {
          session_id: c.sessionId as string,
          resume_token: c.resumeToken as string,
          last_event_seq: 0,
        },
      }),
      /RESUME_WINDOW_EXPIRED/,
    );
    const ok = await connectWs(server.wsUrl);
    await ok.hello({
      token: TOKENS.alice,
      resume: {
        session_id: c.sessionId as string,
        resume_token: c.resumeToken as string,
        last_event_seq: c.lastSeq(),
      },
    });
    ok.close();
  });

  test("[arcp-6.3-window-expired] a resume after the window, or past the newest seq, is RESUME_WINDOW_EXPIRED", async () => {
    const c = await sessionWithEvents(1);
    c.close();
    await c.waitClosed();
    const ahead = await connectWs(server.wsUrl);
    await assert.rejects(
      ahead.hello({
        token: TOKENS.alice,
        resume: {
          session_id: c.sessionId as string,
          resume_token: c.resumeToken as string,
          last_event_seq: 999,
        },
      }),
      (err: Error & { frame?: { payload: Record<string, unknown>; session_id?: string } }) => {
        assert.equal(err.frame?.payload["code"], "RESUME_WINDOW_EXPIRED");
        assert.match(err.frame?.session_id ?? "", /^sess_/);
        return true;
      },
    );
    await new Promise((r) => setTimeout(r, 2300));
    const late = await connectWs(server.wsUrl);
    await assert.rejects(
      late.hello({
        token: TOKENS.alice,
        resume: {
          session_id: c.sessionId as string,
          resume_token: c.resumeToken as string,
          last_event_seq: 0,
        },
      }),
      /RESUME_WINDOW_EXPIRED/,
    );
  });

  test("[arcp-6.3-rebind-jobs] [arcp-6.7-close-keeps-jobs] a job that finishes while disconnected is replayed, and a running one stays cancellable after resume", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    const quick = await c.submit({ agent: "slow", input: { seconds: 0.4 } });
    const long = await c.submit({ agent: "slow", input: { seconds: 30 } });
    c.send("session.close", {});
    await c.waitClosed();
    await new Promise((r) => setTimeout(r, 700));
    const r = await connectWs(server.wsUrl);
    await r.hello({
      token: TOKENS.alice,
      resume: {
        session_id: c.sessionId as string,
        resume_token: c.resumeToken as string,
        last_event_seq: c.lastSeq(),
      },
    });
    const quickEnd = await r.terminal(quick.job_id as string);
    assert.deepEqual(quickEnd.payload["result"], { slept_ms: 400 });
    await r.waitFor(
      (f) =>
        f.job_id === long.job_id && f.payload["kind"] === "progress" && f.event_seq !== undefined,
    );
    r.send("job.cancel", {}, { job_id: long.job_id });
    await r.waitFor((f) => f.type === "job.cancelled" && f.job_id === long.job_id);
    const longEnd = await r.terminal(long.job_id as string);
    assert.equal(longEnd.payload["code"], "CANCELLED");
    assertGapFree([...c.seqs(), ...r.seqs()]);
    r.close();
  });

  test("[arcp-6.3-resume-message] resuming a session that is still connected takes it over", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    const r = await connectWs(server.wsUrl);
    await r.hello({
      token: TOKENS.alice,
      resume: {
        session_id: c.sessionId as string,
        resume_token: c.resumeToken as string,
        last_event_seq: 0,
      },
    });
    await c.waitClosed();
    assert.equal(c.closeCode, 4000);
    const accepted = await r.submit({ agent: "echo", input: {} });
    assert.equal(accepted.type, "job.accepted");
    r.close();
  });
});
