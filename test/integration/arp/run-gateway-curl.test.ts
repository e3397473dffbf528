/**
 * `runplane serve`'s ARP routes end to end over real sockets, driven by the `curl` binary a new
 * user would paste from the README, and cross-checked over ARCP (an ARP run is an ARCP job).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { connectWs, type WsTestClient } from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";
import {
  ARP_AGENTS_FILE,
  arpCall,
  assertArp,
  codeOf,
  dataOf,
  parseEvents,
  pollRun,
  readEvents,
  startBody,
} from "./arp-http.js";

const run = promisify(execFile);

interface CurlResult {
  status: number;
  contentType: string;
  body: string;
}

/** `curl -sS` with the status and content type written to stderr, the body to stdout. */
async function curl(args: string[]): Promise<CurlResult> {
  const { stdout, stderr } = await run(
    "curl",
    ["-sS", "-w", "%{stderr}%{http_code} %{content_type}", ...args],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const [status = "0", contentType = ""] = stderr.trim().split(" ");
  return { status: Number(status), contentType, body: stdout };
}

const auth = (token: string): string[] => ["-H", `Authorization: Bearer ${token}`];

async function curlJson(
  args: string[],
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await curl(args);
  assert.match(res.contentType, /^application\/json/, `curl ${args.join(" ")}`);
  const json = JSON.parse(res.body) as Record<string, unknown>;
  assertArp(res.status >= 400 ? "ErrorEnvelope" : "Run", json, `curl ${args.at(-1)}`);
  return { status: res.status, json };
}

async function startWithCurl(
  base: string,
  token: string,
  body: string,
): Promise<Record<string, unknown>> {
  const res = await curlJson([
    "-X",
    "POST",
    `${base}/v1/runs`,
    ...auth(token),
    "-H",
    "Content-Type: application/json",
    "-d",
    body,
  ]);
  assert.equal(res.status, 200);
  return res.json;
}

describe("ARP on runplane serve, with curl", () => {
  let server: TestServer;
  let base: string;
  let arcp: WsTestClient;
  before(async () => {
    server = await startTestServer({ agentsFile: ARP_AGENTS_FILE, arpEnv: {} });
    base = server.httpUrl;
    arcp = await connectWs(server.wsUrl);
    await arcp.hello({ token: TOKENS.alice });
  });
  after(async () => {
    arcp.close();
    await server.close();
  });

  test("[arp-map-agent] [arp-events-ndjson] [arp-events-schema] [arp-events-ordered] an echo run started with curl reaches succeeded; its events stream as NDJSON", async () => {
    const started = await startWithCurl(
      base,
      TOKENS.alice,
      startBody("echo", { greeting: "hi" }, { run_id: "curl-echo" }),
    );
    assert.equal(started.run_id, "curl-echo");
    let state = String(started.state);
    for (let i = 0; state !== "succeeded" && i < 200; i++) {
      const polled = await curlJson([`${base}/v1/runs/curl-echo`, ...auth(TOKENS.alice)]);
      state = String(polled.json.state);
    }
    assert.equal(state, "succeeded");
    const stream = await curl([
      "-N",
      `${base}/v1/runs/curl-echo/events?include=all`,
      ...auth(TOKENS.alice),
    ]);
    assert.equal(stream.status, 200);
    assert.equal(stream.contentType, "application/x-ndjson");
    const events = parseEvents(stream.body, "curl events");
    assert.deepEqual(
      events.map((e) => [e.type, dataOf(e).arcp_kind]),
      [
        ["run_started", undefined],
        ["node_run_assigned", undefined],
        ["node_evaluated", "log"],
        ["node_evaluated", "progress"],
        ["run_completed", undefined],
      ],
    );
    assert.deepEqual((dataOf(events.at(-1)) as { payload: { result: unknown } }).payload.result, {
      echo: { greeting: "hi" },
      version: "2.0.0",
    });
  });

  test("[arp-map-cancel] [arp-runs-cancel-route] curl cancels a slow run with a bare POST; an ARCP subscriber sees job.error CANCELLED", async () => {
    const started = await startWithCurl(
      base,
      TOKENS.alice,
      startBody("slow", { seconds: 30 }, { run_id: "curl-slow" }),
    );
    const jobId = String(started.root_node_run_id);
    arcp.mark();
    arcp.send("job.subscribe", { job_id: jobId, history: true });
    await arcp.waitFor((f) => f.type === "job.subscribed" && f.payload.job_id === jobId);
    const cancelled = await curlJson([
      "-X",
      "POST",
      `${base}/v1/runs/curl-slow:cancel`,
      ...auth(TOKENS.alice),
    ]);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.json.state, "canceled");
    const terminal = await arcp.terminal(jobId);
    assert.equal(terminal.type, "job.error");
    assert.equal(terminal.payload.code, "CANCELLED");
    const events = await readEvents(base, "curl-slow", TOKENS.alice);
    assert.deepEqual(dataOf(events.at(-1)).state, "canceled");
  });

  test("[arp-map-constraints] [arp-map-lease-extensions] max_cost becomes the job's cost.budget; spender exhausts it and is stopped by policy", async () => {
    const body = startBody(
      "spender",
      { cost: "USD:0.40", steps: 5 },
      {
        run_id: "curl-spend",
        constraints: { budgets: { max_cost: 1 } },
        extensions: { "arcp.lease": { "tool.call": ["noop"] } },
      },
    );
    await startWithCurl(base, TOKENS.alice, body);
    await pollRun(base, "curl-spend", TOKENS.alice, (s) => s === "succeeded");
    const events = await readEvents(base, "curl-spend", TOKENS.alice);
    const accepted = (dataOf(events[0]) as { payload: { lease: Record<string, string[]> } })
      .payload;
    assert.deepEqual(accepted.lease["cost.budget"], ["USD:1"]);
    assert.deepEqual(
      events.slice(2).map((e) => e.type),
      ["atomic_executed", "atomic_executed", "policy_decided", "run_completed"],
    );
    const denied = dataOf(events[4]);
    assert.equal(denied.decision, "deny");
    assert.equal(denied.code, "BUDGET_EXHAUSTED");
    assert.equal(denied.tool, "noop");
    const result = (dataOf(events.at(-1)) as { payload: { result: unknown } }).payload.result;
    assert.deepEqual(result, { steps_completed: 2, stopped_by: "BUDGET_EXHAUSTED" });
  });

  test("[arp-map-lease-extensions] without the arcp.lease extension the tool call is denied; a malformed lease is a 400", async () => {
    const started = await arpCall(base, "POST", "/v1/runs", {
      token: TOKENS.alice,
      body: startBody("spender", { steps: 1 }),
      expect: "Run",
    });
    const runId = String(started.json.run_id);
    await pollRun(base, runId, TOKENS.alice, (s) => s === "succeeded");
    const denied = (await readEvents(base, runId, TOKENS.alice)).find(
      (e) => e.type === "policy_decided",
    );
    assert.equal(dataOf(denied).code, "PERMISSION_DENIED");
    const bad = await arpCall(base, "POST", "/v1/runs", {
      token: TOKENS.alice,
      body: startBody(
        "spender",
        {},
        { extensions: { "arcp.lease": { "cost.budget": ["USD:lots"] } } },
      ),
    });
    assert.equal(bad.status, 400);
    assert.equal(codeOf(bad), "invalid_request");
  });

  test("[arp-map-principal] principal B gets 404 run_not_found on A's run, for get, cancel and events, and A's run is untouched", async () => {
    const started = await startWithCurl(
      base,
      TOKENS.alice,
      startBody("slow", { seconds: 30 }, { run_id: "curl-private" }),
    );
    const jobId = String(started.root_node_run_id);
    for (const id of ["curl-private", jobId]) {
      for (const [method, path] of [
        ["GET", `/v1/runs/${id}`],
        ["POST", `/v1/runs/${id}:cancel`],
        ["GET", `/v1/runs/${id}/events`],
      ] as const) {
        const res = await arpCall(base, method, path, { token: TOKENS.bob });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.deepEqual(res.json, {
          error: { code: "run_not_found", message: `Run '${id}' not found` },
        });
      }
    }
    assert.equal(
      (await arpCall(base, "GET", "/v1/runs/curl-private", { token: TOKENS.alice, expect: "Run" }))
        .json.state,
      "running",
    );
    await arpCall(base, "POST", "/v1/runs/curl-private:cancel", {
      token: TOKENS.alice,
      expect: "Run",
    });
  });

  test("[arp-map-run-is-job] a run started over HTTP is listed over ARCP session.list_jobs for its principal only", async () => {
    const started = await arpCall(base, "POST", "/v1/runs", {
      token: TOKENS.alice,
      body: startBody("echo"),
      expect: "Run",
    });
    const jobId = String(started.json.root_node_run_id);
    const listed = async (client: WsTestClient): Promise<string[]> => {
      client.mark();
      client.send("session.list_jobs", { limit: 1000 });
      const page = await client.waitForType("session.jobs");
      return (page.payload.jobs as Array<{ job_id: string }>).map((j) => j.job_id);
    };
    assert.ok((await listed(arcp)).includes(jobId));
    const bob = await connectWs(server.wsUrl);
    try {
      await bob.hello({ token: TOKENS.bob });
      assert.ok(!(await listed(bob)).includes(jobId));
    } finally {
      bob.close();
    }
  });
});
