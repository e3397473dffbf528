/** Authorization header parsing and the ARP 401 decision, mode by mode. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ArpInboundAuth } from "../../../src/auth/arp-auth-config.js";
import { buildArpInboundAuth, parseArpInboundAuthEnv } from "../../../src/auth/arp-auth-config.js";
import type { Authenticator } from "../../../src/auth/authenticator.js";
import { BearerAuthenticator } from "../../../src/auth/bearer.js";
import {
  type ArpAuthorization,
  arpUnauthorized,
  authorizeArpRequest,
  parseAuthorizationHeader,
} from "../../../src/auth/http-bearer.js";
import { NoneAuthenticator } from "../../../src/auth/none.js";
import { startTestIssuer, type TestIssuer } from "../../support/oidc-issuer.js";

const MISSING = 'Bearer error="invalid_request", error_description="Missing Authorization header"';
const INVALID = 'Bearer error="invalid_request", error_description="Invalid Authorization header"';

describe("parseAuthorizationHeader", () => {
  const cases: Array<[string | string[] | undefined, ReturnType<typeof parseAuthorizationHeader>]> =
    [
      [undefined, { kind: "missing" }],
      ["", { kind: "missing" }],
      ["Bearer abc", { kind: "bearer", token: "abc" }],
      ["bearer xyz", { kind: "bearer", token: "xyz" }],
      ["  BEARER \t tok.en-1  ", { kind: "bearer", token: "tok.en-1" }],
      ["Token abc", { kind: "malformed" }],
      ["Basic dXNlcjpwYXNz", { kind: "malformed" }],
      ["Bearer", { kind: "malformed" }],
      ["Bearer a b", { kind: "malformed" }],
      ["   ", { kind: "malformed" }],
      [["Bearer a", "Bearer b"], { kind: "malformed" }],
    ];
  for (const [header, expected] of cases) {
    test(`[arp-auth-401-cases] ${JSON.stringify(header)} is ${expected.kind}`, () => {
      assert.deepEqual(parseAuthorizationHeader(header), expected);
    });
  }
});

describe("arpUnauthorized", () => {
  test("[arp-auth-401-challenge-params] the challenge carries error and error_description", () => {
    assert.deepEqual(arpUnauthorized("invalid_token", "Token expired"), {
      code: "unauthorized",
      message: "Token expired",
      wwwAuthenticate: 'Bearer error="invalid_token", error_description="Token expired"',
    });
  });

  test("[arp-auth-401-www-authenticate] quotes and backslashes in the description are escaped", () => {
    const { wwwAuthenticate } = arpUnauthorized("invalid_token", 'a "b" \\c');
    assert.equal(
      wwwAuthenticate,
      'Bearer error="invalid_token", error_description="a \\"b\\" \\\\c"',
    );
  });
});

function inbound(mode: ArpInboundAuth["mode"], authenticator: Authenticator): ArpInboundAuth {
  return {
    mode,
    exemptPaths: new Set(["/v1/health", "/v1/version"]),
    authenticator,
    anonymousPrincipal: { id: "anonymous" },
  };
}

function challenge(result: ArpAuthorization): string {
  assert.equal(result.ok, false, "expected a 401");
  return result.ok ? "" : result.unauthorized.wwwAuthenticate;
}

describe("authorizeArpRequest", () => {
  const tokens = new BearerAuthenticator([{ token: "good-token", principalId: "alice" }]);

  test("[arp-auth-bearer-required] required mode: no header is 401 invalid_request", async () => {
    assert.equal(
      challenge(await authorizeArpRequest(inbound("required", tokens), "/v1/runs", undefined)),
      MISSING,
    );
  });

  test("[arp-auth-401-cases] a header not of the form Bearer <token> is 401 invalid_request", async () => {
    for (const header of ["Token abc", "Bearer", "Bearer a b"]) {
      for (const mode of ["required", "optional"] as const) {
        assert.equal(
          challenge(await authorizeArpRequest(inbound(mode, tokens), "/v1/runs", header)),
          INVALID,
        );
      }
    }
  });

  test("[arp-auth-401-challenge-params] a rejected token is 401 invalid_token with the authenticator's message", async () => {
    const result = await authorizeArpRequest(
      inbound("required", tokens),
      "/v1/runs",
      "Bearer wrong",
    );
    assert.deepEqual(result, {
      ok: false,
      unauthorized: arpUnauthorized("invalid_token", "Unknown bearer token"),
    });
  });

  test("[arp-auth-mode-optional] optional: no header is anonymous, a bad token still 401, a good one passes", async () => {
    const auth = inbound("optional", tokens);
    assert.deepEqual(await authorizeArpRequest(auth, "/v1/runs", undefined), {
      ok: true,
      principal: { id: "anonymous" },
    });
    assert.match(
      challenge(await authorizeArpRequest(auth, "/v1/runs", "Bearer nope")),
      /invalid_token/,
    );
    assert.deepEqual(await authorizeArpRequest(auth, "/v1/runs", "bearer good-token"), {
      ok: true,
      principal: { id: "alice" },
    });
  });

  test("[arp-auth-mode-disabled] disabled: every call is the dev subject, headers ignored", async () => {
    const auth = buildArpInboundAuth(parseArpInboundAuthEnv({ ARP_AUTH_MODE: "disabled" }));
    for (const header of [undefined, "Token abc", "Bearer forged"]) {
      assert.deepEqual(await authorizeArpRequest(auth, "/v1/runs", header), {
        ok: true,
        principal: { id: "dev" },
      });
    }
  });

  test("[arp-auth-exempt-paths] exempt paths match exactly and skip auth with no principal", async () => {
    const auth = inbound("required", tokens);
    assert.deepEqual(await authorizeArpRequest(auth, "/v1/health", "Token abc"), {
      ok: true,
      principal: undefined,
    });
    assert.deepEqual(await authorizeArpRequest(auth, "/v1/version", undefined), {
      ok: true,
      principal: undefined,
    });
    for (const path of ["/v1/health/", "/v1/healthz", "/v1/health/x", "/V1/HEALTH"]) {
      assert.equal(challenge(await authorizeArpRequest(auth, path, undefined)), MISSING, path);
    }
  });

  test("errors that are not AuthError propagate (a bug is not a 401)", async () => {
    const broken: Authenticator = {
      kind: "bearer",
      authenticate: async () => {
        throw new TypeError("boom");
      },
    };
    await assert.rejects(
      authorizeArpRequest(inbound("required", broken), "/v1/runs", "Bearer x"),
      TypeError,
    );
  });

  test("the none authenticator in required mode still needs a well-formed header", async () => {
    const auth = inbound("required", new NoneAuthenticator());
    assert.equal(challenge(await authorizeArpRequest(auth, "/v1/runs", "Token x")), INVALID);
  });
});

describe("authorizeArpRequest with JWTs from a real issuer", () => {
  let issuer: TestIssuer;
  let auth: ArpInboundAuth;
  before(async () => {
    issuer = await startTestIssuer();
    auth = buildArpInboundAuth(
      parseArpInboundAuthEnv({
        ARP_AUTH_ISSUER: issuer.issuer,
        ARP_AUTH_AUDIENCE: issuer.audience,
      }),
    );
  });
  after(() => issuer.close());

  test("[arp-auth-401-cases] signed test tokens: each failure has its ARP message", async () => {
    const cases: Array<[Promise<string>, string]> = [
      [issuer.mintExpired(), "Token expired"],
      [issuer.mintWrongAudience(), "Invalid token audience"],
      [issuer.mintWrongIssuer(), "Invalid token issuer"],
      [issuer.mintHs256WithPublicKey(), "Invalid token"],
      [issuer.mintAlgNone(), "Invalid token"],
    ];
    for (const [token, message] of cases) {
      const result = await authorizeArpRequest(auth, "/v1/runs", `Bearer ${await token}`);
      assert.equal(
        challenge(result),
        `Bearer error="invalid_token", error_description="${message}"`,
      );
    }
    const ok = await authorizeArpRequest(
      auth,
      "/v1/runs",
      `Bearer ${await issuer.mint({ sub: "bob" })}`,
    );
    assert.equal(ok.ok && ok.principal?.id, "bob");
  });
});
