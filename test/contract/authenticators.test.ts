/** Runs the Authenticator contract against none, bearer and jwt (against a real OIDC issuer). */
import { BearerAuthenticator } from "../../src/auth/bearer.js";
import { JwtAuthenticator } from "../../src/auth/jwt.js";
import { NoneAuthenticator } from "../../src/auth/none.js";
import { startTestIssuer } from "../support/oidc-issuer.js";
import { runAuthenticatorContract } from "./authenticator.contract.js";

runAuthenticatorContract("none", async () => ({
  authenticator: new NoneAuthenticator({ principalId: "local" }),
  validToken: "anything",
  principalId: "local",
}));

runAuthenticatorContract("bearer", async () => ({
  authenticator: new BearerAuthenticator([
    { token: "tok-alice-0123456789", principalId: "alice" },
    { token: "tok-bob-9876543210", principalId: "bob" },
  ]),
  validToken: "tok-bob-9876543210",
  principalId: "bob",
}));

runAuthenticatorContract("jwt", async () => {
  const issuer = await startTestIssuer();
  return {
    authenticator: new JwtAuthenticator({ issuer: issuer.issuer, audience: issuer.audience }),
    validToken: await issuer.mint({ sub: "carol" }),
    principalId: "carol",
    close: () => issuer.close(),
  };
});
