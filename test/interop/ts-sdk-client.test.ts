/**
 * The real ARCP TypeScript SDK client, unmodified, against Runplane (DESIGN-6): connect, submit
 * to every built-in agent, stream events, assemble a chunked result, cancel, list, subscribe,
 * resume — with no frame dropped by the client's schemas and no event_seq gap.
 * Needs a built checkout of github.com/agentruntimecontrolprotocol/typescript-sdk named by
 * ARCP_TS_SDK_DIR (see docs/interop.md); skipped otherwise.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer, TOKENS } from "../support/test-server.js";
import {
  jobFrames,
  loadTsSdk,
  recordingLogger,
  type SdkClient,
  type SdkError,
  type TsSdk,
} from "../support/ts-sdk.js";

const sdkDir = process.env["ARCP_TS_SDK_DIR"];
const skip =
  sdkDir === undefined || sdkDir === ""
    ? "ARCP_TS_SDK_DIR is not set: the TS SDK interop suite needs a built SDK checkout (docs/interop.md)"
    : false;

describe("ARCP TypeScript SDK client interop", { skip, timeout: 120_000 }, () => {
  let server: TestServer;
  let sdk: TsSdk;
  before(async () => {
    sdk = await loadTsSdk(sdkDir as string);
    server = await startTestServer({ runtime: { heartbeatIntervalSec: 2 } });
  });
  after(() => server?.close());

  async function connect(token: string = TOKENS.alice) {
    const logger = recordingLogger();
    const client: SdkClient = new sdk.ARCPClient({
      client: { name: "interop", version: "1.0.0" },
      authScheme: "bearer",
      token,
      logger,
    });
    const frames = jobFrames(client);
    const transport = await sdk.WebSocketTransport.connect(server.wsUrl);
    const welcome = await client.connect(transport);
    return { client, frames, logger, welcome, transport };
  }

  test("[arcp-5-ts-client-compat] [arcp-4-websocket-transport] the SDK client connects, runs every built-in agent and sees every frame", async () => {
    const { client, frames, logger, welcome } = await connect();
    assert.ok(client.state.id?.startsWith("sess_"));
    assert.ok(welcome.resume_token.startsWith("rt_"));

    const echo = await client.submit({ agent: "echo", input: { x: 1 } });
    assert.deepEqual((await echo.done).result, { echo: { x: 1 }, version: "2.0.0" });
    assert.ok(frames.of(echo.jobId).some((e) => e.type === "job.event"));

    const pinned = await client.submit({ agent: "echo@1.0.0", input: "v1" });
    assert.deepEqual((await pinned.done).result, { echo: "v1", version: "1.0.0" });

    const slow = await client.submit({ agent: "slow", input: { seconds: 0.3 } });
    assert.deepEqual((await slow.done).result, { slept_ms: 300 });

    const chatty = await client.submit({ agent: "chatty", input: { events: 500, bytes: 40 } });
    await chatty.done;
    assert.equal(frames.of(chatty.jobId).filter((e) => e.type === "job.event").length, 500);

    const report = await client.submit({
      agent: "stream-report",
      input: { chunks: 8, chunk_bytes: 1000 },
    });
    const reportEnd = await report.done;
    const assembled = await report.collectChunks();
    assert.equal(typeof assembled, "string");
    assert.equal((assembled as string).length, 8000);
    assert.equal(reportEnd.result_size, 8000);

    const fail = await client.submit({
      agent: "fail",
      input: { code: "PERMISSION_DENIED", message: "nope" },
    });
    await assert.rejects(fail.done, (err: SdkError) => err.code === "PERMISSION_DENIED");

    const tool = await client.submit({
      agent: "tool-user",
      input: { tool: "noop" },
      lease: { "tool.call": ["noop"] },
    });
    assert.deepEqual((await tool.done).result, { tool: "noop", result: {} });

    const spender = await client.submit({
      agent: "spender",
      input: { cost: "USD:0.40", steps: 4 },
      lease: { "cost.budget": ["USD:1.00"], "tool.call": ["noop"] },
    });
    assert.deepEqual((await spender.done).result, {
      steps_completed: 2,
      stopped_by: "BUDGET_EXHAUSTED",
    });

    const delegator = await client.submit({
      agent: "delegator",
      input: { agent: "echo", input: { via: "child" }, lease: {} },
      lease: { "agent.delegate": ["echo"] },
    });
    assert.deepEqual((await delegator.done).result, {
      child: { echo: { via: "child" }, version: "2.0.0" },
    });

    const llm = await client.submit({
      agent: "llm",
      input: { model: "mock/small", prompt: "hello world" },
      lease: { "model.use": ["mock/*"] },
    });
    assert.match(String(((await llm.done).result as { text: string }).text), /mock/);

    await assert.rejects(
      client.submit({ agent: "nope" }),
      (err: SdkError) => err.code === "AGENT_NOT_AVAILABLE",
    );

    assert.equal(client.isSessionBroken, false, "event_seq stayed contiguous");
    assert.deepEqual(logger.complaints, [], "the client dropped no frame");
    await client.close("done");
  });

  test("[arcp-5-ts-client-compat] [arcp-10-parent-link] a submit sent alongside a delegating job gets its own job, not the child", async () => {
    const { client, logger } = await connect();
    const children: string[] = [];
    client.on("job.accepted", (env) => {
      if (env.payload["parent_job_id"] !== undefined)
        children.push(env.payload["job_id"] as string);
    });
    for (let i = 0; i < 5; i++) {
      const [parent, own] = await Promise.all([
        client.submit({
          agent: "delegator",
          input: { agent: "echo", input: { child: i }, lease: {} },
          lease: { "agent.delegate": ["echo"] },
        }),
        client.submit({ agent: "echo", input: { mine: i } }),
      ]);
      assert.deepEqual((await own.done).result, { echo: { mine: i }, version: "2.0.0" });
      assert.deepEqual((await parent.done).result, {
        child: { echo: { child: i }, version: "2.0.0" },
      });
      assert.ok(!children.includes(own.jobId), "the echo handle is not bound to the child");
    }
    assert.equal(children.length, 5);
    assert.deepEqual(logger.complaints, []);
    await client.close();
  });

  test("[arcp-5-ts-client-compat] [arcp-7.4-cancel-sequence] the SDK client cancels a running job", async () => {
    const { client, frames, logger } = await connect();
    const slow = await client.submit({ agent: "slow", input: { seconds: 30 } });
    await frames.next(slow.jobId, "job.event");
    await client.cancelJob(slow.jobId, { reason: "test" });
    await assert.rejects(slow.done, (err: SdkError) => err.code === "CANCELLED");
    await frames.next(slow.jobId, "job.cancelled");
    const terminal = await frames.next(slow.jobId, "job.error");
    assert.equal(terminal.payload["final_status"], "cancelled");
    assert.deepEqual(logger.complaints, []);
    await client.close();
  });

  test("[arcp-5-ts-client-compat] the SDK client lists and subscribes from a second session", async () => {
    const owner = await connect();
    const slow = await owner.client.submit({ agent: "slow", input: { seconds: 1 } });
    const watcher = await connect();
    const listed = await watcher.client.listJobs({ status: ["running", "pending"] });
    assert.ok(listed.jobs.some((j) => j["job_id"] === slow.jobId));
    const sub = await watcher.client.subscribe(slow.jobId, { history: true, fromEventSeq: 0 });
    assert.equal(sub.replayed, true);
    await watcher.frames.next(slow.jobId, "job.result");
    await slow.done;
    assert.equal(watcher.client.isSessionBroken, false);
    assert.deepEqual([...owner.logger.complaints, ...watcher.logger.complaints], []);
    await owner.client.close();
    await watcher.client.close();
  });

  test("[arcp-5-ts-client-compat] [arcp-6.3-rebind-jobs] the SDK client resumes after a dropped socket and gets the running job's result", async () => {
    const first = await connect();
    const slow = await first.client.submit({ agent: "slow", input: { seconds: 1.5 } });
    await first.frames.next(slow.jobId, "job.event");
    const resume = {
      session_id: first.client.state.id as string,
      resume_token: first.welcome.resume_token,
      last_event_seq: first.client.lastEventSeqObserved,
    };
    await first.transport.close();
    const logger = recordingLogger();
    const second: SdkClient = new sdk.ARCPClient({
      client: { name: "interop", version: "1.0.0" },
      authScheme: "bearer",
      token: TOKENS.alice,
      logger,
    });
    const frames = jobFrames(second);
    await second.resume(await sdk.WebSocketTransport.connect(server.wsUrl), resume);
    const result = await frames.next(slow.jobId, "job.result");
    assert.deepEqual(result.payload["result"], { slept_ms: 1500 });
    assert.equal(second.isSessionBroken, false);
    assert.deepEqual(logger.complaints, []);
    await second.close();
  });

  test("[arcp-6.1-error-session-id] the SDK client reports a bad token as UNAUTHENTICATED instead of timing out", async () => {
    const client: SdkClient = new sdk.ARCPClient({
      client: { name: "interop", version: "1.0.0" },
      authScheme: "bearer",
      token: "wrong",
      logger: recordingLogger(),
    });
    const transport = await sdk.WebSocketTransport.connect(server.wsUrl);
    await assert.rejects(
      client.connect(transport),
      (err: SdkError) => err.code === "UNAUTHENTICATED",
    );
  });
});
