#!/usr/bin/env node
// Copies the requirement table of ../shared/reference/requirements.md (our team's own spec
// checklist) into test/conformance/requirements.json, so the conformance gate works on a bare
// clone. Run it when the shared checklist changes: node scripts/sync-requirements.mjs
import { readFileSync, writeFileSync } from "node:fs";

const source = new URL("../../shared/reference/requirements.md", import.meta.url);
const target = new URL("../test/conformance/requirements.json", import.meta.url);
const rows = [];
let area = "";
for (const line of readFileSync(source, "utf8").split("\n")) {
  if (line.startsWith("## ")) area = line.slice(3).trim();
  const cells = line.split("|").map((c) => c.trim());
  if (cells.length < 6 || !/^[a-z][a-z0-9.-]+$/.test(cells[1] ?? "") || cells[1] === "id") continue;
  const [, id, level, section, requirement] = cells;
  rows.push({ id, level, section, area, requirement, struck: id.startsWith("~~") });
}
writeFileSync(target, `${JSON.stringify(rows, null, 2)}\n`);
console.log(`${rows.length} requirements written to ${target.pathname}`);
