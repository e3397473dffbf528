/**
 * Client run ids over real HTTP: conflicts that outlive the run's session, dot segments, the
 * per-principal namespace observers live with, and one stream's hold on a live job.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";
import { ARP_AGENTS_FILE, arpCall, codeOf, pollRun, readEvents, startBody } from "./arp-http.js";

describe("ARP client run ids", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      agentsFile: ARP_AGENTS_FILE,
      runtime: { visibility: { kind: "observers", principals: ["carol"] } },
    });
  });
  after(() => server.close());

  const start = (token: string, runId: string, input: Record<string, unknown>, agent = "echo") =>
    arpCall(server.httpUrl, "POST", "/v1/runs", {
      token,
      body: startBody(agent, input, { run_id: runId }),
    });

  test("[arp-runs-start-client-run-id] a reused run_id with another body is 409 even after the run's session was swept", async () => {
    const first = await start(TOKENS.alice, "swept-1", { n: 1 });
    assert.equal(first.status, 200);
    const jobId = String(first.json.root_node_run_id);
    await pollRun(server.httpUrl, "swept-1", TOKENS.alice, (s) => s === "succeeded");
    // What the maintenance sweep does to a run session detached past its window.
    const rt = server.runtime;
    const record = await rt.store.getJob(jobId);
    assert.ok(record !== undefined);
    rt.channels.delete(record.sessionId);
    await rt.store.deleteSession(record.sessionId);
    assert.equal(await rt.store.getSession(record.sessionId), undefined);

    const other = await start(TOKENS.alice, "swept-1", { n: 2 });
    assert.equal(other.status, 409);
    assert.equal(codeOf(other), "run_id_conflict");
    const same = await start(TOKENS.alice, "swept-1", { n: 1 });
    assert.equal(same.status, 200, "the same body still returns the run");
    assert.equal(same.json.root_node_run_id, jobId);
  });

  test("[arp-runs-start-client-run-id] run ids . and .. are refused at start", async () => {
    for (const runId of [".", ".."]) {
      const res = await start(TOKENS.alice, runId, {});
      assert.equal(res.status, 400, runId);
      assert.equal(codeOf(res), "invalid_request");
    }
  });

  test("run ids are per principal: an observer reads another principal's run by its job id, not its run_id", async () => {
    const alices = await start(TOKENS.alice, "shared-name", { who: "alice" });
    assert.equal(alices.status, 200);
    const jobId = String(alices.json.root_node_run_id);
    const byRunId = await arpCall(server.httpUrl, "GET", "/v1/runs/shared-name", {
      token: TOKENS.carol,
    });
    assert.equal(byRunId.status, 404, "carol's run_id namespace has no shared-name");
    const byJobId = await arpCall(server.httpUrl, "GET", `/v1/runs/${jobId}`, {
      token: TOKENS.carol,
      expect: "Run",
    });
    assert.equal(byJobId.status, 200);
    assert.equal(byJobId.json.run_id, "shared-name");
    const carols = await start(TOKENS.carol, "shared-name", { who: "carol" });
    assert.equal(carols.status, 200, "the same run_id is free for another principal");
    assert.notEqual(carols.json.root_node_run_id, jobId);
    const bob = await arpCall(server.httpUrl, "GET", `/v1/runs/${jobId}`, { token: TOKENS.bob });
    assert.equal(bob.status, 404, "a non-observer sees nothing of alice's run");
  });

  test("[arp-events-live] an events stream reacts to the live job's completion once, however often it wakes", async () => {
    const res = await start(TOKENS.alice, "ticking", { count: 30, gap_ms: 10 }, "tick");
    assert.equal(res.status, 200);
    const live = server.runtime.jobs.get(String(res.json.root_node_run_id));
    assert.ok(live !== undefined, "the run is still live");
    let reactions = 0;
    const then = live.done.then.bind(live.done);
    // Counting what attaches to the job's completion: an own `then` shadows the prototype's.
    // biome-ignore lint/suspicious/noThenProperty: the spy must be named then to be called
    Reflect.defineProperty(live.done, "then", {
      configurable: true,
      value: (...args: Parameters<typeof then>) => {
        reactions++;
        return then(...args);
      },
    });
    const events = await readEvents(server.httpUrl, "ticking", TOKENS.alice, "?include=all");
    assert.equal(events.at(-1)?.type, "run_completed");
    assert.ok(events.length > 30, "the stream woke for every tick");
    assert.ok(reactions <= 1, `one reaction per stream, saw ${reactions}`);
  });
});
