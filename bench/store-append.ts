/**
 * SQLite store costs on a file (DESIGN performance budget): appendEvents in group-commit
 * batches of ~250-byte frames, paged readEvents/readEventFrames as a resume replay does, and
 * the per-job writes behind submit→accepted (createJob) and a job's start and end.
 * Run: npx tsx bench/store-append.ts
 *   (EVENTS, RUNS, BATCHES, CHECKPOINT=worker|inline|both, JOBS, PARTS=events,jobs)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore, type SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import type { EventRecord, JobRecord } from "../src/store/store.js";

const EVENTS = Number(process.env.EVENTS ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 3);
const BATCHES = (process.env.BATCHES ?? "1,64,512,4096").split(",").map(Number);
const MODES =
  (process.env.CHECKPOINT ?? "both") === "both" ? ["worker", "inline"] : [process.env.CHECKPOINT];
const SESSIONS = 4;
const READ_PAGE = 1024;
const JOB_EVENTS = 1000;
const JOBS = Number(process.env.JOBS ?? 5000);
const PARTS = new Set((process.env.PARTS ?? "events,jobs").split(","));

type Mode = "worker" | "inline";

const sessionName = (s: number): string => `sess_01J9Z3N4G8W00000000000000${s}`;

function frameFor(sessionId: string, jobId: string, seq: number): string {
  const head = `{"arcp":"1.1","id":"msg_01J9Z3N4G8W0000000000${String(seq).padStart(5, "0")}","type":"job.event","session_id":"${sessionId}","job_id":"${jobId}","event_seq":${seq},"payload":{"kind":"log","body":{"level":"info","message":"`;
  return `${head}${"x".repeat(Math.max(0, 245 - head.length))}"}}}`;
}

/** Each session runs its jobs one after another, JOB_EVENTS events each. */
const jobName = (s: number, seq: number): string =>
  `job_01J9Z3N4G8W${String(s).padStart(3, "0")}${String(Math.floor((seq - 1) / JOB_EVENTS)).padStart(10, "0")}`;

/** Events already built, so that only the store is timed. Batches interleave the sessions. */
function makeBatches(total: number, size: number): EventRecord[][] {
  const seqs = new Array<number>(SESSIONS).fill(0);
  const batches: EventRecord[][] = [];
  for (let done = 0; done < total; done += size) {
    const batch: EventRecord[] = [];
    for (let i = 0; i < size && done + i < total; i++) {
      const s = (done + i) % SESSIONS;
      const sessionId = sessionName(s);
      const seq = ++(seqs[s] as number);
      const jobId = jobName(s, seq);
      batch.push({
        sessionId,
        seq,
        jobId,
        type: "job.event",
        kind: "log",
        ts: Date.now(),
        frame: frameFor(sessionId, jobId, seq),
        ownerEvent: true,
      });
    }
    batches.push(batch);
  }
  return batches;
}

/** The job rows behind the events, created before the clock starts. */
async function createJobsFor(store: SqliteStore, batches: EventRecord[][]): Promise<string[]> {
  const ids = new Map<string, string>();
  for (const batch of batches) for (const e of batch) ids.set(e.jobId as string, e.sessionId);
  let n = 0;
  for (const [id, sessionId] of ids)
    await store.createJob({ ...jobFor(n++), id, sessionId, state: "running" });
  return [...ids.keys()];
}

interface Rates {
  append: number;
  read: number;
  frames: number;
  jobRead: number;
}

/** Read every job's own history in pages, as job.subscribe with history does; events/s. */
async function replayJobs(store: SqliteStore, jobIds: readonly string[]): Promise<number> {
  const started = performance.now();
  let read = 0;
  for (const jobId of jobIds) {
    for (let after = 0; ; ) {
      const page = await store.readJobEvents(jobId, after, READ_PAGE);
      if (page.length === 0) break;
      read += page.length;
      after = (page[page.length - 1] as EventRecord).seq;
    }
  }
  return (read / (performance.now() - started)) * 1000;
}

/** Replay every session from the start in pages, as a resume does; returns events/s. */
async function replay(store: SqliteStore, framesOnly: boolean): Promise<number> {
  const started = performance.now();
  let read = 0;
  for (let s = 0; s < SESSIONS; s++) {
    for (let after = 0; ; ) {
      if (framesOnly) {
        const page = await store.readEventFrames(sessionName(s), after, READ_PAGE);
        if (page.frames.length === 0) break;
        read += page.frames.length;
        after = page.lastSeq;
      } else {
        const page = await store.readEvents(sessionName(s), after, READ_PAGE);
        if (page.length === 0) break;
        read += page.length;
        after = (page[page.length - 1] as EventRecord).seq;
      }
    }
  }
  return (read / (performance.now() - started)) * 1000;
}

