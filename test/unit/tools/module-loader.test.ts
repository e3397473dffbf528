/** Loading tools from an ES module: named and default exports, arrays flattened, ConfigError if none. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConfigError } from "../../../src/protocol/errors.js";
import { loadToolModule } from "../../../src/tools/module-loader.js";
import { ToolRegistry } from "../../../src/tools/tool.js";
import { Workspace } from "../../../src/world/workspace.js";
import { makeToolEnv } from "./tool-env.js";

const MODULE = `
export const upper = { name: "text.upper", description: "upper-case", call: async ({ text }) => String(text).toUpperCase() };
const a = { name: "a.one", call: async () => 1 };
const b = { name: "a.two", call: async () => 2 };
export const group = [a, [b]];
export const notATool = { name: "x" };
export const version = "1.0";
export default [upper, { name: "reads.file", call: async ({ path }, env) => env.readFile(path) }];
`;

describe("loadToolModule", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "runplane-toolmod-"));
    writeFileSync(join(dir, "tools.mjs"), MODULE);
    writeFileSync(
      join(dir, "empty.mjs"),
      "export const nothing = 1; export default { name: 'x' };",
    );
    writeFileSync(join(dir, "broken.mjs"), "export const = ;");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("collects every exported tool, flattening arrays and counting a re-export once", async () => {
    const tools = await loadToolModule(join(dir, "tools.mjs"));
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      "a.one",
      "a.two",
      "reads.file",
      "text.upper",
    ]);
  });

  test("loaded tools register and run with the environment", async () => {
    const registry = new ToolRegistry(await loadToolModule(join(dir, "tools.mjs")));
    const workspace = new Workspace(join(dir, "ws"));
    await workspace.write("/in.txt", "file text");
    const env = makeToolEnv({ workspace, lease: { "fs.read": ["/in.txt"] } });
    assert.equal(await registry.call("text.upper", { text: "abc" }, env), "ABC");
    assert.equal(await registry.call("reads.file", { path: "/in.txt" }, env), "file text");
  });

  test("a module without tools is a ConfigError", async () => {
    await assert.rejects(loadToolModule(join(dir, "empty.mjs")), (err: unknown) => {
      return err instanceof ConfigError && /exports no tool definitions/.test(err.message);
    });
  });

  test("a module that fails to import is a ConfigError", async () => {
    await assert.rejects(loadToolModule(join(dir, "broken.mjs")), ConfigError);
    await assert.rejects(loadToolModule(join(dir, "missing.mjs")), ConfigError);
  });
});
