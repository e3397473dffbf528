/** The `none` authenticator: every caller is one fixed principal (loopback only, DESIGN-20). */
import type { Authenticator, Principal } from "./authenticator.js";

/**
 * Accepts any token, or none, as the same principal (§6.1 with authentication switched off).
 * The CLI allows it only on a loopback bind.
 */
export class NoneAuthenticator implements Authenticator {
  readonly kind = "none";
  readonly #principalId: string;

  constructor(options: { principalId?: string } = {}) {
    this.#principalId = options.principalId ?? "anonymous";
  }

  async authenticate(_token: string | undefined): Promise<Principal> {
    return { id: this.#principalId };
  }
}
