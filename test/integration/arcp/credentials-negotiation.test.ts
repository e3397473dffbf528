/**
 * Credentials are issued only to sessions that negotiated `provisioned_credentials` (§9.8): a
 * session that did not gets no credential in `job.accepted`, and none is minted upstream.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryProvisioner } from "../../../src/credentials/memory-provisioner.js";
import { ALL_FEATURES, connectWs } from "../../support/arcp-test-client.js";
import { startTestServer, TOKENS } from "../../support/test-server.js";

test("[arcp-9.8-issue-by-accept] a session without provisioned_credentials gets no credential, and none is issued", async () => {
  const provisioner = new MemoryProvisioner();
  const server = await startTestServer({ provisioner });
  try {
    const without = await connectWs(server.wsUrl);
    const welcome = await without.hello({
      token: TOKENS.alice,
      features: ALL_FEATURES.filter((f) => f !== "provisioned_credentials"),
    });
    const features = (welcome.payload["capabilities"] as { features: string[] }).features;
    assert.ok(!features.includes("provisioned_credentials"));
    const plain = await without.submit({ agent: "echo", input: {} });
    assert.equal(plain.type, "job.accepted");
    assert.equal(plain.payload["credentials"], undefined);
    assert.equal((await without.terminal(plain.job_id as string)).type, "job.result");
    assert.equal(provisioner.issued.length, 0, "nothing was minted upstream");

    const withIt = await connectWs(server.wsUrl);
    await withIt.hello({ token: TOKENS.alice });
    const provisioned = await withIt.submit({ agent: "echo", input: {} });
    assert.equal((provisioned.payload["credentials"] as unknown[]).length, 1);
    assert.equal(provisioner.issued.length, 1);
    without.close();
    withIt.close();
  } finally {
    await server.close();
  }
});
