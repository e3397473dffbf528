/** Zod issues as ARP error `details`: one entry per offending field, named by JSONPath. */
import type { z } from "zod";

/** One offending field of a refused request, as listed in `details.errors`. */
export interface FieldError {
  path: string;
  code: string;
  message: string;
}

/** At most this many field errors are listed, so a hostile body cannot inflate the answer. */
const MAX_FIELD_ERRORS = 50;

/** `$`, `$.a.b`, `$.list[0]`, `$.extensions["bad key"]`: a JSONPath naming the field. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "$";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) {
      out += `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function issueToFieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: formatIssuePath([...issue.path, key]),
      code: "unrecognized_key",
      message: `unknown field '${key}'`,
    }));
  }
  const inner = issue.code === "invalid_key" ? issue.issues[0]?.message : undefined;
  return [{ path: formatIssuePath(issue.path), code: issue.code, message: inner ?? issue.message }];
}

/** `details` for a validation failure: `{errors: [{path, code, message}], truncated?}`, one per field. */
export function zodIssuesToDetails(issues: readonly z.core.$ZodIssue[]): Record<string, unknown> {
  const errors = issues.flatMap(issueToFieldErrors);
  if (errors.length <= MAX_FIELD_ERRORS) return { errors };
  return { errors: errors.slice(0, MAX_FIELD_ERRORS), truncated: true };
}
