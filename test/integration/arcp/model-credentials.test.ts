/**
 * Which provisioned credential a model call uses (§9.8): only one that says it speaks the
 * OpenAI API (`profile: "openai"`) at an http(s) endpoint replaces the configured upstream and
 * key; any other credential (the memory provisioner's `memory://` one) leaves model calls alone.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryProvisioner } from "../../../src/credentials/memory-provisioner.js";
import { modelCredential } from "../../../src/runtime/operations/operations.js";
import { connectWs } from "../../support/arcp-test-client.js";
import { startFakeOpenAi } from "../../support/fake-openai.js";
import { startTestServer, TOKENS } from "../../support/test-server.js";

const LLM_JOB = {
  agent: "llm",
  input: { model: "gpt-test", prompt: "hello there" },
  lease_request: { "model.use": ["gpt-test"] },
};

async function runLlmJob(provisioner: MemoryProvisioner) {
  const upstream = await startFakeOpenAi({ keys: { "sk-operator": {} } });
  const server = await startTestServer({
    provisioner,
    modelEndpoint: upstream.url,
    modelApiKey: "sk-operator",
  });
  try {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    const accepted = await c.submit(LLM_JOB);
    const credentials = accepted.payload["credentials"] as { value: string }[];
    assert.equal(credentials.length, 1, "the job holds a provisioned credential");
    const end = await c.terminal(accepted.job_id as string);
    c.close();
    return { end, credential: credentials[0] as { value: string }, calls: upstream.calls };
  } finally {
    await server.close();
    await upstream.close();
  }
}

describe("model calls and provisioned credentials", () => {
  test("[arcp-9.8-credential-shape] a memory:// credential without a profile does not redirect model calls from --model-endpoint", async () => {
    const { end, calls } = await runLlmJob(new MemoryProvisioner());
    assert.equal(end.type, "job.result", JSON.stringify(end.payload));
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.headers.authorization, "Bearer sk-operator");
  });

  test("[arcp-9.8-credential-shape] an openai-profile credential at an http endpoint is what the model call presents, at its own endpoint", async () => {
    const credentialUpstream = await startFakeOpenAi({ keys: {} });
    try {
      const { credential, calls } = await runLlmJob(
        new MemoryProvisioner({ endpoint: credentialUpstream.url, profile: "openai" }),
      );
      assert.equal(calls.length, 0, "the configured upstream is not used");
      assert.equal(credentialUpstream.calls.length, 1);
      assert.equal(
        credentialUpstream.calls[0]?.headers.authorization,
        `Bearer ${credential.value}`,
      );
    } finally {
      await credentialUpstream.close();
    }
  });

  test("modelCredential picks only an openai-profile credential with an http(s) endpoint", () => {
    const cred = (profile: string | undefined, endpoint: string) => ({
      id: "cred_1",
      scheme: "bearer" as const,
      value: "sk-x",
      endpoint,
      ...(profile === undefined ? {} : { profile }),
    });
    const pick = (...credentials: ReturnType<typeof cred>[]) => modelCredential({ credentials });
    assert.equal(pick(cred(undefined, "memory://credentials")), undefined);
    assert.equal(pick(cred(undefined, "https://proxy.example/v1")), undefined);
    assert.equal(pick(cred("openai", "memory://credentials")), undefined);
    assert.equal(pick(cred("generic", "https://proxy.example/v1")), undefined);
    assert.deepEqual(
      pick(cred("generic", "https://a.example"), cred("openai", "HTTPS://b.example/v1")),
      {
        value: "sk-x",
        endpoint: "HTTPS://b.example/v1",
        profile: "openai",
      },
    );
    assert.equal(pick(), undefined);
  });
});
