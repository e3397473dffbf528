/**
 * ARP Run Gateway conformance against `runplane serve` over a real socket: the requests the
 * ARP conformance checker sends (smoke and surface tiers), then a full run lifecycle. Every body
 * is validated against the spec's JSON Schemas (our zod schemas when the spec copy is absent).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runplaneVersion } from "../../src/gateway/service-info.js";
import {
  ARP_AGENTS_FILE,
  arpCall,
  codeOf,
  dataOf,
  pollRun,
  readEvents,
  startBody,
} from "../integration/arp/arp-http.js";
import { arpSpecDir, arpValidatorSource } from "../support/arp-schema.js";
import { startTestServer, type TestServer, TOKENS } from "../support/test-server.js";

const conformanceId = (prefix: string): string =>
  `${prefix}_conformance_${randomUUID().replaceAll("-", "").slice(0, 12)}`;

/** The spec's golden start vectors, or the same documents inline when the copy is absent. */
function startVectors(): { valid: unknown; invalid: unknown } {
  const file = "run_gateway/runs/run_start_request.json";
  const validPath = join(arpSpecDir, "json_vectors", file);
  const invalidPath = join(arpSpecDir, "json_vectors_invalid", file);
  if (existsSync(validPath) && existsSync(invalidPath)) {
    return {
      valid: JSON.parse(readFileSync(validPath, "utf8")),
      invalid: JSON.parse(readFileSync(invalidPath, "utf8")),
    };
  }
  return {
    valid: { input: {}, root_node_type_ref: { node_type_id: "example", version: "example" } },
    invalid: { input: {} },
  };
}

