/** Opens a better-sqlite3 connection with the pragmas the event log is tuned for (DESIGN-14). */
import Sqlite, { type Database } from "better-sqlite3";
import { SQLITE_MIGRATIONS } from "../migrations/index.js";
import { migrate } from "./migrate.js";

export interface ConnectionOptions {
  /** File path, or ":memory:" for a private in-memory database. */
  path: string;
  /**
   * `NORMAL` (default): in WAL mode a commit survives a process crash, and a power loss can
   * lose only the newest commits. `FULL` also syncs every commit.
   */
  synchronous?: "NORMAL" | "FULL";
  /** How long a statement waits for another connection's lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** The WAL file is cut back to this size whenever it restarts. */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

export const isMemoryPath = (path: string): boolean => path === ":memory:" || path === "";

/** Open, tune and migrate a database; the caller owns closing it. */
export function openConnection(options: ConnectionOptions): Database {
  const db = new Sqlite(options.path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    if (!isMemoryPath(options.path)) {
      db.pragma("journal_mode = WAL");
      db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    }
    db.pragma(`synchronous = ${options.synchronous === "FULL" ? "FULL" : "NORMAL"}`);
    db.pragma("foreign_keys = ON");
    db.pragma("temp_store = MEMORY");
    migrate(db, SQLITE_MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
