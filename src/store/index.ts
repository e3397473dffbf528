/** The store port and its adapters; only the composition root (cli/) should import adapters. */

export type { EventFrameReader, EventFramesPage } from "./event-frames.js";
export { InvalidCursorError } from "./job-query.js";
export { createMemoryStore, MemoryStore } from "./memory/memory-store.js";
export { type Migration, SQLITE_MIGRATIONS } from "./migrations/index.js";
export { MigrationError, migrate } from "./sqlite/migrate.js";
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.js";
export type * from "./store.js";
export { StoreConstraintError } from "./store-error.js";
