/** The error every Authenticator throws; its message is safe to show and never holds the token. */

/** Why a credential was refused: absent, unacceptable, or past its expiry. */
export type AuthErrorReason = "missing" | "invalid" | "expired";

const DEFAULT_MESSAGES: Record<AuthErrorReason, string> = {
  missing: "Missing token",
  invalid: "Invalid token",
  expired: "Token expired",
};

/**
 * A refused credential (ARCP §6.1 → `UNAUTHENTICATED`; ARP → 401 `invalid_token`).
 * The message is one of a small fixed set ("Token expired", "Invalid token audience", …),
 * so it can go on the wire as it is.
 */
export class AuthError extends Error {
  readonly reason: AuthErrorReason;

  constructor(reason: AuthErrorReason, message?: string, options?: { cause?: unknown }) {
    super(message ?? DEFAULT_MESSAGES[reason], options);
    this.name = "AuthError";
    this.reason = reason;
  }
}
