/** Lease expiry instants (§9.5, DESIGN-25): strict UTC parsing and the at-or-after rule. */
import { LeaseError } from "./lease-error.js";

const UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/**
 * Parse `lease_constraints.expires_at` (§9.5): ISO 8601 in UTC with a `Z` suffix, a real
 * calendar instant, strictly after `nowMs`. Sub-millisecond digits are truncated, so the lease
 * never outlives what was asked.
 *
 * @returns milliseconds since the epoch.
 * @throws LeaseError `INVALID_REQUEST` for any other form, an impossible date, or a time that
 * is not in the future.
 */
export function parseExpiresAt(text: string, nowMs: number): number {
  const ms = parseUtcInstant(text);
  if (ms === undefined) {
    throw new LeaseError(
      "INVALID_REQUEST",
      "lease_constraints.expires_at must be an ISO 8601 UTC time ending in Z",
      { field: "expires_at" },
    );
  }
  if (ms <= nowMs) {
    throw new LeaseError("INVALID_REQUEST", "lease_constraints.expires_at is not in the future", {
      field: "expires_at",
      expires_at: text,
    });
  }
  return ms;
}

function parseUtcInstant(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const m = UTC_INSTANT.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  // Date rolls 30 February over into March; a round trip catches every impossible field.
  const sameFields =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return sameFields ? date.getTime() : undefined;
}

/** Whether a lease expiring at `expiresAtMs` is expired at `nowMs`: at or after is expired (§9.5). */
export function isExpired(expiresAtMs: number | undefined, nowMs: number): boolean {
  return expiresAtMs !== undefined && nowMs >= expiresAtMs;
}

/** The canonical `expires_at` text for an instant, e.g. `2026-05-13T23:42:00.000Z`. */
export function formatExpiresAt(ms: number): string {
  return new Date(ms).toISOString();
}
