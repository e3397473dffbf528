/** Store contract: the event log (§8.3) — atomic group commit, counters, ordered reads, pruning. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EventFrameReader } from "../../../src/store/event-frames.js";
import type { JobRecord, Store } from "../../../src/store/store.js";
import { StoreConstraintError } from "../../../src/store/store-error.js";
import { eventRange, eventRecord, jobRecord, sessionRecord, type WithStore } from "./fixtures.js";

const seqs = (events: { seq: number }[]): number[] => events.map((e) => e.seq);

/** readEventFrames is a proposed port addition; every adapter here must offer it. */
function frameReader(store: Store): EventFrameReader {
  const reader = store as Store & Partial<EventFrameReader>;
  assert.equal(typeof reader.readEventFrames, "function", "the store offers readEventFrames");
  return reader as EventFrameReader;
}

export function eventContract(withStore: WithStore): void {
  test("appended events read back equal, in seq order, after afterSeq and within limit", () =>
    withStore(async (store) => {
      const events = [
        eventRecord("sess_1", 1, { type: "job.event", kind: "log" }),
        eventRecord("sess_1", 2, { jobId: null, ownerEvent: false, kind: "status" }),
        eventRecord("sess_1", 3, { type: "job.result", kind: null }),
      ];
      await store.appendEvents(events);
      assert.deepEqual(await store.readEvents("sess_1", 0, 10), events);
      assert.deepEqual(await store.readEvents("sess_1", 1, 1), [events[1]]);
      assert.deepEqual(await store.readEvents("sess_1", 3, 10), []);
      assert.deepEqual(await store.readEvents("sess_1", 0, 0), []);
      assert.deepEqual(await store.readEvents("sess_other", 0, 10), []);
    }));

  test("[arcp-6.3-replay-after-last-seq] paging through a long log yields every seq once, in order", () =>
    withStore(async (store) => {
      for (let from = 1; from <= 1000; from += 100)
        await store.appendEvents(eventRange("sess_1", from, from + 99));
      const seen: number[] = [];
      for (let after = 0; ; ) {
        const page = await store.readEvents("sess_1", after, 256);
        if (page.length === 0) break;
        seen.push(...seqs(page));
        after = page[page.length - 1]?.seq ?? after;
      }
      assert.deepEqual(
        seen,
        Array.from({ length: 1000 }, (_, i) => i + 1),
      );
    }));

  test("[arcp-8.3-durable-before-send] job transitions given with a batch commit with its events, in order, compare-and-set", () =>
    withStore(async (store) => {
      await store.createJob(jobRecord("job_a", { sessionId: "sess_1", state: "pending" }));
      await store.createJob(jobRecord("job_b", { sessionId: "sess_1", state: "success" }));
      await store.appendEvents(
        [
          eventRecord("sess_1", 1, {
            jobId: "job_a",
            type: "job.result",
            kind: null,
            ownerEvent: true,
          }),
        ],
        {
          transitions: [
            { id: "job_a", from: ["pending"], to: "running", patch: { startedAt: 10 } },
            { id: "job_a", from: ["pending", "running"], to: "success", patch: { endedAt: 20 } },
            { id: "job_b", from: ["pending", "running"], to: "error", patch: { endedAt: 30 } },
            { id: "job_missing", from: ["pending"], to: "running" },
          ],
        },
      );
      const a = await store.getJob("job_a");
      assert.equal(a?.state, "success");
      assert.equal(a?.startedAt, 10);
      assert.equal(a?.endedAt, 20);
      assert.equal(a?.lastEventSeq, 1);
      const b = await store.getJob("job_b");
      assert.equal(b?.state, "success", "a transition from an unexpected state is skipped");
      assert.equal(b?.endedAt, null);
      await store.appendEvents([], {
        transitions: [{ id: "job_b", from: ["success"], to: "error", patch: { errorCode: "X" } }],
      });
      assert.equal(
        (await store.getJob("job_b"))?.errorCode,
        "X",
        "transitions commit without events too",
      );
    }));

  test("new sessions and jobs given with a batch commit with its events, or not at all", () =>
    withStore(async (store) => {
      await store.appendEvents([eventRecord("sess_n", 1, { jobId: "job_n", ownerEvent: true })], {
        sessions: [sessionRecord("sess_n")],
        jobs: [
          jobRecord("job_n", { sessionId: "sess_n", idempotencyKey: "k1", submitDigest: "d" }),
        ],
        transitions: [{ id: "job_n", from: ["pending"], to: "running" }],
      });
      assert.equal((await store.getSession("sess_n"))?.lastSeq, 1);
      const job = await store.getJob("job_n");
      assert.equal(job?.state, "running");
      assert.equal(job?.lastEventSeq, 1);
      assert.equal((await store.findIdempotent(job?.principal as string, "k1"))?.id, "job_n");
      await assert.rejects(
        store.appendEvents([eventRecord("sess_m", 1)], {
          sessions: [sessionRecord("sess_m")],
          jobs: [
            jobRecord("job_m", {
              principal: job?.principal as string,
              idempotencyKey: "k1",
              submitDigest: "d",
            }),
          ],
        }),
        "a colliding job fails the whole batch",
      );
      assert.equal(await store.getSession("sess_m"), undefined);
      assert.equal(await store.getJob("job_m"), undefined);
      assert.deepEqual(await store.readEvents("sess_m", 0, 10), []);
    }));

  test("[arcp-8.3-durable-before-send] a batch refused for a taken seq writes none of its sessions, jobs or transitions", () =>
    withStore(async (store) => {
      await store.createJob(jobRecord("job_old", { sessionId: "sess_1", state: "running" }));
      await store.appendEvents([eventRecord("sess_1", 1, { jobId: "job_old" })]);
      await assert.rejects(
        store.appendEvents([eventRecord("sess_1", 2), eventRecord("sess_1", 1)], {
          sessions: [sessionRecord("sess_new")],
          jobs: [jobRecord("job_new", { sessionId: "sess_new", idempotencyKey: "k" })],
          transitions: [{ id: "job_old", from: ["running"], to: "success" }],
        }),
        StoreConstraintError,
      );
      assert.equal(await store.getSession("sess_new"), undefined);
      assert.equal(await store.getJob("job_new"), undefined);
      assert.equal(await store.findIdempotent("alice", "k"), undefined);
      assert.equal((await store.getJob("job_old"))?.state, "running");
      assert.deepEqual(seqs(await store.readEvents("sess_1", 0, 10)), [1]);
    }));

  test("[arcp-7.2-durable-keys] two jobs with one idempotency key, run id or id in one batch are refused whole", () =>
    withStore(async (store) => {
      const pairs: [Partial<JobRecord>, Partial<JobRecord>][] = [
        [{ idempotencyKey: "k" }, { idempotencyKey: "k" }],
        [{ runId: "run-1" }, { runId: "run-1" }],
        [{}, {}],
      ];
      for (const [i, [first, second]] of pairs.entries()) {
        const a = jobRecord(`job_${i}_a`, first);
        const b = jobRecord(i === 2 ? `job_${i}_a` : `job_${i}_b`, second);
        await assert.rejects(store.appendEvents([], { jobs: [a, b] }), StoreConstraintError);
        assert.equal(await store.getJob(`job_${i}_a`), undefined);
        assert.equal(await store.getJob(`job_${i}_b`), undefined);
      }
      assert.equal(await store.findIdempotent("alice", "k"), undefined);
      assert.equal(await store.getJobByRunId("alice", "run-1"), undefined);
      await assert.rejects(
        store.appendEvents([], { sessions: [sessionRecord("sess_x"), sessionRecord("sess_x")] }),
        StoreConstraintError,
      );
      assert.equal(await store.getSession("sess_x"), undefined);
      await store.appendEvents([], {
        jobs: [
          jobRecord("job_k1", { idempotencyKey: "k" }),
          jobRecord("job_k2", { principal: "bob", idempotencyKey: "k" }),
        ],
      });
      assert.equal((await store.findIdempotent("bob", "k"))?.id, "job_k2");
    }));

  test("a batch may span sessions and arrive out of order; reads are still ascending", () =>
    withStore(async (store) => {
      await store.appendEvents([
        eventRecord("sess_2", 2),
        eventRecord("sess_1", 3),
        eventRecord("sess_2", 1),
      ]);
      await store.appendEvents([eventRecord("sess_1", 1)]);
      assert.deepEqual(seqs(await store.readEvents("sess_1", 0, 10)), [1, 3]);
      assert.deepEqual(seqs(await store.readEvents("sess_2", 0, 10)), [1, 2]);
      await store.appendEvents([]);
    }));

  test("[arcp-8.3-durable-before-send] appendEvents raises session lastSeq and the owning job's lastEventSeq", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_1"));
      await store.createSession(sessionRecord("sess_sub"));
      await store.createJob(jobRecord("job_1", { sessionId: "sess_1" }));
      await store.appendEvents([
        ...eventRange("sess_1", 1, 4, "job_1"),
        eventRecord("sess_1", 5, { jobId: "job_2" }),
      ]);
      // A subscriber's copy is not the job's own history and must not move its counter.
      await store.appendEvents([eventRecord("sess_sub", 9, { jobId: "job_1", ownerEvent: false })]);
      assert.equal((await store.getSession("sess_1"))?.lastSeq, 5);
      assert.equal((await store.getSession("sess_sub"))?.lastSeq, 9);
      assert.equal((await store.getJob("job_1"))?.lastEventSeq, 4);
      await store.appendEvents([eventRecord("sess_1", 0, { jobId: "job_1" })]);
      assert.equal(
        (await store.getSession("sess_1"))?.lastSeq,
        5,
        "a lower seq does not lower lastSeq",
      );
      assert.equal((await store.getJob("job_1"))?.lastEventSeq, 4);
    }));

  test("a batch with a seq already taken is rejected whole: nothing of it is stored", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_1"));
      await store.createJob(jobRecord("job_1"));
      await store.appendEvents(eventRange("sess_1", 1, 3));
      await assert.rejects(
        store.appendEvents([...eventRange("sess_1", 4, 40), eventRecord("sess_1", 2)]),
      );
      await assert.rejects(
        store.appendEvents([eventRecord("sess_1", 5), eventRecord("sess_1", 5)]),
      );
      assert.deepEqual(seqs(await store.readEvents("sess_1", 0, 100)), [1, 2, 3]);
      assert.equal((await store.getSession("sess_1"))?.lastSeq, 3);
      assert.equal((await store.getJob("job_1"))?.lastEventSeq, 3);
    }));

  test("readJobEvents returns only the job's own events, ascending, after afterSeq and within limit", () =>
    withStore(async (store) => {
      await store.appendEvents([
        ...eventRange("sess_1", 1, 3, "job_1"),
        eventRecord("sess_1", 4, { jobId: "job_2" }),
        eventRecord("sess_1", 5, { jobId: "job_1", type: "job.result", kind: null }),
        eventRecord("sess_sub", 1, { jobId: "job_1", ownerEvent: false }),
      ]);
      const history = await store.readJobEvents("job_1", 0, 10);
      assert.deepEqual(seqs(history), [1, 2, 3, 5]);
      assert.ok(
        history.every((e) => e.sessionId === "sess_1" && e.ownerEvent && e.jobId === "job_1"),
      );
      assert.deepEqual(
        history[3],
        eventRecord("sess_1", 5, { jobId: "job_1", type: "job.result", kind: null }),
      );
      assert.deepEqual(seqs(await store.readJobEvents("job_1", 2, 2)), [3, 5]);
      assert.deepEqual(await store.readJobEvents("job_1", 0, 0), []);
      assert.deepEqual(await store.readJobEvents("job_none", 0, 10), []);
    }));

  test("[arcp-6.5-free-acked] pruneEvents drops a prefix and firstRetainedSeq follows it", () =>
    withStore(async (store) => {
      assert.equal(await store.firstRetainedSeq("sess_1"), null);
      await store.appendEvents(eventRange("sess_1", 1, 10));
      await store.appendEvents(eventRange("sess_2", 1, 3, "job_2"));
      assert.equal(await store.firstRetainedSeq("sess_1"), 1);
      assert.equal(await store.pruneEvents("sess_1", 4), 4);
      assert.equal(await store.firstRetainedSeq("sess_1"), 5);
      assert.deepEqual(seqs(await store.readEvents("sess_1", 0, 100)), [5, 6, 7, 8, 9, 10]);
      assert.deepEqual(seqs(await store.readJobEvents("job_1", 0, 100)), [5, 6, 7, 8, 9, 10]);
      assert.equal(await store.pruneEvents("sess_1", 4), 0);
      assert.equal(await store.pruneEvents("sess_1", 100), 6);
      assert.equal(await store.firstRetainedSeq("sess_1"), null);
      assert.equal(await store.firstRetainedSeq("sess_2"), 1);
      assert.equal(await store.pruneEvents("sess_none", 5), 0);
    }));

  test("[arcp-6.5-free-acked] [arcp-6.6-terminal-retention] pruneEvents stops before the first own event of a job that still has a row", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_1"));
      await store.createJob(jobRecord("job_kept", { state: "success", endedAt: 5 }));
      await store.appendEvents([
        ...eventRange("sess_1", 1, 3, "job_pruned"),
        eventRecord("sess_1", 4, { jobId: "job_kept", ownerEvent: false }),
        eventRecord("sess_1", 5, { jobId: null, ownerEvent: false }),
        ...eventRange("sess_1", 6, 7, "job_kept"),
        ...eventRange("sess_1", 8, 9, "job_pruned"),
      ]);
      assert.equal(await store.pruneEvents("sess_1", 9), 5);
      assert.equal(await store.firstRetainedSeq("sess_1"), 6);
      assert.deepEqual(seqs(await store.readEvents("sess_1", 0, 10)), [6, 7, 8, 9]);
      assert.deepEqual(seqs(await store.readJobEvents("job_kept", 0, 10)), [6, 7]);
      assert.equal(await store.pruneEvents("sess_1", 9), 0, "nothing more while the job is kept");
      await store.pruneJobs(10);
      assert.equal(await store.pruneEvents("sess_1", 8), 3);
      assert.deepEqual(seqs(await store.readEvents("sess_1", 0, 10)), [9]);
    }));

  test("[arcp-6.3-replay-after-last-seq] readEventFrames pages the same frames as readEvents", () =>
    withStore(async (store) => {
      const reader = frameReader(store);
      await store.appendEvents([
        ...eventRange("sess_1", 1, 5),
        ...eventRange("sess_1", 8, 12),
        eventRecord("sess_2", 6),
      ]);
      assert.deepEqual(await reader.readEventFrames("sess_1", 0, 3), {
        frames: eventRange("sess_1", 1, 3).map((e) => e.frame),
        lastSeq: 3,
      });
      assert.deepEqual(await reader.readEventFrames("sess_1", 4, 4), {
        frames: [...eventRange("sess_1", 5, 5), ...eventRange("sess_1", 8, 10)].map((e) => e.frame),
        lastSeq: 10,
      });
      assert.deepEqual(await reader.readEventFrames("sess_1", 12, 10), { frames: [], lastSeq: 12 });
      assert.deepEqual(await reader.readEventFrames("sess_1", 0, 0), { frames: [], lastSeq: 0 });
      assert.deepEqual(await reader.readEventFrames("sess_none", 7, 10), {
        frames: [],
        lastSeq: 7,
      });
    }));

  test("event records handed in or out are copies", () =>
    withStore(async (store) => {
      const event = eventRecord("sess_1", 1);
      await store.appendEvents([event]);
      event.frame = "mutated";
      const [read] = await store.readEvents("sess_1", 0, 1);
      assert.ok(read);
      read.frame = "mutated";
      assert.deepEqual(await store.readEvents("sess_1", 0, 1), [eventRecord("sess_1", 1)]);
    }));
}
