/** SQLite's event keys (rowid = session key << 32 | seq): seq bounds, key isolation, restart. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { JobTransition } from "../../../src/store/store.js";
import { StoreConstraintError } from "../../../src/store/store-error.js";
import {
  eventRange,
  eventRecord,
  jobRecord,
  sessionRecord,
} from "../../contract/store/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "runplane-keys-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `keys-${++n}.db`);
const TOP = 2 ** 32 - 1;

async function withStore(body: (store: SqliteStore) => Promise<void>): Promise<void> {
  const store = openSqliteStore({ path: ":memory:" });
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

describe("SQLite event keys", () => {
  test("seqs 0 … 2^32−1 are stored per session, and neighbouring sessions never mix", () =>
    withStore(async (store) => {
      await store.appendEvents([eventRecord("sess_a", 0), eventRecord("sess_a", TOP)]);
      await store.appendEvents([eventRecord("sess_b", 0), eventRecord("sess_b", 1)]);
      const seqsOf = async (id: string, after: number): Promise<number[]> =>
        (await store.readEvents(id, after, 10)).map((e) => e.seq);
      assert.deepEqual(await seqsOf("sess_a", -5), [0, TOP]);
      assert.deepEqual(await seqsOf("sess_a", 0.5), [TOP]);
      assert.deepEqual(await seqsOf("sess_a", TOP), []);
      assert.deepEqual(await seqsOf("sess_a", 2 ** 40), []);
      assert.deepEqual(await seqsOf("sess_b", -1), [0, 1]);
      assert.equal((await store.readEventFrames("sess_a", 0, 10)).lastSeq, TOP);
      assert.deepEqual(await store.readEventFrames("sess_a", 2.5, 0), { frames: [], lastSeq: 2.5 });
      assert.equal(await store.firstRetainedSeq("sess_b"), 0);
      assert.equal(await store.pruneEvents("sess_a", -1), 0);
      assert.equal(await store.pruneEvents("sess_a", 2 ** 40), 2);
      assert.deepEqual(await seqsOf("sess_b", -1), [0, 1]);
    }));

  test("a seq outside 0 … 2^32−1 rejects its whole batch", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_1"));
      for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) {
        await assert.rejects(
          store.appendEvents([eventRecord("sess_1", 1), eventRecord("sess_1", bad)]),
          (error: unknown) =>
            error instanceof StoreConstraintError && error.cause instanceof RangeError,
        );
      }
      assert.deepEqual(await store.readEvents("sess_1", -1, 10), []);
      assert.equal((await store.getSession("sess_1"))?.lastSeq, 0);
    }));

  test("a key handed out in a batch that rolled back is never shared with another session", () =>
    withStore(async (store) => {
      await assert.rejects(
        store.appendEvents([eventRecord("sess_new", 1), eventRecord("sess_new", 1)]),
      );
      await store.appendEvents([eventRecord("sess_other", 1)]);
      await store.appendEvents([eventRecord("sess_new", 2)]);
      assert.deepEqual(await store.readEvents("sess_other", 0, 10), [eventRecord("sess_other", 1)]);
      assert.deepEqual(await store.readEvents("sess_new", 0, 10), [eventRecord("sess_new", 2)]);
    }));

  test("a key allocated by a batch whose outer transaction then fails is not cached, so no two sessions share a key range", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_a"));
      await store.createSession(sessionRecord("sess_b", { principal: "bob" }));
      await store.createJob(jobRecord("job_a", { sessionId: "sess_a" }));
      // The events (and sess_a's first key) go in, then a transition the schema refuses rolls
      // the whole batch back, the key included.
      const refused = { id: "job_a", from: ["pending"], to: "bogus" } as unknown as JobTransition;
      await assert.rejects(
        store.appendEvents([eventRecord("sess_a", 1, { jobId: "job_a" })], {
          transitions: [refused],
        }),
        StoreConstraintError,
      );
      // bob's first event is handed the integer the rolled-back allocation had.
      await store.appendEvents([eventRecord("sess_b", 1, { jobId: null, ownerEvent: false })]);
      await store.appendEvents([eventRecord("sess_a", 1, { jobId: "job_a" })]);
      await store.appendEvents([eventRecord("sess_a", 2, { jobId: "job_a" })]);
      assert.deepEqual(await store.readEvents("sess_b", 0, 10), [
        eventRecord("sess_b", 1, { jobId: null, ownerEvent: false }),
      ]);
      assert.deepEqual(
        (await store.readEvents("sess_a", 0, 10)).map((e) => [e.sessionId, e.seq]),
        [
          ["sess_a", 1],
          ["sess_a", 2],
        ],
      );
      assert.equal((await store.getJob("job_a"))?.state, "pending");
    }));

  test("[arcp-6.3-durable-resume] keys, a pruned job's retained history and the job bounds survive a restart", async () => {
    const path = freshPath();
    const first = openSqliteStore({ path });
    await first.createSession(sessionRecord("sess_1"));
    await first.createJob(jobRecord("job_done", { state: "success", endedAt: 1 }));
    await first.createJob(jobRecord("job_live", { state: "running" }));
    await first.appendEvents([
      ...eventRange("sess_1", 1, 3, "job_done"),
      ...eventRange("sess_1", 4, 6, "job_live"),
    ]);
    await first.pruneJobs(10);
    await first.close();
    const second = openSqliteStore({ path });
    try {
      assert.deepEqual(
        await second.readJobEvents("job_done", 0, 10),
        eventRange("sess_1", 1, 3, "job_done"),
      );
      await second.appendEvents([eventRecord("sess_1", 7, { jobId: "job_live" })]);
      assert.deepEqual(
        (await second.readJobEvents("job_live", 0, 10)).map((e) => e.seq),
        [4, 5, 6, 7],
      );
      assert.equal((await second.getSession("sess_1"))?.lastSeq, 7);
      assert.deepEqual(
        (await second.readEvents("sess_1", 5, 10)).map((e) => e.seq),
        [6, 7],
      );
    } finally {
      await second.close();
    }
  });
});
