/** `runplane serve` as users run it: binding rules, one authenticator for both doors, idempotency across restarts. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { connectWs } from "../../support/arcp-test-client.js";
import { runCli, spawnServe } from "../../support/child-server.js";
import { tempDirFor } from "../../support/temp-dir.js";

describe("runplane serve", () => {
  test("[arcp-6.1-loopback-default] with no authentication it refuses a non-loopback bind, and by default binds 127.0.0.1 with a warning", async (t) => {
    const refused = await runCli(["serve", "--host", "0.0.0.0", "--port", "0", "--db", ":memory:"]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--auth none is allowed only on a loopback bind/);
    const db = join(tempDirFor(t, "cli"), "r.db");
    const server = await spawnServe(["--db", db]);
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(
        server.stderr.some((l) => l.includes("authentication is off")),
        "a warning says auth is off",
      );
    } finally {
      assert.equal(await server.stop(), 0, "SIGTERM shuts down cleanly");
    }
  });

  test("[arcp-6.1-shared-authenticators] [arp-map-run-is-job] one token opens both doors: a run started over HTTP is listed over ARCP for the same principal", async (t) => {
    const db = join(tempDirFor(t, "cli"), "r.db");
    const server = await spawnServe(["--db", db, "--token", "tok-a=alice", "--token", "tok-b=bob"]);
    try {
      const res = await fetch(`${server.url}/v1/runs`, {
        method: "POST",
        headers: { authorization: "Bearer tok-a", "content-type": "application/json" },
        body: JSON.stringify({
          root_node_type_ref: { node_type_id: "echo", version: "latest" },
          input: { via: "http" },
        }),
      });
      assert.equal(res.status, 200);
      const run = (await res.json()) as { run_id: string; root_node_run_id: string };
      const denied = await fetch(`${server.url}/v1/runs`, {
        method: "POST",
        headers: { authorization: "Bearer nope" },
      });
      assert.equal(denied.status, 401);
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: "tok-a" });
      const id = c.send("session.list_jobs", {});
      const jobs = await c.waitFor(
        (f) => f.type === "session.jobs" && f.payload["request_id"] === id,
      );
      assert.ok(
        (jobs.payload["jobs"] as { job_id: string }[]).some(
          (j) => j.job_id === run.root_node_run_id,
        ),
      );
      const bob = await connectWs(server.wsUrl);
      await bob.hello({ token: "tok-b" });
      const bid = bob.send("session.list_jobs", {});
      const bobs = await bob.waitFor(
        (f) => f.type === "session.jobs" && f.payload["request_id"] === bid,
      );
      assert.deepEqual(bobs.payload["jobs"], []);
      const bad = await connectWs(server.wsUrl);
      await assert.rejects(bad.hello({ token: "nope" }), /UNAUTHENTICATED/);
      c.close();
      bob.close();
    } finally {
      await server.stop();
    }
  });

  test("[arcp-7.2-durable-keys] idempotency keys survive a restart: the same key replays, another body conflicts", async (t) => {
    const db = join(tempDirFor(t, "cli"), "r.db");
    const first = await spawnServe(["--db", db, "--token", "tok-a=alice"]);
    let original: Record<string, unknown>;
    try {
      const c = await connectWs(first.wsUrl);
      await c.hello({ token: "tok-a" });
      const accepted = await c.submit({
        agent: "echo",
        input: { n: 1 },
        idempotency_key: "weekly",
      });
      original = accepted.payload;
      await c.terminal(accepted.job_id as string);
      c.close();
    } finally {
      await first.stop();
    }
    const second = await spawnServe(["--db", db, "--token", "tok-a=alice"]);
    try {
      const c = await connectWs(second.wsUrl);
      await c.hello({ token: "tok-a" });
      const replay = await c.submit({ agent: "echo", input: { n: 1 }, idempotency_key: "weekly" });
      assert.deepEqual(replay.payload, original);
      const terminal = await c.terminal(replay.job_id as string);
      assert.deepEqual(
        terminal.payload["result"],
        { echo: { n: 1 }, version: "2.0.0" },
        "a finished job's terminal is re-sent",
      );
      const conflict = await c.submit({
        agent: "echo",
        input: { n: 2 },
        idempotency_key: "weekly",
      });
      assert.equal(conflict.payload["code"], "DUPLICATE_KEY");
      c.close();
    } finally {
      await second.stop();
    }
  });
});
