/**
 * The forwarding gateway against a recording mock coordinator and a real in-process STS:
 * one-to-one forwarding, token exchange and caching, passthrough, failures, streaming (DESIGN-18).
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { parseGatewayConfig } from "../../../src/gateway/forward/gateway-config.js";
import { type RunningGateway, startGateway } from "../../../src/gateway/forward/start-gateway.js";
import { nullPaths, validateArp } from "../../support/arp-schema.js";
import { startTestIssuer, type TestIssuer } from "../../support/oidc-issuer.js";
import { call, MockCoordinator, recordingLogger } from "./mock-coordinator.js";

/** One exchange with the path sent exactly as written (fetch would resolve dot segments). */
function rawCall(
  port: number,
  method: string,
  path: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        headers: { authorization: `Bearer ${token}`, ...headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(text) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const START = JSON.stringify({
  root_node_type_ref: { node_type_id: "echo", version: "latest" },
  input: {},
});

describe("runplane gateway against a mock coordinator", () => {
  let issuer: TestIssuer;
  let coordinator: MockCoordinator;
  let gateway: RunningGateway;
  let logger: ReturnType<typeof recordingLogger>;
  let token: string;

  before(async () => {
    issuer = await startTestIssuer({ audience: "arp-run-gateway" });
    coordinator = new MockCoordinator();
    await coordinator.start();
    logger = recordingLogger();
    const env = {
      ARP_AUTH_ISSUER: issuer.issuer,
      ARP_AUTH_AUDIENCE: "arp-run-gateway",
      ARP_AUTH_CLIENT_ID: issuer.client.id,
      ARP_AUTH_CLIENT_SECRET: issuer.client.secret,
      ARP_AUTH_TOKEN_ENDPOINT: issuer.tokenEndpoint,
    };
    const config = parseGatewayConfig(
      { coordinatorUrl: `${coordinator.url}/v1/`, port: 0, upstreamTimeout: "1" },
      env,
    );
    gateway = await startGateway(config, { logger, env, isLoopback: () => true });
    token = await issuer.mint({ sub: "alice" });
  });
  after(async () => {
    await gateway.close();
    await coordinator.stop();
    await issuer.close();
  });

  test("[arp-fwd-routes] [arp-fwd-outbound-token] start, get and cancel go to the same paths with an exchanged token", async () => {
    coordinator.seen.length = 0;
    assert.equal((await call(gateway.url, "POST", "/v1/runs", token, START)).status, 200);
    assert.equal((await call(gateway.url, "GET", "/v1/runs/r1", token)).status, 200);
    assert.equal((await call(gateway.url, "POST", "/v1/runs/r1:cancel", token)).status, 200);
    assert.deepEqual(
      coordinator.seen.map((s) => `${s.method} ${s.url}`),
      ["POST /v1/runs", "GET /v1/runs/r1", "POST /v1/runs/r1:cancel"],
    );
    assert.deepEqual(JSON.parse(coordinator.seen[0]?.body ?? ""), JSON.parse(START));
    for (const seen of coordinator.seen) {
      const claims = decodeJwt(seen.authorization?.replace(/^Bearer /, "") ?? "");
      assert.equal(claims.aud, "arp-run-coordinator");
      assert.equal(claims.sub, "alice");
      assert.deepEqual(claims.act, { sub: issuer.client.id });
    }
  });

  test("[arp-fwd-routes] run ids . and .. are refused with 400, never resolved into another upstream path", async () => {
    coordinator.seen.length = 0;
    const port = Number(new URL(gateway.url).port);
    for (const [method, path] of [
      ["GET", "/v1/runs/%2E%2E"],
      ["GET", "/v1/runs/.."],
      ["GET", "/v1/runs/%2e"],
      ["POST", "/v1/runs/..:cancel"],
      ["POST", "/v1/runs/%2E%2E:cancel"],
      ["GET", "/v1/runs/../events"],
      ["GET", "/v1/runs/%2E%2E/events"],
    ] as const) {
      const res = await rawCall(port, method, path, token);
      assert.equal(res.status, 400, `${method} ${path}`);
      assert.equal((res.json.error as { code: string }).code, "invalid_request");
      assert.deepEqual(validateArp("ErrorEnvelope", res.json), []);
    }
    assert.deepEqual(coordinator.seen, [], "nothing reached the coordinator");
  });

  test("a browser page (Origin) is refused with 403 before any token is exchanged or call forwarded", async () => {
    coordinator.seen.length = 0;
    issuer.resetStats();
    const port = Number(new URL(gateway.url).port);
    const res = await rawCall(port, "POST", "/v1/runs/r1:cancel", token, {
      origin: "https://evil.example",
    });
    assert.equal(res.status, 403);
    assert.equal((res.json.error as { code: string }).code, "forbidden");
    assert.deepEqual(coordinator.seen, []);
    assert.equal(issuer.stats.tokenExchange, 0);
  });

  test("[arp-fwd-token-cache] repeated calls with one inbound token cost one exchange", async () => {
    const fresh = await issuer.mint({ sub: "bob" });
    issuer.resetStats();
    for (let i = 0; i < 3; i++)
      assert.equal((await call(gateway.url, "GET", "/v1/runs/r1", fresh)).status, 200);
    assert.equal(issuer.stats.tokenExchange, 1);
  });

  test("[arp-fwd-routes] version is answered locally and health probes the coordinator without a token", async () => {
    coordinator.seen.length = 0;
    const version = await call(gateway.url, "GET", "/v1/version");
    assert.deepEqual(validateArp("VersionInfo", version.json), []);
    assert.ok((version.json.supported_api_versions as string[]).includes("v1"));
    const health = await call(gateway.url, "GET", "/v1/health");
    assert.deepEqual(validateArp("Health", health.json), []);
    assert.equal(health.json.status, "ok");
    assert.deepEqual(
      coordinator.seen.map((s) => [s.url, s.authorization]),
      [["/v1/health", undefined]],
    );
  });

  test("[arp-fwd-error-passthrough] a coordinator ErrorEnvelope comes back with its status, code, message and details", async () => {
    const res = await call(gateway.url, "GET", "/v1/runs/teapot", token);
    assert.equal(res.status, 418);
    assert.deepEqual(res.json, {
      error: { code: "teapot", message: "short and stout", details: { a: 1 } },
    });
    assert.equal((await call(gateway.url, "GET", "/v1/runs/gone", token)).status, 404);
  });

  test("[arp-fwd-upstream-failure] an unusable reply or a timeout is a 502 run_coordinator_unavailable", async () => {
    for (const path of ["/v1/runs/html", "/v1/runs/slow", "/v1/runs/unknown-shape"]) {
      const res = await call(gateway.url, "GET", path, token);
      assert.equal(res.status, 502, path);
      assert.equal((res.json.error as { code: string }).code, "run_coordinator_unavailable");
      assert.equal(
        (res.json.error as { details: { run_coordinator_url: string } }).details
          .run_coordinator_url,
        coordinator.url,
      );
      assert.deepEqual(nullPaths(res.json), []);
    }
  });

  test("a foreign schema violation in a coordinator Run is passed through as it is, and logged", async () => {
    logger.warnings.length = 0;
    const res = await call(gateway.url, "POST", "/v1/runs", token, START);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.extensions, { constraints: { max_depth: 1 } });
    assert.ok(logger.warnings.some((w) => w.includes("breaks the ARP schema")));
  });

  test("[arp-fwd-upstream-failure] an STS refusal of the exchange is token_exchange_failed with the STS status", async () => {
    // Expired 5 s ago: within the inbound 60 s leeway, but the STS allows none.
    const expired = await issuer.mintExpired(5, { sub: "carol" });
    const res = await call(gateway.url, "GET", "/v1/runs/r1", expired);
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, {
      error: {
        code: "token_exchange_failed",
        message: "Token exchange failed",
        details: { oauth_error: "invalid_grant" },
        retryable: false,
      },
    });
  });

  test("[arp-fwd-stream-passthrough] events stream through as they arrive, as application/x-ndjson", async () => {
    const res = await fetch(`${gateway.url}/v1/runs/r1/events?include=all`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-ndjson");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    const line = JSON.parse(new TextDecoder().decode(first.value).trim());
    assert.equal(
      line.type,
      "run_started",
      "the first line arrives while the upstream stream is still open",
    );
    assert.equal(coordinator.seen.at(-1)?.url, "/v1/runs/r1/events?include=all");
    coordinator.releaseStream();
    let rest = "";
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      rest += new TextDecoder().decode(next.value);
    }
    assert.equal(JSON.parse(rest.trim()).type, "run_completed");
  });

  test("[arp-fwd-stream-passthrough] a client disconnect aborts the upstream request", async () => {
    const { port } = new URL(gateway.url);
    const req = request({
      host: "127.0.0.1",
      port,
      path: "/v1/runs/r1/events",
      headers: { authorization: `Bearer ${token}` },
    });
    const firstChunk = new Promise<void>((resolve, reject) => {
      req.on("response", (res) => res.once("data", () => resolve()));
      req.on("error", reject);
    });
    req.end();
    await firstChunk;
    const closed = coordinator.streamClosed;
    req.destroy();
    await closed;
  });

  test("[arp-fwd-health] with the coordinator down, health is 200 degraded and runs are 502", async () => {
    await coordinator.stop();
    try {
      const health = await call(gateway.url, "GET", "/v1/health");
      assert.equal(health.status, 200);
      assert.deepEqual(validateArp("Health", health.json), []);
      assert.equal(health.json.status, "degraded");
      const [check] = health.json.checks as Array<Record<string, unknown>>;
      assert.equal(check?.name, "run_coordinator");
      assert.equal(check?.status, "down");
      const res = await call(gateway.url, "GET", "/v1/runs/r1", token);
      assert.equal(res.status, 502);
      assert.match(
        String((res.json.error as { details: { error: string } }).details.error),
        /ECONNREFUSED/,
      );
    } finally {
      coordinator = new MockCoordinator();
    }
  });
});

