/** ARP v1 HTTP errors: the gateway's one error type, its helpers, its ErrorEnvelope. */
import { STATUS_CODES } from "node:http";
import { z } from "zod";
import type { ErrorCode } from "../protocol/error-codes.js";
import { ArcpError } from "../protocol/errors.js";
import type { ErrorCause, ErrorDetail, ErrorEnvelope } from "./schemas/error.js";
import { zodIssuesToDetails } from "./schemas/issues.js";

export { type FieldError, formatIssuePath, zodIssuesToDetails } from "./schemas/issues.js";

/** Options of an {@link ArpHttpError}; `cause` stays local (logs), `errorCause` goes on the wire. */
export interface ArpHttpErrorOptions {
  details?: Record<string, unknown>;
  retryable?: boolean;
  headers?: Record<string, string>;
  errorCause?: ErrorCause;
  cause?: unknown;
}

/**
 * An HTTP error answered with an ARP `ErrorEnvelope` (openapi `default` responses,
 * common/error.schema.json). `code` is the envelope's `error.code`, `headers` extra response headers.
 */
export class ArpHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: Record<string, unknown>;
  readonly retryable?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  readonly errorCause?: ErrorCause;

  constructor(status: number, code: string, message: string, options: ArpHttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ArpHttpError";
    this.status = status;
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
    if (options.retryable !== undefined) this.retryable = options.retryable;
    if (options.headers !== undefined) this.headers = options.headers;
    if (options.errorCause !== undefined) this.errorCause = options.errorCause;
  }

  /** The wire body: absent fields omitted, and no `null` anywhere (arp-error-no-nulls). */
  toEnvelope(): ErrorEnvelope {
    const error: ErrorDetail = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = withoutNulls(this.details);
    if (this.retryable !== undefined) error.retryable = this.retryable;
    if (this.errorCause !== undefined) error.cause = withoutNulls(this.errorCause);
    return { error };
  }
}

/** Drop `null`/`undefined` members and array items, recursively, so a body never carries `null`. */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.filter((item) => item !== null && item !== undefined).map(withoutNulls) as T;
  }
  if (typeof value !== "object" || value === null) return value;
  // Dates, buffers and the like keep their own JSON form.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== null && member !== undefined) out[key] = withoutNulls(member);
  }
  return out as T;
}

/** 400 `invalid_request` (docs/spec.md: request validation failures answer 400). */
export function badRequest(message: string, details?: Record<string, unknown>): ArpHttpError {
  return new ArpHttpError(
    400,
    "invalid_request",
    message,
    details === undefined ? {} : { details },
  );
}

/** 400 `invalid_request` "Request validation failed", naming each offending field. */
export function validationFailed(issues: readonly z.core.$ZodIssue[]): ArpHttpError {
  return badRequest("Request validation failed", zodIssuesToDetails(issues));
}

/** `error` parameter of a Bearer challenge (RFC 6750 §3.1). */
export type BearerChallengeError = "invalid_request" | "invalid_token";

