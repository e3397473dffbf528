/**
 * A job that ends while one of its operations is on the way (§7.4, §9.3, §10): the operation
 * is not dispatched and no child job is created, so nothing acts for a job that is over.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineAgent } from "../../../src/agents/agent.js";
import { ArcpError } from "../../../src/protocol/errors.js";
import { createJob } from "../../../src/runtime/job/create-job.js";
import { stopJob } from "../../../src/runtime/job/start-job.js";
import type { Runtime } from "../../../src/runtime/runtime.js";
import { type Harness, startHarness } from "../../support/runtime-harness.js";

/** Cancel a job the way job.cancel does, from inside its own agent's turn. */
function cancel(rt: Runtime, jobId: string): void {
  const job = rt.jobs.get(jobId);
  assert.ok(job, "the job is live");
  stopJob(job, {
    kind: "error",
    error: new ArcpError("CANCELLED", "cancelled by client"),
    finalStatus: "cancelled",
  });
}

/** Agents that start an operation and have their job cancelled before it is dispatched. */
function racers(runtime: () => Runtime) {
  const settled: Record<string, Promise<string>> = {};
  const race = (
    name: string,
    op: (ctx: Parameters<Parameters<typeof defineAgent>[0]["run"]>[1]) => Promise<unknown>,
  ) =>
    defineAgent({
      name,
      version: "1.0.0",
      async run(_input, ctx) {
        const pending = op(ctx);
        cancel(runtime(), ctx.job.id);
        settled[name] = pending.then(
          () => "dispatched",
          (error: unknown) => ArcpError.from(error).code,
        );
        await settled[name];
        return null;
      },
    });
  const agents = [
    race("write-racer", (ctx) => ctx.fs.write("/after-cancel.txt", "too late")),
    race("delegate-racer", (ctx) => ctx.delegate("echo", { child: true }, { lease: {} })),
    defineAgent({
      name: "reader",
      version: "1.0.0",
      async run(_input, ctx) {
        try {
          return await ctx.fs.read("/after-cancel.txt");
        } catch (error) {
          return ArcpError.from(error).code;
        }
      },
    }),
  ];
  return { agents, settled };
}

async function harness(): Promise<{ h: Harness; settled: Record<string, Promise<string>> }> {
  let h: Harness | undefined;
  const { agents, settled } = racers(() => (h as Harness).runtime);
  h = await startHarness({ agents });
  return { h, settled };
}

describe("operations of a job that has ended", () => {
  test("[arcp-7.4-cancel-sequence] [arcp-9.3-enforce] a write started just before a cancel is not dispatched", async () => {
    const { h, settled } = await harness();
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const racer = await client.submit({
      agent: "write-racer",
      lease_request: { "fs.write": ["/**"] },
    });
    const end = await client.terminal(racer.job_id as string);
    assert.equal(end.payload["code"], "CANCELLED");
    assert.equal(await settled["write-racer"], "CANCELLED", "the agent learns why");
    const reader = await client.submit({ agent: "reader", lease_request: { "fs.read": ["/**"] } });
    const read = await client.terminal(reader.job_id as string);
    assert.notEqual(read.payload["result"], "too late", "the file was never written");
    await h.close();
  });

  test("[arcp-10-delegate-event] [arcp-7.3-single-terminal] a delegation started just before a cancel creates no child job", async () => {
    const { h, settled } = await harness();
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const parent = await client.submit({
      agent: "delegate-racer",
      lease_request: { "agent.delegate": ["echo"] },
    });
    const parentId = parent.job_id as string;
    const end = await client.terminal(parentId);
    assert.equal(end.payload["code"], "CANCELLED");
    assert.equal(await settled["delegate-racer"], "CANCELLED");
    const later = await client.submit({ agent: "echo", input: {} });
    await client.terminal(later.job_id as string);
    const accepted = client.frames.filter((f) => f.type === "job.accepted");
    assert.deepEqual(
      accepted.map((f) => f.job_id),
      [parentId, later.job_id],
      "no child was accepted",
    );
    const listed = await h.store.listJobs({ principals: ["alice"], limit: 100 });
    assert.equal(
      listed.jobs.filter((j) => j.parentJobId === parentId).length,
      0,
      "no child job exists",
    );
    await h.close();
  });

  test("[arcp-10-parent-link] createJob refuses a child of a parent that has ended", async () => {
    const gate: { open?: () => void } = {};
    const h = await startHarness({
      agents: [
        defineAgent({
          name: "waiting",
          version: "1.0.0",
          run: () =>
            new Promise<null>((resolve) => {
              gate.open = () => resolve(null);
            }),
        }),
      ],
    });
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const accepted = await client.submit({ agent: "waiting" });
    const parent = h.runtime.jobs.get(accepted.job_id as string);
    assert.ok(parent);
    cancel(h.runtime, parent.id);
    await assert.rejects(
      createJob(h.runtime, {
        channel: parent.owner,
        principal: "alice",
        agent: "echo",
        input: {},
        leaseRequest: {},
        leaseConstraints: undefined,
        idempotencyKey: undefined,
        maxRuntimeSec: undefined,
        traceId: parent.traceId,
        parent,
        delegateId: "del_test",
      }),
      (error: unknown) => error instanceof ArcpError && error.code === "CANCELLED",
    );
    assert.equal(parent.children.size, 0);
    gate.open?.();
    await h.close();
  });
});
