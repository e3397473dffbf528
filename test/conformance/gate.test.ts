/**
 * The conformance gate: every MUST and DESIGN requirement is cited by at least one test (or is
 * a listed known gap with its reason), every citation names a real requirement, and no known
 * gap is also claimed. CONFORMANCE.md is generated from the same data (npm run conformance).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

interface Requirement {
  id: string;
  level: string;
}

const root = new URL("../", import.meta.url).pathname;
const requirements = JSON.parse(
  readFileSync(join(root, "conformance/requirements.json"), "utf8"),
) as Requirement[];
const gaps = JSON.parse(readFileSync(join(root, "conformance/known-gaps.json"), "utf8")) as Record<
  string,
  string
>;

function testFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) testFiles(full, out);
    else if (name.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

const CITATION = /\[((?:arcp|arp)-[a-z0-9.-]+)\]/g;
const cited = new Map<string, Set<string>>();
for (const file of testFiles(root)) {
  for (const m of readFileSync(file, "utf8").matchAll(CITATION)) {
    const id = m[1] as string;
    if (!cited.has(id)) cited.set(id, new Set());
    cited.get(id)?.add(file.slice(root.length));
  }
}
const known = new Set(requirements.map((r) => r.id));

test("every citation in a test names a requirement that exists", () => {
  const unknown = [...cited.keys()].filter((id) => !known.has(id));
  assert.deepEqual(unknown, []);
});

test("every MUST and DESIGN requirement is cited by a test or listed as a known gap", () => {
  const missing = requirements
    .filter(
      (r) =>
        (r.level === "MUST" || r.level === "DESIGN") &&
        !cited.has(r.id) &&
        gaps[r.id] === undefined,
    )
    .map((r) => r.id);
  assert.deepEqual(missing, [], `uncited requirements: ${missing.join(", ")}`);
});

test("a known gap is not also claimed by a test", () => {
  const stale = Object.keys(gaps).filter((id) => cited.has(id) || !known.has(id));
  assert.deepEqual(stale, []);
});
