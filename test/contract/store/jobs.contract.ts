/** Store contract: jobs (§7) — idempotent create, compare-and-set transitions, patches, pruning. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  credentialRecord,
  eventRange,
  jobRecord,
  sessionRecord,
  type WithStore,
} from "./fixtures.js";

export function jobContract(withStore: WithStore): void {
  test("a created job reads back equal, JSON values and decimal budgets exact", () =>
    withStore(async (store) => {
      const job = jobRecord("job_1", {
        runId: "run-1",
        runContext: { tenant: "t1", tags: ["a"] },
        idempotencyKey: "k1",
        submitDigest: "d".repeat(64),
        parentJobId: "job_0",
        delegateId: "del_1",
      });
      assert.deepEqual(await store.createJob(job), { created: true });
      assert.deepEqual(await store.getJob("job_1"), job);
      assert.equal(await store.getJob("job_missing"), undefined);
    }));

  test("[arcp-7.2-durable-keys] a reused idempotency key returns the existing job and writes nothing", () =>
    withStore(async (store) => {
      const first = jobRecord("job_1", { idempotencyKey: "k1", submitDigest: "d1" });
      await store.createJob(first);
      const again = await store.createJob(
        jobRecord("job_2", { idempotencyKey: "k1", submitDigest: "d2" }),
      );
      assert.deepEqual(again, { created: false, existing: first });
      assert.equal(await store.getJob("job_2"), undefined);
      assert.deepEqual(await store.findIdempotent("alice", "k1"), first);
    }));

  test("[arcp-7.2-durable-keys] idempotency keys are scoped to the principal", () =>
    withStore(async (store) => {
      await store.createJob(jobRecord("job_1", { idempotencyKey: "k1" }));
      const bob = jobRecord("job_2", { idempotencyKey: "k1", principal: "bob" });
      assert.deepEqual(await store.createJob(bob), { created: true });
      assert.equal((await store.findIdempotent("bob", "k1"))?.id, "job_2");
      assert.equal((await store.findIdempotent("alice", "k1"))?.id, "job_1");
      assert.equal(await store.findIdempotent("carol", "k1"), undefined);
    }));

  test("an ARP run id is unique per principal and found by getJobByRunId", () =>
    withStore(async (store) => {
      const first = jobRecord("job_1", { runId: "run-1" });
      await store.createJob(first);
      assert.deepEqual(await store.createJob(jobRecord("job_2", { runId: "run-1" })), {
        created: false,
        existing: first,
      });
      await store.createJob(jobRecord("job_3", { runId: "run-1", principal: "bob" }));
      assert.equal((await store.getJobByRunId("alice", "run-1"))?.id, "job_1");
      assert.equal((await store.getJobByRunId("bob", "run-1"))?.id, "job_3");
      assert.equal(await store.getJobByRunId("alice", "run-2"), undefined);
    }));

  test("creating a job with an existing id and no key is rejected", () =>
    withStore(async (store) => {
      await store.createJob(jobRecord("job_1"));
      await assert.rejects(store.createJob(jobRecord("job_1", { agent: "other@1" })));
      assert.equal((await store.getJob("job_1"))?.agent, "echo@1.0.0");
    }));

  test("transitionJob moves from an expected state, applies the patch and returns the record", () =>
    withStore(async (store) => {
      await store.createJob(jobRecord("job_1"));
      const running = await store.transitionJob("job_1", ["pending"], "running", { startedAt: 10 });
      assert.equal(running?.state, "running");
      assert.equal(running?.startedAt, 10);
      const ended = await store.transitionJob("job_1", ["pending", "running"], "error", {
        endedAt: 20,
        errorCode: "INTERNAL_ERROR",
        budget: null,
      });
      assert.deepEqual(ended, await store.getJob("job_1"));
      assert.deepEqual(
        [ended?.state, ended?.startedAt, ended?.endedAt, ended?.errorCode, ended?.budget],
        ["error", 10, 20, "INTERNAL_ERROR", null],
      );
    }));

  test("transitionJob fails identically on a wrong prior state and on a missing job, changing nothing", () =>
    withStore(async (store) => {
      await store.createJob(jobRecord("job_1", { state: "success", endedAt: 5 }));
      const before = await store.getJob("job_1");
      const patch = { endedAt: 99, errorCode: "CANCELLED" };
      assert.equal(
        await store.transitionJob("job_1", ["pending", "running"], "cancelled", patch),
        undefined,
      );
      assert.equal(
        await store.transitionJob("job_missing", ["pending", "running"], "cancelled", patch),
        undefined,
      );
      assert.equal(await store.transitionJob("job_1", [], "cancelled", patch), undefined);
      assert.deepEqual(await store.getJob("job_1"), before);
      assert.equal(await store.getJob("job_missing"), undefined);
    }));

  test("updateJob changes only the fields given; an unknown job is ignored", () =>
    withStore(async (store) => {
      await store.createJob(jobRecord("job_1", { state: "running", startedAt: 3 }));
      await store.updateJob("job_1", {
        budget: { USD: "999999999999999999999" },
        lastEventSeq: 12,
      });
      const job = await store.getJob("job_1");
      assert.deepEqual(job, {
        ...jobRecord("job_1", { state: "running", startedAt: 3 }),
        budget: { USD: "999999999999999999999" },
        lastEventSeq: 12,
      });
      await store.updateJob("job_missing", { lastEventSeq: 1 });
      assert.equal(await store.getJob("job_missing"), undefined);
    }));

  test("listLiveJobs returns exactly the pending and running jobs, oldest first", () =>
    withStore(async (store) => {
      await store.createJob(jobRecord("job_b", { state: "running", createdAt: 2 }));
      await store.createJob(jobRecord("job_a", { state: "pending", createdAt: 2 }));
      await store.createJob(jobRecord("job_c", { state: "pending", createdAt: 1 }));
      for (const [i, state] of (
        ["success", "error", "cancelled", "timed_out"] as const
      ).entries()) {
        await store.createJob(jobRecord(`job_t${i}`, { state, createdAt: 0, endedAt: 1 }));
      }
      assert.deepEqual(
        (await store.listLiveJobs()).map((j) => j.id),
        ["job_c", "job_a", "job_b"],
      );
    }));

  test("[arcp-6.6-terminal-retention] pruneJobs removes only terminal jobs that ended before the cutoff", () =>
    withStore(async (store) => {
      await store.createJob(
        jobRecord("job_old_done", { state: "success", endedAt: 50, idempotencyKey: "k" }),
      );
      await store.createJob(jobRecord("job_old_error", { state: "error", endedAt: 99 }));
      await store.createJob(jobRecord("job_at_cutoff", { state: "cancelled", endedAt: 100 }));
      await store.createJob(jobRecord("job_recent", { state: "timed_out", endedAt: 150 }));
      await store.createJob(
        jobRecord("job_running", { state: "running", createdAt: 0, endedAt: 10 }),
      );
      await store.createJob(jobRecord("job_pending", { state: "pending", createdAt: 0 }));
      await store.createJob(jobRecord("job_no_end", { state: "success", endedAt: null }));
      assert.equal(await store.pruneJobs(100), 2);
      assert.equal(await store.getJob("job_old_done"), undefined);
      assert.equal(await store.getJob("job_old_error"), undefined);
      assert.equal(await store.findIdempotent("alice", "k"), undefined);
      for (const id of [
        "job_at_cutoff",
        "job_recent",
        "job_running",
        "job_pending",
        "job_no_end",
      ]) {
        assert.ok(await store.getJob(id), id);
      }
      assert.equal(await store.pruneJobs(100), 0);
    }));

  test("pruning a job drops its revoked ledger rows and, once its session is gone, its history", () =>
    withStore(async (store) => {
      await store.createSession(sessionRecord("sess_live"));
      await store.createJob(
        jobRecord("job_1", { sessionId: "sess_gone", state: "success", endedAt: 1 }),
      );
      await store.createJob(
        jobRecord("job_2", { sessionId: "sess_live", state: "success", endedAt: 1 }),
      );
      await store.appendEvents([
        ...eventRange("sess_gone", 1, 3, "job_1"),
        ...eventRange("sess_live", 1, 2, "job_2"),
      ]);
      await store.recordCredential(
        credentialRecord("cred_revoked", { state: "revoked", revokedAt: 1 }),
      );
      await store.recordCredential(credentialRecord("cred_failed", { state: "failed" }));
      await store.recordCredential(credentialRecord("cred_revoking", { state: "revoking" }));
      assert.equal(await store.pruneJobs(10), 2);
      assert.deepEqual(await store.readEvents("sess_gone", 0, 10), []);
      assert.equal(await store.firstRetainedSeq("sess_gone"), null);
      assert.deepEqual(
        (await store.readEvents("sess_live", 0, 10)).map((e) => e.seq),
        [1, 2],
      );
      assert.deepEqual(
        (await store.listCredentialsForJob("job_1")).map((c) => c.id),
        ["cred_failed", "cred_revoking"],
      );
    }));

  test("job records handed in or out are copies", () =>
    withStore(async (store) => {
      const job = jobRecord("job_1");
      await store.createJob(job);
      (job.input as { text: string }).text = "mutated";
      job.lease["tool.call"]?.push("mutated");
      const read = await store.getJob("job_1");
      assert.ok(read);
      (read.budget as Record<string, string>).USD = "0";
      assert.deepEqual(await store.getJob("job_1"), jobRecord("job_1"));
    }));
}
