/**
 * Provisioned credentials over WebSocket with a fake LiteLLM (§9.8, §14, DESIGN-11, DESIGN-23):
 * issued before job.accepted, revoked on every terminal state even when the upstream fails the
 * first revocations, bounded for children and ended with the parent, shown only to the submitter.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LiteLlmProvisioner } from "../../../src/credentials/litellm-provisioner.js";
import { connectWs, type Frame, type WsTestClient } from "../../support/arcp-test-client.js";
import { type FakeLiteLlm, startFakeLiteLlm } from "../../support/fake-litellm.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("provisioned credentials", () => {
  let litellm: FakeLiteLlm;
  let server: TestServer;
  let c: WsTestClient;
  before(async () => {
    litellm = await startFakeLiteLlm();
    server = await startTestServer({
      provisioner: new LiteLlmProvisioner({ baseUrl: litellm.url, masterKey: litellm.masterKey }),
      revokeMaxAttempts: 6,
      runtime: { visibility: { kind: "observers", principals: ["carol"] } },
      modelEndpoint: litellm.url,
    });
    c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
  });
  after(async () => {
    c.close();
    await server.close();
    await litellm.close();
  });

  const credentialOf = (
    accepted: Frame,
  ): {
    id: string;
    value: string;
    endpoint: string;
    scheme: string;
    constraints?: Record<string, unknown>;
  } => (accepted.payload["credentials"] as never[])[0] as never;

  test("[arcp-9.8-credential-shape] [arcp-9.8-issue-by-accept] [arcp-9.8-constraint-mapping] a credential bound to the lease is issued and recorded before job.accepted", async () => {
    const expires = new Date(Date.now() + 120_000).toISOString();
    const accepted = await c.submit({
      agent: "echo",
      input: {},
      lease_request: { "cost.budget": ["USD:2.50"], "model.use": ["gpt-4o"] },
      lease_constraints: { expires_at: expires },
    });
    const cred = credentialOf(accepted);
    assert.match(cred.id, /^cred_/);
    assert.equal(cred.scheme, "bearer");
    assert.equal(cred.endpoint, litellm.url);
    const key = litellm.key(cred.id);
    assert.ok(key !== undefined, "the upstream key existed when job.accepted arrived");
    assert.equal(key.value, cred.value);
    assert.equal(key.maxBudget, 2.5);
    assert.deepEqual(key.models, ["gpt-4o"]);
    assert.ok(key.expiresAtMs !== null && key.expiresAtMs <= Date.parse(expires));
    assert.deepEqual(cred.constraints, {
      "cost.budget": ["USD:2.50"],
      "model.use": ["gpt-4o"],
      expires_at: expires,
    });
    const ledger = await server.runtime.store.listCredentialsForJob(accepted.job_id as string);
    assert.equal(ledger.length, 1);
    assert.ok(!JSON.stringify(ledger).includes(cred.value), "the ledger holds no secret");
    await c.terminal(accepted.job_id as string);
  });

  test("[arcp-9.8-revoke-on-terminal] [arcp-9.8-revocation-durable] credentials are revoked on success, error, cancel and timeout, even when the upstream fails the first attempts", async () => {
    litellm.failNextDeletes(3);
    const success = await c.submit({ agent: "echo", input: {} });
    const error = await c.submit({ agent: "fail", input: { code: "PERMISSION_DENIED" } });
    const cancelled = await c.submit({ agent: "slow", input: { seconds: 30 } });
    const timedOut = await c.submit({ agent: "slow", input: { seconds: 30 }, max_runtime_sec: 1 });
    c.send("job.cancel", {}, { job_id: cancelled.job_id });
    const ends = await Promise.all(
      [success, error, cancelled, timedOut].map((a) => c.terminal(a.job_id as string)),
    );
    assert.deepEqual(
      ends.map((e) => (e.type === "job.result" ? "success" : e.payload["final_status"])),
      ["success", "error", "cancelled", "timed_out"],
    );
    const ids = [success, error, cancelled, timedOut].map((a) => credentialOf(a).id);
    await until(() => ids.every((id) => litellm.key(id) === undefined));
    const failedDeletes = litellm.requests.filter(
      (r) => r.path === "/key/delete" && r.status === 500,
    );
    assert.equal(failedDeletes.length, 3, "three revocations failed first and were retried");
    for (const a of [success, error, cancelled, timedOut]) {
      const rows = await server.runtime.store.listCredentialsForJob(a.job_id as string);
      assert.deepEqual(
        rows.map((r) => r.state),
        ["revoked"],
      );
    }
  });

  test("[arcp-9.8-one-job] every job gets its own credential value", async () => {
    const values = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const a = await c.submit({ agent: "echo", input: { i } });
      values.add(credentialOf(a).value);
    }
    assert.equal(values.size, 20);
  });

  test("[arcp-9.8-child-credentials] a child's credential is bounded by the child lease and revoked when the parent is cancelled", async () => {
    const parent = await c.submit({
      agent: "delegator",
      input: { agent: "slow", input: { seconds: 30 }, lease: { "cost.budget": ["USD:1.00"] } },
      lease_request: {
        "agent.delegate": ["slow"],
        "cost.budget": ["USD:3.00"],
        "model.use": ["gpt-4o"],
      },
    });
    const childAccepted = await c.waitFor(
      (f) => f.type === "job.accepted" && f.payload["parent_job_id"] === parent.job_id,
    );
    const childCred = credentialOf(childAccepted);
    const key = litellm.key(childCred.id);
    assert.equal(key?.maxBudget, 1);
    assert.deepEqual(key?.models, ["gpt-4o"], "the child inherits the parent's model.use");
    c.send("job.cancel", {}, { job_id: parent.job_id });
    const childEnd = await c.terminal(childAccepted.job_id as string);
    assert.equal(childEnd.payload["code"], "CANCELLED");
    await until(
      () =>
        litellm.key(childCred.id) === undefined &&
        litellm.key(credentialOf(parent).id) === undefined,
    );
  });

  test("[arcp-9.8-redact-non-submitter] [arcp-9.8-authenticated-only] observers never see credentials; values are deleted at rest with the job", async () => {
    const accepted = await c.submit({ agent: "slow", input: { seconds: 0.6 } });
    const value = credentialOf(accepted).value;
    const carol = await connectWs(server.wsUrl);
    await carol.hello({ token: TOKENS.carol });
    carol.send("job.subscribe", { job_id: accepted.job_id, history: true });
    const sub = await carol.waitForType("job.subscribed");
    assert.equal(sub.payload["credentials"], undefined);
    carol.send("session.list_jobs", {});
    const listed = await carol.waitForType("session.jobs");
    const mine = await connectWs(server.wsUrl);
    await mine.hello({ token: TOKENS.alice });
    mine.send("job.subscribe", { job_id: accepted.job_id });
    const own = await mine.waitForType("job.subscribed");
    assert.equal(
      (own.payload["credentials"] as { value: string }[])[0]?.value,
      value,
      "the submitter's other session sees it",
    );
    await carol.terminal(accepted.job_id as string);
    assert.ok(!JSON.stringify(carol.frames).includes(value));
    assert.ok(!JSON.stringify(listed).includes(value));
    const run = await fetch(`${server.httpUrl}/v1/runs/${accepted.job_id}`, {
      headers: { authorization: `Bearer ${TOKENS.alice}` },
    });
    assert.ok(!(await run.text()).includes(value), "ARP responses never carry credential values");
    const events = await server.runtime.store.readEvents(c.sessionId as string, 0, 100_000);
    assert.ok(!events.some((e) => e.frame.includes(value)), "no event at rest holds the value");
    carol.close();
    mine.close();
  });

  test("[arcp-9.6-upstream-budget] [arcp-9.8-constraints-truthful] an upstream budget refusal surfaces as BUDGET_EXHAUSTED, and the runtime itself still refuses models outside the lease", async () => {
    const refused = await c.submit({
      agent: "llm",
      input: { model: "mock/budget-exceeded", prompt: "hello" },
      lease_request: { "model.use": ["mock/*"] },
    });
    const end = await c.terminal(refused.job_id as string);
    assert.equal(end.payload["code"], "BUDGET_EXHAUSTED");
    assert.equal(end.payload["retryable"], false);
    const toolError = c
      .eventsOf(refused.job_id as string, "tool_result")
      .map((f) => (f.payload["body"] as Record<string, unknown>)["error"])[0] as Record<
      string,
      unknown
    >;
    assert.equal(toolError["code"], "BUDGET_EXHAUSTED");
    const denied = await c.submit({
      agent: "llm",
      input: { model: "gpt-3.5", prompt: "x" },
      lease_request: { "model.use": ["gpt-4o"] },
    });
    const deniedEnd = await c.terminal(denied.job_id as string);
    assert.equal(deniedEnd.payload["code"], "PERMISSION_DENIED");
    const reached = litellm.requests.filter(
      (r) =>
        r.path === "/chat/completions" &&
        (r.body as { model?: string } | null)?.model === "gpt-3.5",
    );
    assert.equal(reached.length, 0, "the refused model never reached the upstream");
  });
});

describe("credential rotation", () => {
  test("[arcp-9.8-rotation] [arcp-9.8-redact-non-submitter] a rotation emits credential_rotated with the new value for the submitter only, and revokes the old value", async () => {
    const litellm = await startFakeLiteLlm();
    const server = await startTestServer({
      provisioner: new LiteLlmProvisioner({ baseUrl: litellm.url, masterKey: litellm.masterKey }),
      runtime: { credentialRotateSec: 1, visibility: { kind: "observers", principals: ["carol"] } },
    });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const accepted = await c.submit({ agent: "slow", input: { seconds: 1.8 } });
      const jobId = accepted.job_id as string;
      const original = (accepted.payload["credentials"] as { id: string; value: string }[])[0] as {
        id: string;
        value: string;
      };
      const carol = await connectWs(server.wsUrl);
      await carol.hello({ token: TOKENS.carol });
      carol.send("job.subscribe", { job_id: jobId });
      await carol.waitForType("job.subscribed");
      const rotated = await c.waitFor(
        (f) => f.job_id === jobId && f.payload["kind"] === "status",
        5000,
      );
      const body = rotated.payload["body"] as Record<string, unknown>;
      assert.equal(body["phase"], "credential_rotated");
      assert.equal(body["credential_id"], original.id);
      const fresh = body["value"] as string;
      assert.ok(typeof fresh === "string" && fresh !== original.value);
      await until(
        () =>
          litellm.liveKeys().some((k) => k.value === fresh) &&
          !litellm.liveKeys().some((k) => k.value === original.value),
      );
      const seen = await carol.waitFor((f) => f.job_id === jobId && f.payload["kind"] === "status");
      assert.equal(
        (seen.payload["body"] as Record<string, unknown>)["value"],
        undefined,
        "an observer of another principal gets no value",
      );
      await c.terminal(jobId);
      const stored = await server.runtime.store.readEvents(c.sessionId as string, 0, 10_000);
      assert.ok(
        !stored.some((e) => e.frame.includes(fresh)),
        "the durable log never holds the value",
      );
      await until(() => litellm.liveKeys().length === 0);
      c.close();
      carol.close();
    } finally {
      await server.close();
      await litellm.close();
    }
  });
});
