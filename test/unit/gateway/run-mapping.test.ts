/** The embedded coordinator's run⇄job mapping (DESIGN-17): start requests onto jobs, jobs onto Runs. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ArpHttpError } from "../../../src/gateway/arp-error.js";
import {
  type AgentCatalog,
  agentRefOf,
  decimalString,
  RUN_STATE_OF_JOB,
  runOf,
  runStartOf,
} from "../../../src/gateway/run-mapping.js";
import type { RunStartRequest } from "../../../src/gateway/schemas/index.js";
import { ArcpError } from "../../../src/protocol/errors.js";
import { JOB_STATES } from "../../../src/protocol/job-state.js";
import type { JobRecord } from "../../../src/store/store.js";
import { nullPaths, validateArp } from "../../support/arp-schema.js";

const agents: AgentCatalog = { defaultVersion: (name) => (name === "echo" ? "2.0.0" : undefined) };
const USD = { currency: "USD" };

function request(extra: Partial<RunStartRequest> = {}): RunStartRequest {
  return {
    root_node_type_ref: { node_type_id: "echo", version: "1.0.0" },
    input: { x: 1 },
    ...extra,
  };
}

function refused(fn: () => unknown): ArpHttpError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ArpHttpError, `expected an ArpHttpError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a refusal");
}

function job(extra: Partial<JobRecord> = {}): JobRecord {
  return {
    id: "job_01J0000000000000000000000",
    sessionId: "sess_1",
    principal: "alice",
    agent: "echo@2.0.0",
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
    acceptedPayload: "{}",
    runId: null,
    runContext: null,
    createdAt: Date.UTC(2026, 0, 1),
    startedAt: Date.UTC(2026, 0, 1, 0, 0, 1),
    endedAt: null,
    lastEventSeq: 0,
    errorCode: null,
    ...extra,
  };
}

describe("decimalString", () => {
  const cases: Array<[number, string]> = [
    [0.1, "0.1"],
    [0.4, "0.4"],
    [0.30000000000000004, "0.30000000000000004"],
    [5, "5"],
    [0, "0"],
    [123.456, "123.456"],
    [1e-7, "0.0000001"],
    [1.5e-7, "0.00000015"],
    [1e21, "1000000000000000000000"],
    [2.5e22, "25000000000000000000000"],
  ];
  for (const [value, text] of cases) {
    test(`[arp-map-constraints] ${value} is written ${text}, exactly and without an exponent`, () => {
      assert.equal(decimalString(value), text);
    });
  }
});

describe("runStartOf", () => {
  test("[arp-map-agent] node_type_id@version names the agent and input becomes the job input", () => {
    const start = runStartOf(request(), "alice", agents, USD);
    assert.equal(start.agent, "echo@1.0.0");
    assert.deepEqual(start.input, { x: 1 });
    assert.equal(start.principal, "alice");
    assert.equal(start.leaseRequest, undefined);
  });

  test("[arp-map-agent] the literal version latest resolves to the registry default", () => {
    const ref = { node_type_id: "echo", version: "latest" };
    assert.equal(agentRefOf(ref, agents), "echo@2.0.0");
  });

  test("[arp-runs-start-unknown-agent] names outside the agent grammar or unknown with latest are AGENT_NOT_AVAILABLE", () => {
    for (const ref of [
      { node_type_id: "Bad Name", version: "1" },
      { node_type_id: "a@b", version: "1" },
      { node_type_id: "nope", version: "latest" },
    ]) {
      assert.throws(
        () => agentRefOf(ref, agents),
        (err) => err instanceof ArcpError && err.code === "AGENT_NOT_AVAILABLE",
      );
    }
    assert.throws(
      () => agentRefOf({ node_type_id: "echo", version: "1 0" }, agents),
      (err) => err instanceof ArcpError && err.code === "AGENT_VERSION_NOT_AVAILABLE",
    );
  });

  test("[arp-map-constraints] max_cost becomes one cost.budget entry in the configured currency, exactly", () => {
    const body = request({ constraints: { budgets: { max_cost: 0.1 } } });
    assert.deepEqual(runStartOf(body, "alice", agents, USD).leaseRequest, {
      "cost.budget": ["USD:0.1"],
    });
    assert.deepEqual(runStartOf(body, "alice", agents, { currency: "EUR" }).leaseRequest, {
      "cost.budget": ["EUR:0.1"],
    });
  });

  test("[arp-map-constraints] max_wall_time_ms rounds up to whole max_runtime_sec; 0 is refused", () => {
    const runtimeOf = (ms: number) =>
      runStartOf(request({ constraints: { budgets: { max_wall_time_ms: ms } } }), "a", agents, USD)
        .maxRuntimeSec;
    assert.equal(runtimeOf(1), 1);
    assert.equal(runtimeOf(1000), 1);
    assert.equal(runtimeOf(1001), 2);
    assert.equal(runtimeOf(1500), 2);
    assert.equal(runtimeOf(2_147_483_000), 2_147_483);
    assert.equal(
      refused(() => runtimeOf(2_147_483_001)).status,
      400,
      "beyond what a timer can wait",
    );
    const err = refused(() => runtimeOf(0));
    assert.equal(err.status, 400);
    assert.deepEqual(
      ((err.details?.errors ?? []) as Array<{ path: string }>)[0]?.path,
      "$.constraints.budgets.max_wall_time_ms",
    );
  });

  test("[arp-map-lease-extensions] arcp.lease and arcp.lease_constraints supply the lease; max_cost adds to its budget", () => {
    const body = request({
      constraints: { budgets: { max_cost: 2 } },
      extensions: {
        "arcp.lease": { "tool.call": ["noop"], "cost.budget": ["credits:10"] },
        "arcp.lease_constraints": { expires_at: "2099-01-01T00:00:00Z" },
        "com.example.ignored": true,
      },
    });
    const start = runStartOf(body, "alice", agents, USD);
    assert.deepEqual(start.leaseRequest, {
      "tool.call": ["noop"],
      "cost.budget": ["credits:10", "USD:2"],
    });
    assert.deepEqual(start.leaseConstraints, { expires_at: "2099-01-01T00:00:00Z" });
  });

  test("[arp-map-lease-extensions] a malformed lease extension or an unknown arcp.* key is a 400 naming the field", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ "arcp.lease": { "tool.call": [1] } }, '$.extensions["arcp.lease"]'],
      [{ "arcp.lease": ["tool.call"] }, '$.extensions["arcp.lease"]'],
      [
        { "arcp.lease_constraints": { expires_at: "x", extra: 1 } },
        '$.extensions["arcp.lease_constraints"]',
      ],
      [{ "arcp.leases": {} }, '$.extensions["arcp.leases"]'],
    ];
    for (const [extensions, path] of cases) {
      const err = refused(() => runStartOf(request({ extensions }), "alice", agents, USD));
      assert.equal(err.status, 400);
      assert.equal(err.code, "invalid_request");
      const first = ((err.details?.errors ?? []) as Array<{ path: string }>)[0]?.path ?? "";
      assert.ok(first.startsWith(path), `${first} should start with ${path}`);
    }
  });

  test("[arp-runs-start-client-run-id] a client run_id must be 1 to 256 characters", () => {
    for (const runId of ["", "x".repeat(257)]) {
      const err = refused(() => runStartOf(request({ run_id: runId }), "alice", agents, USD));
      assert.equal(
        (err.details?.errors as Array<{ path: string }> | undefined)?.[0]?.path,
        "$.run_id",
      );
    }
    assert.equal(
      runStartOf(request({ run_id: "x".repeat(256) }), "a", agents, USD).runId?.length,
      256,
    );
  });

  test("[arp-runs-start-client-run-id] a client run_id may not be a URL dot segment (. or ..)", () => {
    for (const runId of [".", ".."]) {
      const err = refused(() => runStartOf(request({ run_id: runId }), "alice", agents, USD));
      assert.equal(err.status, 400);
      assert.equal(
        (err.details?.errors as Array<{ path: string }> | undefined)?.[0]?.path,
        "$.run_id",
      );
    }
    for (const runId of ["...", ".a", "a.", "a..b"])
      assert.equal(runStartOf(request({ run_id: runId }), "a", agents, USD).runId, runId);
  });

  test("a traceparent header wins over run_context.trace.trace_id; malformed ones are dropped", () => {
    const traceId = "a".repeat(32);
    const traceparent = `00-${"b".repeat(32)}-${"c".repeat(16)}-01`;
    const body = request({ run_context: { trace: { trace_id: traceId } } });
    assert.equal(runStartOf(body, "a", agents, USD).traceId, traceId);
    assert.equal(runStartOf(body, "a", agents, { ...USD, traceparent }).traceId, traceparent);
    assert.equal(
      runStartOf(request({ run_context: { trace: { trace_id: "nope" } } }), "a", agents, USD)
        .traceId,
      undefined,
    );
  });

  test("[arp-runs-start-client-run-id] the client run_id and the whole body travel for idempotency", () => {
    const body = request({ run_id: "r-1", run_context: { tenant_id: "t" } });
    const start = runStartOf(body, "alice", agents, USD);
    assert.equal(start.runId, "r-1");
    assert.deepEqual(start.body, body);
    assert.deepEqual(start.runContext, { tenant_id: "t" });
  });
});

describe("runOf", () => {
  test("[arp-map-state] every job state maps to its RunState", () => {
    assert.deepEqual(
      JOB_STATES.map((state) => [state, RUN_STATE_OF_JOB[state]]),
      [
        ["pending", "queued"],
        ["running", "running"],
        ["success", "succeeded"],
        ["error", "failed"],
        ["cancelled", "canceled"],
        ["timed_out", "failed"],
      ],
    );
  });

  test("[arp-schema-run] [arp-map-state] a Run shows run_id, the job id as root_node_run_id, RFC 3339 times and no nulls", () => {
    for (const state of JOB_STATES) {
      const terminal = state !== "pending" && state !== "running";
      const record = job({
        state,
        startedAt: state === "pending" ? null : Date.UTC(2026, 0, 1, 0, 0, 1),
        endedAt: terminal ? Date.UTC(2026, 0, 1, 0, 0, 2) : null,
        errorCode: state === "error" ? "INTERNAL_ERROR" : null,
      });
      const run = JSON.parse(JSON.stringify(runOf(record)));
      assert.deepEqual(validateArp("Run", run), [], state);
      assert.deepEqual(nullPaths(run), []);
      assert.equal(run.run_id, record.id);
      assert.equal(run.root_node_run_id, record.id);
      assert.equal(run.state, RUN_STATE_OF_JOB[state]);
      assert.equal(run.started_at === undefined, state === "pending");
      assert.equal(run.ended_at, terminal ? "2026-01-01T00:00:02.000Z" : undefined);
    }
  });

  test("[arp-schema-extensions] a client run id and run_context are echoed; extensions are namespaced; failures carry arcp.error", () => {
    const record = job({
      runId: "mine",
      runContext: { tenant_id: "t1" },
      state: "timed_out",
      errorCode: "TIMEOUT",
    });
    const run = runOf(record, { error: { code: "TIMEOUT", message: "too slow" } });
    assert.equal(run.run_id, "mine");
    assert.deepEqual(run.run_context, { tenant_id: "t1" });
    assert.deepEqual(run.extensions, {
      "arcp.job_id": record.id,
      "arcp.agent": "echo@2.0.0",
      "arcp.error": { code: "TIMEOUT", message: "too slow" },
    });
    assert.deepEqual(validateArp("Run", run), []);
    assert.equal(
      runOf(job({ state: "cancelled", errorCode: "CANCELLED" })).extensions?.["arcp.error"],
      undefined,
    );
  });
});
