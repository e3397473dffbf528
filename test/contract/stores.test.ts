/** Runs the Store contract against every adapter: memory, SQLite in memory, SQLite on a file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { runStoreContract } from "./store.contract.js";

const dir = mkdtempSync(join(tmpdir(), "runplane-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

runStoreContract("memory", async () => createMemoryStore());
runStoreContract("sqlite :memory:", async () => openSqliteStore({ path: ":memory:" }));
runStoreContract("sqlite file", async () =>
  openSqliteStore({ path: join(dir, `store-${++files}.db`) }),
);
