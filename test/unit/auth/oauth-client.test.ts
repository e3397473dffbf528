/** The outbound OAuth client against a real STS: both grants, caching, single flight, errors. */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import {
  OAuthClient,
  type OAuthClientOptions,
  OAuthError,
} from "../../../src/auth/oauth-client.js";
import { startTestIssuer, type TestIssuer } from "../../support/oidc-issuer.js";

const COORDINATOR = "arp-run-coordinator";

describe("OAuthClient", () => {
  let issuer: TestIssuer;
  let clock: number;
  const client = (o: Partial<OAuthClientOptions> = {}) =>
    new OAuthClient({
      tokenEndpoint: issuer.tokenEndpoint,
      clientId: issuer.client.id,
      clientSecret: issuer.client.secret,
      defaultAudience: COORDINATOR,
      now: () => clock,
      ...o,
    });

  before(async () => {
    issuer = await startTestIssuer({ accessTokenTtl: 300 });
  });
  after(() => issuer.close());
  beforeEach(() => {
    issuer.resetStats();
    clock = Date.now();
  });

  test("[arp-fwd-outbound-token] client credentials returns a JWT for the requested audience", async () => {
    const token = await client().clientCredentials({ audience: "svc-a" });
    const { payload } = await jwtVerify(
      token.accessToken,
      createRemoteJWKSet(new URL(issuer.jwksUri)),
      {
        issuer: issuer.issuer,
        audience: "svc-a",
      },
    );
    assert.equal(payload.client_id, issuer.client.id);
    assert.equal(token.expiresAt, clock + 300_000);
    assert.equal(issuer.stats.clientCredentials, 1);
  });

  test("[arp-fwd-outbound-token] token exchange returns a token for the audience with act naming the client", async () => {
    const subject = await issuer.mint({ sub: "alice" });
    const token = await client().exchangeToken(subject);
    const claims = decodeJwt(token.accessToken);
    assert.equal(claims.sub, "alice");
    assert.equal(claims.aud, COORDINATOR);
    assert.deepEqual(claims.act, { sub: issuer.client.id });
    assert.equal(issuer.stats.tokenExchange, 1);
  });

  test("[arp-fwd-outbound-token] outboundToken exchanges an inbound token, else uses client credentials", async () => {
    const c = client();
    await c.outboundToken(undefined);
    await c.outboundToken(await issuer.mint());
    assert.deepEqual(issuer.stats, { clientCredentials: 1, tokenExchange: 1, failed: 0 });
  });

  test("client_secret_basic form-encodes the credentials", async () => {
    const basic = client({
      clientId: issuer.basicClient.id,
      clientSecret: issuer.basicClient.secret,
      clientAuthMethod: "client_secret_basic",
    });
    assert.equal(
      decodeJwt((await basic.clientCredentials()).accessToken).client_id,
      issuer.basicClient.id,
    );
  });

  test("[arp-fwd-token-cache] N identical calls, concurrent or not, cost one STS request", async () => {
    const c = client();
    const subject = await issuer.mint({ sub: "alice" });
    const first = await Promise.all(Array.from({ length: 10 }, () => c.exchangeToken(subject)));
    const later = await c.exchangeToken(subject);
    assert.equal(new Set([...first, later].map((t) => t.accessToken)).size, 1);
    await Promise.all(Array.from({ length: 10 }, () => c.clientCredentials()));
    assert.deepEqual(issuer.stats, { clientCredentials: 1, tokenExchange: 1, failed: 0 });
  });

  test("[arp-fwd-token-cache] audience, scope and subject token each key the cache", async () => {
    const c = client();
    const [alice, bob] = await Promise.all([
      issuer.mint({ sub: "alice" }),
      issuer.mint({ sub: "bob" }),
    ]);
    await c.exchangeToken(alice);
    await c.exchangeToken(bob);
    await c.exchangeToken(alice, { audience: "svc-b" });
    await c.clientCredentials({ audience: "svc-b" });
    await c.clientCredentials({ audience: "svc-b", scope: "runs:read" });
    assert.deepEqual(issuer.stats, { clientCredentials: 2, tokenExchange: 3, failed: 0 });
  });

  test("[arp-fwd-token-cache] an entry expires at expires_in minus the skew, then is refetched", async () => {
    const c = client({ cacheSkewSeconds: 30 });
    const first = await c.clientCredentials();
    clock += 269_000;
    assert.equal((await c.clientCredentials()).accessToken, first.accessToken);
    clock += 1_000;
    const second = await c.clientCredentials();
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal(issuer.stats.clientCredentials, 2);
  });

  test("[arp-fwd-token-cache] an exchanged token is not reused past the subject token's expiry", async () => {
    const c = client({ cacheSkewSeconds: 30 });
    const subject = await issuer.mint({ expiresIn: 100 });
    await c.exchangeToken(subject);
    clock += 69_000;
    await c.exchangeToken(subject);
    assert.equal(issuer.stats.tokenExchange, 1);
    clock += 2_000;
    await c.exchangeToken(subject);
    assert.equal(issuer.stats.tokenExchange, 2);
  });

  test("a skew beyond expires_in means no caching, never a negative lifetime", async () => {
    const c = client({ cacheSkewSeconds: 600 });
    await c.clientCredentials();
    await c.clientCredentials();
    assert.equal(issuer.stats.clientCredentials, 2);
  });

  test("the cache is bounded: the least recently used audience is evicted", async () => {
    const c = client({ cacheMaxEntries: 2 });
    for (const audience of ["a1", "a2", "a3", "a1"]) await c.clientCredentials({ audience });
    assert.equal(issuer.stats.clientCredentials, 4);
  });

  test("[arp-fwd-outbound-token] STS 400 → OAuthError with status 400, not cached, no secrets", async () => {
    const c = client();
    const subject = "not-a-valid-subject-token-SECRET";
    for (let i = 0; i < 2; i++) {
      await assert.rejects(c.exchangeToken(subject), (err: unknown) => {
        assert.ok(err instanceof OAuthError);
        assert.equal(err.kind, "exchange");
        assert.equal(err.status, 400);
        assert.equal(err.oauthError, "invalid_grant");
        assert.match(err.message, /^Token exchange failed/);
        assert.ok(!err.message.includes(subject) && !err.message.includes(issuer.client.secret));
        return true;
      });
    }
    assert.equal(issuer.stats.failed, 2);
  });

  test("a wrong client secret → OAuthError client_credentials with the STS's 401", async () => {
    const secret = "wrong-secret-value";
    await assert.rejects(client({ clientSecret: secret }).clientCredentials(), (err: unknown) => {
      assert.ok(err instanceof OAuthError);
      assert.equal(err.kind, "client_credentials");
      assert.equal(err.status, 401);
      assert.ok(!err.message.includes(secret));
      return true;
    });
  });

  test("an unreachable STS → OAuthError without status", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(client({ tokenEndpoint: url }).clientCredentials(), (err: unknown) => {
      assert.ok(err instanceof OAuthError);
      assert.equal(err.status, undefined);
      assert.match(err.message, /unreachable/);
      return true;
    });
  });

  test("a 200 without access_token → OAuthError without status", async () => {
    const fakeFetch: typeof fetch = async () =>
      new Response(JSON.stringify({ token_type: "Bearer" }));
    await assert.rejects(client({ fetch: fakeFetch }).clientCredentials(), (err: unknown) => {
      return (
        err instanceof OAuthError && err.status === undefined && /no access_token/.test(err.message)
      );
    });
  });
});
