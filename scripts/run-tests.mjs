#!/usr/bin/env node
// Runs the node:test suites under test/ through tsx. Node 20's --test neither expands
// globs nor finds .ts files by itself, so the files are listed here.
// Usage: npm test [-- <path-prefix> ...]   e.g. npm test -- test/unit/lease
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
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
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...passthrough, ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
);
process.exit(result.status ?? 1);