describe("runplane gateway with optional inbound auth", () => {
  let issuer: TestIssuer;
  let coordinator: MockCoordinator;
  const gateways: RunningGateway[] = [];

  async function gatewayWith(env: Record<string, string>): Promise<RunningGateway> {
    const full = {
      ARP_AUTH_MODE: "optional",
      ARP_AUTH_ISSUER: issuer.issuer,
      ARP_AUTH_CLIENT_ID: issuer.client.id,
      ARP_AUTH_CLIENT_SECRET: issuer.client.secret,
      ...env,
    };
    const config = parseGatewayConfig({ coordinatorUrl: coordinator.url, port: 0 }, full);
    const gateway = await startGateway(config, {
      logger: recordingLogger(),
      env: full,
      isLoopback: () => true,
    });
    gateways.push(gateway);
    return gateway;
  }

  before(async () => {
    issuer = await startTestIssuer();
    coordinator = new MockCoordinator();
    await coordinator.start();
  });
  after(async () => {
    for (const g of gateways) await g.close();
    await coordinator.stop();
    await issuer.close();
  });

  test("[arp-fwd-outbound-token] [arp-fwd-token-cache] without an inbound token the gateway uses client credentials, cached", async () => {
    const gateway = await gatewayWith({ ARP_AUTH_TOKEN_ENDPOINT: issuer.tokenEndpoint });
    issuer.resetStats();
    coordinator.seen.length = 0;
    assert.equal((await call(gateway.url, "GET", "/v1/runs/r1")).status, 200);
    assert.equal((await call(gateway.url, "GET", "/v1/runs/r1")).status, 200);
    assert.equal(issuer.stats.clientCredentials, 1);
    assert.equal(issuer.stats.tokenExchange, 0);
    const claims = decodeJwt(coordinator.seen[0]?.authorization?.replace(/^Bearer /, "") ?? "");
    assert.equal(claims.aud, "arp-run-coordinator");
    assert.equal(claims.act, undefined);
  });

  test("[arp-fwd-upstream-failure] an unreachable STS is a 502 token_request_failed", async () => {
    const gateway = await gatewayWith({ ARP_AUTH_TOKEN_ENDPOINT: "http://127.0.0.1:9/token" });
    const res = await call(gateway.url, "GET", "/v1/runs/r1");
    assert.equal(res.status, 502);
    assert.equal((res.json.error as { code: string }).code, "token_request_failed");
    assert.equal(
      (res.json.error as { message: string }).message,
      "Client credentials token request failed",
    );
  });
});

