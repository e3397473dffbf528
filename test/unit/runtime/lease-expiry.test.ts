/**
 * Lease expiry on a job that performs no operation (§9.5, §14): it is ended once the bounded
 * grace after `expires_at` has passed, not before, and the expiry is logged for audit.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Logger } from "../../../src/runtime/logger.js";
import { FakeClock, gatedAgent, startHarness } from "../../support/runtime-harness.js";

interface Entry {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(entries: Entry[]): Logger {
  const at =
    (level: string) =>
    (obj: Record<string, unknown>, msg?: string): void => {
      entries.push({ level, obj, msg });
    };
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}

test("[arcp-14-expiry-grace] [arcp-14-expiry-logged] [arcp-9.5-proactive-end] an idle job ends one grace period after expires_at, not before, and the expiry is logged", async () => {
  const clock = new FakeClock();
  const entries: Entry[] = [];
  const gated = gatedAgent();
  const h = await startHarness({ clock, agents: [gated.agent], logger: recordingLogger(entries) });
  try {
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const expiresAt = new Date(clock.now() + 2000).toISOString();
    const accepted = await client.submit({
      agent: "gated",
      lease_constraints: { expires_at: expiresAt },
    });
    const jobId = accepted.job_id as string;
    await client.waitFor((f) => f.job_id === jobId && f.type === "job.event");

    clock.advance(2000 + 999);
    assert.ok(h.runtime.jobs.has(jobId), "still running within the grace");
    assert.ok(!entries.some((e) => e.msg === "lease expired"));

    clock.advance(1);
    assert.ok(!h.runtime.jobs.has(jobId), "ended once the grace is over");
    const end = await client.terminal(jobId);
    assert.equal(end.type, "job.error");
    assert.equal(end.payload["code"], "LEASE_EXPIRED");
    const logged = entries.filter((e) => e.msg === "lease expired");
    assert.equal(logged.length, 1);
    assert.equal(logged[0]?.obj["job"], jobId);
    assert.equal(logged[0]?.obj["expires_at"], expiresAt);
  } finally {
    gated.release();
    await h.close();
  }
});
