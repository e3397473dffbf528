/** ARCP over stdio (§4): `runplane stdio` as a real child process, NDJSON both ways. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { JobListEntrySchema } from "../../../src/protocol/messages/session.js";
import { assertGapFree, type Frame, TestClient } from "../../support/arcp-test-client.js";

const ENTRY = new URL("../../../src/cli/entry.ts", import.meta.url).pathname;

/** Generous waits: the child compiles through tsx and the machine may be loaded. */
const SLOW_MS = 30_000;

interface StdioChild {
  c: TestClient;
  stderr: string[];
  exited: Promise<number | null>;
  /** End the child's stdin (EOF). */
  endInput(): void;
  kill(): Promise<void>;
}

/** `runplane stdio <args>` as a child process, with a TestClient on its stdin/stdout. */
function startStdioChild(args: string[]): StdioChild {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, "stdio", ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const c = new TestClient((text) => child.stdin?.write(`${text}\n`));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) =>
    c.receive(line),
  );
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) =>
    stderr.push(line),
  );
  child.once("exit", () => c.markClosed());
  return {
    c,
    stderr,
    exited,
    endInput() {
      child.stdin?.end();
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

describe("ARCP over stdio", () => {
  let child: StdioChild;
  let c: TestClient;
  before(() => {
    child = startStdioChild(["--max-message-bytes", "4096", "--heartbeat-interval", "1"]);
    c = child.c;
  });
  after(() => child.kill());

  test("[arcp-4-stdio-transport] one session over stdin/stdout runs jobs, answers pings and refuses oversize lines; stdout carries only envelopes", {
    timeout: 30_000,
  }, async () => {
    const welcome = await c.hello({ features: ["heartbeat", "progress", "result_chunk"] });
    assert.match(welcome.session_id ?? "", /^sess_/);
    const caps = welcome.payload["capabilities"] as { features: string[] };
    assert.ok(caps.features.includes("heartbeat"));
    const echo = await c.submit({ agent: "echo", input: { via: "stdio" } });
    const result = await c.terminal(echo.job_id as string);
    assert.deepEqual(result.payload["result"], { echo: { via: "stdio" }, version: "2.0.0" });
    const report = await c.submit({
      agent: "stream-report",
      input: { chunks: 4, chunk_bytes: 50 },
    });
    await c.terminal(report.job_id as string);
    assert.equal(c.eventsOf(report.job_id as string, "result_chunk").length, 4);
    c.sendRaw(
      JSON.stringify({
        arcp: "1.1",
        id: "big",
        type: "job.submit",
        session_id: c.sessionId,
        payload: { agent: "echo", input: "x".repeat(10_000) },
      }),
    );
    const err = await c.waitForType("session.error");
    assert.equal(err.payload["code"], "INVALID_REQUEST");
    assert.match(String(err.payload["message"]), /size limit/);
    c.mark();
    const ping = await c.waitForType("session.ping", 5000);
    assert.ok(ping.payload["nonce"]);
    const after = await c.submit({ agent: "echo", input: 2 });
    await c.terminal(after.job_id as string);
    assertGapFree(c.seqs());
    c.send("session.bye", {});
    child.endInput();
    assert.equal(await child.exited, 0);
    assert.ok(
      child.stderr.every((l) => l.startsWith("{")),
      "logs go to stderr as JSON lines",
    );
  });
});

describe("ARCP jobs over stdio", () => {
  let child: StdioChild;
  let c: TestClient;
  /** Every job this session got accepted; the child's in-memory store holds nothing else. */
  const accepted = new Set<string>();
  const submit = async (payload: Record<string, unknown>): Promise<Frame> => {
    const reply = await c.submit(payload);
    if (reply.type === "job.accepted") accepted.add(reply.job_id as string);
    return reply;
  };
  before(async () => {
    child = startStdioChild([]);
    c = child.c;
    // hello() waits only 5 s; the child may take longer to start, so wait here ourselves.
    c.send("session.hello", {
      client: { name: "runplane-tests", version: "1.0.0" },
      auth: { scheme: "bearer", token: "" },
      capabilities: {
        encodings: ["json"],
        features: ["list_jobs", "progress", "result_chunk"],
      },
    });
    const welcome = await c.waitFor(
      (f) => f.type === "session.welcome" || f.type === "session.error",
      SLOW_MS * 2,
    );
    assert.equal(welcome.type, "session.welcome", JSON.stringify(welcome.payload));
    c.sessionId = welcome.session_id;
  });
  after(() => child.kill());

  test("[arcp-7.4-cancel-sequence] cancelling a running slow job gives job.cancelled, then job.error CANCELLED with final_status cancelled", {
    timeout: SLOW_MS * 2,
  }, async () => {
    const reply = await submit({ agent: "slow", input: { seconds: 120 } });
    assert.equal(reply.type, "job.accepted");
    const jobId = reply.job_id as string;
    await c.waitFor((f) => f.job_id === jobId && f.payload["kind"] === "progress", SLOW_MS);
    c.send("job.cancel", { reason: "changed my mind" }, { job_id: jobId });
    const cancelled = await c.waitFor(
      (f) => f.type === "job.cancelled" && f.job_id === jobId,
      SLOW_MS,
    );
    assert.equal(cancelled.event_seq, undefined);
    assert.equal(cancelled.payload["reason"], "changed my mind");
    const terminal = await c.terminal(jobId, SLOW_MS);
    assert.equal(terminal.type, "job.error");
    assert.equal(terminal.payload["code"], "CANCELLED");
    assert.equal(terminal.payload["final_status"], "cancelled");
    assert.ok(c.frames.indexOf(cancelled) < c.frames.indexOf(terminal));
  });

  test("[arcp-7.1-max-runtime] a slow job past max_runtime_sec ends with TIMEOUT, final_status timed_out", {
    timeout: SLOW_MS * 2,
  }, async () => {
    const reply = await submit({ agent: "slow", input: { seconds: 120 }, max_runtime_sec: 1 });
    assert.equal(reply.type, "job.accepted");
    const terminal = await c.terminal(reply.job_id as string, SLOW_MS);
    assert.equal(terminal.type, "job.error");
    assert.equal(terminal.payload["code"], "TIMEOUT");
    assert.equal(terminal.payload["final_status"], "timed_out");
  });

  test("[arcp-7.2-idempotent-replay] the same key and parameters return the identical job.accepted and run one job", {
    timeout: SLOW_MS * 2,
  }, async () => {
    const payload = { agent: "slow", input: { seconds: 0.3 }, idempotency_key: "stdio-nightly" };
    const first = await submit(payload);
    const second = await submit(payload);
    assert.equal(first.type, "job.accepted");
    assert.equal(second.type, "job.accepted");
    assert.deepEqual(second.payload, first.payload);
    assert.equal(second.job_id, first.job_id);
    const jobId = first.job_id as string;
    await c.terminal(jobId, SLOW_MS);
    // A ping round trip lets anything else still in flight arrive before counting.
    c.send("session.ping", { nonce: "after-replay", sent_at: new Date().toISOString() });
    await c.waitFor(
      (f) => f.type === "session.pong" && f.payload["ping_nonce"] === "after-replay",
      SLOW_MS,
    );
    assert.equal(c.frames.filter((f) => f.job_id === jobId && f.type === "job.result").length, 1);
    assert.equal(
      c.frames.filter((f) => f.type === "job.accepted" && f.payload["job_id"] === jobId).length,
      2,
    );
  });

  test("[arcp-7.2-duplicate-key] reusing a key with other parameters is DUPLICATE_KEY naming the existing job", {
    timeout: SLOW_MS * 2,
  }, async () => {
    const first = await submit({ agent: "echo", input: { n: 1 }, idempotency_key: "stdio-dup" });
    assert.equal(first.type, "job.accepted");
    const second = await submit({ agent: "echo", input: { n: 2 }, idempotency_key: "stdio-dup" });
    assert.equal(second.type, "job.error");
    assert.equal(second.payload["code"], "DUPLICATE_KEY");
    assert.equal(
      (second.payload["details"] as Record<string, unknown>)["existing_job_id"],
      first.job_id,
    );
    assert.notEqual(second.job_id, first.job_id);
    await c.terminal(first.job_id as string, SLOW_MS);
  });

  test("[arcp-12-retryable-fixed] [arcp-7.3-final-status] the fail agent ends with the code it is given", {
    timeout: SLOW_MS * 2,
  }, async () => {
    for (const [code, retryable] of [
      ["PERMISSION_DENIED", false],
      ["INTERNAL_ERROR", true],
      ["BUDGET_EXHAUSTED", false],
    ] as const) {
      const reply = await submit({ agent: "fail", input: { code, message: `boom ${code}` } });
      assert.equal(reply.type, "job.accepted", code);
      const terminal = await c.terminal(reply.job_id as string, SLOW_MS);
      assert.equal(terminal.type, "job.error");
      assert.equal(terminal.payload["code"], code);
      assert.equal(terminal.payload["retryable"], retryable);
      assert.equal(terminal.payload["message"], `boom ${code}`);
      assert.equal(terminal.payload["final_status"], "error");
    }
  });

  test("[arcp-7.1-unknown-agent] [arcp-7.1-rejection-form] an unknown agent is refused with job.error AGENT_NOT_AVAILABLE under a fresh job id", {
    timeout: SLOW_MS * 2,
  }, async () => {
    const refused = await submit({ agent: "nope", input: {} });
    assert.equal(refused.type, "job.error");
    assert.match(refused.job_id ?? "", /^job_/);
    assert.equal(typeof refused.event_seq, "number");
    assert.equal(refused.payload["code"], "AGENT_NOT_AVAILABLE");
    assert.equal(refused.payload["final_status"], "error");
    assert.equal(refused.payload["retryable"], false);
  });

  test("[arcp-6.6-list-shape] [arcp-6.6-entry-shape] session.list_jobs is answered with exactly this session's accepted jobs and their end states", {
    timeout: SLOW_MS * 2,
  }, async () => {
    const id = c.send("session.list_jobs", {});
    const reply = await c.waitFor(
      (f) => f.type === "session.jobs" && f.payload["request_id"] === id,
      SLOW_MS,
    );
    assert.equal(reply.payload["next_cursor"], null);
    const jobs = reply.payload["jobs"] as Record<string, unknown>[];
    for (const j of jobs) assert.ok(JobListEntrySchema.safeParse(j).success, JSON.stringify(j));
    assert.deepEqual(jobs.map((j) => j["job_id"]).sort(), [...accepted].sort());
    const statuses = new Set(jobs.map((j) => j["status"]));
    for (const s of ["cancelled", "timed_out", "success", "error"])
      assert.ok(statuses.has(s), `a ${s} job is listed`);
  });

  test("[arcp-8.3-seq-gap-free] the session's event_seq stayed gap-free over stdio", () => {
    assertGapFree(c.seqs());
  });

  test("[arcp-6.7-close-ack] session.close is answered with session.closed and the child exits cleanly", {
    timeout: SLOW_MS * 2,
  }, async () => {
    c.send("session.close", { reason: "done" });
    const closed = await c.waitForType("session.closed", SLOW_MS);
    assert.equal(closed.session_id, c.sessionId);
    assert.equal(await child.exited, 0);
    assert.ok(
      child.stderr.every((l) => l.startsWith("{")),
      "logs go to stderr as JSON lines",
    );
  });
});
