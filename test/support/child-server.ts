/** Run `runplane serve` (from source) as a child process, for crash and CLI tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

const ENTRY = new URL("../../src/cli/entry.ts", import.meta.url).pathname;

export interface ChildServer {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  stderr: string[];
  exited: Promise<number | null>;
}

/** Spawn `runplane <args>` and resolve once it prints `listening on …`. */
export function spawnServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", ENTRY, "serve", "--port", "0", ...args],
    {
      env: { ...process.env, RUNPLANE_LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
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
      resolve({ child, url: m[1], wsUrl: `${m[1].replace(/^http/, "ws")}/arcp`, stderr, exited });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening: ${stderr.join("\n")}`));
    });
  });
}
