/**
 * Idempotent resubmits at awkward moments (§7.2): while the job's terminal is still waiting for
 * the group commit, after the lease's expires_at has passed, and after the agent's default
 * version changed. An identical request always gets the original answer and the outcome.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineAgent } from "../../../src/agents/agent.js";
import { createJob } from "../../../src/runtime/job/create-job.js";
import type { SessionChannel } from "../../../src/runtime/session/session-channel.js";
import { createMemoryStore } from "../../../src/store/memory/memory-store.js";
import { gatedAgent, startHarness } from "../../support/runtime-harness.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("idempotent resubmit", () => {
  test("[arcp-7.2-idempotent-replay] a resubmit from another session while the terminal awaits its commit still gets the terminal", async () => {
    const store = createMemoryStore();
    // Hold group commits on demand, so the job can end with its terminal not yet durable.
    let hold: Promise<void> | undefined;
    let unhold = (): void => {};
    const append = store.appendEvents.bind(store);
    store.appendEvents = async (events, writes) => {
      if (hold !== undefined) await hold;
      return append(events, writes);
    };
    let lookedUp = (): void => {};
    const lookup = store.findIdempotent.bind(store);
    store.findIdempotent = async (principal, key) => {
      const found = await lookup(principal, key);
      lookedUp();
      return found;
    };
    const { agent: gated, release } = gatedAgent();
    const h = await startHarness({ agents: [gated], store });
    const { client: a } = h.connect();
    await a.hello({ token: "tok-alice" });
    const accepted = await a.submit({ agent: "gated", idempotency_key: "k1" });
    const jobId = accepted.job_id as string;
    await a.waitFor((f) => f.job_id === jobId && f.payload["kind"] === "log");
    const { client: b } = h.connect();
    await b.hello({ token: "tok-alice" });

    hold = new Promise((resolve) => {
      unhold = resolve;
    });
    release();
    await tick();
    assert.equal(h.runtime.jobs.has(jobId), false, "the job has ended");
    const looked = new Promise<void>((resolve) => {
      lookedUp = resolve;
    });
    b.send("job.submit", { agent: "gated", idempotency_key: "k1" });
    await looked;
    await tick();
    await tick();
    unhold();
    hold = undefined;

    const again = await b.waitForType("job.accepted");
    assert.equal(again.job_id, jobId);
    const ownerEnd = await a.terminal(jobId);
    const replayed = await b.terminal(jobId);
    assert.deepEqual(replayed.payload, ownerEnd.payload);
    await h.close();
  });

  test("[arcp-7.2-idempotent-replay] [arcp-9.5-expires-at-valid] a retry after the lease's expires_at has passed gets the original job, not INVALID_REQUEST", async () => {
    const h = await startHarness();
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const submit = {
      agent: "echo",
      input: { n: 1 },
      idempotency_key: "expiring",
      lease_constraints: { expires_at: new Date(h.clock.now() + 10_000).toISOString() },
    };
    const first = await client.submit(submit);
    assert.equal(first.type, "job.accepted");
    await client.terminal(first.job_id as string);
    h.clock.advance(60_000);
    const again = await client.submit(submit);
    assert.equal(again.type, "job.accepted");
    assert.deepEqual(again.payload, first.payload);
    await h.close();
  });

  test("[arcp-7.2-idempotent-replay] [arcp-7.5-no-migration] an ARP retry naming `latest` replays after the default version changed", async () => {
    const versions = ["1.0.0", "2.0.0"].map((version) =>
      defineAgent({ name: "versioned", version, run: async () => ({ version }) }),
    );
    const h = await startHarness({ agents: versions });
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const channel = h.runtime.channels.get(client.sessionId as string) as SessionChannel;
    // As the ARP runs module does: `latest` resolved to the default, the body kept as sent.
    const body = { root_node_type_ref: { node_type_id: "versioned", version: "latest" } };
    const request = (agent: string) => ({
      channel,
      principal: "alice",
      agent,
      input: null,
      leaseRequest: {},
      leaseConstraints: undefined,
      idempotencyKey: "arp-run:r1",
      maxRuntimeSec: undefined,
      traceId: undefined,
      digestExtra: body,
    });
    const first = await createJob(h.runtime, request("versioned@2.0.0"));
    assert.equal(first.kind, "accepted");
    await (first.kind === "accepted" ? first.durable : undefined);
    h.runtime.agents.setDefault("versioned", "1.0.0");
    const retry = await createJob(h.runtime, request("versioned@1.0.0"));
    assert.equal(retry.kind, "replayed");
    assert.equal(retry.accepted["job_id"], first.accepted["job_id"]);
    if (first.kind === "accepted") first.job.finish({ kind: "success", result: null });
    await h.close();
  });
});

describe("concurrent submits with one idempotency key", () => {
  test("[arcp-7.2-idempotent-replay] two sessions of one principal racing on a key get one job, and neither session is failed", async () => {
    const store = createMemoryStore();
    // Both lookups miss the store: each waits until the other has looked too.
    let arrived = 0;
    let bothLooked = (): void => {};
    const looked = new Promise<void>((resolve) => {
      bothLooked = resolve;
    });
    const lookup = store.findIdempotent.bind(store);
    store.findIdempotent = async (principal, key) => {
      const found = await lookup(principal, key);
      if (++arrived === 2) bothLooked();
      await looked;
      return found;
    };
    const h = await startHarness({ store });
    try {
      const { client: a } = h.connect();
      await a.hello({ token: "tok-alice" });
      const { client: b } = h.connect();
      await b.hello({ token: "tok-alice" });
      const [first, second] = await Promise.all([
        a.submit({ agent: "echo", input: { n: 1 }, idempotency_key: "same" }),
        b.submit({ agent: "echo", input: { n: 1 }, idempotency_key: "same" }),
      ]);
      assert.equal(first.type, "job.accepted");
      assert.equal(second.type, "job.accepted");
      assert.equal(first.job_id, second.job_id, "one job for one key");
      const jobId = first.job_id as string;
      assert.equal((await a.terminal(jobId)).type, "job.result");
      assert.equal((await b.terminal(jobId)).type, "job.result");
      assert.ok(![...a.frames, ...b.frames].some((f) => f.type === "session.error"));
      assert.equal((await store.listJobs({ principals: ["alice"], limit: 10 })).jobs.length, 1);
    } finally {
      await h.close();
    }
  });
});
