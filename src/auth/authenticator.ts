/** The authenticator port shared by ARCP hello tokens (§6.1) and HTTP `Authorization` headers. */

/** Who made a request: a stable id and, for JWTs, the verified claims. */
export interface Principal {
  id: string;
  claims?: Record<string, unknown>;
}

/**
 * Judges a bearer credential (ARCP §6.1 `session.hello.payload.auth.token`, or the token
 * of an HTTP `Authorization: Bearer` header). One instance serves both front doors.
 */
export interface Authenticator {
  readonly kind: "none" | "bearer" | "jwt";
  /**
   * Resolves the principal the token stands for.
   * @throws AuthError `missing` when the token is absent or blank, `invalid` or `expired` otherwise.
   */
  authenticate(token: string | undefined): Promise<Principal>;
}

/** True when a token is absent or only whitespace: treated as "no credential". */
export function isMissingToken(token: string | undefined): boolean {
  return token === undefined || token.trim() === "";
}
