/** Command tools: one JSON line in, one JSON line out, with timeouts, cancellation and bad output. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CommandToolConfig } from "../../../src/cli/config-file.js";
import { ArcpError, ConfigError } from "../../../src/protocol/errors.js";
import { type CommandToolSpec, commandTool } from "../../../src/tools/command-tool.js";
import type { ToolEnvironment, ToolLogLevel } from "../../../src/tools/tool.js";
import { delay } from "../../../src/world/abort.js";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

const READ_REQUEST = `
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (c) => { input += c; });
const answer = (fn) => process.stdin.on("end", () => fn(JSON.parse(input)));
`;

const SCRIPTS: Record<string, string> = {
  "echo.mjs": `${READ_REQUEST}
answer((req) => process.stdout.write(JSON.stringify({ result: {
  req, cwd: process.cwd(), extra: process.env.EXTRA ?? null, leaked: process.env.RUNPLANE_PARENT_SECRET ?? null,
} }) + "\\n"));`,
  "error.mjs": `${READ_REQUEST}
answer(() => console.log(JSON.stringify({ error: { code: "PERMISSION_DENIED", message: "upstream said no" } })));`,
  "spoof.mjs": `${READ_REQUEST}
answer(() => console.log(JSON.stringify({ error: { code: "LEASE_EXPIRED", message: "pretend" } })));`,
  "garbage.mjs": `console.log("hello, not json");`,
  "no-answer-key.mjs": `console.log(JSON.stringify({ value: 1 }));`,
  "exit.mjs": "process.exit(3);",
  "hang.mjs": `import { writeFileSync } from "node:fs";
writeFileSync(process.argv[2], String(process.pid));
setInterval(() => {}, 1000);`,
  "stderr.mjs": `${READ_REQUEST}
process.stderr.write("working on it\\n");
answer(() => setTimeout(() => console.log(JSON.stringify({ result: "done" })), 50));`,
  "blank-first.mjs": `console.log(""); console.log(JSON.stringify({ result: [1, 2] }));`,
};

function isCode(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) =>
    err instanceof ArcpError &&
    err.code === code &&
    (pattern === undefined || pattern.test(err.message));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Poll until `condition` holds, failing after a generous deadline. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const never = new AbortController().signal;
  for (let i = 0; i < 100; i++) {
    if (condition()) return;
    await delay(50, never);
  }
  assert.fail(`never happened: ${what}`);
}

describe("command tools", () => {
  let dir: string;
  let logs: { level: ToolLogLevel; message: string }[];
  const env = (signal = new AbortController().signal): ToolEnvironment => ({
    jobId: "job_cmd",
    signal,
    traceparent: TRACEPARENT,
    readFile: async () => "",
    writeFile: async () => {},
    fetch: async () => ({ status: 200, headers: {}, body: "" }),
    log: (level, message) => void logs.push({ level, message }),
  });
  const tool = (script: string, extra: Partial<CommandToolSpec> = {}) =>
    commandTool({ name: "t", command: [process.execPath, join(dir, script)], ...extra });

  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), "runplane-cmdtool-")));
    for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, name), text);
    process.env.RUNPLANE_PARENT_SECRET = "parent-only";
  });
  after(() => {
    delete process.env.RUNPLANE_PARENT_SECRET;
    rmSync(dir, { recursive: true, force: true });
  });

  test("[arcp-11-to-tools] the tool reads {args, job: {id, traceparent}} and its result is returned", async () => {
    logs = [];
    const result = (await tool("echo.mjs", { cwd: dir, env: { EXTRA: "yes" } }).call(
      { q: "x" },
      env(),
    )) as Record<string, unknown>;
    assert.deepEqual(result.req, {
      args: { q: "x" },
      job: { id: "job_cmd", traceparent: TRACEPARENT },
    });
    assert.equal(result.cwd, dir);
    assert.equal(result.extra, "yes");
    assert.equal(result.leaked, null, "the parent's environment is not inherited");
  });

  test("an {error} line becomes an ArcpError with the tool's code and message", async () => {
    await assert.rejects(
      tool("error.mjs").call({}, env()),
      isCode("PERMISSION_DENIED", /^upstream said no$/),
    );
  });

  test("a tool cannot claim a runtime-owned code such as LEASE_EXPIRED", async () => {
    await assert.rejects(tool("spoof.mjs").call({}, env()), isCode("INTERNAL_ERROR", /pretend/));
  });

  test("output that is not a result line is INTERNAL_ERROR and is not echoed", async () => {
    await assert.rejects(tool("garbage.mjs").call({}, env()), (err: unknown) => {
      return isCode("INTERNAL_ERROR")(err) && !(err as Error).message.includes("hello, not json");
    });
    await assert.rejects(tool("no-answer-key.mjs").call({}, env()), isCode("INTERNAL_ERROR"));
  });

  test("blank lines before the answer are skipped", async () => {
    assert.deepEqual(await tool("blank-first.mjs").call({}, env()), [1, 2]);
  });

  test("exiting without an answer is INTERNAL_ERROR naming the exit code", async () => {
    await assert.rejects(tool("exit.mjs").call({}, env()), isCode("INTERNAL_ERROR", /code 3/));
  });

  test("a command that cannot start is INTERNAL_ERROR", async () => {
    const missing = commandTool({ name: "t", command: [join(dir, "does-not-exist")] });
    await assert.rejects(missing.call({}, env()), isCode("INTERNAL_ERROR", /could not be started/));
  });

  test("a call over timeout_ms is INTERNAL_ERROR and the process is killed", async () => {
    const pidFile = join(dir, "timeout.pid");
    const slow = commandTool({
      name: "t",
      command: [process.execPath, join(dir, "hang.mjs"), pidFile],
      timeout_ms: 300,
    });
    await assert.rejects(slow.call({}, env()), isCode("INTERNAL_ERROR", /timed out after 300 ms/));
    const pid = Number(readFileSync(pidFile, "utf8"));
    await eventually(() => !alive(pid), "the timed-out tool exits");
  });

  test("the job signal kills the process and rejects with its reason", async () => {
    const pidFile = join(dir, "cancel.pid");
    const controller = new AbortController();
    const hang = commandTool({
      name: "t",
      command: [process.execPath, join(dir, "hang.mjs"), pidFile],
    });
    const pending = hang.call({}, env(controller.signal));
    await eventually(() => {
      try {
        return readFileSync(pidFile, "utf8") !== "";
      } catch {
        return false;
      }
    }, "the tool starts");
    controller.abort(new ArcpError("CANCELLED", "job cancelled"));
    await assert.rejects(pending, isCode("CANCELLED"));
    const pid = Number(readFileSync(pidFile, "utf8"));
    await eventually(() => !alive(pid), "the cancelled tool exits");
  });

  test("an already-aborted signal never starts the process", async () => {
    const controller = new AbortController();
    controller.abort();
    const pidFile = join(dir, "never.pid");
    const hang = commandTool({
      name: "t",
      command: [process.execPath, join(dir, "hang.mjs"), pidFile],
    });
    await assert.rejects(hang.call({}, env(controller.signal)), isCode("CANCELLED"));
    assert.throws(() => readFileSync(pidFile));
  });

  test("stderr lines are reported through env.log", async () => {
    logs = [];
    assert.equal(await tool("stderr.mjs").call({}, env()), "done");
    assert.deepEqual(logs, [{ level: "info", message: "t: working on it" }]);
  });

  test("the config file's CommandToolConfig is accepted as is; an empty command is a ConfigError", () => {
    const config: CommandToolConfig = {
      name: "cfg",
      command: ["true"],
      timeout_ms: 10,
      description: "d",
    };
    const def = commandTool(config);
    assert.equal(def.name, "cfg");
    assert.equal(def.description, "d");
    assert.throws(() => commandTool({ name: "x", command: [] }), ConfigError);
  });
});
