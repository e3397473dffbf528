/** `--auth jwt` checks audience and issuer unless told, in so many words, not to (§6.1, DESIGN-20). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildAuthenticator } from "../../../src/cli/auth-options.js";

const warn = (): void => {};
const JWKS = "https://issuer.example/jwks";

function refusal(options: Parameters<typeof buildAuthenticator>[0], env = {}): string {
  try {
    buildAuthenticator(options, "127.0.0.1", warn, env);
  } catch (err) {
    assert.equal((err as Error).name, "ConfigError");
    return (err as Error).message;
  }
  assert.fail("the authenticator was built");
}

describe("--auth jwt", () => {
  test("[arcp-6.1-authenticators] without --jwt-audience it does not start", () => {
    assert.match(refusal({ auth: "jwt", jwtIssuer: "https://issuer.example" }), /--jwt-audience/);
    assert.match(refusal({ auth: "jwt", jwksUrl: JWKS, jwtIssuer: "https://i" }), /--jwt-audience/);
  });

  test("[arcp-6.1-authenticators] with --jwks-url and no --jwt-issuer it does not start", () => {
    assert.match(refusal({ auth: "jwt", jwksUrl: JWKS, jwtAudience: "runplane" }), /--jwt-issuer/);
  });

  test("the checks are waived only explicitly: --jwt-any-audience / --jwt-any-issuer or their variables", () => {
    const auth = buildAuthenticator(
      { auth: "jwt", jwksUrl: JWKS, jwtAnyAudience: true, jwtAnyIssuer: true },
      "127.0.0.1",
      warn,
      {},
    );
    assert.equal(auth.kind, "jwt");
    const byEnv = buildAuthenticator({ auth: "jwt", jwksUrl: JWKS }, "127.0.0.1", warn, {
      RUNPLANE_JWT_ANY_AUDIENCE: "yes",
      RUNPLANE_JWT_ANY_ISSUER: "1",
    });
    assert.equal(byEnv.kind, "jwt");
    assert.match(
      refusal(
        { auth: "jwt", jwksUrl: JWKS },
        {
          RUNPLANE_JWT_ANY_AUDIENCE: "false",
          RUNPLANE_JWT_ANY_ISSUER: "true",
        },
      ),
      /--jwt-audience/,
    );
    const full = buildAuthenticator(
      { auth: "jwt", jwtIssuer: "https://issuer.example", jwtAudience: "runplane" },
      "127.0.0.1",
      warn,
      {},
    );
    assert.equal(full.kind, "jwt");
  });

  test("--jwt-clock-skew must be a whole number of seconds", () => {
    const base = { auth: "jwt", jwtIssuer: "https://i.example", jwtAudience: "a" };
    assert.match(refusal({ ...base, jwtClockSkew: "abc" }), /--jwt-clock-skew/);
    assert.match(refusal({ ...base, jwtClockSkew: "-5" }), /--jwt-clock-skew/);
  });
});
