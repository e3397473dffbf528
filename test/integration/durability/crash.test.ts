/**
 * Crash recovery (DESIGN-14, §12, §14): `runplane serve` on a file database is killed with
 * SIGKILL while jobs stream events and hold credentials from a fake LiteLLM; after a restart the
 * session resumes with every event it had received, same seq, no gap, no duplicate; the
 * interrupted jobs end as retryable INTERNAL_ERROR; every credential is revoked upstream.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { assertGapFree, connectWs, type Frame } from "../../support/arcp-test-client.js";
import { spawnServe } from "../../support/child-server.js";
import {
  type FakeLiteLlm,
  liteLlmProvisionerFlags,
  startFakeLiteLlm,
} from "../../support/fake-litellm.js";
import { makeTempDir, removeTempDir } from "../../support/temp-dir.js";

describe("crash recovery", () => {
  let litellm: FakeLiteLlm;
  let dir: string;
  let db: string;
  before(async () => {
    litellm = await startFakeLiteLlm();
    dir = makeTempDir("crash");
    db = join(dir, "runplane.db");
  });
  after(async () => {
    await litellm.close();
    removeTempDir(dir);
  });

  const args = () => [
    "--db",
    db,
    "--token",
    "tok-alice=alice",
    ...liteLlmProvisionerFlags(litellm),
    "--workspace",
    join(db, "..", "ws"),
  ];

  test("[arcp-12-crash-recovery] [arcp-8.3-durable-before-send] [arcp-6.3-durable-resume] [arcp-9.8-revocation-durable] [arcp-9.8-issue-by-accept] SIGKILL mid-stream, restart, resume: nothing lost, nothing doubled, jobs end INTERNAL_ERROR, credentials revoked", {
    timeout: 90_000,
  }, async () => {
    const first = await spawnServe(args());
    const c = await connectWs(first.wsUrl);
    await c.hello({ token: "tok-alice" });
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await c.submit({
        agent: "slow",
        input: { seconds: 60 },
        lease_request: { "model.use": ["gpt-4o"], "cost.budget": ["USD:2.50"] },
      });
      assert.equal(a.type, "job.accepted");
      const creds = a.payload["credentials"] as { id: string; value: string }[];
      assert.equal(creds.length, 1, "a credential arrives in job.accepted");
      assert.ok(
        litellm.key(creds[0]?.id as string) !== undefined,
        "issued upstream before job.accepted",
      );
      jobs.push(a.job_id as string);
    }
    await c.waitFor(() => c.seqs().length >= 30, 15_000);
    await first.stop("SIGKILL");
    const received = c.frames.filter((f) => f.event_seq !== undefined);
    assert.ok(received.length >= 30);
    assertGapFree(received.map((f) => f.event_seq as number));
    assert.equal(litellm.liveKeys().length, 3, "the kill left three live keys upstream");

    const second = await spawnServe(args());
    try {
      const r = await connectWs(second.wsUrl);
      await r.hello({
        token: "tok-alice",
        resume: {
          session_id: c.sessionId as string,
          resume_token: c.resumeToken as string,
          last_event_seq: 0,
        },
      });
      await r.waitFor(
        () => jobs.every((id) => r.frames.some((f) => f.job_id === id && f.type === "job.error")),
        15_000,
      );
      const replayed = r.frames.filter((f) => f.event_seq !== undefined);
      assertGapFree(replayed.map((f) => f.event_seq as number));
      for (const original of received) {
        const again = replayed.find((f) => f.event_seq === original.event_seq) as Frame;
        assert.deepEqual(again, original, `seq ${original.event_seq} replayed unchanged`);
      }
      for (const id of jobs) {
        const terminal = r.frames.find((f) => f.job_id === id && f.type === "job.error") as Frame;
        assert.equal(terminal.payload["code"], "INTERNAL_ERROR");
        assert.equal(terminal.payload["retryable"], true);
        assert.equal(terminal.payload["final_status"], "error");
        assert.ok((terminal.event_seq as number) > (received.at(-1)?.event_seq as number));
      }
      const deadline = Date.now() + 10_000;
      while (litellm.liveKeys().length > 0 && Date.now() < deadline)
        await new Promise((res) => setTimeout(res, 100));
      assert.deepEqual(litellm.liveKeys(), [], "every credential is revoked at the upstream");
      r.close();
    } finally {
      await second.stop();
    }
  });
});
