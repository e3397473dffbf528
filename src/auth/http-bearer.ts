/** HTTP `Authorization: Bearer` parsing and the ARP 401 description, as the ARP server kit does it. */
import type { ArpInboundAuth } from "./arp-auth-config.js";
import { AuthError } from "./auth-error.js";
import type { Principal } from "./authenticator.js";

/** What an `Authorization` header holds. */
export type AuthorizationHeader =
  | { kind: "missing" }
  | { kind: "malformed" }
  | { kind: "bearer"; token: string };

/**
 * Parses an `Authorization` header like the ARP kit: absent or empty is missing; otherwise
 * exactly two whitespace-separated parts with the scheme `bearer` in any case, else malformed.
 * A repeated header (an array from Node) is malformed.
 */
export function parseAuthorizationHeader(
  header: string | readonly string[] | undefined,
): AuthorizationHeader {
  if (header === undefined || header === "") return { kind: "missing" };
  if (typeof header !== "string") return { kind: "malformed" };
  const parts = header.trim().split(/\s+/);
  if (parts.length !== 2 || parts[0]?.toLowerCase() !== "bearer" || !parts[1]) {
    return { kind: "malformed" };
  }
  return { kind: "bearer", token: parts[1] };
}

/** The ARP 401 answer: envelope `code`/`message` and the `WWW-Authenticate` challenge. */
export interface ArpUnauthorized {
  readonly code: "unauthorized";
  readonly message: string;
  readonly wwwAuthenticate: string;
}

/** `error` parameter of a Bearer challenge (RFC 6750 §3.1). */
export type BearerChallengeError = "invalid_request" | "invalid_token";

function quoted(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

/**
 * Describes a 401 (ARP openapi `UnauthorizedError`, security profiles): body
 * `{"error":{"code":"unauthorized","message":…}}` plus
 * `WWW-Authenticate: Bearer error="…", error_description="…"`.
 */
export function arpUnauthorized(error: BearerChallengeError, message: string): ArpUnauthorized {
  return Object.freeze({
    code: "unauthorized",
    message,
    wwwAuthenticate: `Bearer error="${error}", error_description="${quoted(message)}"`,
  });
}

/** 401 for a header that is absent (`Missing Authorization header`). */
export const MISSING_HEADER = arpUnauthorized("invalid_request", "Missing Authorization header");
/** 401 for a header not of the form `Bearer <token>` (`Invalid Authorization header`). */
export const INVALID_HEADER = arpUnauthorized("invalid_request", "Invalid Authorization header");

/** 401 `invalid_token` carrying the authenticator's (token-free) message. */
export function unauthorizedForAuthError(err: AuthError): ArpUnauthorized {
  return arpUnauthorized("invalid_token", err.message);
}

/** Outcome of {@link authorizeArpRequest}. */
export type ArpAuthorization =
  | { ok: true; principal: Principal | undefined }
  | { ok: false; unauthorized: ArpUnauthorized };

/**
 * The ARP kit's middleware decision for one request: exempt paths pass with no principal,
 * `disabled` admits everyone as the dev subject (ignoring any header), a missing header is
 * anonymous in `optional` and 401 in `required`, and a present header must hold a valid token
 * in every enabled mode. `path` is the request path without its query string.
 * Errors other than AuthError (bugs) propagate.
 */
export async function authorizeArpRequest(
  auth: ArpInboundAuth,
  path: string,
  header: string | readonly string[] | undefined,
): Promise<ArpAuthorization> {
  if (auth.exemptPaths.has(path)) return { ok: true, principal: undefined };
  if (auth.mode === "disabled") {
    return { ok: true, principal: await auth.authenticator.authenticate(undefined) };
  }
  const parsed = parseAuthorizationHeader(header);
  if (parsed.kind === "missing") {
    return auth.mode === "optional"
      ? { ok: true, principal: auth.anonymousPrincipal }
      : { ok: false, unauthorized: MISSING_HEADER };
  }
  if (parsed.kind === "malformed") return { ok: false, unauthorized: INVALID_HEADER };
  try {
    return { ok: true, principal: await auth.authenticator.authenticate(parsed.token) };
  } catch (err) {
    if (err instanceof AuthError) return { ok: false, unauthorized: unauthorizedForAuthError(err) };
    throw err;
  }
}
