/**
 * A delegated child's `job.accepted` answers no submit, and the TS SDK client binds any
 * `job.accepted` it did not ask for to its oldest pending submit (DESIGN-6). So a child is not
 * announced while a submit the runtime has already received on that session is unanswered.
 * In-process, so every submit provably arrives before any child exists.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Frame } from "../../support/arcp-test-client.js";
import { startHarness } from "../../support/runtime-harness.js";

test("[arcp-5-ts-client-compat] [arcp-7.1-answer-in-order] [arcp-10-parent-link] submits received before a child is accepted are answered before the child's job.accepted", async () => {
  const h = await startHarness();
  try {
    const { client: c } = h.connect();
    await c.hello({ token: "tok-alice" });
    const rounds = 10;
    for (let i = 0; i < rounds; i++) {
      c.send("job.submit", {
        agent: "delegator",
        input: { agent: "echo", input: { child: i }, lease: {} },
        lease_request: { "agent.delegate": ["echo"] },
      });
      c.send("job.submit", { agent: "echo", input: { mine: i } });
      c.send("job.submit", { agent: "echo", input: { also: i } });
    }
    const accepted = (): Frame[] => c.frames.filter((f) => f.type === "job.accepted");
    await c.waitFor(() => accepted().length === rounds * 4).catch(() => {});
    const all = accepted();
    assert.equal(all.length, rounds * 4);
    const firstChild = all.findIndex((f) => f.payload["parent_job_id"] !== undefined);
    assert.equal(firstChild, rounds * 3, "every submit is answered before the first child");
    const submitted = all.slice(0, rounds * 3);
    assert.ok(submitted.every((f) => f.payload["parent_job_id"] === undefined));
    for (const child of all.slice(rounds * 3)) {
      const parent = submitted.find((f) => f.job_id === child.payload["parent_job_id"]);
      assert.equal(parent?.payload["agent"], "delegator@1.0.0");
      const childStart = c.frames.findIndex((f) => f.job_id === child.job_id);
      assert.equal(c.frames[childStart], child, "the child's job.accepted comes first");
      const end = await c.terminal(child.job_id as string);
      assert.equal(end.type, "job.result");
    }
  } finally {
    await h.close();
  }
});
