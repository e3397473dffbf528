/** job.subscribe (§7.6, DESIGN-21, DESIGN-22): descriptor, history, re-sequencing, scope, audit. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  assertGapFree,
  connectWs,
  type Frame,
  type WsTestClient,
} from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

describe("ARCP subscription", () => {
  let server: TestServer;
  let owner: WsTestClient;
  before(async () => {
    server = await startTestServer({
      runtime: { visibility: { kind: "observers", principals: ["carol"] } },
    });
    owner = await connectWs(server.wsUrl);
    await owner.hello({ token: TOKENS.alice });
  });
  after(async () => {
    owner.close();
    await server.close();
  });

  async function subscriber(token: string = TOKENS.alice): Promise<WsTestClient> {
    const s = await connectWs(server.wsUrl);
    await s.hello({ token });
    return s;
  }

  test("[arcp-7.6-descriptor] [arcp-7.6-history] [arcp-7.6-subscriber-seq] job.subscribed comes first with the authority descriptor, then history after from_event_seq with original ts, then live events, all in the subscriber's own seq space", async () => {
    const accepted = await owner.submit({
      agent: "slow",
      input: { seconds: 1.2 },
      lease_request: { "cost.budget": ["USD:2.00"], "tool.call": ["noop"] },
      lease_constraints: { expires_at: new Date(Date.now() + 60_000).toISOString() },
    });
    const jobId = accepted.job_id as string;
    await owner.waitFor(() => owner.eventsOf(jobId, "progress").length >= 3);
    const ownerSeqs = owner.eventsOf(jobId).map((f) => f.event_seq as number);
    const from = ownerSeqs[0] as number;
    const s = await subscriber();
    const warm = await s.submit({ agent: "echo", input: {} });
    await s.terminal(warm.job_id as string);
    const before = s.lastSeq();
    s.send("job.subscribe", { job_id: jobId, history: true, from_event_seq: from });
    const subscribed = await s.waitForType("job.subscribed");
    const p = subscribed.payload;
    assert.equal(p["job_id"], jobId);
    assert.equal(p["current_status"], "running");
    assert.equal(p["agent"], "slow@1.0.0");
    assert.deepEqual(p["lease"], { "cost.budget": ["USD:2.00"], "tool.call": ["noop"] });
    assert.ok((p["lease_constraints"] as Record<string, unknown>)["expires_at"]);
    assert.deepEqual(p["budget"], { USD: 2 });
    assert.equal(p["parent_job_id"], null);
    assert.equal(p["trace_id"], accepted.payload["trace_id"]);
    assert.equal(p["subscribed_from"], before);
    assert.equal(p["replayed"], true);
    assert.equal(p["credentials"], undefined);
    const result = await s.terminal(jobId);
    const got = s.frames.filter((f) => f.job_id === jobId && f.event_seq !== undefined);
    assert.ok(
      s.frames.indexOf(subscribed) < s.frames.indexOf(got[0] as Frame),
      "subscribed precedes replay",
    );
    const ownerEvents = owner.frames.filter(
      (f) => f.job_id === jobId && (f.event_seq as number) > from && f.event_seq !== undefined,
    );
    await owner.terminal(jobId);
    const ownerAll = owner.frames.filter(
      (f) => f.job_id === jobId && (f.event_seq as number) > from,
    );
    assert.deepEqual(
      got.map((f) => f.payload),
      ownerAll.map((f) => f.payload),
      "the subscriber sees exactly the owner's events after from_event_seq, original ts included",
    );
    assert.ok(ownerEvents.length > 0);
    assert.equal(result.type, "job.result");
    assertGapFree(s.seqs());
    s.close();
  });

  test("[arcp-7.6-history] without history only events after the acknowledgement arrive", async () => {
    const accepted = await owner.submit({ agent: "slow", input: { seconds: 0.8 } });
    const jobId = accepted.job_id as string;
    await owner.waitFor(() => owner.eventsOf(jobId, "progress").length >= 2);
    const s = await subscriber();
    s.send("job.subscribe", { job_id: jobId });
    const subscribed = await s.waitForType("job.subscribed");
    assert.equal(subscribed.payload["replayed"], false);
    await s.terminal(jobId);
    const firstProgress = s.eventsOf(jobId, "progress")[0] as Frame;
    const ownerEarly = owner
      .eventsOf(jobId, "progress")
      .slice(0, 2)
      .map((f) => JSON.stringify(f.payload));
    assert.ok(
      !ownerEarly.includes(JSON.stringify(firstProgress.payload)),
      "nothing from before the subscription",
    );
    s.close();
  });

  test("[arcp-7.6-authorize] [arcp-12-job-not-found] [arcp-14-audit-log] another principal gets JOB_NOT_FOUND exactly as for a missing job; an allowed observer subscribes; every cross-session decision is audited", async () => {
    const accepted = await owner.submit({ agent: "slow", input: { seconds: 0.5 } });
    const jobId = accepted.job_id as string;
    const bob = await subscriber(TOKENS.bob);
    const id1 = bob.send("job.subscribe", { job_id: jobId });
    const hidden = await bob.waitForType("session.error");
    bob.mark();
    const id2 = bob.send("job.subscribe", { job_id: "job_01JZZZZZZZZZZZZZZZZZZZZZZZ" });
    const missing = await bob.waitForType("session.error");
    assert.equal(hidden.payload["code"], "JOB_NOT_FOUND");
    assert.equal(missing.payload["code"], "JOB_NOT_FOUND");
    assert.equal(
      String(hidden.payload["message"]).replace(jobId, "ID"),
      String(missing.payload["message"]).replace("job_01JZZZZZZZZZZZZZZZZZZZZZZZ", "ID"),
      "the refusal is indistinguishable from a missing job",
    );
    assert.equal((hidden.payload["details"] as Record<string, unknown>)["request_id"], id1);
    assert.equal((missing.payload["details"] as Record<string, unknown>)["request_id"], id2);
    const carol = await subscriber(TOKENS.carol);
    carol.send("job.subscribe", { job_id: jobId, history: true });
    const ok = await carol.waitForType("job.subscribed");
    assert.equal(ok.payload["job_id"], jobId);
    await carol.terminal(jobId);
    const audit = await server.runtime.store.listAudit("job_subscribe", 100);
    const forJob = audit.filter((a) => a.details["target_job"] === jobId);
    assert.ok(
      forJob.some(
        (a) =>
          a.principal === "bob" &&
          a.details["decision"] === "not_found" &&
          a.details["owner_principal"] === "alice",
      ),
    );
    assert.ok(forJob.some((a) => a.principal === "carol" && a.details["decision"] === "allowed"));
    bob.close();
    carol.close();
  });

  test("[arcp-7.4-cancel-owner-only] a subscriber cannot cancel; the job still succeeds", async () => {
    const accepted = await owner.submit({ agent: "slow", input: { seconds: 0.5 } });
    const jobId = accepted.job_id as string;
    const carol = await subscriber(TOKENS.carol);
    carol.send("job.subscribe", { job_id: jobId });
    await carol.waitForType("job.subscribed");
    carol.send("job.cancel", {}, { job_id: jobId });
    const refused = await carol.waitForType("session.error");
    assert.equal(refused.payload["code"], "PERMISSION_DENIED");
    const end = await carol.terminal(jobId);
    assert.equal(end.type, "job.result");
    carol.close();
  });

  test("[arcp-7.6-unsubscribe] after job.unsubscribe the session receives nothing more for that job", async () => {
    const accepted = await owner.submit({ agent: "slow", input: { seconds: 1 } });
    const jobId = accepted.job_id as string;
    const s = await subscriber();
    s.send("job.subscribe", { job_id: jobId });
    await s.waitForType("job.subscribed");
    await s.waitFor((f) => f.job_id === jobId && f.type === "job.event");
    s.send("job.unsubscribe", { job_id: jobId });
    s.send("session.ping", { nonce: "sync", sent_at: new Date().toISOString() });
    await s.waitForType("session.pong");
    const count = s.frames.filter((f) => f.job_id === jobId).length;
    await owner.terminal(jobId);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.frames.filter((f) => f.job_id === jobId).length, count);
    s.close();
  });

  test("[arcp-7.6-survives-owner-drop] a subscriber keeps receiving through the terminal when the owner's transport drops", async () => {
    const o = await subscriber();
    const accepted = await o.submit({ agent: "slow", input: { seconds: 0.8 } });
    const jobId = accepted.job_id as string;
    const s = await subscriber();
    s.send("job.subscribe", { job_id: jobId });
    await s.waitForType("job.subscribed");
    o.ws.terminate();
    const end = await s.terminal(jobId);
    assert.deepEqual(end.payload["result"], { slept_ms: 800 });
    s.close();
  });

  test("[arcp-7.6-job-id-required] job.subscribe without job_id is INVALID_REQUEST", async () => {
    const s = await subscriber();
    s.send("job.subscribe", { history: true });
    const err = await s.waitForType("session.error");
    assert.equal(err.payload["code"], "INVALID_REQUEST");
    assert.match(String(err.payload["message"]), /payload\.job_id/);
    s.close();
  });

  test("[arcp-6.7-jobs-outlive-session] a finished job of a dropped session stays subscribable with its history", async () => {
    const o = await subscriber();
    const accepted = await o.submit({ agent: "echo", input: { late: true } });
    const jobId = accepted.job_id as string;
    await o.terminal(jobId);
    o.close();
    await o.waitClosed();
    const s = await subscriber();
    s.send("job.subscribe", { job_id: jobId, history: true });
    const subscribed = await s.waitForType("job.subscribed");
    assert.equal(subscribed.payload["current_status"], "success");
    const end = await s.terminal(jobId);
    assert.deepEqual(end.payload["result"], { echo: { late: true }, version: "2.0.0" });
    s.close();
  });
});
