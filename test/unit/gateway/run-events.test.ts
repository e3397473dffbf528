/** ARCP events → ARP RunEvents (DESIGN-28): which kinds map to which types, and what data they carry. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RunEventMapper } from "../../../src/gateway/run-events.js";
import type { RunEvent } from "../../../src/gateway/schemas/index.js";
import type { EventRecord, JobRecord } from "../../../src/store/store.js";
import { nullPaths, validateArp } from "../../support/arp-schema.js";

const T0 = Date.UTC(2026, 0, 1);
const JOB = "job_01J0000000000000000000000";

function record(extra: Partial<JobRecord> = {}): JobRecord {
  return {
    id: JOB,
    sessionId: "sess_1",
    principal: "alice",
    agent: "tool-user@1.0.0",
    state: "running",
    input: {},
    lease: {},
    leaseConstraints: null,
    budget: null,
    parentJobId: null,
    delegateId: null,
    traceId: "0".repeat(32),
    idempotencyKey: null,
    submitDigest: null,
    maxRuntimeSec: null,
    acceptedPayload: JSON.stringify({
      job_id: JOB,
      agent: "tool-user@1.0.0",
      lease: {},
      credentials: [{ id: "cred_1", scheme: "bearer", value: "sk-secret", endpoint: "https://x" }],
      accepted_at: new Date(T0).toISOString(),
    }),
    runId: "run-1",
    runContext: null,
    createdAt: T0,
    startedAt: T0,
    endedAt: null,
    lastEventSeq: 0,
    errorCode: null,
    ...extra,
  };
}

let seq = 0;
function stored(type: string, payload: Record<string, unknown>): EventRecord {
  seq += 1;
  // The encoder writes `payload` last, which payloadOf relies on.
  const frame = JSON.stringify({
    arcp: "1.1",
    id: `msg_${seq}`,
    type,
    job_id: JOB,
    event_seq: seq,
    payload,
  });
  const kind = type === "job.event" ? String(payload.kind) : null;
  return {
    sessionId: "sess_1",
    seq,
    jobId: JOB,
    type,
    kind,
    ts: T0 + seq * 1000,
    frame,
    ownerEvent: true,
  };
}

const event = (kind: string, body: Record<string, unknown>) =>
  stored("job.event", { kind, ts: new Date(T0).toISOString(), body });

function run(
  events: EventRecord[],
  includeAll = false,
  extra: Partial<JobRecord> = {},
): RunEvent[] {
  const mapper = new RunEventMapper(record(extra), { includeAll });
  const out = [...mapper.opening(), ...events.flatMap((e) => mapper.map(e))];
  for (const e of out) {
    const wire = JSON.parse(JSON.stringify(e));
    assert.deepEqual(validateArp("RunEvent", wire), [], `${e.type} is not a valid RunEvent`);
  }
  assert.deepEqual(
    out.map((e) => e.seq),
    out.map((_, i) => i),
    "seq counts emitted lines from 0",
  );
  return out;
}

describe("RunEventMapper", () => {
  test("[arp-events-schema] the stream opens with run_started then node_run_assigned, on the job's node run", () => {
    const [started, assigned] = run([]);
    assert.equal(started?.type, "run_started");
    assert.equal(started?.run_id, "run-1");
    assert.equal(started?.node_run_id, JOB);
    assert.equal(started?.time, new Date(T0).toISOString());
    assert.equal(started?.data?.arcp_type, "job.accepted");
    assert.equal(assigned?.type, "node_run_assigned");
    assert.deepEqual(assigned?.data, {
      agent: "tool-user@1.0.0",
      node_type_id: "tool-user",
      version: "1.0.0",
    });
  });

  test("[arcp-9.8-authenticated-only] credential values never reach RunEvents", () => {
    const rotated = event("status", {
      phase: "credential_rotated",
      message: "rotated",
      value: "sk-new",
    });
    const text = JSON.stringify(run([rotated], true));
    assert.ok(!text.includes("sk-secret"), "accepted credentials leaked");
    assert.ok(!text.includes("sk-new"), "rotated credential leaked");
    assert.ok(text.includes("credential_rotated"));
  });

  test("each tool_call/tool_result pair is one atomic_executed at the result, with tool, args, call_id and result", () => {
    const out = run([
      event("tool_call", { tool: "noop", args: { step: 1 }, call_id: "c1" }),
      event("tool_result", { call_id: "c1", result: { ok: true } }),
      event("tool_call", { tool: "fs.read", args: { path: "/x" }, call_id: "c2" }),
      event("tool_result", {
        call_id: "c2",
        error: { code: "INTERNAL_ERROR", message: "boom", retryable: true },
      }),
    ]).slice(2);
    assert.deepEqual(
      out.map((e) => [e.type, e.data]),
      [
        [
          "atomic_executed",
          { tool: "noop", args: { step: 1 }, call_id: "c1", result: { ok: true } },
        ],
        [
          "atomic_executed",
          {
            tool: "fs.read",
            args: { path: "/x" },
            call_id: "c2",
            error: { code: "INTERNAL_ERROR", message: "boom", retryable: true },
          },
        ],
      ],
    );
    assert.equal(out[0]?.time, new Date(T0 + (seq - 2) * 1000).toISOString());
  });

  test("a lease, budget or expiry refusal is policy_decided deny with the code, instead of atomic_executed", () => {
    for (const code of ["PERMISSION_DENIED", "BUDGET_EXHAUSTED", "LEASE_EXPIRED"]) {
      const out = run([
        event("tool_call", { tool: "noop", args: {}, call_id: "c" }),
        event("tool_result", {
          call_id: "c",
          error: { code, message: "no", retryable: false, details: { why: null } },
        }),
      ]).slice(2);
      assert.equal(out.length, 1);
      assert.equal(out[0]?.type, "policy_decided");
      assert.equal(out[0]?.data?.decision, "deny");
      assert.equal(out[0]?.data?.code, code);
      assert.equal(out[0]?.data?.tool, "noop");
      assert.deepEqual(nullPaths(out[0]), [], "error details keep no nulls");
    }
  });

  test("delegate becomes subtask_mapped with the ARCP event", () => {
    const body = { delegate_id: "d1", agent: "echo", input: { a: 1 } };
    const [mapped] = run([event("delegate", body)]).slice(2);
    assert.equal(mapped?.type, "subtask_mapped");
    assert.deepEqual(mapped?.data, { arcp_kind: "delegate", body });
  });

  test("log, thought, progress, metric, status, artifact_ref and result_chunk show only with include=all, as node_evaluated", () => {
    const details = [
      event("log", { level: "info", message: "hi" }),
      event("thought", { text: "hmm" }),
      event("progress", { current: 1, total: 2 }),
      event("metric", { name: "tokens", value: 3 }),
      event("status", { phase: "working" }),
      event("artifact_ref", { uri: "file:///a", content_type: "text/plain" }),
      event("result_chunk", {
        result_id: "r",
        chunk_seq: 0,
        data: "x",
        encoding: "utf8",
        more: false,
      }),
      event("x-vendor.custom", { any: 1 }),
    ];
    assert.equal(run(details).length, 2);
    const all = run(details, true).slice(2);
    assert.deepEqual(
      all.map((e) => [e.type, e.data?.arcp_kind]),
      [
        "log",
        "thought",
        "progress",
        "metric",
        "status",
        "artifact_ref",
        "result_chunk",
        "x-vendor.custom",
      ].map((k) => ["node_evaluated", k]),
    );
  });

  test("[arp-events-live] the terminal is run_completed with the final state, and nothing follows it", () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["job.result", { final_status: "success", result: { a: 1 } }, "succeeded"],
      [
        "job.error",
        { final_status: "cancelled", code: "CANCELLED", message: "c", retryable: false },
        "canceled",
      ],
      [
        "job.error",
        { final_status: "timed_out", code: "TIMEOUT", message: "t", retryable: true },
        "failed",
      ],
      [
        "job.error",
        { final_status: "error", code: "INTERNAL_ERROR", message: "e", retryable: true },
        "failed",
      ],
    ];
    for (const [type, payload, state] of cases) {
      const mapper = new RunEventMapper(record(), { includeAll: true });
      mapper.opening();
      const [completed] = mapper.map(stored(type, payload));
      assert.equal(completed?.type, "run_completed");
      assert.equal(completed?.seq, 2);
      assert.deepEqual(completed?.data, { state, arcp_type: type, payload });
      assert.ok(mapper.done);
      assert.deepEqual(mapper.map(event("log", { level: "info", message: "late" })), []);
    }
  });

  test("a log that ended without its terminal closes with run_completed from the record, never while live", () => {
    const mapper = new RunEventMapper(record(), { includeAll: false });
    mapper.opening();
    assert.deepEqual(mapper.closing({ state: "running", endedAt: null }, T0), []);
    const [completed] = mapper.closing({ state: "success", endedAt: T0 + 5000 }, T0 + 9000);
    assert.equal(completed?.type, "run_completed");
    assert.equal(completed?.time, new Date(T0 + 5000).toISOString());
    assert.deepEqual(completed?.data, { state: "succeeded" });
    assert.deepEqual(mapper.closing({ state: "success", endedAt: null }, T0), []);
  });
});