describe("runplane gateway start-up checks", () => {
  const sts = {
    ARP_AUTH_CLIENT_ID: "gw",
    ARP_AUTH_CLIENT_SECRET: "s",
    ARP_AUTH_TOKEN_ENDPOINT: "http://127.0.0.1:9/token",
  };
  const deps = (env: Record<string, string>) => ({
    logger: recordingLogger(),
    env,
    isLoopback: (h: string) => h === "127.0.0.1",
  });

  test("[arp-auth-jwks-resolution] an issuer whose discovery cannot be fetched stops start-up, naming the variables", async () => {
    const env = { ...sts, ARP_AUTH_ISSUER: "http://127.0.0.1:9" };
    const config = parseGatewayConfig({ coordinatorUrl: "http://127.0.0.1:9", port: 0 }, env);
    await assert.rejects(
      startGateway(config, deps(env)),
      (err: Error) => err.name === "ConfigError" && /ARP_AUTH_ISSUER/.test(err.message),
    );
  });

  test("[arp-auth-mode-optional] optional inbound auth is refused on a non-loopback bind, like disabled", async () => {
    const env = {
      ARP_AUTH_MODE: "optional",
      ARP_AUTH_JWKS_URI: "http://127.0.0.1:9/jwks",
      ARP_AUTH_CLIENT_ID: "c",
      ARP_AUTH_CLIENT_SECRET: "s",
      ARP_AUTH_TOKEN_ENDPOINT: "http://127.0.0.1:9/token",
    };
    const config = parseGatewayConfig(
      { coordinatorUrl: "http://127.0.0.1:9", host: "0.0.0.0", port: 0 },
      env,
    );
    const outcome = await startGateway(config, deps(env)).then(
      async (started) => {
        await started.close();
        return undefined;
      },
      (err: unknown) => err as Error,
    );
    assert.equal(outcome?.name, "ConfigError", "the gateway must not start");
    assert.match(outcome?.message ?? "", /optional.*loopback/);
  });

  test("[arp-auth-mode-disabled] inbound auth off is refused on a non-loopback bind", async () => {
    const env = { ARP_AUTH_PROFILE: "dev-insecure" };
    const config = parseGatewayConfig(
      { coordinatorUrl: "http://127.0.0.1:9", host: "0.0.0.0", port: 0 },
      env,
    );
    await assert.rejects(
      startGateway(config, deps(env)),
      (err: Error) => err.name === "ConfigError" && /loopback/.test(err.message),
    );
  });
});
