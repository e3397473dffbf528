/**
 * WAL checkpoints on a worker thread. A checkpoint copies pages into the database file and
 * syncs it; left to SQLite's autocheckpoint it stalls whichever append crosses the threshold
 * (a third or more of the append time in bench/store-append.ts). Here a second connection
 * checkpoints PASSIVE-ly, which never blocks the writer.
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Database } from "better-sqlite3";

export interface CheckpointerOptions {
  /** Absolute path of the database file. */
  path: string;
  /** Time between checkpoints (default 100 ms). */
  intervalMs?: number;
  /** WAL size above which the writer truncates it itself (default 512 MiB); see afterAppend. */
  walLimitBytes?: number;
  busyTimeoutMs?: number;
  /** Called once when the worker fails; the store then checkpoints inline again. */
  onFailure(error: Error): void;
}

// CommonJS run by `eval`, so the same code works from src (tsx) and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
let timer;
function tick() {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    // The writer is truncating the WAL itself; anything else ends the worker.
    if (error.code !== "SQLITE_BUSY") throw error;
  }
  timer = setTimeout(tick, workerData.intervalMs);
}
parentPort.on("message", () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
timer = setTimeout(tick, workerData.intervalMs);
`;

const WAL_CHECK_INTERVAL_MS = 1000;

/** A running checkpoint worker for one database file. */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  readonly #walPath: string;
  readonly #walLimitBytes: number;
  #nextWalCheck = 0;
  #failed: Error | undefined;

  constructor(options: CheckpointerOptions) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.#walPath = `${options.path}-wal`;
    this.#walLimitBytes = options.walLimitBytes ?? 512 * 1024 * 1024;
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: {
        driver,
        path: options.path,
        intervalMs: options.intervalMs ?? 100,
        busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      },
    });
    this.#worker.unref();
    this.#worker.on("error", (error) => {
      this.#failed = error;
      options.onFailure(error);
    });
    this.#exited = new Promise((resolve) => this.#worker.once("exit", () => resolve()));
  }

  /** Why the worker stopped, if it failed. */
  get failure(): Error | undefined {
    return this.#failed;
  }

  /**
   * Call after each committed append. A PASSIVE checkpoint copies everything but cannot
   * restart the WAL while appends never pause, and one that would (RESTART) starves behind
   * the writer, so under sustained load the WAL only grows. Past the limit the writer
   * truncates it itself, between two appends: a rare, short stall instead of a full disk.
   */
  afterAppend(db: Database): void {
    const now = Date.now();
    if (now < this.#nextWalCheck) return;
    this.#nextWalCheck = now + WAL_CHECK_INTERVAL_MS;
    try {
      if (statSync(this.#walPath).size > this.#walLimitBytes) db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      // The append is already committed; a busy or missing WAL is retried at the next check.
    }
  }

  /** Ask the worker to close its connection, and wait until it has exited. */
  async stop(): Promise<void> {
    // Held by the event loop only while stopping, so that close() can be awaited to the end.
    this.#worker.ref();
    if (this.#failed === undefined) this.#worker.postMessage("stop");
    await this.#exited;
  }
}
