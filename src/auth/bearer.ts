/** Static bearer tokens mapped to principals, compared in constant time (DESIGN-20). */
import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../protocol/errors.js";
import { AuthError } from "./auth-error.js";
import { type Authenticator, isMissingToken, type Principal } from "./authenticator.js";

/** One configured token and the principal it authenticates. */
export interface BearerTokenEntry {
  token: string;
  principalId: string;
}

/**
 * Parses a `--token TOKEN=PRINCIPAL` value. The split is at the last `=`, so tokens may
 * carry base64 padding; principal ids cannot contain `=`.
 * @throws ConfigError without echoing the value, which holds a secret.
 */
export function parseBearerTokenSpec(spec: string): BearerTokenEntry {
  const at = spec.lastIndexOf("=");
  const token = at > 0 ? spec.slice(0, at) : "";
  const principalId = at > 0 ? spec.slice(at + 1).trim() : "";
  if (token.trim() === "" || principalId === "") {
    throw new ConfigError("--token expects TOKEN=PRINCIPAL with both parts non-empty");
  }
  return { token, principalId };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * Static-token authenticator (§6.1). Tokens are kept only as SHA-256 digests and every
 * configured digest is compared with `timingSafeEqual`, with no early exit, so the time
 * taken says nothing about which token, or which prefix, came close.
 */
export class BearerAuthenticator implements Authenticator {
  readonly kind = "bearer";
  readonly #digests: Buffer[] = [];
  readonly #principals: string[] = [];

  constructor(entries: Iterable<BearerTokenEntry>) {
    for (const { token, principalId } of entries) {
      if (token.trim() === "") throw new ConfigError("bearer tokens must not be empty");
      if (principalId.trim() === "")
        throw new ConfigError("bearer principal ids must not be empty");
      const d = digest(token);
      if (this.#digests.some((known) => known.equals(d))) {
        throw new ConfigError(`a bearer token is configured twice (principal ${principalId})`);
      }
      this.#digests.push(d);
      this.#principals.push(principalId);
    }
    if (this.#digests.length === 0) {
      throw new ConfigError("bearer authentication needs at least one --token TOKEN=PRINCIPAL");
    }
  }

  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined || isMissingToken(token)) throw new AuthError("missing");
    const candidate = digest(token);
    let match = -1;
    for (let i = 0; i < this.#digests.length; i++) {
      // No early return: every digest is compared, whichever one matched.
      const equal = timingSafeEqual(candidate, this.#digests[i]!);
      match = equal ? i : match;
    }
    const principalId = this.#principals[match];
    if (principalId === undefined) throw new AuthError("invalid", "Unknown bearer token");
    return { id: principalId };
  }
}
