/** Sessions over a real WebSocket: handshake, auth, features, errors on the wire, close. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ALL_FEATURES, connectWs } from "../../support/arcp-test-client.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";

describe("ARCP sessions over WebSocket", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ runtime: { maxMessageBytes: 8192 } });
  });
  after(() => server.close());

  test("[arcp-6.2-welcome-shape] [arcp-6.2-agent-inventory] [arcp-6.1-bearer-in-hello] welcome carries session id, token, window, heartbeat and the inventory", async () => {
    const c = await connectWs(server.wsUrl);
    const welcome = await c.hello({ token: TOKENS.alice });
    assert.match(welcome.session_id ?? "", /^sess_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(welcome.arcp, "1.1");
    assert.match(welcome.id, /^msg_/);
    const p = welcome.payload;
    assert.match(String(p["resume_token"]), /^rt_[0-9a-f]{64}$/);
    assert.equal(p["resume_window_sec"], 600);
    assert.equal(p["heartbeat_interval_sec"], 30);
    assert.deepEqual((p["runtime"] as Record<string, unknown>)["name"], "runplane");
    const caps = p["capabilities"] as {
      encodings: string[];
      features: string[];
      agents: { name: string }[];
    };
    assert.deepEqual(caps.encodings, ["json"]);
    const echo = caps.agents.find((a) => a.name === "echo");
    assert.deepEqual(echo, { name: "echo", versions: ["1.0.0", "2.0.0"], default: "2.0.0" });
    for (const name of ["slow", "stream-report", "fail", "chatty"]) {
      assert.ok(
        caps.agents.some((a) => a.name === name),
        `${name} advertised`,
      );
    }
    c.close();
  });

  test("[arcp-6.2-features-intersection] the welcome lists exactly the requested flags the runtime supports", async () => {
    const c = await connectWs(server.wsUrl);
    const welcome = await c.hello({
      token: TOKENS.alice,
      features: ["ack", "progress", "x-bogus", "list_jobs"],
    });
    const caps = welcome.payload["capabilities"] as { features: string[] };
    assert.deepEqual([...caps.features].sort(), ["ack", "list_jobs", "progress"]);
    c.close();
  });

  test("[arcp-6.2-features-intersection] provisioned_credentials is not offered without a provisioner", async () => {
    const c = await connectWs(server.wsUrl);
    const welcome = await c.hello({ token: TOKENS.alice, features: ALL_FEATURES });
    const caps = welcome.payload["capabilities"] as { features: string[] };
    assert.ok(!caps.features.includes("provisioned_credentials"));
    assert.ok(caps.features.includes("heartbeat"));
    c.close();
  });

  test("[arcp-6.1-unauthenticated] [arcp-6.1-error-session-id] a wrong token gets session.error UNAUTHENTICATED with a session_id and no welcome", async () => {
    const c = await connectWs(server.wsUrl);
    await assert.rejects(
      c.hello({ token: "nope" }),
      (err: Error & { frame?: { payload: Record<string, unknown>; session_id?: string } }) => {
        assert.equal(err.frame?.payload["code"], "UNAUTHENTICATED");
        assert.equal(err.frame?.payload["retryable"], false);
        assert.match(err.frame?.session_id ?? "", /^sess_/);
        assert.ok(!JSON.stringify(err.frame).includes("nope"), "the token is not echoed");
        return true;
      },
    );
    await c.waitClosed();
    assert.ok(!c.frames.some((f) => f.type === "session.welcome"));
  });

  test("[arcp-6.1-unauthenticated] a hello without a token is refused too", async () => {
    const c = await connectWs(server.wsUrl);
    await assert.rejects(c.hello({}), /UNAUTHENTICATED/);
  });

  test("[arcp-5-invalid-envelope] malformed JSON, a schema violation and an unknown type each get INVALID_REQUEST and the session stays usable", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    c.sendRaw("{not json");
    const bad = await c.waitForType("session.error");
    assert.equal(bad.payload["code"], "INVALID_REQUEST");
    assert.match(String(bad.payload["message"]), /malformed JSON/);
    assert.equal(bad.session_id, c.sessionId);
    c.mark();
    const id = c.send("job.submit", { input: {} });
    const missing = await c.waitForType("session.error");
    assert.equal(missing.payload["code"], "INVALID_REQUEST");
    assert.match(String(missing.payload["message"]), /payload\.agent/);
    assert.equal((missing.payload["details"] as Record<string, unknown>)["request_id"], id);
    c.mark();
    c.send("job.frobnicate", {});
    const unknown = await c.waitForType("session.error");
    assert.match(String(unknown.payload["message"]), /unknown message type "job\.frobnicate"/);
    c.mark();
    const ok = await c.submit({ agent: "echo", input: { x: 1 } });
    assert.equal(ok.type, "job.accepted");
    c.close();
  });

  test("[arcp-5-invalid-envelope] an optional x-vendor message is ignored silently", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    c.send("x-vendor.acme.hint", { a: 1 }, { extensions: { optional: true } });
    c.send("session.ping", { nonce: "n1", sent_at: new Date().toISOString() });
    await c.waitForType("session.pong");
    assert.ok(!c.frames.some((f) => f.type === "session.error"));
    c.close();
  });

  test("[arcp-4-message-size-limit] a frame over the size limit is refused and the session keeps working", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    const other = await connectWs(server.wsUrl);
    await other.hello({ token: TOKENS.bob });
    c.send("job.submit", { agent: "echo", input: { blob: "x".repeat(10_000) } });
    const err = await c.waitForType("session.error");
    assert.equal(err.payload["code"], "INVALID_REQUEST");
    assert.match(String(err.payload["message"]), /8192-byte size limit/);
    const ok = await c.submit({ agent: "echo", input: {} });
    assert.equal(ok.type, "job.accepted");
    const otherOk = await other.submit({ agent: "echo", input: {} });
    assert.equal(otherOk.type, "job.accepted");
    c.close();
    other.close();
  });

  test("[arcp-5-ignore-unknown-fields] unknown top-level envelope fields are ignored", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    const accepted = await c.submit(
      { agent: "echo", input: {} },
      { future_field: { a: 1 }, priority: "high" },
    );
    assert.equal(accepted.type, "job.accepted");
    c.close();
  });

  test("[arcp-6.4-pong-within-interval] [arcp-6.4-no-seq] a ping is answered with a pong echoing the nonce, without event_seq", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    c.send("session.ping", { nonce: "p_123", sent_at: new Date().toISOString() });
    const pong = await c.waitForType("session.pong");
    assert.equal(pong.payload["ping_nonce"], "p_123");
    assert.ok(!Number.isNaN(Date.parse(String(pong.payload["received_at"]))));
    assert.equal(pong.event_seq, undefined);
    c.close();
  });

  test("[arcp-6.5-ack] session.ack draws no reply and takes no seq", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    const accepted = await c.submit({ agent: "echo", input: {} });
    await c.terminal(accepted.job_id as string);
    const start = c.frames.length;
    c.mark();
    c.send("session.ack", { last_processed_seq: c.lastSeq() });
    c.send("session.ping", { nonce: "after-ack", sent_at: new Date().toISOString() });
    await c.waitForType("session.pong");
    assert.deepEqual(
      c.frames.slice(start).map((f) => f.type),
      ["session.pong"],
    );
    c.close();
  });

  test("[arcp-6.2-no-unnegotiated-feature] list_jobs and subscribe without their flags are refused with INVALID_REQUEST", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice, features: [] });
    c.send("session.list_jobs", {});
    const e1 = await c.waitForType("session.error");
    assert.equal(e1.payload["code"], "INVALID_REQUEST");
    assert.match(String(e1.payload["message"]), /list_jobs/);
    c.mark();
    c.send("job.subscribe", { job_id: "job_x" });
    const e2 = await c.waitForType("session.error");
    assert.match(String(e2.payload["message"]), /subscribe/);
    c.close();
  });

  test("[arcp-6.7-close-ack] session.close is answered with session.closed and the transport closes", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    c.send("session.close", { reason: "done" });
    const closed = await c.waitForType("session.closed");
    assert.equal(closed.session_id, c.sessionId);
    await c.waitClosed();
  });

  test("[arcp-6.7-bye] session.bye closes with no reply", async () => {
    const c = await connectWs(server.wsUrl);
    await c.hello({ token: TOKENS.alice });
    c.mark();
    c.send("session.bye", { reason: "bye" });
    await c.waitClosed();
    assert.equal(c.frames.filter((f) => f.type !== "session.welcome").length, 0);
  });

  test("[arcp-5-dialect] messages before the hello are refused with a minted session_id", async () => {
    const c = await connectWs(server.wsUrl);
    c.send("job.submit", { agent: "echo", input: {} });
    const err = await c.waitForType("session.error");
    assert.equal(err.payload["code"], "INVALID_REQUEST");
    assert.match(err.session_id ?? "", /^sess_/);
    c.mark();
    await c.hello({ token: TOKENS.alice });
    c.close();
  });
});
