/** Feature negotiation in effect (§6.2): what a session did not negotiate, it never receives. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connectWs } from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

describe("ARCP feature negotiation", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ runtime: { heartbeatIntervalSec: 1 } });
  });
  after(() => server.close());

  test("[arcp-6.2-no-unnegotiated-feature] with no features: no progress events, no pings, and a streamed result arrives inline", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice, features: [] });
    const slow = await c.submit({ agent: "slow", input: { seconds: 1.2 } });
    const report = await c.submit({
      agent: "stream-report",
      input: { chunks: 3, chunk_bytes: 10 },
    });
    const reportEnd = await c.terminal(report.job_id as string);
    await c.terminal(slow.job_id as string);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(c.frames.filter((f) => f.payload["kind"] === "progress").length, 0);
    assert.equal(c.frames.filter((f) => f.payload["kind"] === "result_chunk").length, 0);
    assert.equal(c.frames.filter((f) => f.type === "session.ping").length, 0);
    assert.equal(reportEnd.payload["result_id"], undefined);
    assert.equal(String(reportEnd.payload["result"]).length, 30);
    c.close();
  });

  test("[arcp-6.4-runtime-pings-when-idle] with heartbeat negotiated an idle session is pinged with a nonce and sent_at", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice, features: ["heartbeat"] });
    const ping = await c.waitForType("session.ping", 3000);
    assert.match(String(ping.payload["nonce"]), /.+/);
    assert.ok(!Number.isNaN(Date.parse(String(ping.payload["sent_at"]))));
    assert.equal(ping.event_seq, undefined);
    c.close();
  });
});
