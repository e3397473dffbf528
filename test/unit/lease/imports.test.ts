import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const dir = new URL("../../../src/lease/", import.meta.url).pathname;

test("src/lease imports nothing outside itself (DESIGN: lease depends on nothing internal)", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  assert.ok(files.length > 0);
  for (const file of files) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const m of text.matchAll(/\bfrom\s+"([^"]+)"|\bimport\s*\(\s*"([^"]+)"/g)) {
      const spec = m[1] ?? m[2] ?? "";
      assert.match(spec, /^\.\/[a-z0-9-]+\.js$/, `${file} imports ${spec}`);
    }
  }
});
