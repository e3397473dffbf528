/** How `runplane serve` combines the ARCP auth flags with `ARP_AUTH_*` (DESIGN-20, DESIGN-27). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Env } from "../../../src/auth/arp-auth-config.js";
import type { Authenticator } from "../../../src/auth/authenticator.js";
import { BearerAuthenticator } from "../../../src/auth/bearer.js";
import { authorizeArpRequest } from "../../../src/auth/http-bearer.js";
import { NoneAuthenticator } from "../../../src/auth/none.js";
import { resolveServeArpAuth, type ServeArpAuthInput } from "../../../src/gateway/serve-auth.js";
import { ConfigError } from "../../../src/protocol/errors.js";

const bearer = (): Authenticator =>
  new BearerAuthenticator([{ token: "tok-a", principalId: "alice" }]);
const isLoopback = (host: string) => host === "127.0.0.1";

function input(env: Env, extra: Partial<ServeArpAuthInput> = {}): ServeArpAuthInput {
  return {
    env,
    host: "127.0.0.1",
    arcpAuthGiven: false,
    buildArcpAuthenticator: () => new NoneAuthenticator(),
    isLoopback,
    ...extra,
  };
}

const JWT_ENV = { ARP_AUTH_ISSUER: "https://issuer.example", ARP_AUTH_AUDIENCE: "runplane" };

describe("resolveServeArpAuth", () => {
  test("[arp-auth-bearer-required] without ARP_AUTH_*, the ARCP tokens guard HTTP too (mode required)", async () => {
    const built = bearer();
    const auth = resolveServeArpAuth(
      input({}, { arcpAuthGiven: true, buildArcpAuthenticator: () => built }),
    );
    assert.equal(auth.authenticator, built);
    assert.equal(auth.inbound.authenticator, built, "one authenticator serves both doors");
    assert.equal(auth.inbound.mode, "required");
    assert.deepEqual([...auth.inbound.exemptPaths].sort(), [
      "/v1/health",
      "/v1/openapi.json",
      "/v1/version",
    ]);
    const ok = await authorizeArpRequest(auth.inbound, "/v1/runs", "Bearer tok-a");
    assert.deepEqual(ok, { ok: true, principal: { id: "alice" } });
    const missing = await authorizeArpRequest(auth.inbound, "/v1/runs", undefined);
    assert.equal(missing.ok, false);
  });

  test("[arp-auth-mode-disabled] --auth none admits HTTP callers as ARCP's fixed principal anonymous", async () => {
    const auth = resolveServeArpAuth(input({}));
    assert.equal(auth.inbound.mode, "disabled");
    const decision = await authorizeArpRequest(auth.inbound, "/v1/runs", "Bearer anything");
    assert.deepEqual(decision, { ok: true, principal: { id: "anonymous" } });
  });

  test("[arp-auth-profiles] ARP_AUTH_* alone build the JWT validator, and it serves ARCP hellos as well", () => {
    let arcpBuilt = false;
    const auth = resolveServeArpAuth(
      input(JWT_ENV, {
        buildArcpAuthenticator: () => {
          arcpBuilt = true;
          return new NoneAuthenticator();
        },
      }),
    );
    assert.equal(auth.authenticator.kind, "jwt");
    assert.equal(auth.inbound.authenticator, auth.authenticator);
    assert.equal(auth.inbound.mode, "required");
    assert.equal(arcpBuilt, false);
  });

  test("[arp-auth-profiles] dev-insecure leaves both doors open as anonymous, unless ARP_AUTH_DEV_SUBJECT says otherwise", async () => {
    const open = resolveServeArpAuth(input({ ARP_AUTH_PROFILE: "dev-insecure" }));
    assert.equal(open.inbound.mode, "disabled");
    assert.equal(open.authenticator.kind, "none");
    assert.deepEqual(await authorizeArpRequest(open.inbound, "/v1/runs", undefined), {
      ok: true,
      principal: { id: "anonymous" },
    });
    const dev = resolveServeArpAuth(
      input({ ARP_AUTH_PROFILE: "dev", ARP_AUTH_DEV_SUBJECT: "dev" }),
    );
    assert.deepEqual(await authorizeArpRequest(dev.inbound, "/v1/runs", undefined), {
      ok: true,
      principal: { id: "dev" },
    });
  });

  test("[arp-auth-mode-optional] ARP_AUTH_MODE=optional with ARCP tokens: header-less callers are anonymous, bad tokens 401", async () => {
    const auth = resolveServeArpAuth(
      input(
        { ARP_AUTH_MODE: "optional", ARP_AUTH_ANONYMOUS_SUBJECT: "guest" },
        { arcpAuthGiven: true, buildArcpAuthenticator: bearer },
      ),
    );
    assert.equal(auth.inbound.mode, "optional");
    assert.deepEqual(await authorizeArpRequest(auth.inbound, "/v1/runs", undefined), {
      ok: true,
      principal: { id: "guest" },
    });
    assert.equal((await authorizeArpRequest(auth.inbound, "/v1/runs", "Bearer wrong")).ok, false);
  });

  test("[arp-auth-mode-optional] optional admits header-less calls, so it is refused off loopback like --auth none", () => {
    const withFlags = input(
      { ARP_AUTH_MODE: "optional" },
      { host: "0.0.0.0", arcpAuthGiven: true, buildArcpAuthenticator: bearer },
    );
    const envOnly = input(
      { ARP_AUTH_MODE: "optional", ARP_AUTH_JWKS_URI: "https://issuer.example/jwks" },
      { host: "0.0.0.0" },
    );
    for (const given of [withFlags, envOnly]) {
      assert.throws(
        () => resolveServeArpAuth(given),
        (err) =>
          err instanceof ConfigError &&
          /ARP_AUTH_MODE=optional/.test(err.message) &&
          /loopback/.test(err.message),
      );
    }
    assert.equal(
      resolveServeArpAuth(
        input(
          { ARP_AUTH_MODE: "required" },
          { host: "0.0.0.0", arcpAuthGiven: true, buildArcpAuthenticator: bearer },
        ),
      ).inbound.mode,
      "required",
    );
  });

  test("[arp-auth-exempt-paths] ARP_AUTH_EXEMPT_PATHS replaces the open paths exactly", () => {
    const auth = resolveServeArpAuth(
      input(
        { ARP_AUTH_EXEMPT_PATHS: "/v1/health" },
        { arcpAuthGiven: true, buildArcpAuthenticator: bearer },
      ),
    );
    assert.deepEqual([...auth.inbound.exemptPaths], ["/v1/health"]);
  });

  test("validator variables next to ARCP auth flags are a startup error naming them", () => {
    assert.throws(
      () =>
        resolveServeArpAuth(
          input(JWT_ENV, { arcpAuthGiven: true, buildArcpAuthenticator: bearer }),
        ),
      (err) => err instanceof ConfigError && /ARP_AUTH_ISSUER, ARP_AUTH_AUDIENCE/.test(err.message),
    );
  });

  test("ARP_AUTH_MODE=required over --auth none is refused rather than silently open", () => {
    assert.throws(
      () => resolveServeArpAuth(input({ ARP_AUTH_MODE: "required" }, { arcpAuthGiven: true })),
      (err) => err instanceof ConfigError && /ARP_AUTH_MODE=required/.test(err.message),
    );
  });

  test("[arp-auth-mode-disabled] authentication off is refused on a non-loopback bind", () => {
    assert.throws(
      () =>
        resolveServeArpAuth(
          input(
            { ARP_AUTH_MODE: "disabled" },
            { host: "0.0.0.0", arcpAuthGiven: true, buildArcpAuthenticator: bearer },
          ),
        ),
      (err) => err instanceof ConfigError && /loopback/.test(err.message),
    );
  });

  test("[arp-auth-profiles] an unknown profile stops startup", () => {
    assert.throws(() => resolveServeArpAuth(input({ ARP_AUTH_PROFILE: "lax" })), ConfigError);
  });
});
