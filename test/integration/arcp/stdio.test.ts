/** ARCP over stdio (§4): `runplane stdio` as a real child process, NDJSON both ways. */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { assertGapFree, TestClient } from "../../support/arcp-test-client.js";

const ENTRY = new URL("../../../src/cli/entry.ts", import.meta.url).pathname;

describe("ARCP over stdio", () => {
  let child: ChildProcess;
  let c: TestClient;
  const stderr: string[] = [];
  let exited: Promise<number | null>;
  before(() => {
    child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        ENTRY,
        "stdio",
        "--max-message-bytes",
        "4096",
        "--heartbeat-interval",
        "1",
      ],
      {
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    c = new TestClient((text) => child.stdin?.write(`${text}\n`));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) =>
      c.receive(line),
    );
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) =>
      stderr.push(line),
    );
    child.once("exit", () => c.markClosed());
  });
  after(async () => {
    child.kill();
    await exited;
  });

  test("[arcp-4-stdio-transport] one session over stdin/stdout runs jobs, answers pings and refuses oversize lines; stdout carries only envelopes", {
    timeout: 30_000,
  }, async () => {
    const welcome = await c.hello({ features: ["heartbeat", "progress", "result_chunk"] });
    assert.match(welcome.session_id ?? "", /^sess_/);
    const caps = welcome.payload["capabilities"] as { features: string[] };
    assert.ok(caps.features.includes("heartbeat"));
    const echo = await c.submit({ agent: "echo", input: { via: "stdio" } });
    const result = await c.terminal(echo.job_id as string);
    assert.deepEqual(result.payload["result"], { echo: { via: "stdio" }, version: "2.0.0" });
    const report = await c.submit({
      agent: "stream-report",
      input: { chunks: 4, chunk_bytes: 50 },
    });
    await c.terminal(report.job_id as string);
    assert.equal(c.eventsOf(report.job_id as string, "result_chunk").length, 4);
    c.sendRaw(
      JSON.stringify({
        arcp: "1.1",
        id: "big",
        type: "job.submit",
        session_id: c.sessionId,
        payload: { agent: "echo", input: "x".repeat(10_000) },
      }),
    );
    const err = await c.waitForType("session.error");
    assert.equal(err.payload["code"], "INVALID_REQUEST");
    assert.match(String(err.payload["message"]), /size limit/);
    c.mark();
    const ping = await c.waitForType("session.ping", 5000);
    assert.ok(ping.payload["nonce"]);
    const after = await c.submit({ agent: "echo", input: 2 });
    await c.terminal(after.job_id as string);
    assertGapFree(c.seqs());
    c.send("session.bye", {});
    child.stdin?.end();
    assert.equal(await exited, 0);
    assert.ok(
      stderr.every((l) => l.startsWith("{")),
      "logs go to stderr as JSON lines",
    );
  });
});
