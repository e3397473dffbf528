#!/usr/bin/env node
// Runs the node:test suites under test/ through tsx. Node 20's --test neither expands
// globs nor finds .ts files by itself, so the files are listed here.
// Usage: npm test [-- <path-prefix> ...]   e.g. npm test -- test/unit/lease
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, full));
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith("--"));
const files = collect(join(root, "test"), [])
  .filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p.replace(/^\.\//, ""))))
  .sort();
if (files.length === 0) {
  console.error("no test files matched", filters.join(" "));
  process.exit(1);
}
const concurrency = process.env.RUNPLANE_TEST_CONCURRENCY ?? "2";
// A server started without --db or --workspace defaults to the user's data directory; under
// test that is a throwaway one, so a run never writes into the real one.
const dataHome = mkdtempSync(join(tmpdir(), "runplane-test-data-"));
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...passthrough, ...files],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "test", XDG_DATA_HOME: dataHome },
  },
);
rmSync(dataHome, { recursive: true, force: true });
process.exit(result.status ?? 1);
