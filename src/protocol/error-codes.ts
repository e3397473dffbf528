/** ARCP v1.1 §12 error taxonomy: exactly the fifteen codes, nothing else goes on the wire. */

export const ERROR_CODES = [
  "PERMISSION_DENIED",
  "LEASE_SUBSET_VIOLATION",
  "JOB_NOT_FOUND",
  "DUPLICATE_KEY",
  "AGENT_NOT_AVAILABLE",
  "AGENT_VERSION_NOT_AVAILABLE",
  "CANCELLED",
  "TIMEOUT",
  "RESUME_WINDOW_EXPIRED",
  "HEARTBEAT_LOST",
  "LEASE_EXPIRED",
  "BUDGET_EXHAUSTED",
  "INVALID_REQUEST",
  "UNAUTHENTICATED",
  "INTERNAL_ERROR",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && CODE_SET.has(value);
}

/**
 * Codes whose `retryable` flag is fixed by §12 (and by what the TS SDK client accepts):
 * a limit error can never succeed on a naive retry, an internal fault always may.
 */
const FIXED_RETRYABLE: Partial<Record<ErrorCode, boolean>> = {
  LEASE_EXPIRED: false,
  BUDGET_EXHAUSTED: false,
  INTERNAL_ERROR: true,
};

/** Default `retryable` for a code when the raiser does not decide. */
const DEFAULT_RETRYABLE: Partial<Record<ErrorCode, boolean>> = {
  TIMEOUT: true,
  HEARTBEAT_LOST: true,
};

/** The `retryable` flag to send for `code`, honouring the §12 fixed values. */
export function retryableFor(code: ErrorCode, requested?: boolean): boolean {
  const fixed = FIXED_RETRYABLE[code];
  if (fixed !== undefined) return fixed;
  return requested ?? DEFAULT_RETRYABLE[code] ?? false;
}
