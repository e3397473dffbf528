/**
 * `runplane credentials retry` against a real database and LiteLLM fake: it retries failed and
 * revoking credentials, and never revokes a live one out from under a running job (§9.8, §14).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connectWs, type Frame } from "../../support/arcp-test-client.js";
import { type ChildServer, runCli, spawnServe } from "../../support/child-server.js";
import {
  type FakeLiteLlm,
  liteLlmProvisionerFlags,
  startFakeLiteLlm,
} from "../../support/fake-litellm.js";
import { makeTempDir, removeTempDir } from "../../support/temp-dir.js";

interface LedgerRow {
  id: string;
  state: string;
  jobId: string;
}

describe("runplane credentials retry", () => {
  let litellm: FakeLiteLlm;
  let server: ChildServer;
  let dir: string;
  let db: string;
  const ledger = async (): Promise<LedgerRow[]> =>
    JSON.parse(
      (
        await runCli([
          "credentials",
          "--db",
          db,
          "--state",
          "live,revoking,revoked,failed",
          "--json",
        ])
      ).stdout,
    ) as LedgerRow[];
  const stateOf = async (jobId: string): Promise<string | undefined> =>
    (await ledger()).find((r) => r.jobId === jobId)?.state;
  const retry = () =>
    runCli(["credentials", "retry", "--db", db, ...liteLlmProvisionerFlags(litellm)]);

  /** Submits `agent` over ARCP and returns its job.accepted (credentials included). */
  async function submit(agent: string, input: unknown): Promise<Frame> {
    const client = await connectWs(server.wsUrl);
    await client.hello({ token: "tok-a" });
    const accepted = await client.submit({ agent, input });
    assert.equal(accepted.type, "job.accepted");
    client.close();
    return accepted;
  }

  before(async () => {
    litellm = await startFakeLiteLlm();
    dir = makeTempDir("retry");
    db = join(dir, "r.db");
    server = await spawnServe([
      "--db",
      db,
      "--token",
      "tok-a=alice",
      ...liteLlmProvisionerFlags(litellm),
    ]);
  });
  after(async () => {
    await server.stop("SIGKILL");
    await litellm.close();
    removeTempDir(dir);
  });

  test("[arcp-9.8-revocation-durable] beside a running server, retry leaves a running job's live credential alone", async () => {
    const accepted = await submit("slow", { seconds: 60 });
    const jobId = String(accepted.job_id);
    const credId = (accepted.payload.credentials as { id: string }[])[0]?.id as string;
    assert.equal(await stateOf(jobId), "live");
    const r = await retry();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /a server has this database open/);
    assert.ok(litellm.key(credId) !== undefined, "the running job's key still works upstream");
    assert.equal(await stateOf(jobId), "live");
  });

  test("[arcp-9.8-revocation-durable] with no server, retry revokes revoking credentials now, and still no live one", async () => {
    litellm.failNextDeletes(1000);
    const ended = await submit("echo", {});
    const endedId = String(ended.job_id);
    const endedCred = (ended.payload.credentials as { id: string }[])[0]?.id as string;
    for (let i = 0; i < 100 && (await stateOf(endedId)) !== "revoking"; i++)
      await new Promise((res) => setTimeout(res, 50));
    assert.equal(await stateOf(endedId), "revoking");
    const running = (await ledger()).find((r) => r.state === "live");
    assert.ok(running !== undefined, "the slow job from before still holds a live credential");
    // A crash: the live row's job is dead, the revoking row keeps its schedule in the ledger.
    await server.stop("SIGKILL");
    litellm.failNextDeletes(0);

    const r = await retry();
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /a server has this database open/);
    assert.match(r.stdout, /retried 0 failed, 1 revoking/);
    assert.equal(await stateOf(endedId), "revoked");
    assert.equal(litellm.key(endedCred), undefined, "revoked upstream");
    assert.equal(await stateOf(running.jobId), "live", "live rows wait for the next server start");
  });
});