/** A quoted-string header parameter: only visible ASCII survives, since Node refuses the rest. */
function quoteChallenge(text: string): string {
  const printable = Array.from(text, (c) => (c >= " " && c <= "~" ? c : " ")).join("");
  return `"${printable.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * 401 `unauthorized` with `WWW-Authenticate: Bearer error="…", error_description="…"`
 * (openapi UnauthorizedError; server kit). `description` must never contain the token.
 */
export function unauthorized(
  description: string,
  challenge: BearerChallengeError = "invalid_token",
): ArpHttpError {
  const header = `Bearer error="${challenge}", error_description=${quoteChallenge(description)}`;
  return new ArpHttpError(401, "unauthorized", description, {
    headers: { "WWW-Authenticate": header },
  });
}

/** 403 `forbidden` (openapi ForbiddenError). */
export function forbidden(message = "Forbidden"): ArpHttpError {
  return new ArpHttpError(403, "forbidden", message);
}

/** 404 with a chosen code. */
export function notFound(code: string, message: string): ArpHttpError {
  return new ArpHttpError(404, code, message);
}

/** 404 `run_not_found` "Run '<id>' not found", also for runs the caller may not see (DESIGN-21). */
export function runNotFound(runId: string): ArpHttpError {
  return notFound("run_not_found", `Run '${runId}' not found`);
}

/** Path of a request URL without its query (which may carry anything) and bounded in length. */
function displayPath(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? "";
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/** 404 `not_found` for a path no route serves. */
export function routeNotFound(method: string, url: string): ArpHttpError {
  return notFound("not_found", `Route ${method} ${displayPath(url)} not found`);
}

/** 405 `method_not_allowed` with an `Allow` header listing the route's methods. */
export function methodNotAllowed(
  method: string,
  url: string,
  allowed: readonly string[],
): ArpHttpError {
  return new ArpHttpError(
    405,
    "method_not_allowed",
    `Method ${method} not allowed on ${displayPath(url)}`,
    { details: { allowed: [...allowed] }, headers: { Allow: allowed.join(", ") } },
  );
}

/** 409, by default `run_id_conflict`: a repeated client `run_id` with a different body (DESIGN-27). */
export function conflict(
  message: string,
  details?: Record<string, unknown>,
  code = "run_id_conflict",
): ArpHttpError {
  return new ArpHttpError(409, code, message, details === undefined ? {} : { details });
}

/** 413 `payload_too_large`. */
export function payloadTooLarge(limitBytes?: number): ArpHttpError {
  const message =
    limitBytes === undefined
      ? "Request body is too large"
      : `Request body exceeds the ${limitBytes}-byte limit`;
  return new ArpHttpError(413, "payload_too_large", message);
}

/** 415 `unsupported_media_type`: request bodies are `application/json`. */
export function unsupportedMediaType(): ArpHttpError {
  return new ArpHttpError(415, "unsupported_media_type", "Content-Type must be application/json");
}

/** 500 `internal_error` with a generic message; `cause` is kept for logs only. */
export function internal(cause?: unknown): ArpHttpError {
  return new ArpHttpError(
    500,
    "internal_error",
    "Internal server error",
    cause === undefined ? {} : { cause },
  );
}

/** 502 `run_coordinator_unavailable`: the upstream coordinator failed or answered unusably. */
export function coordinatorUnavailable(details?: Record<string, unknown>): ArpHttpError {
  return new ArpHttpError(502, "run_coordinator_unavailable", "Run Coordinator request failed", {
    retryable: true,
    ...(details === undefined ? {} : { details }),
  });
}

/** HTTP status and ARP code for each ARCP §12 code reaching the gateway from the runtime. */
const ARCP_TO_HTTP: Record<ErrorCode, readonly [number, string]> = {
  INVALID_REQUEST: [400, "invalid_request"],
  LEASE_SUBSET_VIOLATION: [400, "lease_subset_violation"],
  AGENT_NOT_AVAILABLE: [400, "agent_not_available"],
  AGENT_VERSION_NOT_AVAILABLE: [400, "agent_version_not_available"],
  UNAUTHENTICATED: [401, "unauthorized"],
  PERMISSION_DENIED: [403, "permission_denied"],
  BUDGET_EXHAUSTED: [403, "budget_exhausted"],
  LEASE_EXPIRED: [403, "lease_expired"],
  JOB_NOT_FOUND: [404, "run_not_found"],
  DUPLICATE_KEY: [409, "run_id_conflict"],
  CANCELLED: [409, "cancelled"],
  TIMEOUT: [504, "timeout"],
  RESUME_WINDOW_EXPIRED: [500, "internal_error"],
  HEARTBEAT_LOST: [500, "internal_error"],
  INTERNAL_ERROR: [500, "internal_error"],
};

/** Context that sharpens a mapped error, e.g. the run id for `run_not_found`. */
export interface ErrorContext {
  runId?: string;
}

function fromArcpError(err: ArcpError, context: ErrorContext): ArpHttpError {
  const [status, code] = ARCP_TO_HTTP[err.code];
  if (status >= 500) return internal(err);
  if (code === "run_not_found" && context.runId !== undefined) return runNotFound(context.runId);
  if (status === 401) return unauthorized(err.message);
  return new ArpHttpError(status, code, err.message, {
    retryable: err.retryable,
    cause: err,
    ...(err.details === undefined ? {} : { details: err.details }),
  });
}

/** Fixed messages for framework body errors, so nothing of the refused body is echoed. */
const FRAMEWORK_BODY_ERRORS: Record<string, () => ArpHttpError> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: () => badRequest("Request body is empty"),
  FST_ERR_CTP_INVALID_JSON_BODY: () => badRequest("Request body is not valid JSON"),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    badRequest("Request body does not match Content-Length"),
  FST_ERR_CTP_BODY_TOO_LARGE: () => payloadTooLarge(),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => unsupportedMediaType(),
};

/** An HTTP framework error (duck-typed `statusCode`, optional `code`) mapped to a clean error. */
function fromHttpLikeError(err: { statusCode: number; code?: unknown }): ArpHttpError {
  const byCode = typeof err.code === "string" ? FRAMEWORK_BODY_ERRORS[err.code] : undefined;
  if (byCode !== undefined) return byCode();
  const status = err.statusCode;
  if (status === 400) return badRequest("Request is malformed");
  if (status === 401) return unauthorized("Unauthorized");
  if (status === 403) return forbidden();
  if (status === 413) return payloadTooLarge();
  if (status === 415) return unsupportedMediaType();
  if (status >= 400 && status < 500) {
    return new ArpHttpError(status, "http_error", STATUS_CODES[status] ?? "Request refused");
  }
  return internal(err);
}

function hasStatusCode(err: unknown): err is { statusCode: number; code?: unknown } {
  return (
    typeof err === "object" &&
    err !== null &&
    typeof (err as { statusCode?: unknown }).statusCode === "number"
  );
}

/**
 * Whatever was thrown, as the {@link ArpHttpError} to answer with: ARCP errors by §12 code, zod
 * errors as 400 field lists, framework errors by status, anything else a generic 500.
 */
export function toArpHttpError(err: unknown, context: ErrorContext = {}): ArpHttpError {
  if (err instanceof ArpHttpError) return err;
  if (err instanceof ArcpError) return fromArcpError(err, context);
  if (err instanceof z.core.$ZodError) return validationFailed(err.issues);
  if (hasStatusCode(err)) return fromHttpLikeError(err);
  return internal(err);
}

/** The `ErrorEnvelope` body for anything thrown (schema-valid, no nulls). */
export function toErrorEnvelope(err: unknown, context: ErrorContext = {}): ErrorEnvelope {
  return toArpHttpError(err, context).toEnvelope();
}

/** Status, headers and body of the error response for anything thrown. */
export interface ErrorResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: ErrorEnvelope;
}

/** Everything a route needs to answer an error: `reply.code(status).headers(headers).send(body)`. */
export function toErrorResponse(err: unknown, context: ErrorContext = {}): ErrorResponse {
  const arp = toArpHttpError(err, context);
  return { status: arp.status, headers: arp.headers ?? {}, body: arp.toEnvelope() };
}
