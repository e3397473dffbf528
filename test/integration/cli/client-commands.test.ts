/** The client and operator commands a user runs in a second terminal, against a real server and database. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ChildServer, runCli, spawnServe } from "../../support/child-server.js";
import {
  type FakeLiteLlm,
  liteLlmProvisionerFlags,
  startFakeLiteLlm,
} from "../../support/fake-litellm.js";
import { makeTempDir, removeTempDir } from "../../support/temp-dir.js";

describe("runplane client and operator commands", () => {
  let server: ChildServer;
  let litellm: FakeLiteLlm;
  let dir: string;
  let db: string;
  before(async () => {
    litellm = await startFakeLiteLlm();
    dir = makeTempDir("ops");
    db = join(dir, "r.db");
    server = await spawnServe([
      "--db",
      db,
      "--token",
      "tok-a=alice",
      ...liteLlmProvisionerFlags(litellm),
      "--revoke-max-attempts",
      "1",
    ]);
  });
  after(async () => {
    await server.stop();
    await litellm.close();
    removeTempDir(dir);
  });

  test("submit prints the events and the result, and exits 0", async () => {
    const r = await runCli(
      ["submit", "--url", server.wsUrl, "--agent", "echo", "--input", '{"x":1}'],
      { RUNPLANE_TOKEN: "tok-a" },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /accepted job_\w+ \(echo@2\.0\.0\)/);
    assert.match(r.stdout, /\[info\] echo@2\.0\.0 received input/);
    assert.match(r.stdout, /progress \[#+\] 1\/1 steps echoed/);
    assert.deepEqual(JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))), {
      echo: { x: 1 },
      version: "2.0.0",
    });
  });

  test("submit reassembles a streamed result, prints JSON lines with --json, and exits 1 on job.error", async () => {
    const streamed = await runCli([
      "submit",
      "--url",
      server.wsUrl,
      "--token",
      "tok-a",
      "--agent",
      "stream-report",
      "--input",
      '{"chunks":3,"chunk_bytes":10}',
    ]);
    assert.equal(streamed.code, 0);
    assert.equal(streamed.stdout.trim(), `[0]xxxxxxx[1]xxxxxxx[2]xxxxxxx`);
    const json = await runCli([
      "submit",
      "--url",
      server.wsUrl,
      "--token",
      "tok-a",
      "--agent",
      "echo",
      "--json",
    ]);
    const types = json.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { type: string }).type);
    assert.deepEqual(types, ["job.accepted", "job.event", "job.event", "job.result"]);
    const failed = await runCli([
      "submit",
      "--url",
      server.wsUrl,
      "--token",
      "tok-a",
      "--agent",
      "fail",
      "--input",
      '{"code":"PERMISSION_DENIED","message":"no"}',
    ]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /error PERMISSION_DENIED: no/);
    const bad = await runCli([
      "submit",
      "--url",
      server.wsUrl,
      "--token",
      "wrong",
      "--agent",
      "echo",
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /UNAUTHENTICATED/);
  });

  test("agents lists the inventory of a server and of the local sources", async () => {
    const remote = await runCli(["agents", "--url", server.wsUrl, "--token", "tok-a", "--json"]);
    const names = (JSON.parse(remote.stdout) as { name: string }[]).map((a) => a.name);
    assert.ok(names.includes("echo") && names.includes("chatty"));
    const local = await runCli(["agents"]);
    assert.match(local.stdout, /echo\s+1\.0\.0, 2\.0\.0\s+\(default 2\.0\.0\)/);
  });

  test("jobs and replay read the server's database while it runs", async () => {
    const jobs = await runCli(["jobs", "--db", db, "--agent", "echo", "--json"]);
    const page = JSON.parse(jobs.stdout) as {
      jobs: { id: string; sessionId: string; state: string }[];
    };
    assert.ok(page.jobs.length >= 2);
    assert.ok(page.jobs.every((j) => j.state === "success"));
    const sessionId = page.jobs[0]?.sessionId as string;
    const replay = await runCli(["replay", "--db", db, "--session", sessionId]);
    const frames = replay.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event_seq: number; session_id: string });
    assert.ok(frames.length >= 3);
    assert.ok(frames.every((f, i) => f.event_seq === i + 1 && f.session_id === sessionId));
    const after = await runCli(["replay", "--db", db, "--session", sessionId, "--after-seq", "2"]);
    assert.equal(after.stdout.trim().split("\n").length, frames.length - 2);
  });

  test("[arcp-9.8-revocation-durable] credentials lists an unrevocable credential, and credentials retry revokes it", async () => {
    litellm.failNextDeletes(100);
    const r = await runCli([
      "submit",
      "--url",
      server.wsUrl,
      "--token",
      "tok-a",
      "--agent",
      "echo",
      "--json",
    ]);
    const accepted = JSON.parse(r.stdout.split("\n")[0] as string) as {
      payload: { credentials: { id: string }[] };
    };
    const credId = accepted.payload.credentials[0]?.id as string;
    let listed = "";
    for (let i = 0; i < 50 && !listed.includes("failed"); i++) {
      await new Promise((res) => setTimeout(res, 100));
      listed = (await runCli(["credentials", "--db", db, "--state", "failed"])).stdout;
    }
    assert.match(listed, new RegExp(`${credId}\\s+failed`));
    assert.ok(litellm.key(credId) !== undefined, "still live upstream");
    litellm.failNextDeletes(0);
    const retried = await runCli([
      "credentials",
      "retry",
      "--db",
      db,
      ...liteLlmProvisionerFlags(litellm),
    ]);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(
      litellm.key(credId),
      undefined,
      `revoked upstream; retry said: ${retried.stdout} ${retried.stderr}`,
    );
    const now = (await runCli(["credentials", "--db", db, "--state", "failed"])).stdout;
    assert.match(now, /no credentials in those states/);
  });
});
