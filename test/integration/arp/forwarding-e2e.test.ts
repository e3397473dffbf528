/**
 * `runplane gateway` in front of `runplane serve`, both on real sockets, with a real in-process
 * OIDC issuer doing client credentials and RFC 8693 token exchange (DESIGN-18).
 */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeJwt } from "jose";
import { parseGatewayConfig } from "../../../src/gateway/forward/gateway-config.js";
import { type RunningGateway, startGateway } from "../../../src/gateway/forward/start-gateway.js";
import { silentLogger } from "../../../src/runtime/logger.js";
import { startTestIssuer, type TestIssuer } from "../../support/oidc-issuer.js";
import { startTestServer, type TestServer } from "../../support/test-server.js";
import {
  ARP_AGENTS_FILE,
  arpCall,
  assertArp,
  codeOf,
  dataOf,
  parseEvents,
  pollRun,
  startBody,
} from "./arp-http.js";

const COORDINATOR_AUDIENCE = "arp-run-coordinator";

describe("runplane gateway → runplane serve, with token exchange", () => {
  let issuer: TestIssuer;
  let serve: TestServer;
  let gateway: RunningGateway;
  let token: string;
  const seenByServe: Array<{ url: string; authorization: string | undefined }> = [];

  before(async () => {
    issuer = await startTestIssuer({ audience: "arp-run-gateway" });
    serve = await startTestServer({
      auth: { auth: "jwt", jwtIssuer: issuer.issuer, jwtAudience: COORDINATOR_AUDIENCE },
      agentsFile: ARP_AGENTS_FILE,
      arpEnv: {},
    });
    // A second listener on serve's own HTTP server: exactly what the coordinator receives.
    serve.app.server.on("request", (req: IncomingMessage) => {
      seenByServe.push({ url: req.url ?? "", authorization: req.headers.authorization });
    });
    const env = {
      ARP_AUTH_PROFILE: "enterprise",
      ARP_AUTH_ISSUER: issuer.issuer,
      ARP_AUTH_AUDIENCE: "arp-run-gateway",
      ARP_AUTH_CLIENT_ID: issuer.client.id,
      ARP_AUTH_CLIENT_SECRET: issuer.client.secret,
      ARP_AUTH_TOKEN_ENDPOINT: issuer.tokenEndpoint,
      JARVIS_RUN_COORDINATOR_URL: `${serve.httpUrl}/v1/`,
    };
    gateway = await startGateway(parseGatewayConfig({ port: 0 }, env), {
      logger: silentLogger,
      env,
      isLoopback: () => true,
    });
    token = await issuer.mint({ sub: "alice" });
  });
  after(async () => {
    await gateway.close();
    await serve.close();
    await issuer.close();
  });

  test("[arp-fwd-outbound-token] serve accepts the exchanged token, which the caller's own token is not", async () => {
    const direct = await arpCall(serve.httpUrl, "POST", "/v1/runs", {
      token,
      body: startBody("echo"),
    });
    assert.equal(direct.status, 401, "the gateway-audience token is refused by the coordinator");
    seenByServe.length = 0;
    issuer.resetStats();
    const started = await arpCall(gateway.url, "POST", "/v1/runs", {
      token,
      body: startBody("echo", { via: "gateway" }, { run_id: "fwd-echo" }),
      expect: "Run",
    });
    assert.equal(started.status, 200);
    assert.equal(started.json.run_id, "fwd-echo");
    const seen = seenByServe.find((s) => s.url === "/v1/runs");
    const claims = decodeJwt(seen?.authorization?.replace(/^Bearer /, "") ?? "");
    assert.equal(claims.aud, COORDINATOR_AUDIENCE);
    assert.equal(claims.sub, "alice");
    assert.deepEqual(claims.act, { sub: issuer.client.id });
    const job = await serve.runtime.store.getJob(String(started.json.root_node_run_id));
    assert.equal(job?.principal, "alice", "the run belongs to the caller, not to the gateway");
    assert.equal(issuer.stats.tokenExchange, 1);
  });

  test("[arp-fwd-token-cache] further calls with the same inbound token reuse the exchanged token", async () => {
    const before = issuer.stats.tokenExchange;
    const done = await pollRun(gateway.url, "fwd-echo", token, (s) => s === "succeeded");
    assert.equal(done.run_id, "fwd-echo");
    await arpCall(gateway.url, "POST", "/v1/runs/fwd-echo:cancel", { token, expect: "Run" });
    assert.equal(issuer.stats.tokenExchange, before, "no exchange after the first");
  });

  test("[arp-fwd-error-passthrough] serve's 404 passes through the gateway unchanged", async () => {
    const direct = await arpCall(serve.httpUrl, "GET", "/v1/runs/nope", {
      token: await issuer.mint({ sub: "alice", aud: COORDINATOR_AUDIENCE }),
    });
    const through = await arpCall(gateway.url, "GET", "/v1/runs/nope", { token });
    assert.equal(through.status, 404);
    assert.equal(codeOf(through), "run_not_found");
    assert.deepEqual(through.json, direct.json);
  });

  test("[arp-fwd-stream-passthrough] [arp-events-live] events stream through live: the first line arrives before the run ends", async () => {
    await arpCall(gateway.url, "POST", "/v1/runs", {
      token,
      body: startBody("tick", { count: 10, gap_ms: 150 }, { run_id: "fwd-tick" }),
      expect: "Run",
    });
    const res = await fetch(`${gateway.url}/v1/runs/fwd-tick/events?include=all`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-ndjson");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      assert.ok(!done, "stream ended before its first line");
      text += decoder.decode(value, { stream: true });
    }
    assertArp("RunEvent", JSON.parse(text.slice(0, text.indexOf("\n"))), "first line");
    const meanwhile = await arpCall(gateway.url, "GET", "/v1/runs/fwd-tick", {
      token,
      expect: "Run",
    });
    assert.equal(
      meanwhile.json.state,
      "running",
      "the first line came while the run was still running",
    );
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const events = parseEvents(text, "forwarded events");
    assert.equal(events.filter((e) => dataOf(e).arcp_kind === "progress").length, 10);
    assert.equal(events.at(-1)?.type, "run_completed");
  });

  test("[arp-fwd-stream-passthrough] a client leaving mid-stream makes the gateway abort its request to serve", async () => {
    const started = await arpCall(gateway.url, "POST", "/v1/runs", {
      token,
      body: startBody("tick", { count: 100, gap_ms: 100 }),
      expect: "Run",
    });
    const jobId = String(started.json.root_node_run_id);
    const streams = (): number =>
      [...(serve.runtime.jobs.get(jobId)?.listeners.keys() ?? [])].filter((k) =>
        k.startsWith("arp-stream:"),
      ).length;
    const req = request(`${gateway.url}/v1/runs/${jobId}/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise<void>((resolve, reject) => {
      req.on("response", (res) => res.once("data", () => resolve()));
      req.on("error", reject);
      req.end();
    });
    for (let i = 0; streams() === 0 && i < 100; i++) await sleep(20);
    assert.equal(streams(), 1, "serve is streaming the run to the gateway");
    req.destroy();
    let quiet = 0;
    for (let i = 0; quiet < 3 && i < 100; i++) {
      await sleep(100);
      quiet = streams() === 0 ? quiet + 1 : 0;
    }
    assert.equal(quiet, 3, "serve's stream for the run ended");
    assert.ok(serve.runtime.jobs.has(jobId), "…while the run itself is still live");
    await arpCall(gateway.url, "POST", `/v1/runs/${jobId}:cancel`, { token, expect: "Run" });
  });

  test("[arp-fwd-health] [arp-fwd-upstream-failure] with serve down: health is 200 degraded, run calls 502", async () => {
    const up = await arpCall(gateway.url, "GET", "/v1/health", { expect: "Health" });
    assert.equal(up.json.status, "ok");
    await serve.close();
    const health = await arpCall(gateway.url, "GET", "/v1/health", { expect: "Health" });
    assert.equal(health.status, 200);
    assert.equal(health.json.status, "degraded");
    assert.deepEqual(
      (health.json.checks as Array<{ name: string; status: string }>).map((c) => [
        c.name,
        c.status,
      ]),
      [["run_coordinator", "down"]],
    );
    const res = await arpCall(gateway.url, "GET", "/v1/runs/fwd-echo", { token });
    assert.equal(res.status, 502);
    assert.equal(codeOf(res), "run_coordinator_unavailable");
    const version = await arpCall(gateway.url, "GET", "/v1/version", { expect: "VersionInfo" });
    assert.equal(version.status, 200, "version is answered locally");
  });
});
