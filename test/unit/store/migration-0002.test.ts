/** Migration 0002 on a database that 0001 created and filled: nothing is lost, and the log continues. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Sqlite from "better-sqlite3";
import { SQLITE_MIGRATIONS } from "../../../src/store/migrations/index.js";
import { migrate } from "../../../src/store/sqlite/migrate.js";
import { credentialParams, jobParams, sessionParams } from "../../../src/store/sqlite/rows.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { EventRecord } from "../../../src/store/store.js";
import {
  auditRecord,
  credentialRecord,
  eventRange,
  eventRecord,
  jobRecord,
  sessionRecord,
} from "../../contract/store/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "runplane-migrate-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `v1-${++n}.db`);

const sessions = [
  sessionRecord("sess_1", { detachedAt: 42, lastSeq: 6, ackedSeq: 2 }),
  sessionRecord("sess_sub", { principal: "bob", lastSeq: 2, origin: "arp" }),
  sessionRecord("sess_empty"),
];
const jobs = [
  jobRecord("job_1", {
    state: "running",
    idempotencyKey: "k1",
    submitDigest: "d1",
    lastEventSeq: 5,
  }),
  jobRecord("job_2", { state: "success", endedAt: 1, runId: "run-1", lastEventSeq: 6 }),
];
const events: EventRecord[] = [
  ...eventRange("sess_1", 1, 5, "job_1"),
  eventRecord("sess_1", 6, { jobId: "job_2", type: "job.result", kind: null }),
  eventRecord("sess_sub", 1, { jobId: "job_1", ownerEvent: false }),
  eventRecord("sess_sub", 2, { jobId: "job_1", ownerEvent: false, kind: "status" }),
  // A session without a row, holding the history of a job without a row.
  ...eventRange("sess_gone", 1, 3, "job_orphan"),
  eventRecord("sess_gone", 4, { jobId: null, ownerEvent: false }),
];
const credentials = [credentialRecord("cred_1", { state: "revoking", nextAttemptAt: 9 })];
const audits = [auditRecord("auth.failure", 1), auditRecord("subscribe.allowed", 2)];

/** A database at schema version 1, filled the way the version-1 store wrote its rows. */
function version1Database(path: string, extra: EventRecord[] = []): void {
  const db = new Sqlite(path);
  try {
    migrate(db, SQLITE_MIGRATIONS.slice(0, 1));
    const session = db.prepare(`INSERT INTO sessions VALUES (${"?, ".repeat(9)}?)`);
    const job = db.prepare(`INSERT INTO jobs VALUES (${"?, ".repeat(22)}?)`);
    const event = db.prepare(
      `INSERT INTO events (session_id, seq, job_id, type, kind, ts, frame, owner_event)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const credential = db.prepare(`INSERT INTO credentials VALUES (${"?, ".repeat(10)}?)`);
    const audit = db.prepare(
      "INSERT INTO audit (ts, kind, principal, details) VALUES (?, ?, ?, ?)",
    );
    for (const s of sessions) session.run(sessionParams(s));
    for (const j of jobs) job.run(jobParams(j));
    for (const e of [...events, ...extra]) {
      event.run(e.sessionId, e.seq, e.jobId, e.type, e.kind, e.ts, e.frame, e.ownerEvent ? 1 : 0);
    }
    for (const c of credentials) credential.run(credentialParams(c));
    for (const a of audits) audit.run(a.ts, a.kind, a.principal, JSON.stringify(a.details));
  } finally {
    db.close();
  }
}

const ofSession = (id: string): EventRecord[] => events.filter((e) => e.sessionId === id);

describe("migration 0002 (event-keys)", () => {
  test("[arcp-6.3-durable-resume] a filled version-1 database upgrades without losing sessions, jobs, events or ledger rows", async () => {
    const path = freshPath();
    version1Database(path);
    const store = openSqliteStore({ path });
    try {
      for (const s of sessions) assert.deepEqual(await store.getSession(s.id), s);
      for (const j of jobs) assert.deepEqual(await store.getJob(j.id), j);
      assert.equal((await store.findIdempotent("alice", "k1"))?.id, "job_1");
      assert.equal((await store.getJobByRunId("alice", "run-1"))?.id, "job_2");
      const listed = await store.listJobs({ principals: ["alice"], limit: 10 });
      assert.deepEqual(listed.jobs, jobs);
      for (const id of ["sess_1", "sess_sub", "sess_gone"]) {
        assert.deepEqual(await store.readEvents(id, 0, 100), ofSession(id));
        assert.deepEqual(await store.readEventFrames(id, 0, 100), {
          frames: ofSession(id).map((e) => e.frame),
          lastSeq: ofSession(id).length,
        });
        assert.equal(await store.firstRetainedSeq(id), 1);
      }
      assert.deepEqual(await store.readEvents("sess_empty", 0, 100), []);
      assert.deepEqual(await store.readJobEvents("job_1", 0, 100), eventRange("sess_1", 1, 5));
      assert.deepEqual(await store.readJobEvents("job_2", 0, 100), [events[5]]);
      assert.deepEqual(
        await store.readJobEvents("job_orphan", 1, 100),
        eventRange("sess_gone", 2, 3, "job_orphan"),
      );
      assert.deepEqual(await store.listCredentials(["revoking"], 10), credentials);
      assert.deepEqual(await store.listCredentialsForJob("job_1"), credentials);
      assert.deepEqual(await store.listAudit(undefined, 10), [...audits].reverse());
    } finally {
      await store.close();
    }
  });

  test("after the upgrade the log continues: new seqs, counters and a job's history extend the migrated ones", async () => {
    const path = freshPath();
    version1Database(path);
    const store = openSqliteStore({ path });
    try {
      await store.appendEvents([
        eventRecord("sess_1", 7, { jobId: "job_1" }),
        eventRecord("sess_new", 1, { jobId: "job_1", ownerEvent: false }),
      ]);
      assert.equal((await store.getSession("sess_1"))?.lastSeq, 7);
      assert.equal((await store.getJob("job_1"))?.lastEventSeq, 7);
      assert.deepEqual(
        (await store.readJobEvents("job_1", 4, 100)).map((e) => e.seq),
        [5, 7],
      );
      assert.deepEqual(await store.readEvents("sess_new", 0, 10), [
        eventRecord("sess_new", 1, { jobId: "job_1", ownerEvent: false }),
      ]);
      await assert.rejects(store.appendEvents([eventRecord("sess_gone", 2)]));
    } finally {
      await store.close();
    }
  });

  test("the per-event and unneeded job indexes are gone, the ones queries need remain", async () => {
    const path = freshPath();
    version1Database(path);
    await openSqliteStore({ path }).close();
    const db = new Sqlite(path, { readonly: true });
    try {
      const indexes = (table: string): unknown[] =>
        db
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
          )
          .pluck()
          .all(table);
      assert.deepEqual(indexes("events"), []);
      assert.deepEqual(indexes("jobs"), [
        "jobs_by_principal",
        "jobs_ended",
        "jobs_idempotency",
        "jobs_run_id",
      ]);
      assert.deepEqual(
        db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all(),
        [1, 2],
      );
    } finally {
      db.close();
    }
  });

  test("a version-1 event whose seq cannot be keyed fails the upgrade and leaves the database at version 1, whole", () => {
    const path = freshPath();
    version1Database(path, [eventRecord("sess_1", 2 ** 32)]);
    assert.throws(() => openSqliteStore({ path }));
    const db = new Sqlite(path, { readonly: true });
    try {
      assert.deepEqual(db.prepare("SELECT version FROM schema_migrations").pluck().all(), [1]);
      assert.equal(db.prepare("SELECT count(*) FROM events").pluck().get(), events.length + 1);
      assert.equal(db.prepare("SELECT count(*) FROM jobs").pluck().get(), jobs.length);
      assert.equal(
        db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'session_keys'").pluck().get(),
        0,
      );
    } finally {
      db.close();
    }
  });
});
