/** The lease module's own error: a spec code (§12) plus details; the runtime maps it to ArcpError. */

/** The §12 codes a lease decision can produce. */
export type LeaseErrorCode =
  | "INVALID_REQUEST"
  | "PERMISSION_DENIED"
  | "LEASE_SUBSET_VIOLATION"
  | "LEASE_EXPIRED"
  | "BUDGET_EXHAUSTED";

/**
 * A refused lease, pattern, amount, target or delegation (§9). Messages name the offending
 * capability or pattern and never carry target values that could hold secrets (URL query
 * strings, credentials).
 */
export class LeaseError extends Error {
  readonly code: LeaseErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: LeaseErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "LeaseError";
    this.code = code;
    this.details = details;
  }
}
