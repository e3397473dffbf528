/** Store contract: job listing (§6.6) — keyset pages, every filter, principal scoping. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JobState } from "../../../src/protocol/job-state.js";
import type { JobQuery, JobRecord, Store } from "../../../src/store/store.js";
import { jobRecord, type WithStore } from "./fixtures.js";

const STATES: JobState[] = ["pending", "running", "success", "error", "cancelled", "timed_out"];
const AGENTS = ["echo@1.0.0", "echo@2.0.0", "slow@1.0.0", "echoes@1.0.0"];

/** `count` jobs over principals, states and agents, with createdAt ties so the id breaks them. */
async function seed(store: Store, count: number): Promise<JobRecord[]> {
  const jobs: JobRecord[] = [];
  for (let i = 0; i < count; i++) {
    const job = jobRecord(`job_${String((i * 7919) % count).padStart(4, "0")}`, {
      principal: i % 3 === 0 ? "bob" : "alice",
      state: STATES[i % STATES.length] as JobState,
      agent: AGENTS[i % AGENTS.length] as string,
      createdAt: 1000 + Math.floor(i / 4),
    });
    await store.createJob(job);
    jobs.push(job);
  }
  return jobs;
}

/** Follow next_cursor to the end, checking that every page but the last is full. */
async function collect(store: Store, query: JobQuery): Promise<{ ids: string[]; pages: number[] }> {
  const ids: string[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listJobs({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.jobs.map((j) => j.id));
    pages.push(page.jobs.length);
    if (page.nextCursor === null) return { ids, pages };
    assert.equal(page.jobs.length, query.limit, "a page before the last is full");
    cursor = page.nextCursor;
  }
}

const ordered = (jobs: JobRecord[]): string[] =>
  [...jobs].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((j) => j.id);

export function listingContract(withStore: WithStore): void {
  test("[arcp-6.6-pagination] 250 jobs by 100: no duplicates, no gaps, null cursor on the last page", () =>
    withStore(async (store) => {
      const jobs = await seed(store, 250);
      const { ids, pages } = await collect(store, { limit: 100 });
      assert.deepEqual(pages, [100, 100, 50]);
      assert.equal(new Set(ids).size, 250);
      assert.deepEqual(ids, ordered(jobs));
    }));

  test("[arcp-6.6-pagination] a listing that exactly fills its page ends with a null cursor", () =>
    withStore(async (store) => {
      await seed(store, 100);
      const page = await store.listJobs({ limit: 100 });
      assert.equal(page.jobs.length, 100);
      assert.equal(page.nextCursor, null);
      const least = await store.listJobs({ limit: 0 });
      assert.equal(least.jobs.length, 1, "a page holds at least one job");
      assert.notEqual(least.nextCursor, null);
      assert.deepEqual(await store.listJobs({ limit: 10, principals: ["nobody"] }), {
        jobs: [],
        nextCursor: null,
      });
    }));

  test("[arcp-6.6-filters] every filter alone and combined returns exactly the matching jobs", () =>
    withStore(async (store) => {
      const jobs = await seed(store, 120);
      const cases: [Omit<JobQuery, "limit">, (j: JobRecord) => boolean][] = [
        [{ states: ["running", "pending"] }, (j) => j.state === "running" || j.state === "pending"],
        [{ agent: "echo@2.0.0" }, (j) => j.agent === "echo@2.0.0"],
        [{ agent: "echo" }, (j) => j.agent.startsWith("echo@")],
        [{ createdAfter: 1010 }, (j) => j.createdAt > 1010],
        [{ createdBefore: 1010 }, (j) => j.createdAt < 1010],
        [
          {
            principals: ["alice"],
            states: ["success"],
            agent: "echo",
            createdAfter: 1002,
            createdBefore: 1025,
          },
          (j) =>
            j.principal === "alice" &&
            j.state === "success" &&
            j.agent.startsWith("echo@") &&
            j.createdAt > 1002 &&
            j.createdAt < 1025,
        ],
      ];
      for (const [filter, expected] of cases) {
        const { ids } = await collect(store, { ...filter, limit: 7 });
        assert.deepEqual(ids, ordered(jobs.filter(expected)), JSON.stringify(filter));
      }
    }));

  test("[arcp-6.6-scope] listing holds exactly the allowed principals' jobs; an empty list allows none", () =>
    withStore(async (store) => {
      const jobs = await seed(store, 60);
      const of = (...ps: string[]) => ordered(jobs.filter((j) => ps.includes(j.principal)));
      assert.deepEqual(
        (await collect(store, { principals: ["alice"], limit: 9 })).ids,
        of("alice"),
      );
      assert.deepEqual((await collect(store, { principals: ["bob"], limit: 9 })).ids, of("bob"));
      assert.deepEqual(
        (await collect(store, { principals: ["alice", "bob"], limit: 9 })).ids,
        of("alice", "bob"),
      );
      assert.deepEqual((await collect(store, { limit: 9 })).ids, ordered(jobs));
      assert.deepEqual(await store.listJobs({ principals: [], limit: 9 }), {
        jobs: [],
        nextCursor: null,
      });
      assert.deepEqual(await store.listJobs({ states: [], limit: 9 }), {
        jobs: [],
        nextCursor: null,
      });
    }));

  test("listed jobs are whole records, equal to getJob", () =>
    withStore(async (store) => {
      await seed(store, 5);
      for (const job of (await store.listJobs({ limit: 10 })).jobs)
        assert.deepEqual(job, await store.getJob(job.id));
    }));

  test("a cursor the store did not issue is rejected with INVALID_REQUEST", () =>
    withStore(async (store) => {
      await seed(store, 3);
      for (const cursor of ["not a cursor", Buffer.from('{"a":1}').toString("base64url"), ""]) {
        await assert.rejects(store.listJobs({ limit: 10, cursor }), { code: "INVALID_REQUEST" });
      }
    }));
}
