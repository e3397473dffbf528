/** One authenticator for both doors of `runplane serve`: ARCP hellos and ARP bearer headers (DESIGN-20, DESIGN-27). */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connectWs } from "../../support/arcp-test-client.js";
import { startTestIssuer, type TestIssuer } from "../../support/oidc-issuer.js";
import { startTestServer, type TestServer, TOKENS } from "../../support/test-server.js";
import { arpCall, codeOf, startBody } from "./arp-http.js";

/** Whether an ARCP hello with `token` is welcomed. */
async function arcpAccepts(server: TestServer, token: string): Promise<boolean> {
  const client = await connectWs(server.wsUrl);
  try {
    await client.hello({ token });
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

async function arpAccepts(server: TestServer, token: string): Promise<boolean> {
  const res = await arpCall(server.httpUrl, "POST", "/v1/runs", { token, body: startBody("echo") });
  if (res.status === 401) {
    assert.equal(codeOf(res), "unauthorized");
    return false;
  }
  assert.equal(res.status, 200);
  return true;
}

describe("shared authentication", () => {
  let issuer: TestIssuer;
  before(async () => {
    issuer = await startTestIssuer({ audience: "runplane" });
  });
  after(() => issuer.close());

  test("[arcp-6.1-shared-authenticators] a --token works on /arcp and /v1/runs alike; an unknown one on neither", async () => {
    const server = await startTestServer({ arpEnv: {} });
    try {
      assert.equal(await arcpAccepts(server, TOKENS.alice), true);
      assert.equal(await arpAccepts(server, TOKENS.alice), true);
      assert.equal(await arcpAccepts(server, "tok-nobody"), false);
      assert.equal(await arpAccepts(server, "tok-nobody"), false);
    } finally {
      await server.close();
    }
  });

  test("[arcp-6.1-shared-authenticators] [arp-auth-profiles] ARP_AUTH_* alone configure the JWT check of both doors", async () => {
    const server = await startTestServer({
      auth: {},
      arpEnv: {
        ARP_AUTH_PROFILE: "enterprise",
        ARP_AUTH_ISSUER: issuer.issuer,
        ARP_AUTH_AUDIENCE: "runplane",
      },
    });
    try {
      const token = await issuer.mint({ sub: "dana" });
      assert.equal(await arcpAccepts(server, token), true);
      assert.equal(await arpAccepts(server, token), true);
      const wrongAudience = await issuer.mintWrongAudience({ sub: "dana" });
      assert.equal(await arcpAccepts(server, wrongAudience), false);
      assert.equal(await arpAccepts(server, wrongAudience), false);
      const health = await arpCall(server.httpUrl, "GET", "/v1/health", { expect: "Health" });
      assert.equal(health.status, 200, "health stays open");
    } finally {
      await server.close();
    }
  });

  test("[arp-auth-mode-disabled] with --auth none, HTTP runs belong to anonymous, the principal ARCP none uses", async () => {
    const server = await startTestServer({ auth: { auth: "none" }, arpEnv: {} });
    try {
      const started = await arpCall(server.httpUrl, "POST", "/v1/runs", {
        body: startBody("echo"),
        expect: "Run",
      });
      const job = await server.runtime.store.getJob(String(started.json.root_node_run_id));
      assert.equal(job?.principal, "anonymous");
      const client = await connectWs(server.wsUrl);
      try {
        await client.hello({});
        client.send("session.list_jobs", {});
        const page = await client.waitForType("session.jobs");
        const ids = (page.payload.jobs as Array<{ job_id: string }>).map((j) => j.job_id);
        assert.ok(ids.includes(String(started.json.root_node_run_id)));
      } finally {
        client.close();
      }
    } finally {
      await server.close();
    }
  });
});
