/** The ARP_AUTH_* environment matrix: profiles, mode, JWKS resolution, algorithms, skew, outbound STS. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  buildArpInboundAuth,
  DEV_KEYCLOAK_ISSUER,
  type Env,
  parseArpInboundAuthEnv,
  parseArpOutboundAuthEnv,
} from "../../../src/auth/arp-auth-config.js";
import { ConfigError } from "../../../src/protocol/errors.js";

const ISSUER = "https://sso.example.com/realms/arp";

function configError(env: Env, parse: (env: Env) => unknown, variable: string): void {
  assert.throws(
    () => parse(env),
    (err: unknown) => err instanceof ConfigError && err.message.includes(variable),
    `expected a ConfigError naming ${variable} for ${JSON.stringify(env)}`,
  );
}

describe("parseArpInboundAuthEnv", () => {
  test("[arp-auth-profiles] defaults: required, RS256, 60 s skew, health and version exempt", () => {
    const config = parseArpInboundAuthEnv({ ARP_AUTH_ISSUER: ISSUER });
    assert.deepEqual(config, {
      profile: undefined,
      mode: "required",
      issuer: ISSUER,
      audience: undefined,
      jwksUri: undefined,
      oidcDiscoveryUrl: undefined,
      algorithms: ["RS256"],
      clockSkewSeconds: 60,
      exemptPaths: ["/v1/health", "/v1/version"],
      devSubject: "dev",
      anonymousSubject: "anonymous",
    });
  });

  const profiles: Array<[string, string, "required" | "disabled"]> = [
    ["dev-insecure", "dev-insecure", "disabled"],
    ["dev", "dev-insecure", "disabled"],
    ["  DEV_INSECURE ", "dev-insecure", "disabled"],
    ["dev-secure-keycloak", "dev-secure-keycloak", "required"],
    ["dev_secure", "dev-secure-keycloak", "required"],
    ["Keycloak", "dev-secure-keycloak", "required"],
    ["enterprise", "enterprise", "required"],
    ["prod", "enterprise", "required"],
    ["PRODUCTION", "enterprise", "required"],
  ];
  for (const [raw, profile, mode] of profiles) {
    test(`[arp-auth-profiles] ARP_AUTH_PROFILE=${JSON.stringify(raw)} is ${profile}, mode ${mode}`, () => {
      const config = parseArpInboundAuthEnv({
        ARP_AUTH_PROFILE: raw,
        ARP_AUTH_AUDIENCE: "arp-run-gateway",
        ARP_AUTH_ISSUER: profile === "enterprise" ? ISSUER : undefined,
      });
      assert.equal(config.profile, profile);
      assert.equal(config.mode, mode);
    });
  }

  test("[arp-auth-profiles] dev-secure-keycloak presets the dev issuer and needs an audience", () => {
    const config = parseArpInboundAuthEnv({
      ARP_AUTH_PROFILE: "dev-secure-keycloak",
      ARP_AUTH_SERVICE_ID: "arp-run-gateway",
    });
    assert.equal(config.issuer, DEV_KEYCLOAK_ISSUER);
    assert.equal(config.audience, "arp-run-gateway");
    configError({ ARP_AUTH_PROFILE: "keycloak" }, parseArpInboundAuthEnv, "ARP_AUTH_AUDIENCE");
    const disabled = parseArpInboundAuthEnv({
      ARP_AUTH_PROFILE: "keycloak",
      ARP_AUTH_MODE: "disabled",
    });
    assert.equal(disabled.mode, "disabled", "an explicit disabled mode lifts the audience rule");
  });

  test("[arp-auth-profiles] an explicit ARP_AUTH_MODE beats the profile", () => {
    const env = {
      ARP_AUTH_PROFILE: "dev-insecure",
      ARP_AUTH_MODE: " Optional ",
      ARP_AUTH_ISSUER: ISSUER,
    };
    assert.equal(parseArpInboundAuthEnv(env).mode, "optional");
    const strict = parseArpInboundAuthEnv({
      ARP_AUTH_PROFILE: "enterprise",
      ARP_AUTH_MODE: "disabled",
    });
    assert.equal(strict.mode, "disabled");
  });

  test("[arp-auth-profiles] unknown profiles and modes stop startup", () => {
    configError({ ARP_AUTH_PROFILE: "staging" }, parseArpInboundAuthEnv, "ARP_AUTH_PROFILE");
    configError(
      { ARP_AUTH_MODE: "sometimes", ARP_AUTH_ISSUER: ISSUER },
      parseArpInboundAuthEnv,
      "ARP_AUTH_MODE",
    );
  });

  test("[arp-auth-jwks-resolution] enabled auth needs a JWKS URI, a discovery URL or an issuer", () => {
    for (const mode of ["required", "optional"]) {
      configError({ ARP_AUTH_MODE: mode }, parseArpInboundAuthEnv, "ARP_AUTH_JWKS_URI");
    }
    assert.equal(parseArpInboundAuthEnv({ ARP_AUTH_MODE: "disabled" }).mode, "disabled");
    const jwks = parseArpInboundAuthEnv({ ARP_AUTH_JWKS_URI: `${ISSUER}/certs` });
    assert.equal(jwks.jwksUri, `${ISSUER}/certs`);
    const discovery = parseArpInboundAuthEnv({
      ARP_AUTH_OIDC_DISCOVERY_URL: `${ISSUER}/.well-known/x`,
    });
    assert.equal(discovery.oidcDiscoveryUrl, `${ISSUER}/.well-known/x`);
  });

  test("[arp-auth-jwks-resolution] URLs must be http(s); an opaque issuer is fine beside a JWKS URI", () => {
    configError({ ARP_AUTH_JWKS_URI: "ftp://x/jwks" }, parseArpInboundAuthEnv, "ARP_AUTH_JWKS_URI");
    configError(
      { ARP_AUTH_OIDC_DISCOVERY_URL: "nope" },
      parseArpInboundAuthEnv,
      "ARP_AUTH_OIDC_DISCOVERY_URL",
    );
    configError({ ARP_AUTH_ISSUER: "urn:issuer" }, parseArpInboundAuthEnv, "ARP_AUTH_ISSUER");
    const opaque = parseArpInboundAuthEnv({
      ARP_AUTH_ISSUER: "urn:issuer",
      ARP_AUTH_JWKS_URI: `${ISSUER}/certs`,
    });
    assert.equal(opaque.issuer, "urn:issuer");
  });

  test("[arp-auth-algorithms-skew] algorithms list and clock skew are parsed and checked", () => {
    const config = parseArpInboundAuthEnv({
      ARP_AUTH_ISSUER: ISSUER,
      ARP_AUTH_ALGORITHMS: " RS256, ,ES256 ",
      ARP_AUTH_CLOCK_SKEW_SECONDS: " 5 ",
    });
    assert.deepEqual(config.algorithms, ["RS256", "ES256"]);
    assert.equal(config.clockSkewSeconds, 5);
    for (const bad of [",", "HS256", "RS256,none"]) {
      configError(
        { ARP_AUTH_ISSUER: ISSUER, ARP_AUTH_ALGORITHMS: bad },
        parseArpInboundAuthEnv,
        "ARP_AUTH_ALGORITHMS",
      );
    }
    for (const bad of ["1.5", "-1", "sixty", "6 0"]) {
      configError(
        { ARP_AUTH_ISSUER: ISSUER, ARP_AUTH_CLOCK_SKEW_SECONDS: bad },
        parseArpInboundAuthEnv,
        "ARP_AUTH_CLOCK_SKEW_SECONDS",
      );
    }
  });

  test("[arp-auth-exempt-paths] exempt paths, subjects and audience fallbacks", () => {
    const config = parseArpInboundAuthEnv({
      ARP_AUTH_ISSUER: ISSUER,
      ARP_AUTH_EXEMPT_PATHS: "/v1/health, /metrics,",
      ARP_AUTH_DEV_SUBJECT: "devon",
      ARP_AUTH_ANONYMOUS_SUBJECT: "guest",
      ARP_AUTH_AUDIENCE: "aud-1",
      ARP_AUTH_SERVICE_ID: "svc-1",
    });
    assert.deepEqual(config.exemptPaths, ["/v1/health", "/metrics"]);
    assert.equal(config.devSubject, "devon");
    assert.equal(config.anonymousSubject, "guest");
    assert.equal(config.audience, "aud-1", "AUDIENCE wins over SERVICE_ID");
    const blank = parseArpInboundAuthEnv({ ARP_AUTH_ISSUER: ISSUER, ARP_AUTH_EXEMPT_PATHS: " , " });
    assert.deepEqual(blank.exemptPaths, ["/v1/health", "/v1/version"]);
  });
});

describe("buildArpInboundAuth", () => {
  test("[arp-auth-mode-disabled] disabled mode admits everyone as the dev subject", async () => {
    const auth = buildArpInboundAuth(
      parseArpInboundAuthEnv({ ARP_AUTH_PROFILE: "dev", ARP_AUTH_DEV_SUBJECT: "devon" }),
    );
    assert.equal(auth.authenticator.kind, "none");
    assert.equal((await auth.authenticator.authenticate(undefined)).id, "devon");
  });

  test("[arp-auth-mode-optional] enabled modes use JWT; exempt paths and anonymous principal carried", () => {
    const auth = buildArpInboundAuth(
      parseArpInboundAuthEnv({
        ARP_AUTH_MODE: "optional",
        ARP_AUTH_ISSUER: ISSUER,
        ARP_AUTH_ANONYMOUS_SUBJECT: "guest",
      }),
    );
    assert.equal(auth.mode, "optional");
    assert.equal(auth.authenticator.kind, "jwt");
    assert.deepEqual(auth.anonymousPrincipal, { id: "guest" });
    assert.ok(auth.exemptPaths.has("/v1/health") && !auth.exemptPaths.has("/v1/runs"));
  });
});

describe("parseArpOutboundAuthEnv", () => {
  const base = {
    ARP_AUTH_CLIENT_ID: "arp-run-gateway",
    ARP_AUTH_CLIENT_SECRET: "shh-secret-value",
  };

  test("[arp-fwd-outbound-token] the token endpoint is explicit or derived from the issuer", () => {
    const derived = parseArpOutboundAuthEnv({ ...base, ARP_AUTH_ISSUER: `${ISSUER}/` });
    assert.equal(derived.tokenEndpoint, `${ISSUER}/protocol/openid-connect/token`);
    assert.equal(derived.timeoutMs, 10_000);
    const explicit = parseArpOutboundAuthEnv({
      ...base,
      ARP_AUTH_ISSUER: ISSUER,
      ARP_AUTH_TOKEN_ENDPOINT: "http://127.0.0.1:9/token",
      ARP_AUTH_TIMEOUT_SECS: "2.5",
      ARP_AUTH_SERVICE_ID: "svc",
    });
    assert.deepEqual(explicit, {
      clientId: "arp-run-gateway",
      clientSecret: "shh-secret-value",
      tokenEndpoint: "http://127.0.0.1:9/token",
      timeoutMs: 2500,
      defaultAudience: "svc",
    });
  });

  test("[arp-fwd-outbound-token] missing or malformed variables are named, secrets never echoed", () => {
    configError(
      { ...base, ARP_AUTH_CLIENT_ID: " ", ARP_AUTH_ISSUER: ISSUER },
      parseArpOutboundAuthEnv,
      "ARP_AUTH_CLIENT_ID",
    );
    configError(
      { ARP_AUTH_CLIENT_ID: "id", ARP_AUTH_ISSUER: ISSUER },
      parseArpOutboundAuthEnv,
      "ARP_AUTH_CLIENT_SECRET",
    );
    configError(base, parseArpOutboundAuthEnv, "ARP_AUTH_TOKEN_ENDPOINT");
    configError(
      { ...base, ARP_AUTH_TOKEN_ENDPOINT: "token" },
      parseArpOutboundAuthEnv,
      "ARP_AUTH_TOKEN_ENDPOINT",
    );
    for (const bad of ["0", "-1", "ten", "1e999", "0x10"]) {
      configError(
        { ...base, ARP_AUTH_ISSUER: ISSUER, ARP_AUTH_TIMEOUT_SECS: bad },
        parseArpOutboundAuthEnv,
        "ARP_AUTH_TIMEOUT_SECS",
      );
    }
    assert.throws(
      () => parseArpOutboundAuthEnv({ ...base, ARP_AUTH_TOKEN_ENDPOINT: "not-a-url" }),
      (err: unknown) =>
        err instanceof ConfigError && !err.message.includes(base.ARP_AUTH_CLIENT_SECRET),
    );
    const sci = parseArpOutboundAuthEnv({
      ...base,
      ARP_AUTH_ISSUER: ISSUER,
      ARP_AUTH_TIMEOUT_SECS: "1e1",
    });
    assert.equal(sci.timeoutMs, 10_000, "any float spelling is accepted, as arp_auth does");
  });
});
