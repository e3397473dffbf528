/**
 * A subscription whose job ends while the subscribe is being handled (its audit write is slow,
 * as on a remote store): the subscriber still receives the terminal and is then detached (§7.6).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createMemoryStore } from "../../../src/store/memory/memory-store.js";
import { gatedAgent, startHarness } from "../../support/runtime-harness.js";

test("a job that ends during the subscribe's audit still sends its terminal to the subscriber", async () => {
  const store = createMemoryStore();
  let auditStarted = (): void => {};
  let finishAudit = (): void => {};
  const append = store.appendAudit.bind(store);
  store.appendAudit = async (record) => {
    auditStarted();
    await new Promise<void>((resolve) => {
      finishAudit = resolve;
    });
    return append(record);
  };
  const { agent: gated, release } = gatedAgent();
  const h = await startHarness({ agents: [gated], store });
  const { client: owner } = h.connect();
  await owner.hello({ token: "tok-alice" });
  const accepted = await owner.submit({ agent: "gated" });
  const jobId = accepted.job_id as string;
  await owner.waitFor((f) => f.job_id === jobId && f.payload["kind"] === "log");

  const { client: sub } = h.connect();
  await sub.hello({ token: "tok-alice" });
  const auditing = new Promise<void>((resolve) => {
    auditStarted = resolve;
  });
  sub.send("job.subscribe", { job_id: jobId });
  await auditing;
  release();
  const ownerEnd = await owner.terminal(jobId);
  finishAudit();

  await sub.waitForType("job.subscribed");
  const end = await sub.terminal(jobId);
  assert.deepEqual(end.payload, ownerEnd.payload);
  const channel = h.runtime.channels.get(sub.sessionId as string);
  assert.equal(channel?.subscriptions.has(jobId), false, "detached after the terminal");
  await h.close();
});
