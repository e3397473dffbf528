/**
 * `--auth jwt` over a real WebSocket hello, keys from a real in-process OIDC issuer (issue 2):
 * a valid token is welcomed; every forged or stale one gets session.error UNAUTHENTICATED.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connectWs, type Frame } from "../../support/arcp-test-client.js";
import { BAD_TOKENS, startTestIssuer, type TestIssuer } from "../../support/oidc-issuer.js";
import { startTestServer, type TestServer } from "../../support/test-server.js";

/** Send a hello with `token` and wait for the reply and, on refusal, the close. */
async function helloWith(server: TestServer, token: string) {
  const client = await connectWs(server.wsUrl);
  try {
    const reply = await client.hello({ token }).catch((err: Error & { frame?: Frame }) => {
      assert.ok(err.frame, `hello failed without a session.error: ${err.message}`);
      return err.frame;
    });
    if (reply.type === "session.error") await client.waitClosed();
    return { reply, frames: [...client.frames] };
  } finally {
    client.close();
  }
}

describe("JWT hello over WebSocket", () => {
  let issuer: TestIssuer;
  let server: TestServer;

  before(async () => {
    issuer = await startTestIssuer({ audience: "runplane" });
    server = await startTestServer({
      auth: { auth: "jwt", jwtIssuer: issuer.issuer, jwtAudience: issuer.audience },
      arpEnv: {},
    });
  });
  after(async () => {
    await server?.close();
    await issuer?.close();
  });

  test("[arcp-6.1-authenticators] a valid RS256 token from the issuer is welcomed", async () => {
    const { reply, frames } = await helloWith(server, await issuer.mint({ sub: "dana" }));
    assert.equal(reply.type, "session.welcome");
    assert.match(reply.session_id ?? "", /^sess_/);
    assert.ok(!frames.some((f) => f.type === "session.error"));
  });

  for (const { what, mint, message: expected } of BAD_TOKENS) {
    test(`[arcp-6.1-authenticators] [arcp-6.1-unauthenticated] [arcp-6.1-error-session-id] ${what} gets session.error UNAUTHENTICATED and no welcome`, async () => {
      const token = await mint(issuer);
      const { reply, frames } = await helloWith(server, token);
      assert.equal(reply.type, "session.error");
      assert.equal(reply.payload["code"], "UNAUTHENTICATED");
      assert.match(reply.session_id ?? "", /^sess_/);
      assert.ok(!frames.some((f) => f.type === "session.welcome"), "no welcome");
      const message = String(reply.payload["message"] ?? "");
      assert.equal(message, expected, "refused by the JWT check, for this reason");
      assert.ok(!message.includes(token), "the message does not quote the token");
      const wire = JSON.stringify(frames);
      for (const part of token.split(".").filter((p) => p !== "")) {
        assert.ok(!wire.includes(part), "no part of the token is echoed");
      }
    });
  }
});
