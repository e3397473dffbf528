/**
 * A group commit the store refuses for its content (§8.3, DESIGN-14): the refused session is
 * failed clearly and everybody else's delivery goes on, instead of the writer retrying forever.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { eventRecord } from "../../contract/store/fixtures.js";
import { startHarness } from "../../support/runtime-harness.js";

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
        const fresh = h.connect();
        await fresh.client.hello({ token: "tok-alice" });
        const later = await fresh.client.submit({ agent: "echo", input: { n: 3 } });
        assert.equal((await fresh.client.terminal(later.job_id as string)).type, "job.result");
      } finally {
        await h.close();
      }
    });
  }
});
