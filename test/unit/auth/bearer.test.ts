/** Static bearer tokens: TOKEN=PRINCIPAL parsing and token → principal mapping. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AuthError } from "../../../src/auth/auth-error.js";
import { BearerAuthenticator, parseBearerTokenSpec } from "../../../src/auth/bearer.js";
import { ConfigError } from "../../../src/protocol/errors.js";

describe("parseBearerTokenSpec", () => {
  test("splits at the last '=' so tokens may carry base64 padding", () => {
    assert.deepEqual(parseBearerTokenSpec("abc=alice"), { token: "abc", principalId: "alice" });
    assert.deepEqual(parseBearerTokenSpec("dG9rZW4==:x==bob"), {
      token: "dG9rZW4==:x=",
      principalId: "bob",
    });
  });

  test("rejects specs missing a part without echoing the secret", () => {
    for (const spec of ["secret-token", "=alice", "secret-token=", "secret-token=  "]) {
      assert.throws(
        () => parseBearerTokenSpec(spec),
        (err: unknown) => err instanceof ConfigError && !err.message.includes("secret-token"),
        spec,
      );
    }
  });
});

describe("BearerAuthenticator", () => {
  const auth = new BearerAuthenticator([
    { token: "token-for-alice", principalId: "alice" },
    { token: "token-for-bob", principalId: "bob" },
  ]);

  test("[arcp-6.1-authenticators] each configured token maps to its own principal", async () => {
    assert.deepEqual(await auth.authenticate("token-for-alice"), { id: "alice" });
    assert.deepEqual(await auth.authenticate("token-for-bob"), { id: "bob" });
  });

  test("[arcp-6.1-authenticators] near misses are unknown: prefix, suffix, case, padding", async () => {
    for (const token of [
      "token-for-alic",
      "token-for-alice ",
      "TOKEN-FOR-ALICE",
      " token-for-bob",
    ]) {
      await assert.rejects(auth.authenticate(token), (err: unknown) => {
        return (
          err instanceof AuthError &&
          err.reason === "invalid" &&
          err.message === "Unknown bearer token"
        );
      });
    }
  });

  test("configuration must hold at least one token, none empty or repeated", () => {
    assert.throws(() => new BearerAuthenticator([]), ConfigError);
    assert.throws(() => new BearerAuthenticator([{ token: " ", principalId: "a" }]), ConfigError);
    assert.throws(() => new BearerAuthenticator([{ token: "t", principalId: "" }]), ConfigError);
    const twice = [
      { token: "same-secret", principalId: "a" },
      { token: "same-secret", principalId: "b" },
    ];
    assert.throws(
      () => new BearerAuthenticator(twice),
      (err: unknown) => err instanceof ConfigError && !err.message.includes("same-secret"),
    );
  });
});
