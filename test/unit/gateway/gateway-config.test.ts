/** `runplane gateway` configuration: coordinator URL, audience, STS client, fail-fast messages (DESIGN-18). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEFAULT_COORDINATOR_AUDIENCE,
  normalizeCoordinatorUrl,
  parseGatewayConfig,
} from "../../../src/gateway/forward/gateway-config.js";
import { ConfigError } from "../../../src/protocol/errors.js";

const STS = {
  ARP_AUTH_ISSUER: "https://issuer.example",
  ARP_AUTH_AUDIENCE: "arp-run-gateway",
  ARP_AUTH_CLIENT_ID: "gw",
  ARP_AUTH_CLIENT_SECRET: "s3cret",
  ARP_AUTH_TOKEN_ENDPOINT: "https://issuer.example/token",
};

const failsWith = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(
    fn,
    (err) =>
      err instanceof ConfigError && pattern.test(err.message) && !err.message.includes("s3cret"),
  );

describe("parseGatewayConfig", () => {
  test("[arp-fwd-env] trailing / and /v1 are stripped from the coordinator URL", () => {
    assert.equal(normalizeCoordinatorUrl("http://h:8081/v1/"), "http://h:8081");
    assert.equal(normalizeCoordinatorUrl("http://h:8081/"), "http://h:8081");
    assert.equal(normalizeCoordinatorUrl("https://h/base/v1"), "https://h/base");
    assert.equal(normalizeCoordinatorUrl("http://h:8081"), "http://h:8081");
  });

  test("[arp-fwd-env] a coordinator URL that is not plain http(s) is refused", () => {
    failsWith(() => normalizeCoordinatorUrl("ftp://h"), /coordinator-url/);
    failsWith(() => normalizeCoordinatorUrl("http://u:p@h"), /credentials/);
    failsWith(() => normalizeCoordinatorUrl("http://h/?x=1"), /query/);
  });

  test("[arp-fwd-env] without a coordinator the gateway does not start, naming the flag and the variable", () => {
    failsWith(() => parseGatewayConfig({}, STS), /--coordinator-url.*JARVIS_RUN_COORDINATOR_URL/);
  });

  test("[arp-fwd-env] the flag beats JARVIS_RUN_COORDINATOR_URL; the audience defaults to arp-run-coordinator", () => {
    const fromEnv = parseGatewayConfig({}, { ...STS, JARVIS_RUN_COORDINATOR_URL: "http://c:1/v1" });
    assert.equal(fromEnv.coordinatorUrl, "http://c:1");
    assert.equal(fromEnv.audience, DEFAULT_COORDINATOR_AUDIENCE);
    assert.equal(fromEnv.host, "127.0.0.1");
    assert.equal(fromEnv.port, 8080);
    const flagged = parseGatewayConfig(
      { coordinatorUrl: "http://flag:2", port: "0" },
      {
        ...STS,
        JARVIS_RUN_COORDINATOR_URL: "http://env:1",
        JARVIS_RUN_COORDINATOR_AUDIENCE: "coord",
      },
    );
    assert.equal(flagged.coordinatorUrl, "http://flag:2");
    assert.equal(flagged.audience, "coord");
    assert.equal(flagged.port, 0);
  });

  test("[arp-fwd-env] the STS client comes from ARP_AUTH_CLIENT_ID, _SECRET and _TOKEN_ENDPOINT", () => {
    const config = parseGatewayConfig({ coordinatorUrl: "http://c" }, STS);
    assert.equal(config.outbound?.clientId, "gw");
    assert.equal(config.outbound?.tokenEndpoint, "https://issuer.example/token");
    assert.equal(config.inbound.mode, "required");
    assert.equal(config.inbound.audience, "arp-run-gateway");
  });

  test("[arp-fwd-env] with inbound auth on, each missing STS variable stops startup by name", () => {
    const { ARP_AUTH_CLIENT_ID: _id, ...noId } = STS;
    failsWith(() => parseGatewayConfig({ coordinatorUrl: "http://c" }, noId), /ARP_AUTH_CLIENT_ID/);
    const { ARP_AUTH_CLIENT_SECRET: _secret, ...noSecret } = STS;
    failsWith(
      () => parseGatewayConfig({ coordinatorUrl: "http://c" }, noSecret),
      /ARP_AUTH_CLIENT_SECRET/,
    );
  });

  test("inbound auth needs a key source: nothing at all fails naming the variables", () => {
    failsWith(
      () => parseGatewayConfig({ coordinatorUrl: "http://c" }, {}),
      /ARP_AUTH_JWKS_URI.*ARP_AUTH_ISSUER/,
    );
  });

  test("dev-insecure without any ARP_AUTH_CLIENT_* forwards without a token; with one, the rest is required", () => {
    const open = parseGatewayConfig(
      { coordinatorUrl: "http://c" },
      { ARP_AUTH_PROFILE: "dev-insecure" },
    );
    assert.equal(open.inbound.mode, "disabled");
    assert.equal(open.outbound, undefined);
    failsWith(
      () =>
        parseGatewayConfig(
          { coordinatorUrl: "http://c" },
          { ARP_AUTH_PROFILE: "dev-insecure", ARP_AUTH_CLIENT_ID: "x" },
        ),
      /ARP_AUTH_CLIENT_SECRET/,
    );
  });

  test("the upstream timeout is in seconds and must be positive", () => {
    const base = { coordinatorUrl: "http://c" };
    assert.equal(parseGatewayConfig(base, STS).upstreamTimeoutMs, 30_000);
    assert.equal(
      parseGatewayConfig({ ...base, upstreamTimeout: "2.5" }, STS).upstreamTimeoutMs,
      2500,
    );
    assert.equal(
      parseGatewayConfig(base, { ...STS, RUNPLANE_UPSTREAM_TIMEOUT: "1" }).upstreamTimeoutMs,
      1000,
    );
    failsWith(() => parseGatewayConfig({ ...base, upstreamTimeout: "0" }, STS), /upstream-timeout/);
    failsWith(() => parseGatewayConfig({ ...base, port: "99999" }, STS), /--port/);
  });
});
