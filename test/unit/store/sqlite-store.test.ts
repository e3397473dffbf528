/** SQLite-only behaviour: durability across close and reopen, the migration runner, WAL upkeep. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Sqlite from "better-sqlite3";
import { SQLITE_MIGRATIONS } from "../../../src/store/migrations/index.js";
import { MigrationError, migrate } from "../../../src/store/sqlite/migrate.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import {
  auditRecord,
  credentialRecord,
  eventRange,
  jobRecord,
  sessionRecord,
} from "../../contract/store/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "runplane-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `db-${++n}.db`);

describe("SqliteStore on a file", () => {
  test("[arcp-6.3-durable-resume] sessions, jobs, events, ledger and audit survive close and reopen", async () => {
    const path = freshPath();
    const first = openSqliteStore({ path });
    await first.createSession(sessionRecord("sess_1", { detachedAt: 42 }));
    await first.createJob(
      jobRecord("job_1", { sessionId: "sess_1", idempotencyKey: "k1", submitDigest: "d" }),
    );
    await first.appendEvents(eventRange("sess_1", 1, 700, "job_1"));
    await first.recordCredential(
      credentialRecord("cred_1", { state: "revoking", nextAttemptAt: 9 }),
    );
    await first.appendAudit(auditRecord("auth.failure", 1));
    await first.close();

    const second = openSqliteStore({ path });
    try {
      assert.deepEqual(
        await second.getSession("sess_1"),
        sessionRecord("sess_1", { detachedAt: 42, lastSeq: 700 }),
      );
      assert.equal((await second.findIdempotent("alice", "k1"))?.id, "job_1");
      assert.equal((await second.getJob("job_1"))?.lastEventSeq, 700);
      const events = await second.readEvents("sess_1", 0, 1000);
      assert.deepEqual(events, eventRange("sess_1", 1, 700, "job_1"));
      assert.deepEqual(await second.listCredentials(["revoking"], 10), [
        credentialRecord("cred_1", { state: "revoking", nextAttemptAt: 9 }),
      ]);
      assert.deepEqual(await second.listAudit(undefined, 10), [auditRecord("auth.failure", 1)]);
    } finally {
      await second.close();
    }
  });

  test("close folds the WAL back into the database file", async () => {
    const path = freshPath();
    const store = openSqliteStore({ path });
    await store.appendEvents(eventRange("sess_1", 1, 2000));
    assert.ok(statSync(`${path}-wal`).size > 0);
    await store.close();
    assert.ok(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0);
  });

  test("a WAL past its limit is truncated by the writer after an append", async () => {
    const path = freshPath();
    const store = openSqliteStore({ path, walLimitBytes: 1 });
    try {
      await store.appendEvents(eventRange("sess_1", 1, 500));
      assert.equal(statSync(`${path}-wal`).size, 0);
      assert.equal((await store.readEvents("sess_1", 0, 1000)).length, 500);
    } finally {
      await store.close();
    }
  });

  test("inline checkpointing (no worker) keeps the same data", async () => {
    const path = freshPath();
    const store = openSqliteStore({ path, checkpoint: "inline", synchronous: "FULL" });
    await store.appendEvents(eventRange("sess_1", 1, 3000));
    assert.equal((await store.health()).ok, true);
    await store.close();
    const again = openSqliteStore({ path });
    try {
      assert.equal(await again.firstRetainedSeq("sess_1"), 1);
      assert.equal((await again.readEvents("sess_1", 2990, 100)).length, 10);
    } finally {
      await again.close();
    }
  });
});

describe("migration runner", () => {
  test("applies every migration once and records it; running again applies nothing", () => {
    const db = new Sqlite(freshPath());
    try {
      assert.deepEqual(
        migrate(db, SQLITE_MIGRATIONS),
        SQLITE_MIGRATIONS.map((m) => m.version),
      );
      assert.deepEqual(migrate(db, SQLITE_MIGRATIONS), []);
      const rows = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
      assert.deepEqual(
        rows,
        SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
      );
    } finally {
      db.close();
    }
  });

  test("reopening a store does not re-apply its migrations", async () => {
    const path = freshPath();
    await openSqliteStore({ path }).close();
    await openSqliteStore({ path }).close();
    const db = new Sqlite(path);
    try {
      const count = db.prepare("SELECT count(*) FROM schema_migrations").pluck().get();
      assert.equal(count, SQLITE_MIGRATIONS.length);
    } finally {
      db.close();
    }
  });

  test("a migration edited after it was applied is refused", () => {
    const db = new Sqlite(":memory:");
    try {
      migrate(db, [{ version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER) STRICT;" }]);
      assert.throws(
        () => migrate(db, [{ version: 1, name: "one", sql: "CREATE TABLE a (x TEXT) STRICT;" }]),
        MigrationError,
      );
    } finally {
      db.close();
    }
  });

  test("a database migrated by a newer build is refused", () => {
    const db = new Sqlite(":memory:");
    try {
      migrate(db, [
        { version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER) STRICT;" },
        { version: 2, name: "two", sql: "CREATE TABLE b (x INTEGER) STRICT;" },
      ]);
      assert.throws(
        () => migrate(db, [{ version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER) STRICT;" }]),
        /newer than this build/,
      );
    } finally {
      db.close();
    }
  });

  test("a failing migration leaves no trace and is not recorded", () => {
    const db = new Sqlite(":memory:");
    try {
      const good = { version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER) STRICT;" };
      const bad = {
        version: 2,
        name: "two",
        sql: "CREATE TABLE b (x INTEGER) STRICT; INSERT INTO nowhere VALUES (1);",
      };
      assert.throws(() => migrate(db, [good, bad]));
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .pluck()
        .all();
      assert.deepEqual(tables, ["a", "schema_migrations"]);
      assert.deepEqual(db.prepare("SELECT version FROM schema_migrations").pluck().all(), [1]);
    } finally {
      db.close();
    }
  });

  test("migrations must be numbered 1..n in order", () => {
    const db = new Sqlite(":memory:");
    try {
      assert.throws(
        () => migrate(db, [{ version: 2, name: "two", sql: "SELECT 1;" }]),
        MigrationError,
      );
    } finally {
      db.close();
    }
  });
});
