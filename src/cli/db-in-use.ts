/** Whether another process (a running `runplane serve`) has a SQLite database open. */
import Database from "better-sqlite3";

/**
 * Tries to take the database's exclusive lock without waiting: every open WAL connection
 * holds a shared lock for its lifetime, so failing means some process has it open. Must be
 * called before this process opens the database itself. A missing file is not in use; any
 * other failure to take the lock counts as in use, since the answer decides whether rows a
 * running server owns may be touched.
 */
export function databaseInUse(path: string): boolean {
  if (path === ":memory:") return false;
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 0 });
  } catch {
    return false;
  }
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    return false;
  } catch {
    return true;
  } finally {
    db.close();
  }
}