async function once(dir: string, mode: Mode, batchSize: number, run: number): Promise<Rates> {
  const path = join(dir, `bench-${mode}-${batchSize}-${run}.db`);
  const store = openSqliteStore({ path, checkpoint: mode });
  const total = batchSize === 1 ? Math.min(EVENTS, 20_000) : EVENTS;
  const batches = makeBatches(total, batchSize);
  const jobIds = await createJobsFor(store, batches);
  const started = performance.now();
  for (const batch of batches) await store.appendEvents(batch);
  const append = (total / (performance.now() - started)) * 1000;
  // Each replay runs twice, alternating, and the warm (faster) pass counts.
  const read = await replay(store, false);
  const frames = await replay(store, true);
  const readWarm = Math.max(read, await replay(store, false));
  const framesWarm = Math.max(frames, await replay(store, true));
  const jobRead = await replayJobs(store, jobIds);
  await store.close();
  rmSync(path, { force: true });
  return { append, read: readWarm, frames: framesWarm, jobRead };
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] as number;
const fmt = (x: number): string => Math.round(x).toLocaleString("en-US").padStart(10);
const fmtUs = (ms: number): string => (ms * 1000).toFixed(1).padStart(8);

/** A job as submit writes it: no idempotency key or run id, a few hundred bytes of JSON. */
function jobFor(n: number): JobRecord {
  const id = `job_01J9Z3N4G8W${String(n).padStart(13, "0")}`;
  return {
    id,
    sessionId: sessionName(n % SESSIONS),
    principal: `principal-${n % 8}`,
    agent: "echo@1.0.0",
    state: "pending",
    input: { text: `hello ${n}`, options: { repeat: 1, upper: false } },
    lease: { "tool.call": ["search.*"], "net.fetch": ["https://example.com/**"] },
    leaseConstraints: null,
    budget: { USD: "12500000" },
    parentJobId: null,
    delegateId: null,
    traceId: "0af7651916cd43dd8448eb211c80319c",
    idempotencyKey: null,
    submitDigest: null,
    maxRuntimeSec: 60,
    acceptedPayload: `{"job_id":"${id}","agent":"echo@1.0.0","lease":{"tool.call":["search.*"],"net.fetch":["https://example.com/**"]},"budget":{"USD":"12.5"}}`,
    runId: null,
    runContext: null,
    createdAt: Date.now(),
    startedAt: null,
    endedAt: null,
    lastEventSeq: 0,
    errorCode: null,
  };
}

interface JobTimes {
  create: number[];
  start: number[];
  end: number[];
}

/** Time each createJob, then each pending→running and running→success transition (ms). */
async function jobsOnce(dir: string, run: number): Promise<JobTimes> {
  const path = join(dir, `bench-jobs-${run}.db`);
  const store = openSqliteStore({ path });
  const jobs = Array.from({ length: JOBS * 2 }, (_, n) => jobFor(n));
  const times: JobTimes = { create: [], start: [], end: [] };
  const timed = async (into: number[], op: () => Promise<unknown>): Promise<void> => {
    const started = performance.now();
    await op();
    into.push(performance.now() - started);
  };
  // The first half warms the statements and gives the table a size; only the second counts.
  for (const [n, job] of jobs.entries()) {
    const sink = n < JOBS ? [] : times.create;
    await timed(sink, () => store.createJob(job));
  }
  for (const job of jobs.slice(JOBS)) {
    await timed(times.start, () =>
      store.transitionJob(job.id, ["pending"], "running", { startedAt: Date.now() }),
    );
  }
  for (const job of jobs.slice(JOBS)) {
    await timed(times.end, () =>
      store.transitionJob(job.id, ["running"], "success", { endedAt: Date.now() }),
    );
  }
  await store.close();
  rmSync(path, { force: true });
  return times;
}

async function benchJobs(dir: string): Promise<void> {
  console.log(
    `\njobs: ${JOBS} timed after ${JOBS} warm-up, worker checkpoints, median of ${RUNS} (µs)`,
  );
  console.log("createJob p50  createJob p99  start (→running) p50  end (→success) p50  end p99");
  const runs: JobTimes[] = [];
  for (let run = 0; run < RUNS; run++) runs.push(await jobsOnce(dir, run));
  const of = (pick: (t: JobTimes) => number[], q: number): string =>
    fmtUs(median(runs.map((t) => quantile(pick(t), q))));
  console.log(
    `     ${of((t) => t.create, 0.5)}       ${of((t) => t.create, 0.99)}             ${of((t) => t.start, 0.5)}           ${of((t) => t.end, 0.5)} ${of((t) => t.end, 0.99)}`,
  );
}

async function benchEvents(dir: string): Promise<void> {
  console.log(
    `store-append: SQLite file, WAL, synchronous=NORMAL, ~250-byte frames, ${SESSIONS} sessions of ${JOB_EVENTS}-event jobs, median of ${RUNS}`,
  );
  console.log(
    "checkpoint  batch  append ev/s  readEvents ev/s  readEventFrames ev/s  readJobEvents ev/s  (pages of 1024)",
  );
  for (const mode of MODES as Mode[]) {
    for (const size of BATCHES) {
      const results: Rates[] = [];
      for (let run = 0; run < RUNS; run++) results.push(await once(dir, mode, size, run));
      const append = median(results.map((r) => r.append));
      const read = median(results.map((r) => r.read));
      const frames = median(results.map((r) => r.frames));
      const jobRead = median(results.map((r) => r.jobRead));
      console.log(
        `${mode.padEnd(10)} ${String(size).padStart(6)} ${fmt(append)}       ${fmt(read)}            ${fmt(frames)}          ${fmt(jobRead)}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "runplane-bench-"));
  try {
    if (PARTS.has("events")) await benchEvents(dir);
    if (PARTS.has("jobs")) await benchJobs(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
