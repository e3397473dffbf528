/**
 * A delegated child that ends before its job.accepted went out (its credentials could not be
 * issued, or its parent ended while they were) is announced first: a client never receives the
 * terminal of a job it was never told about (§7.3, §10).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryProvisioner } from "../../../src/credentials/memory-provisioner.js";
import type { IssuedCredential, IssueRequest } from "../../../src/credentials/provisioner.js";
import { connectWs, type Frame, type TestClient } from "../../support/arcp-test-client.js";
import { startTestServer, TOKENS } from "../../support/test-server.js";

/** Issues whose call number is listed wait until `release(n)`, failing when told to. */
class GatedIssues extends MemoryProvisioner {
  calls = 0;
  readonly #gates = new Map<number, { wait: Promise<void>; open: () => void; fail: boolean }>();
  constructor(gated: number[]) {
    super();
    for (const n of gated) {
      let open: () => void = () => {};
      const wait = new Promise<void>((resolve) => {
        open = resolve;
      });
      this.#gates.set(n, { wait, open, fail: false });
    }
  }
  override async issue(request: IssueRequest, signal?: AbortSignal): Promise<IssuedCredential> {
    const gate = this.#gates.get(++this.calls);
    if (gate !== undefined) {
      await gate.wait;
      if (gate.fail) throw new Error("upstream refused the key");
    }
    return super.issue(request, signal);
  }
  release(n: number, fail = false): void {
    const gate = this.#gates.get(n);
    if (gate === undefined) return;
    gate.fail = fail;
    gate.open();
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

/** The client's own submit (not the parent's) was answered before the child was announced. */
async function assertAnsweredBeforeChild(client: TestClient, parentId: string): Promise<void> {
  const childAccepted = await client.waitFor(
    (f) => f.type === "job.accepted" && f.payload["parent_job_id"] === parentId,
  );
  const mine = client.frames.findIndex(
    (f) => f.type === "job.accepted" && f !== childAccepted && f.job_id !== parentId,
  );
  assert.ok(mine >= 0, "the submit was answered");
  assert.ok(mine < client.frames.indexOf(childAccepted), "its answer came before the child's");
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), "condition not reached in 2 s");
}

describe("delegated children ended before their announcement", () => {
  test("[arcp-10-parent-link] [arcp-7.3-single-terminal] a child whose credential cannot be issued is announced, then ends", async () => {
    const provisioner = new GatedIssues([2]);
    const server = await startTestServer({ provisioner });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const parent = await c.submit(DELEGATE_SLOW);
      await until(() => provisioner.calls === 2);
      provisioner.release(2, true);
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
    const provisioner = new GatedIssues([2]);
    const server = await startTestServer({ provisioner });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const parent = await c.submit(DELEGATE_SLOW);
      await until(() => provisioner.calls === 2);
      c.send("job.cancel", {}, { job_id: parent.job_id });
      const parentEnd = await c.terminal(parent.job_id as string);
      assert.equal(parentEnd.payload["code"], "CANCELLED");
      provisioner.release(2);
      const announced = await c.waitFor(
        (f) => f.type === "job.accepted" && f.payload["parent_job_id"] === parent.job_id,
      );
      await c.terminal(announced.job_id as string);
      const { accepted, end } = childFrames(c.frames, parent.job_id as string);
      assert.ok(end > accepted, "the child's terminal follows its job.accepted");
      assert.equal((c.frames[end] as Frame).payload["code"], "CANCELLED");
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

  test("[arcp-10-parent-link] a child that ends unannounced is announced only after the answer to a submit received before", async () => {
    // Issues 2 (the child's) and 3 (a later submit's) wait for the test.
    const provisioner = new GatedIssues([2, 3]);
    const server = await startTestServer({ provisioner });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const parent = await c.submit(DELEGATE_SLOW);
      await until(() => provisioner.calls === 2);
      c.send("job.submit", { agent: "echo", input: { mine: 1 } });
      await until(() => provisioner.calls === 3);
      provisioner.release(2, true);
      await new Promise((r) => setTimeout(r, 100));
      provisioner.release(3);
      await assertAnsweredBeforeChild(c, parent.job_id as string);
      c.close();
    } finally {
      await server.close();
    }
  });

  test("[arcp-10-parent-link] a submit sent right behind a resume hello is answered before a child announced meanwhile", async () => {
    // Issues 2 (the child's) and 3 (the submit's) wait for the test.
    const provisioner = new GatedIssues([2, 3]);
    const server = await startTestServer({ provisioner });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const parent = await c.submit(DELEGATE_SLOW);
      await until(() => provisioner.calls === 2);
      c.close();
      await c.waitClosed();

      const again = await connectWs(server.wsUrl);
      const welcomed = again.hello({
        token: TOKENS.alice,
        resume: {
          session_id: c.sessionId as string,
          resume_token: c.resumeToken as string,
          last_event_seq: c.lastSeq(),
        },
      });
      // Not waiting for session.welcome: this submit arrives before the session is bound.
      again.send("job.submit", { agent: "echo", input: { mine: 1 } });
      await welcomed;
      await until(() => provisioner.calls === 3);
      provisioner.release(2);
      await new Promise((r) => setTimeout(r, 100));
      provisioner.release(3);
      await assertAnsweredBeforeChild(again, parent.job_id as string);
      again.close();
    } finally {
      await server.close();
    }
  });
});
