/**
 * `runplane serve` outlives a promise rejection nobody handled (an agent module's bug): it says
 * so on stderr, without the rejected value, and keeps serving every session.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { connectWs } from "../../support/arcp-test-client.js";
import { spawnServe } from "../../support/child-server.js";
import { tempDirFor } from "../../support/temp-dir.js";

const AGENTS = `
export default [
  { name: "stray-rejection", version: "1.0.0", async run() {
    Promise.reject(new Error("stray rejection from an agent"));
    Promise.reject({ token: "sk-not-for-logs" });
    return { ok: true };
  } },
];
`;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(25);
  assert.ok(check(), what);
}

for (const [how, installed] of [
  ["from source", false],
  ["as installed (bin/runplane.js)", true],
] as const) {
  test(`serve ${how} logs an unhandled rejection to stderr, without the rejected value, and keeps serving`, {
    timeout: 60_000,
  }, async (t) => {
    const dir = tempDirFor(t, "guard");
    writeFileSync(join(dir, "agents.mjs"), AGENTS);
    const server = await spawnServe(
      ["--db", ":memory:", "--token", "tok-alice=alice", "--agents", join(dir, "agents.mjs")],
      {},
      { installed },
    );
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: "tok-alice" });
      const first = await c.submit({ agent: "stray-rejection" });
      assert.equal((await c.terminal(first.job_id as string)).type, "job.result");
      const reported = (): string[] =>
        server.stderr.filter((l) => l.includes("unhandled promise rejection"));
      await until(() => reported().length === 2, "both rejections reported on stderr");
      assert.ok(reported().some((l) => l.includes("stray rejection from an agent")));
      assert.ok(!server.stderr.some((l) => l.includes("sk-not-for-logs")), "no rejected value");
      const second = await c.submit({ agent: "echo", input: { still: "serving" } });
      const end = await c.terminal(second.job_id as string);
      assert.equal(end.type, "job.result");
      c.close();
    } finally {
      await server.stop();
    }
  });
}
