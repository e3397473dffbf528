/**
 * Every mediated operation (§8.2, §9.3) leaves a `tool_call` and a matching `tool_result` in the
 * job's stream, emitted by the runtime: files, HTTP and models, not only named tools.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { type AgentDefinition, defineAgent } from "../../../src/agents/agent.js";
import { startHarness } from "../../support/runtime-harness.js";

const probe = defineAgent<{ url: string }>({
  name: "ops-probe",
  version: "1.0.0",
  description: "writes and reads a file, fetches a URL, invokes a model",
  async run(input, ctx) {
    await ctx.fs.write("/note.txt", "hello");
    const text = await ctx.fs.read("/note.txt");
    const fetched = await ctx.net.fetch(input.url);
    await ctx.models.invoke("mock/free", { messages: [{ role: "user", content: "hi" }] });
    return { text, status: fetched.status };
  },
}) as AgentDefinition;

test("[arcp-9.1-mediated-operations] fs.write, fs.read, net.fetch and model.invoke each emit a tool_call and its tool_result", async () => {
  const site = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/ping`;
  const h = await startHarness({ agents: [probe] });
  try {
    const { client } = h.connect();
    await client.hello({ token: "tok-alice" });
    const accepted = await client.submit({
      agent: "ops-probe",
      input: { url },
      lease_request: {
        "fs.read": ["/**"],
        "fs.write": ["/**"],
        "net.fetch": [url],
        "model.use": ["mock/*"],
      },
    });
    const jobId = accepted.job_id as string;
    const end = await client.terminal(jobId);
    assert.equal(end.type, "job.result", JSON.stringify(end.payload));
    assert.deepEqual(end.payload["result"], { text: "hello", status: 200 });
    const bodies = (kind: string) =>
      client.eventsOf(jobId, kind).map((f) => f.payload["body"] as Record<string, unknown>);
    const calls = bodies("tool_call");
    const results = bodies("tool_result");
    assert.deepEqual(
      calls.map((c) => c["tool"]),
      ["fs.write", "fs.read", "net.fetch", "model.invoke"],
    );
    assert.equal(results.length, 4);
    for (const [i, call] of calls.entries()) {
      const result = results[i] as Record<string, unknown>;
      assert.equal(result["call_id"], call["call_id"], `${call["tool"]} is answered in order`);
      assert.equal(result["error"], undefined, `${call["tool"]} succeeded`);
    }
  } finally {
    await h.close();
    site.close();
  }
});
