#!/usr/bin/env node
// Enforces the one-way dependency rules of DESIGN.md ("Shape") and fails on import cycles.
// protocol/ and lease/ import nothing internal; runtime/ and gateway/ reach adapters only through
// their ports; only cli/ composes concrete adapters.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname, "src");
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith(".ts")) files.push(full);
  }
})(root);

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?[^;]*?from\s+"(\.{1,2}\/[^"]+)"|import\("(\.{1,2}\/[^"]+)"\)/g;
const rules = [
  { from: /^protocol\//, allow: [/^protocol\//], why: "protocol/ depends on nothing internal" },
  { from: /^lease\//, allow: [/^lease\//], why: "lease/ depends on nothing internal" },
  {
    from: /^(runtime|gateway|agents|credentials|tools|models|world)\//,
    deny: [
      /^store\/(memory|sqlite|postgres)\//,
      /^transport\/(websocket|stdio|memory)\.ts$/,
      /^auth\/(bearer|jwt|none)\.ts$/,
      /^credentials\/.*-provisioner\.ts$/,
    ],
    why: "only cli/ picks concrete adapters",
  },
  { from: /^(?!cli\/)/, deny: [/^cli\//], why: "nothing imports the composition root" },
];

const problems = [];
const graph = new Map();
for (const file of files) {
  const rel = relative(root, file);
  const text = readFileSync(file, "utf8");
  const edges = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    const typeOnly = m[2] !== undefined;
    const target = relative(root, resolve(dirname(file), spec)).replace(/\.js$/, ".ts");
    const sameModule = rel.split("/")[0] === target.split("/")[0];
    for (const rule of rules) {
      if (!rule.from.test(rel) || (sameModule && rule.deny !== undefined)) continue;
      const ok = rule.allow
        ? rule.allow.some((a) => a.test(target))
        : !rule.deny.some((d) => d.test(target));
      if (!ok) problems.push(`${rel} imports ${target}: ${rule.why}`);
    }
    if (!typeOnly) edges.push(target);
  }
  graph.set(rel, edges);
}

// Cycle detection over value imports (type-only imports vanish at run time).
const state = new Map();
const stack = [];
function visit(node) {
  state.set(node, 1);
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    if (!graph.has(next)) continue;
    if (state.get(next) === 1)
      problems.push(`import cycle: ${[...stack.slice(stack.indexOf(next)), next].join(" -> ")}`);
    else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(node, 2);
}
for (const node of graph.keys()) if (!state.has(node)) visit(node);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`imports ok: ${files.length} modules, no cycles, layering respected`);
