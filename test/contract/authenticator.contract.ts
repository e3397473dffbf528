/** The behaviours every Authenticator adapter shares (ARCP §6.1, DESIGN-20), run once per adapter. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AuthError } from "../../src/auth/auth-error.js";
import type { Authenticator } from "../../src/auth/authenticator.js";

/** What an adapter's factory hands the contract. */
export interface AuthenticatorFixture {
  authenticator: Authenticator;
  /** A token the authenticator accepts, and the principal id it must yield. */
  validToken: string;
  principalId: string;
  close?: () => Promise<void>;
}

const GARBAGE = ["not-a-token", "eyJhbGciOiJSUzI1NiJ9.garbage.sig", "a.b.c", "Bearer x y"];

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AuthError, `expected AuthError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the token to be refused");
}

/** Runs the shared authenticator suite against `make()`. */
export function runAuthenticatorContract(
  name: string,
  make: () => Promise<AuthenticatorFixture>,
): void {
  describe(`Authenticator contract: ${name}`, () => {
    let fx: AuthenticatorFixture;
    before(async () => {
      fx = await make();
    });
    after(async () => {
      await fx.close?.();
    });

    test("[arcp-6.1-bearer-in-hello] a valid token yields its principal id", async () => {
      const principal = await fx.authenticator.authenticate(fx.validToken);
      assert.equal(principal.id, fx.principalId);
    });

    test("[arcp-6.1-unauthenticated] a missing or blank token is refused as missing (except none)", async () => {
      for (const token of [undefined, "", "   "]) {
        if (fx.authenticator.kind === "none") {
          assert.equal(typeof (await fx.authenticator.authenticate(token)).id, "string");
        } else {
          const err = await rejection(fx.authenticator.authenticate(token));
          assert.equal(err.reason, "missing");
        }
      }
    });

    test("[arcp-6.1-unauthenticated] garbage is refused as invalid (except none)", async () => {
      for (const token of GARBAGE) {
        if (fx.authenticator.kind === "none") {
          assert.equal(typeof (await fx.authenticator.authenticate(token)).id, "string");
        } else {
          const err = await rejection(fx.authenticator.authenticate(token));
          assert.equal(err.reason, "invalid");
        }
      }
    });

    test("refusals and principals never echo the token", async () => {
      const secretish = [`${fx.validToken}x`, `x${fx.validToken}`, "sk-live-SECRET-123456789"];
      for (const token of secretish) {
        if (fx.authenticator.kind === "none") {
          const principal = await fx.authenticator.authenticate(token);
          assert.ok(!JSON.stringify(principal).includes(token), "principal holds the token");
          continue;
        }
        const err = await rejection(fx.authenticator.authenticate(token));
        assert.ok(!err.message.includes(token), "message holds the token");
        assert.ok(!(err.stack ?? "").includes(token), "stack holds the token");
        assert.ok(!JSON.stringify(err).includes(token), "serialised error holds the token");
      }
      const principal = await fx.authenticator.authenticate(fx.validToken);
      assert.ok(!JSON.stringify(principal).includes(fx.validToken), "principal holds the token");
    });

    test("the same token is judged the same way twice", async () => {
      const a = await fx.authenticator.authenticate(fx.validToken);
      const b = await fx.authenticator.authenticate(fx.validToken);
      assert.equal(a.id, b.id);
    });
  });
}
