/** session.list_jobs (§6.6): shape, filters, pagination, scope across principals, retention. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { JobListEntrySchema } from "../../../src/protocol/messages/session.js";
import { connectWs, type Frame, type WsTestClient } from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

async function list(c: WsTestClient, payload: Record<string, unknown>): Promise<Frame> {
  const id = c.send("session.list_jobs", payload);
  return c.waitFor((f) => f.type === "session.jobs" && f.payload["request_id"] === id);
}

describe("ARCP job listing", () => {
  let server: TestServer;
  let alice: WsTestClient;
  let alice2: WsTestClient;
  let bob: WsTestClient;
  const aliceJobs: string[] = [];
  let bobJob: string;
  before(async () => {
    server = await startTestServer();
    alice = await connectWs(server.wsUrl);
    await alice.hello({ token: TOKENS.alice });
    alice2 = await connectWs(server.wsUrl);
    await alice2.hello({ token: TOKENS.alice });
    bob = await connectWs(server.wsUrl);
    await bob.hello({ token: TOKENS.bob });
    for (let i = 0; i < 3; i++) {
      const a = await alice.submit({ agent: "echo", input: { i } });
      aliceJobs.push(a.job_id as string);
      await alice.terminal(a.job_id as string);
    }
    const running = await alice2.submit({ agent: "slow", input: { seconds: 30 } });
    aliceJobs.push(running.job_id as string);
    const b = await bob.submit({ agent: "echo", input: {} });
    bobJob = b.job_id as string;
    await bob.terminal(bobJob);
  });
  after(async () => {
    for (const c of [alice, alice2, bob]) c.close();
    await server.close();
  });

  test("[arcp-6.6-list-shape] [arcp-6.6-entry-shape] [arcp-6.6-scope] a listing has request_id, jobs and next_cursor, and holds exactly the principal's jobs from all its sessions", async () => {
    const reply = await list(alice, {});
    assert.equal(reply.payload["next_cursor"], null);
    const jobs = reply.payload["jobs"] as Record<string, unknown>[];
    assert.deepEqual(jobs.map((j) => j["job_id"]).sort(), [...aliceJobs].sort());
    for (const j of jobs) {
      assert.ok(JobListEntrySchema.safeParse(j).success, JSON.stringify(j));
      assert.match(String(j["agent"]), /^[a-z-]+@\d+\.\d+\.\d+$/);
      assert.equal(j["parent_job_id"], null);
      assert.match(String(j["trace_id"]), /^[0-9a-f]{32}$/);
    }
    const done = jobs.find((j) => j["job_id"] === aliceJobs[0]) as Record<string, unknown>;
    assert.equal(done["status"], "success");
    assert.ok((done["last_event_seq"] as number) > 0);
    const running = jobs.find((j) => j["job_id"] === aliceJobs[3]) as Record<string, unknown>;
    assert.equal(running["status"], "running");
    assert.ok(!jobs.some((j) => j["job_id"] === bobJob), "bob's job never leaks to alice");
    const bobs = await list(bob, {});
    assert.deepEqual(
      (bobs.payload["jobs"] as Record<string, unknown>[]).map((j) => j["job_id"]),
      [bobJob],
    );
  });

  test("[arcp-6.6-filters] every returned job satisfies status, agent and created_after", async () => {
    const byStatus = await list(alice, { filter: { status: ["running", "pending"] } });
    assert.deepEqual(
      (byStatus.payload["jobs"] as Record<string, unknown>[]).map((j) => j["job_id"]),
      [aliceJobs[3]],
    );
    const byAgent = await list(alice, { filter: { agent: "echo" } });
    assert.equal((byAgent.payload["jobs"] as unknown[]).length, 3);
    const pinned = await list(alice, { filter: { agent: "echo@1.0.0" } });
    assert.equal((pinned.payload["jobs"] as unknown[]).length, 0);
    const future = await list(alice, {
      filter: { created_after: new Date(Date.now() + 60_000).toISOString() },
    });
    assert.equal((future.payload["jobs"] as unknown[]).length, 0);
    alice.mark();
    alice.send("session.list_jobs", { filter: { created_after: "not a time" } });
    const err = await alice.waitForType("session.error");
    assert.equal(err.payload["code"], "INVALID_REQUEST");
  });

  test("[arcp-6.6-list-no-subscribe] listing attaches the session to no job", async () => {
    const watcher = await connectWs(server.wsUrl);
    await watcher.hello({ token: TOKENS.alice });
    await list(watcher, {});
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(watcher.frames.filter((f) => f.type === "job.event").length, 0);
    watcher.close();
  });

  test("[arcp-6.6-pagination] 250 jobs page by 100 with no duplicates or gaps and a null cursor at the end", async () => {
    const carol = await connectWs(server.wsUrl);
    await carol.hello({ token: TOKENS.carol });
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) carol.send("job.submit", { agent: "echo", input: { i } });
    await carol.waitFor(
      () => carol.frames.filter((f) => f.type === "job.accepted").length === 250,
      30_000,
    );
    for (const f of carol.frames) if (f.type === "job.accepted") ids.push(f.job_id as string);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply: Frame = await list(
        carol,
        cursor === null ? { limit: 100 } : { limit: 100, cursor },
      );
      const jobs = reply.payload["jobs"] as Record<string, unknown>[];
      assert.ok(jobs.length <= 100);
      seen.push(...jobs.map((j) => j["job_id"] as string));
      cursor = reply.payload["next_cursor"] as string | null;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 250);
    assert.deepEqual([...seen].sort(), [...ids].sort());
    carol.close();
  });
});

describe("ARCP listing under an observer policy", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      runtime: { visibility: { kind: "observers", principals: ["carol"] } },
    });
  });
  after(() => server.close());

  test("[arcp-6.6-scope] an explicitly allowed observer lists every principal's jobs; others still see only their own", async () => {
    const alice = await connectWs(server.wsUrl);
    await alice.hello({ token: TOKENS.alice });
    const bob = await connectWs(server.wsUrl);
    await bob.hello({ token: TOKENS.bob });
    const carol = await connectWs(server.wsUrl);
    await carol.hello({ token: TOKENS.carol });
    const a = await alice.submit({ agent: "echo", input: {} });
    const b = await bob.submit({ agent: "echo", input: {} });
    const all = (await list(carol, {})).payload["jobs"] as Record<string, unknown>[];
    assert.deepEqual(all.map((j) => j["job_id"]).sort(), [a.job_id, b.job_id].sort());
    const bobs = (await list(bob, {})).payload["jobs"] as Record<string, unknown>[];
    assert.deepEqual(
      bobs.map((j) => j["job_id"]),
      [b.job_id],
    );
    for (const c of [alice, bob, carol]) c.close();
  });
});

describe("ARCP listing retention", () => {
  test("[arcp-6.6-terminal-retention] [arcp-6.7-jobs-outlive-session] a finished job stays listed after its session is gone, until the retention passes", async () => {
    const server = await startTestServer({ runtime: { jobRetentionSec: 1, resumeWindowSec: 1 } });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const a = await c.submit({ agent: "echo", input: {} });
      await c.terminal(a.job_id as string);
      c.close();
      await c.waitClosed();
      const later = await connectWs(server.wsUrl);
      await later.hello({ token: TOKENS.alice });
      const listed = (await list(later, {})).payload["jobs"] as Record<string, unknown>[];
      assert.deepEqual(
        listed.map((j) => j["job_id"]),
        [a.job_id],
      );
      await new Promise((r) => setTimeout(r, 1500));
      await server.runtime.sweep();
      const after = (await list(later, {})).payload["jobs"] as Record<string, unknown>[];
      assert.deepEqual(after, []);
      later.close();
    } finally {
      await server.close();
    }
  });
});
