/**
 * A group commit the store refuses for its content (§8.3, DESIGN-14): the refused session is
 * failed clearly and everybody else's delivery goes on, instead of the writer retrying forever.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RunService } from "../../../src/runtime/runs.js";
import { hashResumeToken } from "../../../src/runtime/session/resume-token.js";
import { createMemoryStore } from "../../../src/store/memory/memory-store.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { StoreConstraintError } from "../../../src/store/store-error.js";
import { eventRecord } from "../../contract/store/fixtures.js";
import { gatedAgent, startHarness } from "../../support/runtime-harness.js";

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(what);
}

/** A memory store that refuses any batch inserting a job whose input is `{"poison": true}`. */
function poisonedStore(): Store {
  const store = createMemoryStore();
  const appendEvents = store.appendEvents.bind(store);
  store.appendEvents = async (events, writes) => {
    if (writes?.jobs?.some((j) => JSON.stringify(j.input) === '{"poison":true}'))
      throw new StoreConstraintError("refused for the test");
    return appendEvents(events, writes);
  };
  return store;
}

const stores: [string, () => Store | undefined][] = [
  ["memory", () => undefined],
  ["sqlite", () => openSqliteStore({ path: ":memory:" })],
];

describe("a batch the store refuses", () => {
  for (const [name, makeStore] of stores) {
    test(`[arcp-8.3-durable-before-send] ${name}: a session whose events are refused is closed with INTERNAL_ERROR and cannot be resumed, while other sessions keep being served`, async () => {
      const store = makeStore();
      const h = await startHarness(store === undefined ? {} : { store });
      try {
        const alice = h.connect();
        await alice.client.hello({ token: "tok-alice" });
        const bob = h.connect();
        await bob.client.hello({ token: "tok-bob" });
        const aliceId = alice.client.sessionId as string;
        const channel = h.runtime.channels.get(aliceId);
        assert.ok(channel !== undefined);
        // Something else wrote alice's next seq (a damaged database, a second writer): her
        // next events can never be appended.
        await h.store.appendEvents([
          eventRecord(aliceId, channel.lastSeq + 1, { jobId: null, ownerEvent: false }),
        ]);
        alice.client.send("job.submit", { agent: "echo", input: { n: 1 } });
        const accepted = await bob.client.submit({ agent: "echo", input: { n: 2 } });
        assert.equal(accepted.type, "job.accepted");
        const result = await bob.client.terminal(accepted.job_id as string);
        assert.equal(result.type, "job.result", "bob's delivery is not held up by alice's");

        const error = await alice.client.waitForType("session.error");
        assert.equal(error.payload["code"], "INTERNAL_ERROR");
        await alice.client.waitClosed();
        assert.equal(alice.client.closeCode, 1011);
        assert.ok(!alice.client.frames.some((f) => f.type === "job.result"));

        const again = h.connect();
        await assert.rejects(
          again.client.hello({
            token: "tok-alice",
            resume: {
              session_id: aliceId,
              resume_token: alice.client.resumeToken as string,
              last_event_seq: 0,
            },
          }),
          /RESUME_WINDOW_EXPIRED/,
        );
        // As after a restart, when nothing in memory remembers the hole: still refused.
        await until(
          async () =>
            (await h.store.getSession(aliceId))?.resumeTokenHash !==
            hashResumeToken(alice.client.resumeToken as string),
          "the stored resume token was replaced",
        );
        h.runtime.channels.delete(aliceId);
        const afterRestart = h.connect();
        await assert.rejects(
          afterRestart.client.hello({
            token: "tok-alice",
            resume: {
              session_id: aliceId,
              resume_token: alice.client.resumeToken as string,
              last_event_seq: 0,
            },
          }),
          /RESUME_WINDOW_EXPIRED|UNAUTHENTICATED/,
        );
        const fresh = h.connect();
        await fresh.client.hello({ token: "tok-alice" });
        const later = await fresh.client.submit({ agent: "echo", input: { n: 3 } });
        assert.equal((await fresh.client.terminal(later.job_id as string)).type, "job.result");
      } finally {
        await h.close();
      }
    });

    test(`[arcp-7.3-single-terminal] ${name}: a job whose terminal was refused is still recorded as ended, not left running`, async () => {
      const store = makeStore();
      const gated = gatedAgent();
      const h = await startHarness({
        ...(store === undefined ? {} : { store }),
        agents: [gated.agent],
      });
      try {
        const alice = h.connect();
        await alice.client.hello({ token: "tok-alice" });
        const aliceId = alice.client.sessionId as string;
        const accepted = await alice.client.submit({ agent: "gated" });
        const jobId = accepted.job_id as string;
        await alice.client.waitFor((f) => f.job_id === jobId && f.type === "job.event");
        const channel = h.runtime.channels.get(aliceId);
        assert.ok(channel !== undefined);
        // The job's terminal will take the next seq, which something else has written.
        await h.store.appendEvents([
          eventRecord(aliceId, channel.lastSeq + 1, { jobId: null, ownerEvent: false }),
        ]);
        gated.release();
        await alice.client.waitForType("session.error");
        await until(
          async () => (await h.store.getJob(jobId))?.state === "success",
          "the stored job reached its terminal state",
        );
        assert.ok(!(await h.store.listLiveJobs()).some((j) => j.id === jobId));
      } finally {
        await h.close();
      }
    });
  }

  test("[arcp-8.3-durable-before-send] an ARP start whose rows are refused fails instead of answering a run that does not exist", async () => {
    const h = await startHarness({ store: poisonedStore() });
    try {
      const runs = new RunService(h.runtime);
      const body = { root_node_type_ref: { node_type_id: "echo" }, input: { poison: true } };
      await assert.rejects(
        runs.start({ principal: "alice", agent: "echo", input: { poison: true }, body }),
        StoreConstraintError,
      );
      assert.equal((await h.store.listLiveJobs()).length, 0);
      const fine = await runs.start({
        principal: "alice",
        agent: "echo",
        input: { n: 1 },
        body: { ...body, input: { n: 1 } },
      });
      assert.equal(fine.created, true);
      assert.ok((await h.store.getJob(fine.record.id)) !== undefined, "a good run is stored");
    } finally {
      await h.close();
    }
  });
});
