/** Reading flag and environment values strictly: a value the CLI cannot use is a ConfigError naming it. */
import { ConfigError } from "../protocol/errors.js";

const TRUE = new Set(["true", "1", "yes"]);
const FALSE = new Set(["false", "0", "no", ""]);

/**
 * A boolean variable's value: `true`, `1`, `yes` or `false`, `0`, `no`, empty (any case).
 * @throws ConfigError naming `name` for anything else.
 */
export function parseBoolean(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ConfigError(`${name} must be true, 1, yes, false, 0, no or empty, not "${value}"`);
}

/**
 * A boolean flag and its variable: the flag given means on; otherwise the variable decides,
 * unset meaning off. (commander's own `.env()` turns a boolean on for any value, `false` too.)
 * @throws ConfigError for a variable value {@link parseBoolean} refuses.
 */
export function booleanFlag(
  flag: boolean | undefined,
  variable: string,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (flag === true) return true;
  const value = env[variable];
  return value === undefined ? false : parseBoolean(value, variable);
}

export interface IntegerRange {
  min: number;
  max: number;
}

/**
 * A whole-number flag value within `range`; `undefined` stays `undefined` (the default applies).
 * @throws ConfigError naming `flag` (e.g. `--job-retention / RUNPLANE_JOB_RETENTION`).
 */
export function integerFlag(
  value: string | undefined,
  flag: string,
  range: IntegerRange,
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= range.min && n <= range.max)) {
    throw new ConfigError(
      `${flag} must be a whole number from ${range.min} to ${range.max}, not "${value}"`,
    );
  }
  return n;
}

/** A repeatable flag's values followed by the comma-separated entries of its variable. */
export function listFlag(
  values: readonly string[] | undefined,
  variable: string,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const fromEnv = (env[variable] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return [...(values ?? []), ...fromEnv];
}
