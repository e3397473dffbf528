/**
 * A delegated child that ends before its job.accepted went out (its credentials could not be
 * issued, or its parent ended while they were) is announced first: a client never receives the
 * terminal of a job it was never told about (§7.3, §10).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryProvisioner } from "../../../src/credentials/memory-provisioner.js";
import type { IssuedCredential, IssueRequest } from "../../../src/credentials/provisioner.js";
import { connectWs, type Frame } from "../../support/arcp-test-client.js";
import { startTestServer, TOKENS } from "../../support/test-server.js";

/** Issues the first credential at once; the second waits for `release` (or fails with `fail`). */
class SecondIssueGated extends MemoryProvisioner {
  #calls = 0;
  #gate: Promise<void>;
  #open: () => void = () => {};
  #failing = false;
  constructor() {
    super();
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }
  override async issue(request: IssueRequest, signal?: AbortSignal): Promise<IssuedCredential> {
    if (++this.#calls === 2) {
      await this.#gate;
      if (this.#failing) throw new Error("upstream refused the key");
    }
    return super.issue(request, signal);
  }
  get calls(): number {
    return this.#calls;
  }
  release(): void {
    this.#open();
  }
  fail(): void {
    this.#failing = true;
    this.#open();
  }
}

const DELEGATE_SLOW = {
  agent: "delegator",
  input: { agent: "slow", input: { seconds: 30 } },
  lease_request: { "agent.delegate": ["slow"] },
};

function childFrames(
  frames: readonly Frame[],
  parentId: string,
): { accepted: number; end: number } {
  const accepted = frames.findIndex(
    (f) => f.type === "job.accepted" && f.payload["parent_job_id"] === parentId,
  );
  assert.ok(accepted >= 0, "the child was announced");
  const childId = frames[accepted]?.job_id;
  const end = frames.findIndex(
    (f) => f.job_id === childId && (f.type === "job.error" || f.type === "job.result"),
  );
  const first = frames.findIndex((f) => f.job_id === childId);
  assert.equal(first, accepted, "job.accepted is the child's first frame");
  return { accepted, end };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), "condition not reached in 2 s");
}

describe("delegated children ended before their announcement", () => {
  test("[arcp-10-parent-link] [arcp-7.3-single-terminal] a child whose credential cannot be issued is announced, then ends", async () => {
    const provisioner = new SecondIssueGated();
    const server = await startTestServer({ provisioner });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const parent = await c.submit(DELEGATE_SLOW);
      await until(() => provisioner.calls === 2);
      provisioner.fail();
      const parentEnd = await c.terminal(parent.job_id as string);
      assert.equal(parentEnd.type, "job.error");
      const { accepted, end } = childFrames(c.frames, parent.job_id as string);
      assert.ok(end > accepted, "the child's terminal follows its job.accepted");
      const childAccepted = c.frames[accepted] as Frame;
      assert.equal(childAccepted.payload["credentials"], undefined, "no credential is announced");
      c.close();
    } finally {
      await server.close();
    }
  });

  test("[arcp-10-parent-link] [arcp-7.3-single-terminal] a parent cancelled while its child's credential is issued: the child is announced, then cancelled", async () => {
    const provisioner = new SecondIssueGated();
    const server = await startTestServer({ provisioner });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const parent = await c.submit(DELEGATE_SLOW);
      await until(() => provisioner.calls === 2);
      c.send("job.cancel", {}, { job_id: parent.job_id });
      const parentEnd = await c.terminal(parent.job_id as string);
      assert.equal(parentEnd.payload["code"], "CANCELLED");
      const { accepted, end } = childFrames(c.frames, parent.job_id as string);
      assert.ok(end > accepted, "the child's terminal follows its job.accepted");
      assert.equal((c.frames[end] as Frame).payload["code"], "CANCELLED");
      provisioner.release();
      // The value issued after the child ended is revoked, not left live.
      await until(
        () =>
          provisioner.issued.length === 2 &&
          provisioner.issued.every((i) => provisioner.revoked.includes(i.handle)),
      );
      c.close();
    } finally {
      await server.close();
    }
  });
});
