/** JwtAuthenticator against a real in-process OIDC issuer: what it accepts and what it refuses. */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { AuthError } from "../../../src/auth/auth-error.js";
import { JwtAuthenticator, type JwtAuthenticatorOptions } from "../../../src/auth/jwt.js";
import { ConfigError } from "../../../src/protocol/errors.js";
import { BAD_TOKENS, startTestIssuer, type TestIssuer } from "../../support/oidc-issuer.js";

async function refusal(auth: JwtAuthenticator, token: string | undefined): Promise<AuthError> {
  try {
    await auth.authenticate(token);
  } catch (err) {
    assert.ok(err instanceof AuthError, `expected AuthError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the token to be refused");
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe("JwtAuthenticator", () => {
  let issuer: TestIssuer;
  let auth: JwtAuthenticator;
  const make = (o: Partial<JwtAuthenticatorOptions> = {}) =>
    new JwtAuthenticator({ issuer: issuer.issuer, audience: issuer.audience, ...o });

  before(async () => {
    issuer = await startTestIssuer();
    auth = make();
  });
  after(() => issuer.close());

  test("[arcp-6.1-authenticators] a valid RS256 token is accepted: id is sub, claims kept", async () => {
    const principal = await auth.authenticate(
      await issuer.mint({ sub: "alice", claims: { tenant: "t1" } }),
    );
    assert.equal(principal.id, "alice");
    assert.equal(principal.claims?.tenant, "t1");
    assert.equal(principal.claims?.iss, issuer.issuer);
  });

  test("[arcp-6.1-authenticators] a token whose aud list includes ours is accepted", async () => {
    const token = await issuer.mint({ aud: ["other", issuer.audience] });
    assert.equal((await auth.authenticate(token)).id, "alice");
  });

  type Refusal = [string, (i: TestIssuer) => Promise<string>, AuthError["reason"], string];
  const refusals: Refusal[] = [
    ...BAD_TOKENS.map(({ what, mint, reason, message }): Refusal => [what, mint, reason, message]),
    ["a token without sub", (i) => i.mint({ omitSub: true }), "invalid", "Invalid token"],
    [
      "a token without exp",
      (i) => i.mint({ claims: { exp: undefined } }),
      "invalid",
      "Invalid token",
    ],
  ];
  for (const [what, mint, reason, message] of refusals) {
    test(`[arcp-6.1-authenticators][arp-auth-401-cases] ${what} is refused: ${message}`, async () => {
      const token = await mint(issuer);
      const err = await refusal(auth, token);
      assert.equal(err.reason, reason);
      assert.equal(err.message, message);
      assert.ok(!err.message.includes(token));
    });
  }

  test("[arp-auth-401-cases] a token with a tampered payload fails signature verification", async () => {
    const [header, , signature] = (await issuer.mint({ sub: "alice" })).split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "mallory", exp: 9_999_999_999 })).toString(
      "base64url",
    );
    const err = await refusal(auth, `${header}.${forged}.${signature}`);
    assert.equal(err.message, "Invalid token");
  });

  test("[arp-auth-algorithms-skew] a token expired within the leeway is accepted, beyond it refused", async () => {
    const justExpired = await issuer.mintExpired(30);
    assert.equal((await make({ clockToleranceSeconds: 60 }).authenticate(justExpired)).id, "alice");
    assert.equal((await make().authenticate(justExpired)).id, "alice", "default leeway is 60 s");
    const strict = await refusal(make({ clockToleranceSeconds: 0 }), justExpired);
    assert.equal(strict.reason, "expired");
  });

  test("[arp-auth-jwks-resolution] keys come from an explicit JWKS URI, without issuer or audience checks", async () => {
    const open = new JwtAuthenticator({ jwksUri: issuer.jwksUri });
    assert.equal((await open.authenticate(await issuer.mintWrongAudience())).id, "alice");
    assert.equal((await open.authenticate(await issuer.mintWrongIssuer())).id, "alice");
  });

  test("[arp-auth-jwks-resolution] keys come from an explicit OIDC discovery URL", async () => {
    const viaDiscovery = new JwtAuthenticator({
      discoveryUrl: issuer.discoveryUrl,
      issuer: issuer.issuer,
    });
    assert.equal((await viaDiscovery.resolveJwksUri()).href, issuer.jwksUri);
    assert.equal((await viaDiscovery.authenticate(await issuer.mint())).id, "alice");
  });

  test("[arp-auth-jwks-resolution] keys come from <issuer>/.well-known/openid-configuration", async () => {
    const withSlash = new JwtAuthenticator({ issuer: `${issuer.issuer}/` });
    assert.equal((await withSlash.resolveJwksUri()).href, issuer.jwksUri);
  });

  test("[arp-auth-jwks-resolution] a failed discovery answers Unable to fetch JWKS and is retried next call", async () => {
    let calls = 0;
    const flaky = createServer((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ issuer: issuer.issuer, jwks_uri: issuer.jwksUri }));
    });
    const base = await listen(flaky);
    try {
      const lazy = new JwtAuthenticator({
        discoveryUrl: `${base}/.well-known/openid-configuration`,
      });
      assert.equal(calls, 0, "discovery is lazy");
      const token = await issuer.mint();
      const err = await refusal(lazy, token);
      assert.equal(err.message, "Unable to fetch JWKS");
      assert.equal((await lazy.authenticate(token)).id, "alice");
      assert.equal((await lazy.authenticate(token)).id, "alice");
      assert.equal(calls, 2, "one failed and one successful discovery, then cached");
    } finally {
      flaky.closeAllConnections();
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  test("[arp-auth-401-cases] an unreachable JWKS answers Unable to fetch JWKS", async () => {
    const dead = new JwtAuthenticator({
      jwksUri: `${await closedPortUrl()}/jwks`,
      fetchTimeoutMs: 2000,
    });
    const err = await refusal(dead, await issuer.mint());
    assert.equal(err.reason, "invalid");
    assert.equal(err.message, "Unable to fetch JWKS");
  });

  test("[arp-auth-401-cases] garbage is refused before any key fetch", async () => {
    const dead = new JwtAuthenticator({ jwksUri: `${await closedPortUrl()}/jwks` });
    assert.equal((await refusal(dead, "not.a.jwt")).message, "Invalid token");
  });

  test("[arp-auth-algorithms-skew] the allow-list never admits none, HS* or unknown algorithms", () => {
    for (const algorithms of [["none"], ["HS256"], ["RS256", "HS512"], ["XX999"], []]) {
      assert.throws(() => make({ algorithms }), ConfigError, JSON.stringify(algorithms));
    }
    assert.doesNotThrow(() => make({ algorithms: ["RS256", "ES256", "EdDSA"] }));
  });

  test("configuration errors: no key source, non-http URLs, negative leeway, bad timeout", () => {
    assert.throws(() => new JwtAuthenticator({}), ConfigError);
    assert.throws(() => new JwtAuthenticator({ jwksUri: "file:///etc/jwks.json" }), ConfigError);
    assert.throws(() => new JwtAuthenticator({ issuer: "not a url" }), ConfigError);
    assert.throws(() => make({ clockToleranceSeconds: -1 }), ConfigError);
    assert.throws(() => make({ fetchTimeoutMs: 0.5 }), ConfigError);
  });
});
