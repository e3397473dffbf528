/**
 * A job's own history through pruning, session deletion and unusual append orders, on the
 * memory store and on SQLite (which reads it from the owning session's rowid range).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createMemoryStore } from "../../../src/store/memory/memory-store.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { EventRecord, Store } from "../../../src/store/store.js";
import {
  eventRange,
  eventRecord,
  jobRecord,
  sessionRecord,
} from "../../contract/store/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "runplane-history-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const adapters: [string, () => Store][] = [
  ["memory", () => createMemoryStore()],
  ["sqlite file", () => openSqliteStore({ path: join(dir, `history-${++files}.db`) })],
];

const seqs = (events: EventRecord[]): number[] => events.map((e) => e.seq);

/** Every page of a job's history, `limit` at a time. */
async function pages(store: Store, jobId: string, limit: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let after = 0; ; ) {
    const page = await store.readJobEvents(jobId, after, limit);
    if (page.length === 0) return out;
    out.push(seqs(page));
    after = page[page.length - 1]?.seq ?? after;
  }
}

for (const [name, open] of adapters) {
  describe(`job history on ${name}`, () => {
    const withStore = async (body: (store: Store) => Promise<void>): Promise<void> => {
      const store = open();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    };

    test("[arcp-6.7-jobs-outlive-session] a pruned job's history stays readable while its session lives, and goes with it", () =>
      withStore(async (store) => {
        await store.createSession(sessionRecord("sess_1"));
        await store.createJob(jobRecord("job_1", { state: "success", endedAt: 1 }));
        await store.appendEvents([
          ...eventRange("sess_1", 1, 3, "job_1"),
          eventRecord("sess_1", 4, { jobId: "job_2" }),
        ]);
        assert.equal(await store.pruneJobs(10), 1);
        assert.deepEqual(await store.readJobEvents("job_1", 0, 10), eventRange("sess_1", 1, 3));
        assert.deepEqual(seqs(await store.readJobEvents("job_1", 1, 1)), [2]);
        await store.deleteSession("sess_1");
        assert.deepEqual(await store.readJobEvents("job_1", 0, 10), []);
        assert.deepEqual(await store.readEvents("sess_1", 0, 10), []);
        assert.equal(await store.firstRetainedSeq("sess_1"), null);
      }));

    test("[arcp-6.7-jobs-outlive-session] a deleted session keeps a live job's history until the job is pruned; its seqs can start over", () =>
      withStore(async (store) => {
        await store.createSession(sessionRecord("sess_1"));
        await store.createJob(jobRecord("job_1", { state: "running" }));
        await store.appendEvents([
          ...eventRange("sess_1", 1, 3, "job_1"),
          eventRecord("sess_1", 4, { jobId: null, ownerEvent: false }),
        ]);
        await store.deleteSession("sess_1");
        assert.deepEqual(seqs(await store.readEvents("sess_1", 0, 10)), [1, 2, 3]);
        assert.deepEqual(await store.readJobEvents("job_1", 0, 10), eventRange("sess_1", 1, 3));
        await store.transitionJob("job_1", ["running"], "success", { endedAt: 1 });
        assert.equal(await store.pruneJobs(10), 1);
        assert.deepEqual(await store.readJobEvents("job_1", 0, 10), []);
        assert.equal(await store.firstRetainedSeq("sess_1"), null);
        await store.appendEvents([eventRecord("sess_1", 1, { jobId: "job_9" })]);
        assert.deepEqual(await store.readEvents("sess_1", 0, 10), [
          eventRecord("sess_1", 1, { jobId: "job_9" }),
        ]);
        assert.deepEqual(seqs(await store.readJobEvents("job_9", 0, 10)), [1]);
      }));

    test("events appended before the job row existed are part of its history", () =>
      withStore(async (store) => {
        await store.appendEvents(eventRange("sess_1", 1, 2, "job_1"));
        await store.createJob(jobRecord("job_1"));
        await store.appendEvents(eventRange("sess_1", 3, 4, "job_1"));
        assert.deepEqual(await pages(store, "job_1", 3), [[1, 2, 3], [4]]);
        assert.deepEqual(seqs(await store.readJobEvents("job_1", 2, 10)), [3, 4]);
        assert.equal((await store.getJob("job_1"))?.lastEventSeq, 4);
      }));

    test("interleaved jobs in one session page through exactly their own events", () =>
      withStore(async (store) => {
        await store.createJob(jobRecord("job_a"));
        await store.createJob(jobRecord("job_b"));
        const log = Array.from({ length: 40 }, (_, i) =>
          eventRecord("sess_1", i + 1, { jobId: i % 3 === 0 ? "job_b" : "job_a" }),
        );
        await store.appendEvents(log.slice(0, 25));
        await store.appendEvents(log.slice(25));
        const own = (jobId: string): number[] =>
          log.filter((e) => e.jobId === jobId).map((e) => e.seq);
        assert.deepEqual((await pages(store, "job_a", 7)).flat(), own("job_a"));
        assert.deepEqual((await pages(store, "job_b", 4)).flat(), own("job_b"));
        assert.deepEqual(seqs(await store.readJobEvents("job_b", 37, 10)), [40]);
        assert.deepEqual(await store.readJobEvents("job_b", 40, 10), []);
      }));

    test("own events filed in a session the job row does not name are still its history, in seq order", () =>
      withStore(async (store) => {
        await store.createJob(jobRecord("job_1", { sessionId: "sess_1" }));
        await store.appendEvents([
          ...eventRange("sess_1", 1, 2, "job_1"),
          eventRecord("sess_x", 5),
        ]);
        await store.appendEvents([eventRecord("sess_1", 6)]);
        const history = await store.readJobEvents("job_1", 0, 10);
        assert.deepEqual(
          history.map((e) => [e.sessionId, e.seq]),
          [
            ["sess_1", 1],
            ["sess_1", 2],
            ["sess_x", 5],
            ["sess_1", 6],
          ],
        );
        assert.deepEqual(seqs(await store.readJobEvents("job_1", 1, 2)), [2, 5]);
      }));

    test("a pruned job whose session never had a row loses its history, and other jobs keep theirs", () =>
      withStore(async (store) => {
        await store.createJob(jobRecord("job_1", { state: "error", endedAt: 1 }));
        await store.createJob(jobRecord("job_2", { state: "running" }));
        await store.appendEvents([
          ...eventRange("sess_1", 1, 2, "job_1"),
          ...eventRange("sess_1", 3, 4, "job_2"),
        ]);
        assert.equal(await store.pruneJobs(10), 1);
        assert.deepEqual(await store.readJobEvents("job_1", 0, 10), []);
        assert.deepEqual(seqs(await store.readEvents("sess_1", 0, 10)), [3, 4]);
        assert.deepEqual(seqs(await store.readJobEvents("job_2", 0, 10)), [3, 4]);
        assert.equal(await store.firstRetainedSeq("sess_1"), 3);
      }));
  });
}
