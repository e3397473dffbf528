/** Jobs over a real WebSocket: submit, events, results, refusals, cancel, timeout, idempotency. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertGapFree, connectWs, type WsTestClient } from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

describe("ARCP jobs over WebSocket", () => {
  let server: TestServer;
  let c: WsTestClient;
  before(async () => {
    server = await startTestServer();
    c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
  });
  after(async () => {
    c.close();
    await server.close();
  });

  test("[arcp-7.1-accepted-shape] [arcp-7.5-resolution] echo resolves to its default 2.0.0, logs, reports progress and returns its input", async () => {
    const accepted = await c.submit({ agent: "echo", input: { x: 1 } });
    assert.equal(accepted.type, "job.accepted");
    const p = accepted.payload;
    const jobId = accepted.job_id as string;
    assert.match(jobId, /^job_/);
    assert.equal(p["job_id"], jobId);
    assert.equal(p["agent"], "echo@2.0.0");
    assert.deepEqual(p["lease"], {});
    assert.match(String(p["trace_id"]), /^[0-9a-f]{32}$/);
    assert.equal(accepted.trace_id, p["trace_id"]);
    assert.ok(!Number.isNaN(Date.parse(String(p["accepted_at"]))));
    assert.equal(accepted.event_seq, undefined);
    const result = await c.terminal(jobId);
    assert.equal(result.type, "job.result");
    assert.deepEqual(result.payload, {
      final_status: "success",
      result: { echo: { x: 1 }, version: "2.0.0" },
    });
    const kinds = c.eventsOf(jobId).map((e) => e.payload["kind"]);
    assert.deepEqual(kinds, ["log", "progress"]);
    for (const e of c.eventsOf(jobId)) {
      assert.equal(e.trace_id, p["trace_id"]);
      assert.equal(e.session_id, c.sessionId);
      assert.ok(typeof e.event_seq === "number");
      assert.ok(!Number.isNaN(Date.parse(String(e.payload["ts"]))));
    }
  });

  test("[arcp-7.5-resolution] a pinned version runs exactly that version", async () => {
    const accepted = await c.submit({ agent: "echo@1.0.0", input: "hi" });
    assert.equal(accepted.payload["agent"], "echo@1.0.0");
    const result = await c.terminal(accepted.job_id as string);
    assert.deepEqual(result.payload["result"], { echo: "hi", version: "1.0.0" });
  });

  test("[arcp-7.1-unknown-agent] [arcp-7.1-rejection-form] an unknown agent is refused with job.error AGENT_NOT_AVAILABLE under a fresh job id", async () => {
    const refused = await c.submit({ agent: "nope", input: {} });
    assert.equal(refused.type, "job.error");
    assert.match(refused.job_id ?? "", /^job_/);
    assert.equal(typeof refused.event_seq, "number");
    assert.equal(refused.payload["code"], "AGENT_NOT_AVAILABLE");
    assert.equal(refused.payload["final_status"], "error");
    assert.equal(refused.payload["retryable"], false);
  });

  test("[arcp-7.5-version-unavailable] an unknown pinned version gets session.error AGENT_VERSION_NOT_AVAILABLE, not retryable", async () => {
    const refused = await c.submit({ agent: "echo@3.0.0", input: {} });
    assert.equal(refused.type, "session.error");
    assert.equal(refused.payload["code"], "AGENT_VERSION_NOT_AVAILABLE");
    assert.equal(refused.payload["retryable"], false);
  });

  test("[arcp-7.5-agent-grammar] malformed agent references are INVALID_REQUEST", async () => {
    for (const agent of ["Bad", "a@", "a b", "@1.0.0"]) {
      const refused = await c.submit({ agent, input: {} });
      assert.equal(refused.payload["code"], "INVALID_REQUEST", agent);
      assert.match(String(refused.payload["message"]), /payload\.agent/);
    }
  });

  test("[arcp-7.4-cancel-sequence] cancelling a running job gives job.cancelled, then job.error CANCELLED with final_status cancelled", async () => {
    const accepted = await c.submit({ agent: "slow", input: { seconds: 30 } });
    const jobId = accepted.job_id as string;
    await c.waitFor((f) => f.job_id === jobId && f.payload["kind"] === "progress");
    c.send("job.cancel", { reason: "changed my mind" }, { job_id: jobId });
    const cancelled = await c.waitFor((f) => f.type === "job.cancelled" && f.job_id === jobId);
    assert.equal(cancelled.event_seq, undefined);
    assert.equal(cancelled.payload["reason"], "changed my mind");
    const terminal = await c.terminal(jobId);
    assert.equal(terminal.type, "job.error");
    assert.equal(terminal.payload["code"], "CANCELLED");
    assert.equal(terminal.payload["final_status"], "cancelled");
    assert.ok(c.frames.indexOf(cancelled) < c.frames.indexOf(terminal));
  });

  test("[arcp-7.4-cancel-owner-only] another session cannot cancel: same principal gets PERMISSION_DENIED, another principal JOB_NOT_FOUND; the job runs on", async () => {
    const accepted = await c.submit({ agent: "slow", input: { seconds: 0.5 } });
    const jobId = accepted.job_id as string;
    const sameUser = await connectWs(server.wsUrl);
    await sameUser.hello({ token: TOKENS.alice });
    const id1 = sameUser.send("job.cancel", {}, { job_id: jobId });
    const denied = await sameUser.waitForType("session.error");
    assert.equal(denied.payload["code"], "PERMISSION_DENIED");
    assert.equal((denied.payload["details"] as Record<string, unknown>)["request_id"], id1);
    const stranger = await connectWs(server.wsUrl);
    await stranger.hello({ token: TOKENS.bob });
    stranger.send("job.cancel", {}, { job_id: jobId });
    const hidden = await stranger.waitForType("session.error");
    assert.equal(hidden.payload["code"], "JOB_NOT_FOUND");
    const terminal = await c.terminal(jobId);
    assert.equal(terminal.type, "job.result");
    sameUser.close();
    stranger.close();
  });

  test("[arcp-7.4-cancel-unknown] [arcp-12-job-not-found] cancelling an unknown job id is JOB_NOT_FOUND", async () => {
    c.mark();
    c.send("job.cancel", {}, { job_id: "job_01JZZZZZZZZZZZZZZZZZZZZZZZ" });
    const err = await c.waitForType("session.error");
    assert.equal(err.payload["code"], "JOB_NOT_FOUND");
  });

  test("[arcp-7.3-single-terminal] the owner cancelling a job that already ended changes nothing and sends nothing", async () => {
    const accepted = await c.submit({ agent: "echo", input: {} });
    await c.terminal(accepted.job_id as string);
    const start = c.frames.length;
    c.send("job.cancel", {}, { job_id: accepted.job_id });
    c.send("session.ping", { nonce: "after-cancel", sent_at: new Date().toISOString() });
    await c.waitFor((f) => f.type === "session.pong" && f.payload["ping_nonce"] === "after-cancel");
    assert.deepEqual(
      c.frames.slice(start).map((f) => f.type),
      ["session.pong"],
    );
  });

  test("[arcp-7.1-submit-shape] a submit without input runs with a null input", async () => {
    const accepted = await c.submit({ agent: "echo" });
    const end = await c.terminal(accepted.job_id as string);
    assert.deepEqual(end.payload["result"], { echo: null, version: "2.0.0" });
  });

  test("[arcp-7.1-max-runtime] a job past max_runtime_sec ends with TIMEOUT, final_status timed_out", async () => {
    const accepted = await c.submit({ agent: "slow", input: { seconds: 10 }, max_runtime_sec: 1 });
    const terminal = await c.terminal(accepted.job_id as string);
    assert.equal(terminal.payload["code"], "TIMEOUT");
    assert.equal(terminal.payload["final_status"], "timed_out");
  });

  test("[arcp-7.2-idempotent-replay] the same key and parameters return the identical job.accepted and start no second job", async () => {
    const submit = { agent: "slow", input: { seconds: 0.3 }, idempotency_key: "nightly-1" };
    const first = await c.submit(submit);
    const second = await c.submit(submit);
    assert.deepEqual(second.payload, first.payload);
    const jobId = first.job_id as string;
    await c.terminal(jobId);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.frames.filter((f) => f.job_id === jobId && f.type === "job.result").length, 1);
    assert.equal(
      c.frames.filter((f) => f.type === "job.accepted" && f.payload["job_id"] === jobId).length,
      2,
    );
  });

  test("[arcp-7.2-duplicate-key] reusing a key with other parameters is DUPLICATE_KEY naming the existing job", async () => {
    const first = await c.submit({ agent: "echo", input: { n: 1 }, idempotency_key: "k-dup" });
    const second = await c.submit({ agent: "echo", input: { n: 2 }, idempotency_key: "k-dup" });
    assert.equal(second.type, "job.error");
    assert.equal(second.payload["code"], "DUPLICATE_KEY");
    assert.equal(
      (second.payload["details"] as Record<string, unknown>)["existing_job_id"],
      first.job_id,
    );
    assert.notEqual(second.job_id, first.job_id);
  });

  test("[arcp-12-retryable-fixed] [arcp-7.3-final-status] the fail agent ends with the code it is given", async () => {
    for (const [code, retryable] of [
      ["PERMISSION_DENIED", false],
      ["INTERNAL_ERROR", true],
      ["BUDGET_EXHAUSTED", false],
      ["LEASE_EXPIRED", false],
    ] as const) {
      const accepted = await c.submit({ agent: "fail", input: { code, message: `boom ${code}` } });
      const terminal = await c.terminal(accepted.job_id as string);
      assert.equal(terminal.type, "job.error");
      assert.equal(terminal.payload["code"], code);
      assert.equal(terminal.payload["retryable"], retryable);
      assert.equal(terminal.payload["message"], `boom ${code}`);
      assert.equal(terminal.payload["final_status"], "error");
    }
  });

  test("[arcp-8.4-chunk-sequence] [arcp-8.4-terminal-ref] [arcp-8.4-reassembly] stream-report streams chunks 0..n-1 that reassemble to the report", async () => {
    const accepted = await c.submit({
      agent: "stream-report",
      input: { chunks: 5, chunk_bytes: 100 },
    });
    const jobId = accepted.job_id as string;
    const terminal = await c.terminal(jobId);
    const chunks = c
      .eventsOf(jobId, "result_chunk")
      .map((e) => e.payload["body"] as Record<string, unknown>);
    assert.deepEqual(
      chunks.map((b) => b["chunk_seq"]),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(
      chunks.map((b) => b["more"]),
      [true, true, true, true, false],
    );
    const ids = new Set(chunks.map((b) => b["result_id"]));
    assert.equal(ids.size, 1);
    const [resultId] = [...ids];
    assert.match(String(resultId), /^res_/);
    assert.equal(terminal.payload["result_id"], resultId);
    assert.equal(terminal.payload["result"], undefined);
    const assembled = chunks.map((b) => b["data"]).join("");
    assert.equal(assembled.length, 500);
    assert.equal(terminal.payload["result_size"], 500);
    assert.ok(assembled.startsWith("[0]") && assembled.includes("[4]"));
    assert.ok(chunks.every((b) => b["encoding"] === "utf8"));
  });

  test("[arcp-8.3-seq-gap-free] [arcp-7.3-single-terminal] many concurrent jobs keep the session's event_seq gap-free, one terminal each", async () => {
    const fresh = await connectWs(server.wsUrl);
    await fresh.hello({ token: TOKENS.alice });
    const jobs: string[] = [];
    for (let i = 0; i < 20; i++) {
      const a = await fresh.submit({
        agent: i % 2 === 0 ? "chatty" : "echo",
        input: { events: 200, bytes: 32 },
      });
      jobs.push(a.job_id as string);
    }
    for (const id of jobs) await fresh.terminal(id, 15_000);
    assertGapFree(fresh.seqs());
    for (const id of jobs) {
      const terminals = fresh.frames.filter(
        (f) => f.job_id === id && (f.type === "job.result" || f.type === "job.error"),
      );
      assert.equal(terminals.length, 1);
      const last = fresh.frames.filter((f) => f.job_id === id).at(-1);
      assert.equal(last, terminals[0], "nothing follows a job's terminal");
    }
    fresh.close();
  });

  test("[arcp-7.1-answer-in-order] pipelined submits are answered in order, each echoing its trace_id", async () => {
    const fresh = await connectWs(server.wsUrl);
    await fresh.hello({ token: TOKENS.alice });
    const traces: string[] = [];
    for (let i = 0; i < 50; i++) {
      const trace = i.toString(16).padStart(32, "0");
      traces.push(trace);
      fresh.send("job.submit", { agent: "echo", input: { i } }, { trace_id: trace });
    }
    await fresh
      .waitFor(() => fresh.frames.filter((f) => f.type === "job.accepted").length === 50, 10_000)
      .catch(() => {});
    const accepted = fresh.frames.filter((f) => f.type === "job.accepted");
    assert.equal(accepted.length, 50);
    assert.deepEqual(
      accepted.map((f) => f.payload["trace_id"]),
      traces,
    );
    fresh.close();
  });

  test("[arcp-11-trace-forms] a traceparent becomes its 32-hex trace id on the job's envelopes", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const accepted = await c.submit({ agent: "echo", input: {} }, { trace_id: traceparent });
    assert.equal(accepted.payload["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    const terminal = await c.terminal(accepted.job_id as string);
    assert.equal(terminal.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  });

  test("[arcp-8.3-seq-carriers] only job.event, job.result and job.error carry event_seq", () => {
    for (const f of c.frames) {
      const carries = f.type === "job.event" || f.type === "job.result" || f.type === "job.error";
      assert.equal(f.event_seq !== undefined, carries, `${f.type} event_seq`);
    }
  });
});
