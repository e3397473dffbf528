/** Applies numbered migrations in order, each in its own transaction, and records them. */
import { createHash } from "node:crypto";
import type { Database } from "better-sqlite3";
import type { Migration } from "../migrations/index.js";

/** The schema cannot be brought to this build's version (edited, unknown or malformed migrations). */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

const checksumOf = (sql: string): string => createHash("sha256").update(sql).digest("hex");

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new MigrationError(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
    }
  });
}

/** Refuse a database migrated by a newer build, or whose applied migrations were edited since. */
function assertApplied(applied: readonly AppliedRow[], migrations: readonly Migration[]): void {
  for (const row of applied) {
    const known = migrations[row.version - 1];
    if (known === undefined) {
      throw new MigrationError(`database schema version ${row.version} is newer than this build`);
    }
    if (known.name !== row.name || checksumOf(known.sql) !== row.checksum) {
      throw new MigrationError(
        `migration ${row.version} (${row.name}) changed after it was applied`,
      );
    }
  }
}

/**
 * Bring `db` up to date with `migrations` (versions 1..n, in order). Each pending migration
 * runs with its bookkeeping row in one IMMEDIATE transaction, so a crash leaves it wholly
 * applied or not at all and two processes opening a new file cannot both apply it.
 * Returns the versions applied by this call; running it again applies nothing.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[],
  now: () => number = Date.now,
): number[] {
  assertOrdered(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const select = db.prepare(
    "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
  );
  const isApplied = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").pluck();
  const record = db.prepare(
    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
  );
  assertApplied(select.all() as AppliedRow[], migrations);
  const applied: number[] = [];
  const apply = db.transaction((m: Migration) => {
    // Another process may have applied it between our check and taking the write lock.
    if (isApplied.get(m.version) !== undefined) return;
    db.exec(m.sql);
    record.run(m.version, m.name, checksumOf(m.sql), now());
    applied.push(m.version);
  });
  for (const m of migrations) apply.immediate(m);
  return applied;
}
