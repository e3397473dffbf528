/** The SQLite schema as numbered migrations, embedded so that `src` (tsx) and `dist` both find them. */
import { INIT_SQL } from "./0001-init.js";
import { EVENT_KEYS_SQL } from "./0002-event-keys.js";

/** One numbered schema change. Once released, its `sql` never changes (CONVENTIONS 9). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every SQLite migration, in the order they apply. Append new ones; never edit old ones. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "init", sql: INIT_SQL },
  { version: 2, name: "event-keys", sql: EVENT_KEYS_SQL },
];
