/**
 * `runplane serve` settings as users give them: values it cannot use stop startup with the
 * flag's name (exit 2), and boolean variables mean what they say.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import WebSocket from "ws";
import { connectWs, type Frame, TestClient } from "../../support/arcp-test-client.js";
import { runCli as runCliToExit, spawnServe } from "../../support/child-server.js";

// Every command here must exit on its own; a server that wrongly started would not, so it is killed.
const runCli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCliToExit(args, env, { killAfterMs: 20_000 });

const serve = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(["serve", "--port", "0", "--db", ":memory:", ...args], env);

/** The welcome of a hello sent through a (pretend) proxy: X-Forwarded-For makes the peer remote. */
async function welcomeViaProxy(wsUrl: string): Promise<Frame> {
  const ws = new WebSocket(wsUrl, { headers: { "x-forwarded-for": "203.0.113.7" } });
  const client = new TestClient((text) => ws.send(text));
  ws.on("message", (data) => client.receive(String(data)));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  try {
    return await client.hello({ token: "tok-a" });
  } finally {
    ws.close();
  }
}

const featuresOf = (welcome: Frame): string[] =>
  (welcome.payload.capabilities as { features: string[] }).features;

describe("runplane serve configuration", () => {
  test("a numeric flag or variable that is not a whole number in range stops startup, naming it", async () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [["--job-retention", "abc"], {}, /--job-retention/],
      [["--heartbeat-interval", "0"], {}, /--heartbeat-interval/],
      [["--max-message-bytes", "1e9"], {}, /--max-message-bytes/],
      [[], { RUNPLANE_RESUME_WINDOW: "ten" }, /RUNPLANE_RESUME_WINDOW/],
      [["--revoke-max-attempts", "-1"], {}, /--revoke-max-attempts/],
    ];
    for (const [args, env, message] of cases) {
      const r = await serve(args, env);
      assert.equal(r.code, 2, `${args.join(" ")} ${JSON.stringify(env)}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const port = await runCli(["serve", "--port", "http", "--db", ":memory:"]);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port/);
  });

  test("--tls-cert without --tls-key (or the reverse) stops startup instead of serving plain HTTP", async () => {
    for (const args of [
      ["--tls-cert", "/nonexistent/cert.pem"],
      ["--tls-key", "/nonexistent/key.pem"],
    ]) {
      const r = await serve(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--tls-cert and --tls-key/);
    }
  });

  test("a boolean variable that is neither true nor false stops startup, naming it", async () => {
    const r = await serve([], { RUNPLANE_TRUSTED_PROXY_TLS: "perhaps" });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /RUNPLANE_TRUSTED_PROXY_TLS/);
    const m = await serve([], { RUNPLANE_REQUIRE_MODEL_USE: "sometimes" });
    assert.equal(m.code, 2);
    assert.match(m.stderr, /RUNPLANE_REQUIRE_MODEL_USE/);
  });

  test("[arcp-14-session-limits] RUNPLANE_MAX_LIVE_JOBS_PER_SESSION bounds a session's running jobs", async () => {
    const server = await spawnServe(["--db", ":memory:", "--token", "tok-a=alice"], {
      RUNPLANE_MAX_LIVE_JOBS_PER_SESSION: "1",
    });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: "tok-a" });
      const first = await c.submit({ agent: "slow", input: { seconds: 30 } });
      assert.equal(first.type, "job.accepted");
      const second = await c.submit({ agent: "echo", input: {} });
      assert.equal(second.type, "job.error", "a second live job is over the limit of one");
      assert.match(String(second.payload["message"]), /1 live jobs/);
      c.send("job.cancel", {}, { job_id: first.job_id });
      await c.terminal(first.job_id as string);
      c.close();
    } finally {
      await server.stop();
    }
  });

  test("[arcp-9.8-authenticated-only] RUNPLANE_TRUSTED_PROXY_TLS=false and RUNPLANE_REQUIRE_MODEL_USE=0 mean off", async () => {
    const off = await spawnServe(
      ["--db", ":memory:", "--token", "tok-a=alice", "--provisioner", "memory"],
      {
        RUNPLANE_TRUSTED_PROXY_TLS: "false",
        RUNPLANE_REQUIRE_MODEL_USE: "0",
      },
    );
    try {
      const welcome = await welcomeViaProxy(off.wsUrl);
      assert.ok(
        !featuresOf(welcome).includes("provisioned_credentials"),
        "a proxied plain-text peer is not confidential",
      );
      const llm = await runCli([
        "submit",
        "--url",
        off.wsUrl,
        "--token",
        "tok-a",
        "--agent",
        "llm",
        "--input",
        '{"prompt":"hi"}',
      ]);
      assert.equal(llm.code, 0, `a model call without model.use is allowed: ${llm.stderr}`);
    } finally {
      await off.stop();
    }
    const on = await spawnServe(
      ["--db", ":memory:", "--token", "tok-a=alice", "--provisioner", "memory"],
      {
        RUNPLANE_TRUSTED_PROXY_TLS: "yes",
        RUNPLANE_REQUIRE_MODEL_USE: "true",
      },
    );
    try {
      assert.ok(featuresOf(await welcomeViaProxy(on.wsUrl)).includes("provisioned_credentials"));
      const llm = await runCli([
        "submit",
        "--url",
        on.wsUrl,
        "--token",
        "tok-a",
        "--agent",
        "llm",
        "--input",
        '{"prompt":"hi"}',
      ]);
      assert.equal(llm.code, 1, "with model.use required, the call is refused");
    } finally {
      await on.stop();
    }
  });

  test("[arcp-6.1-authenticators] --auth jwt needs an audience, and an issuer with --jwks-url, unless waived", async () => {
    const jwks = ["--auth", "jwt", "--jwks-url", "http://127.0.0.1:9/jwks"];
    const noAud = await serve(jwks);
    assert.equal(noAud.code, 2);
    assert.match(noAud.stderr, /--jwt-audience/);
    const noIss = await serve([...jwks, "--jwt-audience", "runplane"]);
    assert.equal(noIss.code, 2);
    assert.match(noIss.stderr, /--jwt-issuer/);
    const waived = await spawnServe([
      "--db",
      ":memory:",
      ...jwks,
      "--jwt-any-audience",
      "--jwt-any-issuer",
    ]);
    assert.equal(await waived.stop(), 0);
  });

  test("[arp-auth-mode-optional] ARP_AUTH_MODE=optional on a non-loopback bind stops startup", async () => {
    const r = await runCli(
      ["serve", "--host", "0.0.0.0", "--port", "0", "--db", ":memory:", "--token", "t=alice"],
      { ARP_AUTH_MODE: "optional" },
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /ARP_AUTH_MODE=optional/);
  });
});