describe(`ARP run gateway conformance (bodies judged by ${arpValidatorSource} schemas)`, () => {
  let server: TestServer;
  let base: string;
  const token = TOKENS.alice;
  before(async () => {
    server = await startTestServer({ agentsFile: ARP_AGENTS_FILE, arpEnv: {} });
    base = server.httpUrl;
  });
  after(() => server.close());

  describe("smoke tier", () => {
    test("[arp-health-schema] [arp-health-version-no-auth] [arp-surface-json-type] GET /v1/health is 200 application/json Health without credentials", async () => {
      const res = await arpCall(base, "GET", "/v1/health", { expect: "Health" });
      assert.equal(res.status, 200);
      assert.equal(res.contentType.split(";")[0], "application/json");
      assert.equal(res.json.status, "ok");
      const checks = res.json.checks as Array<{ name: string; status: string }>;
      assert.deepEqual(
        checks.map((c) => [c.name, c.status]),
        [
          ["store", "ok"],
          ["runtime", "ok"],
        ],
      );
    });

    test("[arp-version-schema] [arp-health-version-no-auth] GET /v1/version lists v1 and our version", async () => {
      const res = await arpCall(base, "GET", "/v1/version", { expect: "VersionInfo" });
      assert.equal(res.status, 200);
      assert.equal(res.json.service_name, "runplane");
      assert.equal(res.json.service_version, runplaneVersion());
      assert.ok((res.json.supported_api_versions as string[]).includes("v1"));
    });
  });

  describe("surface tier", () => {
    test("[arp-runs-start-body-required] POST /v1/runs with {} is refused with an ErrorEnvelope", async () => {
      const res = await arpCall(base, "POST", "/v1/runs", { token, body: "{}" });
      assert.equal(res.status, 400);
      assert.equal(codeOf(res), "invalid_request");
    });

    test("[arp-runs-start-body-required] a missing or non-JSON body is refused with an ErrorEnvelope", async () => {
      assert.equal((await arpCall(base, "POST", "/v1/runs", { token })).status, 400);
      const text = await arpCall(base, "POST", "/v1/runs", {
        token,
        body: "hello",
        headers: { "content-type": "text/plain" },
      });
      assert.equal(text.status, 415);
    });

    test("[arp-runs-unknown-id] get, cancel and events of an unknown run_id answer 404 run_not_found", async () => {
      const runId = conformanceId("run");
      for (const [method, path] of [
        ["GET", `/v1/runs/${runId}`],
        ["POST", `/v1/runs/${runId}:cancel`],
        ["GET", `/v1/runs/${runId}/events`],
      ] as const) {
        const res = await arpCall(base, method, path, { token });
        assert.equal(res.status, 404, path);
        assert.deepEqual(res.json, {
          error: { code: "run_not_found", message: `Run '${runId}' not found` },
        });
      }
    });

    test("[arp-auth-bearer-required] [arp-auth-401-www-authenticate] run routes without a token are 401 with a Bearer challenge", async () => {
      for (const [method, path] of [
        ["POST", "/v1/runs"],
        ["GET", "/v1/runs/x"],
        ["POST", "/v1/runs/x:cancel"],
        ["GET", "/v1/runs/x/events"],
      ] as const) {
        const res = await arpCall(base, method, path);
        assert.equal(res.status, 401, path);
        assert.equal(codeOf(res), "unauthorized");
        assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer error="invalid_request"/);
      }
    });

    test("[arp-error-all-paths] unknown paths 404 and wrong methods 405, as ErrorEnvelopes", async () => {
      assert.equal((await arpCall(base, "GET", "/v1/nope", { token })).status, 404);
      const wrong = await arpCall(base, "DELETE", "/v1/runs", { token });
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.get("allow"), "POST");
    });

    test("[arp-runs-start-required-fields] the golden valid start vector starts a run; the invalid one is a 400", async () => {
      const { valid, invalid } = startVectors();
      const ok = await arpCall(base, "POST", "/v1/runs", {
        token,
        body: JSON.stringify(valid),
        expect: "Run",
      });
      assert.equal(ok.status, 200);
      const bad = await arpCall(base, "POST", "/v1/runs", { token, body: JSON.stringify(invalid) });
      assert.equal(bad.status, 400);
    });

    test("[arp-runs-start-unknown-agent] an unregistered node type is a 400 and creates no run", async () => {
      const runId = conformanceId("run");
      const res = await arpCall(base, "POST", "/v1/runs", {
        token,
        body: startBody("no-such-agent", {}, { run_id: runId }),
      });
      assert.equal(res.status, 400);
      assert.equal(codeOf(res), "agent_not_available");
      const pinned = JSON.stringify({
        run_id: runId,
        root_node_type_ref: { node_type_id: "echo", version: "9.9.9" },
        input: {},
      });
      const version = await arpCall(base, "POST", "/v1/runs", { token, body: pinned });
      assert.equal(version.status, 400);
      assert.equal(codeOf(version), "agent_version_not_available");
      assert.equal((await arpCall(base, "GET", `/v1/runs/${runId}`, { token })).status, 404);
    });
  });

  describe("run lifecycle", () => {
    test("[arp-surface-ok-200] [arp-runs-get-returns-run] [arp-map-agent] [arp-runs-start-client-run-id] [arp-events-ordered] start, read to succeeded, stream, repeat", async () => {
      const runId = conformanceId("run");
      const body = startBody("echo", { n: 1 }, { run_id: runId, run_context: { tenant_id: "t1" } });
      const started = await arpCall(base, "POST", "/v1/runs", { token, body, expect: "Run" });
      assert.equal(started.status, 200);
      assert.equal(started.json.run_id, runId);
      assert.match(String(started.json.root_node_run_id), /^job_/);
      const done = await pollRun(base, runId, token, (s) => s === "succeeded");
      assert.deepEqual(done.run_context, { tenant_id: "t1" });
      assert.ok(Date.parse(String(done.ended_at)) >= Date.parse(String(done.started_at)));
      const events = await readEvents(base, runId, token);
      assert.deepEqual(
        events.map((e) => e.type),
        ["run_started", "node_run_assigned", "run_completed"],
      );
      const completed = dataOf(events.at(-1)) as { state: string; payload: { result: unknown } };
      assert.equal(completed.state, "succeeded");
      assert.deepEqual(completed.payload.result, { echo: { n: 1 }, version: "2.0.0" });
      const again = await arpCall(base, "POST", "/v1/runs", { token, body, expect: "Run" });
      assert.equal(
        again.json.root_node_run_id,
        started.json.root_node_run_id,
        "same run_id and body → the same run",
      );
      const other = await arpCall(base, "POST", "/v1/runs", {
        token,
        body: startBody("echo", { n: 2 }, { run_id: runId }),
      });
      assert.equal(other.status, 409);
      assert.equal(codeOf(other), "run_id_conflict");
      const cancelled = await arpCall(base, "POST", `/v1/runs/${runId}:cancel`, {
        token,
        expect: "Run",
      });
      assert.equal(
        cancelled.json.state,
        "succeeded",
        "cancelling a finished run returns it unchanged",
      );
    });

    test("[arp-runs-cancel-returns-run] [arp-runs-cancel-route] cancel of a live run returns a Run and the run reaches canceled", async () => {
      const started = await arpCall(base, "POST", "/v1/runs", {
        token,
        body: startBody("slow", { seconds: 30 }),
        expect: "Run",
      });
      const runId = String(started.json.run_id);
      assert.equal(
        runId,
        started.json.root_node_run_id,
        "without a client run_id the job id is the run id",
      );
      const res = await fetch(`${base}/v1/runs/${runId}:cancel`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { state: string }).state, "canceled");
      await pollRun(base, runId, token, (s) => s === "canceled");
      const events = await readEvents(base, runId, token);
      assert.deepEqual(dataOf(events.at(-1)).state, "canceled");
    });

    test("[arp-map-constraints] [arp-map-state] max_wall_time_ms bounds the run: a slow agent ends failed with TIMEOUT", async () => {
      const body = startBody(
        "slow",
        { seconds: 30 },
        { constraints: { budgets: { max_wall_time_ms: 1 } } },
      );
      const started = await arpCall(base, "POST", "/v1/runs", { token, body, expect: "Run" });
      const run = await pollRun(base, String(started.json.run_id), token, (s) => s === "failed");
      const error = (run.extensions as Record<string, { code: string; message: string }>)[
        "arcp.error"
      ];
      assert.equal(error?.code, "TIMEOUT");
      assert.match(String(error?.message), /max_runtime_sec/);
    });
  });
  describe("times and policy", () => {
    const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
    const assertTime = (value: unknown, label: string): void => {
      assert.match(String(value), RFC3339, label);
      assert.ok(!Number.isNaN(Date.parse(String(value))), label);
    };

    test("[arp-schema-datetime] time, started_at, ended_at and health time are RFC 3339 date-times", async () => {
      const started = await arpCall(base, "POST", "/v1/runs", {
        token,
        body: startBody("echo"),
        expect: "Run",
      });
      const run = await pollRun(base, String(started.json.run_id), token, (s) => s === "succeeded");
      assertTime(run.started_at, "started_at");
      assertTime(run.ended_at, "ended_at");
      for (const event of await readEvents(base, String(run.run_id), token, "?include=all")) {
        assertTime(event.time, `${String(event.type)} time`);
      }
      assertTime(
        (await arpCall(base, "GET", "/v1/health", { expect: "Health" })).json.time,
        "health time",
      );
    });

    test("[arp-auth-403-envelope] an observer may read a run but not cancel it: 403 with an ErrorEnvelope", async () => {
      const observed = await startTestServer({
        arpEnv: {},
        runtime: { visibility: { kind: "observers", principals: ["carol"] } },
      });
      try {
        const started = await arpCall(observed.httpUrl, "POST", "/v1/runs", {
          token,
          body: startBody("slow", { seconds: 30 }),
          expect: "Run",
        });
        const jobId = String(started.json.root_node_run_id);
        const read = await arpCall(observed.httpUrl, "GET", `/v1/runs/${jobId}`, {
          token: TOKENS.carol,
          expect: "Run",
        });
        assert.equal(read.status, 200);
        const refused = await arpCall(observed.httpUrl, "POST", `/v1/runs/${jobId}:cancel`, {
          token: TOKENS.carol,
        });
        assert.equal(refused.status, 403);
        assert.equal(codeOf(refused), "permission_denied");
        const bob = await arpCall(observed.httpUrl, "GET", `/v1/runs/${jobId}`, {
          token: TOKENS.bob,
        });
        assert.equal(bob.status, 404, "someone who is not an observer still sees nothing");
        assert.equal(
          (
            await arpCall(observed.httpUrl, "POST", `/v1/runs/${jobId}:cancel`, {
              token,
              expect: "Run",
            })
          ).json.state,
          "canceled",
        );
      } finally {
        await observed.close();
      }
    });
  });
});
