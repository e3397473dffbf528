/**
 * The benchmark suite behind BENCHMARKS.md: a real `runplane serve` stack (durable SQLite file,
 * WebSocket, fastify) in this process, load from separate client processes on loopback.
 *   npm run bench                 all of it
 *   BENCH=events,latency npm run bench
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { startServer } from "../src/cli/compose.js";
import { silentLogger } from "../src/runtime/logger.js";

const CLIENT = new URL("./clients/arcp-client.mjs", import.meta.url).pathname;
const only = new Set((process.env["BENCH"] ?? "events,latency,jobs,idle,replay,arp").split(","));

function client(
  args: string[],
  onLine?: (line: string) => void,
): { result: Promise<Record<string, unknown>>; end(): void } {
  const child = spawn(process.execPath, [CLIENT, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  let last = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    for (const line of chunk.split("\n").filter(Boolean)) {
      last = line;
      onLine?.(line);
    }
  });
  const result = new Promise<Record<string, unknown>>((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(last)) : reject(new Error(`client exited ${code}`)),
    ),
  );
  return { result, end: () => child.stdin.end() };
}

interface LoadResult {
  requests: { average: number };
  non2xx: number;
}

function loadTest(url: string, body: string): Promise<LoadResult> {
  const bin = new URL("../node_modules/autocannon/autocannon.js", import.meta.url).pathname;
  const args = [
    bin,
    "-j",
    "-c",
    "50",
    "-d",
    "5",
    "-m",
    "POST",
    "-H",
    "content-type=application/json",
  ];
  args.push("-H", "authorization=Bearer bench", "-b", body, url);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "ignore"] });
  let text = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (text += chunk));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(text) as LoadResult)
        : reject(new Error(`autocannon exited ${code}`)),
    ),
  );
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `runplane serve` from dist/, as users run it, in its own process. */
function startServeProcess(dir: string): Promise<ServerProcess> {
  const bin = new URL("../bin/runplane.js", import.meta.url).pathname;
  const args = [
    bin,
    "serve",
    "--port",
    "0",
    "--db",
    join(dir, "bench.db"),
    "--workspace",
    join(dir, "ws"),
  ];
  args.push(
    "--token",
    "bench=bench",
    "--max-sessions-per-principal",
    "10000",
    "--log-level",
    "warn",
  );
  const profile = process.env["BENCH_PROFILE_DIR"];
  if (profile !== undefined) args.unshift("--cpu-prof", `--cpu-prof-dir=${profile}`);
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: process.env,
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const m = /listening on (\S+)/.exec(chunk);
      if (m?.[1] === undefined) return;
      resolve({
        url: m[1],
        pid: child.pid as number,
        stop: () => {
          child.kill("SIGTERM");
          return exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}`)));
  });
}

/** Peak resident set of a process so far, in MiB (Linux /proc). */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function idleHeapPerSession(dir: string): Promise<number> {
  const server = await startServer(
    {
      host: "127.0.0.1",
      port: 0,
      db: join(dir, "idle.db"),
      workspace: join(dir, "ws"),
      auth: { token: ["bench=bench"] },
      runtime: { maxSessionsPerPrincipal: 10_000 },
    },
    silentLogger,
  );
  const ws = `${server.url.replace(/^http/, "ws")}/arcp`;
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  let ready: () => void = () => {};
  const isReady = new Promise<void>((r) => (ready = r));
  const c = client(["idle", ws, "2000"], (line) => line.includes("ready") && ready());
  await isReady;
  await new Promise((r) => setTimeout(r, 500));
  global.gc?.();
  const after = process.memoryUsage().heapUsed;
  c.end();
  await c.result;
  await server.close();
  return Math.round((after - before) / 2000);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "runplane-bench-"));
  const out: Record<string, unknown> = {
    node: process.version,
    cpus: cpus().length,
    load_before: loadavg()[0],
  };
  const server = await startServeProcess(dir);
  const ws = `${server.url.replace(/^http/, "ws")}/arcp`;
  let lastEvents: Record<string, unknown> | undefined;

  if (only.has("events")) {
    const runs: Record<string, unknown>[] = [];
    for (let i = 0; i < 3; i++) runs.push(await client(["events", ws, "100000", "100"]).result);
    lastEvents = runs.at(-1);
    out["events_to_one_client_per_sec"] = median(runs.map((r) => r["events_per_sec"] as number));
    out["events_runs"] = runs.map((r) => r["events_per_sec"]);
  }
  if (only.has("replay") && lastEvents !== undefined) {
    const runs: number[] = [];
    let sid = lastEvents["session_id"] as string;
    let token = lastEvents["resume_token"] as string;
    for (let i = 0; i < 3; i++) {
      runs.push(
        (await client(["replay", ws, sid, token, "100001"]).result)["events_per_sec"] as number,
      );
      // The resume rotated the token; the next run replays a fresh session.
      const fresh = await client(["events", ws, "100000", "100"]).result;
      sid = fresh["session_id"] as string;
      token = fresh["resume_token"] as string;
    }
    out["resume_replay_events_per_sec"] = median(runs);
    out["replay_runs"] = runs;
  }
  if (only.has("latency")) {
    const runs: Record<string, unknown>[] = [];
    for (let i = 0; i < 3; i++) runs.push(await client(["latency", ws, "3000"]).result);
    out["submit_to_accepted_p50_ms"] = median(runs.map((r) => r["p50_ms"] as number));
    out["submit_to_accepted_p99_ms"] = median(runs.map((r) => r["p99_ms"] as number));
  }
  if (only.has("jobs")) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++)
      runs.push((await client(["jobs", ws, "50", "5", "8"]).result)["jobs_per_sec"] as number);
    out["echo_jobs_per_sec_50_sessions"] = median(runs);
    out["jobs_runs"] = runs;
  }
  if (only.has("arp")) {
    const body = JSON.stringify({
      root_node_type_ref: { node_type_id: "echo", version: "latest" },
      input: { x: 1 },
    });
    const bare = Fastify();
    bare.post("/v1/runs", async () => ({ run_id: "r", state: "queued", root_node_run_id: "j" }));
    await bare.listen({ port: 0, host: "127.0.0.1" });
    const barePort = (bare.server.address() as { port: number }).port;
    const floor = await loadTest(`http://127.0.0.1:${barePort}/v1/runs`, body);
    await bare.close();
    const arp = await loadTest(`${server.url}/v1/runs`, body);
    out["arp_post_runs_per_sec"] = Math.round(arp.requests.average);
    out["bare_fastify_post_per_sec"] = Math.round(floor.requests.average);
    out["arp_vs_bare"] = Number((arp.requests.average / floor.requests.average).toFixed(2));
    out["arp_non2xx"] = arp.non2xx;
  }
  out["server_peak_rss_mb"] = peakRssMb(server.pid);
  await server.stop();
  if (only.has("idle")) out["heap_bytes_per_idle_session"] = await idleHeapPerSession(dir);
  out["load_after"] = loadavg()[0];
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
