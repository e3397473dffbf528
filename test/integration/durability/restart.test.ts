/**
 * What a restart does with what the dead process left in the store (§6.3, §12, DESIGN-14):
 * sessions it had attached start their resume window, and each interrupted job ends with its
 * terminal event and its state committed together.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hashResumeToken, newResumeToken } from "../../../src/runtime/session/resume-token.js";
import { createMemoryStore } from "../../../src/store/memory/memory-store.js";
import type { Store } from "../../../src/store/store.js";
import { eventRange, jobRecord, sessionRecord } from "../../contract/store/fixtures.js";
import { FakeClock, startHarness } from "../../support/runtime-harness.js";

const TERMINALS = new Set(["job.result", "job.error"]);

/** A session the dead process had attached, with one running job two events in. */
async function leftovers(store: Store, token: string): Promise<void> {
  await store.createSession(
    sessionRecord("sess_dead", { resumeTokenHash: hashResumeToken(token), detachedAt: null }),
  );
  await store.createJob(jobRecord("job_dead", { sessionId: "sess_dead", state: "running" }));
  await store.appendEvents(eventRange("sess_dead", 1, 2, "job_dead"));
}

/**
 * Watches every write: a job recorded terminal must have its terminal event in its log at that
 * moment, or a crash right then would leave an ended job whose session never learns how.
 */
function watchTerminals(store: Store, violations: string[]): Store {
  const check = async (): Promise<void> => {
    const job = await store.getJob("job_dead");
    if (job === undefined || job.state === "running" || job.state === "pending") return;
    const [last] = await store.readJobEvents(job.id, job.lastEventSeq - 1, 1);
    if (last === undefined || !TERMINALS.has(last.type))
      violations.push(`${job.id} is ${job.state} without a terminal event`);
  };
  const writes = new Set(["appendEvents", "transitionJob", "updateJob"]);
  return new Proxy(store, {
    get: (target, prop) => {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== "function") return value;
      const bound = value.bind(target) as (...args: unknown[]) => unknown;
      if (typeof prop !== "string" || !writes.has(prop)) return bound;
      return async (...args: unknown[]) => {
        const out = await bound(...args);
        await check();
        return out;
      };
    },
  });
}

describe("restart after a crash", () => {
  test("[arcp-12-crash-recovery] [arcp-8.3-durable-before-send] an interrupted job's INTERNAL_ERROR terminal and its error state are durable together", async () => {
    const memory = createMemoryStore();
    await leftovers(memory, newResumeToken());
    const violations: string[] = [];
    const h = await startHarness({ store: watchTerminals(memory, violations) });
    try {
      const job = await memory.getJob("job_dead");
      assert.equal(job?.state, "error");
      assert.equal(job?.errorCode, "INTERNAL_ERROR");
      assert.equal(job?.lastEventSeq, 3);
      const [terminal] = await memory.readJobEvents("job_dead", 2, 10);
      assert.equal(terminal?.type, "job.error");
      assert.match(terminal?.frame ?? "", /"code":"INTERNAL_ERROR"/);
      assert.deepEqual(violations, []);
    } finally {
      await h.close();
    }
  });

  test("[arcp-6.3-window-expired] a session attached when the process died gets a resume window from the restart, then expires", async () => {
    const memory = createMemoryStore();
    const token = newResumeToken();
    await leftovers(memory, token);
    const clock = new FakeClock();
    const config = { resumeWindowSec: 60, jobRetentionSec: 60 };
    const h = await startHarness({ store: memory, clock, config });
    try {
      assert.equal((await memory.getSession("sess_dead"))?.detachedAt, clock.now());
      clock.advance(10 * 24 * 3600 * 1000);
      const late = h.connect();
      await assert.rejects(
        late.client.hello({
          token: "tok-alice",
          resume: { session_id: "sess_dead", resume_token: token, last_event_seq: 2 },
        }),
        /RESUME_WINDOW_EXPIRED/,
      );
      await h.runtime.sweep();
      assert.equal(await memory.getSession("sess_dead"), undefined, "the expiry sweep took it");
    } finally {
      await h.close();
    }
  });
});
