/** Run `runplane` (from source) as a child process, for crash and CLI tests: `serve`, or a one-shot command. */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

const ENTRY = new URL("../../src/cli/entry.ts", import.meta.url).pathname;
const BIN = new URL("../../bin/runplane.js", import.meta.url).pathname;

export interface ChildServer {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  stderr: string[];
  exited: Promise<number | null>;
  /** Send `signal` (SIGTERM unless told) and resolve with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `runplane <args>` to its exit and collect what it printed. `env` is added to this
 * process's environment. With `killAfterMs`, a child still running then is sent SIGKILL (for
 * commands that must exit on their own, such as a `serve` that should refuse to start).
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { killAfterMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
    if (options.killAfterMs !== undefined)
      setTimeout(() => child.kill("SIGKILL"), options.killAfterMs).unref();
  });
}

/** Spawn `runplane <args>` and resolve once it prints `listening on …`. */
/**
 * Start `runplane serve --port 0 <args>` and resolve once it listens. From source by default;
 * `{ installed: true }` runs `bin/runplane.js` over dist/ instead, exactly as users run it
 * (dist/ is built by `npm ci`/`npm run build`).
 */
export function spawnServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { installed?: boolean } = {},
): Promise<ChildServer> {
  const entry = options.installed === true ? [BIN] : ["--import", "tsx", ENTRY];
  const child = spawn(process.execPath, [...entry, "serve", "--port", "0", ...args], {
    env: { ...process.env, RUNPLANE_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (l) =>
    stderr.push(l),
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start: ${stderr.join("\n")}`)),
      20_000,
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m?.[1] === undefined) return;
      clearTimeout(timer);
      resolve({
        child,
        url: m[1],
        wsUrl: `${m[1].replace(/^http/, "ws")}/arcp`,
        stderr,
        exited,
        stop(signal = "SIGTERM") {
          child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening: ${stderr.join("\n")}`));
    });
  });
}
