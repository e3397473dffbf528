/** Dependency direction of src/credentials (DESIGN "Shape"): protocol, lease and the store port only. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const dir = new URL("../../../src/credentials/", import.meta.url).pathname;
const ALLOWED = [
  /^\.\/[a-z0-9-]+\.js$/,
  /^\.\.\/protocol\/[a-z0-9/-]+\.js$/,
  /^\.\.\/lease\/index\.js$/,
  /^\.\.\/store\/store\.js$/,
  /^node:[a-z]+$/,
  /^zod$/,
];

test("src/credentials imports only itself, src/protocol, src/lease, the store port and node/zod", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  assert.ok(files.length > 0);
  for (const file of files) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const m of text.matchAll(/\bfrom\s+"([^"]+)"|\bimport\s*\(\s*"([^"]+)"/g)) {
      const spec = m[1] ?? m[2] ?? "";
      assert.ok(
        ALLOWED.some((re) => re.test(spec)),
        `${file} imports ${spec}`,
      );
    }
  }
});
