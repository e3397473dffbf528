/**
 * What every store adapter agrees on when it pages `listJobs` (§6.6): the keyset cursor
 * codec, how the `agent` filter matches, and the page size bounds.
 */

/** A `listJobs` cursor that this store did not issue. The code is the one the wire uses (§12). */
export class InvalidCursorError extends Error {
  readonly code = "INVALID_REQUEST";

  constructor() {
    super("invalid cursor");
    this.name = "InvalidCursorError";
  }
}

/** The last row of a page: listing is ordered by (createdAt, id), and resumes strictly after it. */
export interface JobKey {
  createdAt: number;
  id: string;
}

/** Opaque to clients: base64url of a JSON pair. */
export function encodeJobCursor(key: JobKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id])).toString("base64url");
}

/** Decode a cursor from `encodeJobCursor`; anything else throws InvalidCursorError. */
export function decodeJobCursor(cursor: string): JobKey {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !Number.isSafeInteger(value[0]) ||
    typeof value[1] !== "string"
  ) {
    throw new InvalidCursorError();
  }
  return { createdAt: value[0] as number, id: value[1] };
}

/** Strict (createdAt, id) order, the listing order of every adapter. */
export function compareJobKeys(a: JobKey, b: JobKey): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/**
 * The `agent` filter: `name@version` matches exactly; a bare `name` (as in the §6.6 example
 * `"agent": "code-refactor"`) matches every version of that agent.
 */
export function agentMatches(agent: string, filter: string): boolean {
  return filter.includes("@") ? agent === filter : agent.startsWith(`${filter}@`);
}

/** The same bare-name match as a half-open text range [`name@`, `nameA`) for an index scan. */
export function agentPrefixRange(filter: string): [from: string, to: string] | null {
  return filter.includes("@") ? null : [`${filter}@`, `${filter}A`];
}

/** A page holds at least one job, so an empty page always means the end. */
export const pageSize = (limit: number): number =>
  Math.max(1, Math.floor(Number.isFinite(limit) ? limit : 1));
